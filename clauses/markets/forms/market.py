"""Forms of a market: list filters, the market itself, status, derogation, contractors,
meetings.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.markets import rules
from clauses.markets.enums import (
    ConsiderationKind,
    ContractorRole,
    MarketStatus,
    MeetingKind,
    Procedure,
)
from clauses.markets.forms.common import (
    FrenchIntegerField,
    MarketsForm,
    _amount,
    clean_communes_text,
    clean_cpv_text,
    cpv_field,
)
from clauses.markets.models import Operation
from clauses.network.models import Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode

# ---------------------------------------------------------------------------------------
# Lists


class MarketFilterForm(MarketsForm):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=100,
        help_text="Référence, objet, acheteur ou intitulé d'un lot.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    statut = forms.ChoiceField(label="Statut", required=False)
    annee = forms.TypedChoiceField(
        label="Année",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Du lancement de la consultation (ou de sa publication prévue).",
    )
    departement = forms.ChoiceField(label="Département d'exécution", required=False)
    cpv = forms.CharField(
        label="Code CPV (division ou famille)",
        required=False,
        max_length=8,
        help_text="Les premiers chiffres : 45 pour les travaux de construction.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    acheteur = forms.TypedChoiceField(label="Acheteur", required=False, coerce=int)
    clause = forms.ChoiceField(label="Considération sociale", required=False)
    sans_condition = forms.BooleanField(
        label="Seulement les marchés sans la condition sociale obligatoire (L2112-2-1)",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[str, str]],
        buyers: list[tuple[int, str]] | None,
        years: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [("", "Tous les statuts"), *MarketStatus.choices]
        self.fields["annee"].choices = [("", "Toutes les années")] + [
            (year, str(year)) for year in years or []
        ]
        self.fields["departement"].choices = [("", "Tous les départements"), *departments]
        self.fields["clause"].choices = [
            ("", "Toutes"),
            ("any", "Avec une considération sociale"),
            ("none", "Aucune considération sociale"),
            *ConsiderationKind.choices,
        ]
        if buyers is None:
            del self.fields["acheteur"]
        else:
            self.fields["acheteur"].choices = [("", "Tous les acheteurs"), *buyers]

    def clean_cpv(self) -> str:
        value = (self.cleaned_data.get("cpv") or "").strip()
        if value and not value.isdigit():
            raise ValidationError("Indiquez les premiers chiffres d'un code CPV, par exemple 45.")
        return value

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return self.cleaned_data


class MarketForm(MarketsForm):
    buyer = forms.ModelChoiceField(
        label="Acheteur", queryset=Organisation.objects.none(), required=True
    )
    reference = forms.CharField(label="Référence du marché", max_length=60)
    subject = forms.CharField(label="Objet du marché", max_length=300)
    kind = forms.ChoiceField(
        label="Type de marché", choices=[("", "À choisir")] + rules.MarketKind.choices
    )
    procedure = forms.ChoiceField(
        label="Procédure", required=False, choices=[("", "Non précisée")] + Procedure.choices
    )
    cpv = cpv_field(
        "Code CPV principal",
        "suggestions-cpv-marche",
        "8 chiffres, par exemple 45210000 ; ou tapez des mots (« travaux bâtiment ») et "
        "choisissez un code proposé.",
    )
    estimated_amount_ht = _amount(
        "Montant estimé (€ HT)", help_text="Exemple : 1 200 000 — sert au calcul des heures."
    )
    awarded_amount_ht = _amount("Montant attribué (€ HT)")
    consultation_launch_date = forms.DateField(
        label="Lancement de la consultation",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    planned_publication_date = forms.DateField(
        label="Publication prévue",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    duration_months = FrenchIntegerField(
        label="Durée (mois)", required=False, min_value=1, max_value=1200
    )
    communes = forms.CharField(
        label="Communes d'exécution",
        required=False,
        help_text="Codes INSEE séparés par des virgules, par exemple 93066, 93048.",
    )
    following_structure = forms.ModelChoiceField(
        label="Structure facilitatrice qui suit le marché",
        required=False,
        queryset=FacilitatorStructure.objects.order_by("name"),
    )
    facilitator = forms.ModelChoiceField(
        label="Facilitateur ou facilitatrice",
        required=False,
        queryset=Facilitator.objects.select_related("structure").order_by(
            "last_name", "first_name"
        ),
    )
    operation = forms.ModelChoiceField(
        label="Opération",
        required=False,
        queryset=Operation.objects.none(),
        empty_label="Aucune opération",
        help_text="Le projet d'ensemble dont ce marché fait partie (par exemple un projet "
        "de renouvellement urbain), s'il y en a un.",
    )
    defence_or_security = forms.BooleanField(
        label="Marché de défense ou de sécurité", required=False
    )
    decp_id = forms.CharField(
        label="Identifiant DECP",
        required=False,
        max_length=64,
        help_text="L'identifiant du marché dans les données essentielles publiées par "
        "l'acheteur après l'attribution (champ « id ») : l'observatoire rapproche ainsi le "
        "marché suivi de sa publication.",
    )

    fieldsets = (
        (
            "marche",
            "Le marché",
            "",
            ("buyer", "reference", "subject", "kind", "procedure", "cpv"),
        ),
        (
            "montants",
            "Montants et dates",
            "Le montant estimé et la date de lancement disent si la condition sociale est "
            "obligatoire (article L2112-2-1).",
            (
                "estimated_amount_ht",
                "awarded_amount_ht",
                "consultation_launch_date",
                "planned_publication_date",
                "duration_months",
            ),
        ),
        (
            "suivi",
            "Lieu d'exécution et suivi",
            "",
            (
                "communes",
                "following_structure",
                "facilitator",
                "operation",
                "defence_or_security",
                "decp_id",
            ),
        ),
    )

    def __init__(
        self, *args: Any, buyers: Any = None, operations: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if buyers is None:
            del self.fields["buyer"]
        else:
            self.fields["buyer"].queryset = buyers
        if operations is None:
            del self.fields["operation"]
        else:
            self.fields["operation"].queryset = operations

    def clean_cpv(self) -> CpvCode | None:
        return clean_cpv_text(self.cleaned_data.get("cpv") or "")

    def clean_communes(self) -> list[Commune]:
        return clean_communes_text(self.cleaned_data.get("communes") or "")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("buyer", None)
        data.pop("communes", None)
        return data


class DerogationForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "derogation"
    derogation_reason = forms.CharField(
        label="Motif de la dérogation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Au moins 10 caractères. Laissez vide pour retirer la dérogation.",
    )


class StatusForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "statut"
    to = forms.ChoiceField(label="Nouveau statut")
    on = forms.DateField(
        label="Date de l'étape",
        help_text="La date réelle du lancement de la consultation, de la notification, du "
        "début d'exécution ou de la fin d'exécution (aujourd'hui par défaut).",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = choices
        self.fields["on"].initial = timezone.localdate()


class ContractorForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "entreprise"
    lot = forms.TypedChoiceField(label="Lot", coerce=int)
    siret = forms.CharField(
        label="SIRET de l'entreprise",
        max_length=20,
        help_text="14 chiffres, espaces acceptés.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label="Nom de l'entreprise",
        required=False,
        max_length=250,
        help_text="Seulement si l'entreprise n'est pas encore connue de la plateforme.",
    )
    role = forms.ChoiceField(label="Rôle", choices=ContractorRole.choices)
    amount_ht = _amount("Montant (€ HT)")

    def __init__(self, *args: Any, lots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = lots


class MeetingForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "reunion"
    kind = forms.ChoiceField(label="Type de réunion", choices=MeetingKind.choices)
    when = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    location = forms.CharField(label="Lieu", required=False, max_length=300)
    lot = forms.TypedChoiceField(label="Lot concerné", required=False, coerce=int, empty_value=None)
    invite_facilitator = forms.BooleanField(
        label="Inviter le facilitateur ou la facilitatrice (courriel)",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, lots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", "Tout le marché"), *lots]


class ConversionForm(MarketsForm):
    """The confirmation of a desk request's conversion: who follows the market."""

    facilitator = forms.ModelChoiceField(
        label="Facilitateur ou facilitatrice qui suit le marché",
        queryset=Facilitator.objects.none(),
        required=False,
        empty_label="À désigner plus tard",
        help_text="Parmi ceux de la structure qui traite la demande. Modifiable ensuite.",
    )
    confirmer = forms.CharField(widget=forms.HiddenInput, initial="oui")

    def __init__(self, *args: Any, facilitators: list[Facilitator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = Facilitator.objects.filter(
            pk__in=[f.pk for f in facilitators]
        ).order_by("last_name", "first_name")
        if not facilitators:
            del self.fields["facilitator"]
