from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from clauses.access.enums import AuditAction, TokenScope
from clauses.accounts.enums import Role
from clauses.core.forms import DsfrForm


class ApiTokenForm(DsfrForm):
    name = forms.CharField(
        label="Nom du jeton",
        help_text="Le logiciel ou le service qui l'utilisera, par exemple : « Profil acheteur ».",
        max_length=100,
    )
    role = forms.ChoiceField(
        label="Rôle",
        help_text="Le jeton agit comme un membre de votre organisation avec ce rôle.",
    )
    scope = forms.ChoiceField(
        label="Droits",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Lecture seule, sauf si le logiciel doit modifier des données.",
    )
    expires_on = forms.DateField(
        label="Date d'expiration",
        help_text="Au format JJ/MM/AAAA. Après cette date, le jeton est refusé.",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: object, roles: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_expires_on(self) -> date | None:
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is not None and expires_on <= timezone.localdate():
            raise forms.ValidationError("La date d'expiration doit être postérieure à aujourd'hui.")
        return expires_on

    def expires_at(self) -> datetime | None:
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is None:
            return None
        return timezone.make_aware(datetime.combine(expires_on, time.min))


class AuditFilterForm(DsfrForm):
    action = forms.ChoiceField(
        label="Action", choices=[("", "Toutes")] + list(AuditAction.choices), required=False
    )
    start = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    user = forms.CharField(
        label="Personne ou jeton",
        help_text="Une partie du nom, de l'adresse électronique ou du nom du jeton.",
        max_length=100,
        required=False,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("La date de début doit précéder la date de fin.")
        return cleaned
