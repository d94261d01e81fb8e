"""Forms of the hours pages (DSFR, rendered with `{{ form }}`); the services decide."""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clauses.accounts.models import Organisation
from clauses.core import spreadsheets
from clauses.core.forms import DsfrForm as DsfrBaseForm
from clauses.followup.models import Assignment
from clauses.hours.enums import ControlDecision, DeclarationStatus
from clauses.markets.models import Market, SocialConsideration


class DeclarationForm(DsfrBaseForm):
    assignment = forms.ModelChoiceField(
        label="Mission", queryset=Assignment.objects.none(), empty_label="Choisir une mission"
    )
    month = forms.CharField(
        label="Mois travaillé",
        help_text="Au format MM/AAAA, par exemple 03/2026.",
        max_length=7,
    )
    hours = forms.DecimalField(
        label="Heures travaillées",
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text="208 heures au plus par personne et par mois (48 h par semaine).",
    )
    amount_ht = forms.DecimalField(
        label="Montant sous-traité HT (€)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Seulement pour une sous-traitance ou cotraitance avec une SIAE, une EA "
        "ou un ESAT, à la place des heures.",
    )
    is_training = forms.BooleanField(label="Ce sont des heures de formation", required=False)
    reason = forms.CharField(
        label="Motif de la correction",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Seulement pour corriger un mois déjà déclaré (obligatoire alors) : la "
        "correction est gardée dans l'historique et contrôlée à nouveau.",
    )

    def __init__(self, *args, assignments=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if assignments is not None:
            self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: (
            f"n° {a.pk} — {a.participant} — {a.lot.market.reference}, lot {a.lot.number} "
            f"({a.get_modality_display()})"
        )

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        for pattern in ("%m/%Y", "%Y-%m"):
            try:
                return datetime.strptime(text, pattern).date()  # noqa: DTZ007
            except ValueError:
                continue
        raise ValidationError("Indiquez le mois au format MM/AAAA, par exemple 03/2026.")


class UploadForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier des déclarations",
        help_text="Tableur XLSX ou CSV au format du modèle, 5 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        """Refused by its size before anything reads it (the view reads the whole file)."""
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheets.MAX_BYTES:
            raise ValidationError("Le fichier dépasse 5 Mo.")
        return upload


class ControlForm(DsfrBaseForm):
    decision = forms.ChoiceField(label="Décision", choices=ControlDecision.choices)
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour refuser ou demander une correction ; l'entreprise le lira.",
    )


class ControlFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), *DeclarationStatus.choices],
    )
    market = forms.ModelChoiceField(
        label="Marché", required=False, queryset=Market.objects.none(), empty_label="Tous"
    )
    company = forms.ModelChoiceField(
        label="Entreprise",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="Toutes",
    )
    month = forms.CharField(label="Mois (MM/AAAA)", required=False, max_length=7)

    def __init__(self, *args, markets=None, companies=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if markets is not None:
            self.fields["market"].queryset = markets
        if companies is not None:
            self.fields["company"].queryset = companies
        self.fields["market"].label_from_instance = lambda m: f"{m.reference} — {m.subject}"
        self.fields["company"].label_from_instance = lambda o: o.name

    def filters(self) -> dict:
        if not self.is_bound:
            return {"status": DeclarationStatus.SUBMITTED}
        self.is_valid()
        data = dict(self.cleaned_data)
        month = None
        try:
            if data.get("month"):
                month = datetime.strptime(data["month"], "%m/%Y").date()  # noqa: DTZ007
        except ValueError:
            month = None
        market, company = data.get("market"), data.get("company")
        return {
            "status": data.get("status", ""),
            "month": month,
            "market_id": market.pk if market else None,
            "company_id": company.pk if company else None,
        }


class AgreementCompanyForm(DsfrBaseForm):
    """Choose the company whose agreements to list and create (GET)."""

    company = forms.ModelChoiceField(
        label="Entreprise", queryset=Organisation.objects.none(), empty_label="Choisir"
    )

    def __init__(self, *args, companies=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies
        self.fields["company"].label_from_instance = lambda o: o.name


class AgreementForm(DsfrBaseForm):
    reference = forms.CharField(
        label="Référence de la convention",
        max_length=100,
        help_text="Par exemple le numéro porté sur la convention signée.",
    )
    signed_on = forms.DateField(
        label="Signée le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    clauses = forms.ModelMultipleChoiceField(
        label="Clauses dont les heures sont globalisées",
        queryset=SocialConsideration.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Au moins deux clauses, sur des lots que l'entreprise exécute.",
    )
    notes = forms.CharField(
        label="Précisions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, clauses=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if clauses is not None:
            self.fields["clauses"].queryset = clauses
        self.fields["clauses"].label_from_instance = lambda c: (
            f"{c.lot.market.reference}, lot {c.lot.number} — {c.hours_target or 0} h"
        )


class EndAgreementForm(DsfrBaseForm):
    ended_on = forms.DateField(
        label="Résiliée le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
