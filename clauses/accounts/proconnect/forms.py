"""The sign-up page of an agent ProConnect identified whose organisation is not confirmed:
what ProConnect does not say about the organisation (the project holds no SIRENE data)."""

from django import forms

from clauses.accounts.enums import BuyerCategory
from clauses.core.forms import DsfrForm
from clauses.territories.models import Department


class ProConnectSignUpForm(DsfrForm):
    """The organisation's name, category and département when it is new; nothing when the
    agent joins a buyer organisation already awaiting confirmation (`joining`)."""

    organisation_name = forms.CharField(
        label="Nom de votre organisation",
        max_length=250,
        help_text="Par exemple : Ville de Montreuil, Seine-Saint-Denis Habitat.",
    )
    buyer_category = forms.ChoiceField(label="Catégorie d'acheteur", choices=BuyerCategory.choices)
    department = forms.ModelChoiceField(
        label="Département",
        queryset=Department.objects.order_by("code"),
        empty_label=None,
        error_messages={"invalid_choice": "Choisissez un département de la liste."},
    )

    def __init__(self, *args: object, joining: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if joining:
            self.fields.clear()

    def clean_organisation_name(self) -> str:
        name = " ".join(self.cleaned_data["organisation_name"].split())
        if not name:
            raise forms.ValidationError("Indiquez le nom de votre organisation.")
        return name
