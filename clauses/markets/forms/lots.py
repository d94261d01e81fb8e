"""Forms of a market's lots and social considerations."""

from typing import Any

from django import forms

from clauses.markets.enums import (
    ConsiderationKind,
    EligiblePublic,
    Modality,
)
from clauses.markets.forms.calculator import CalculatorFields
from clauses.markets.forms.common import (
    FrenchIntegerField,
    MarketsForm,
    _amount,
    clean_cpv_text,
    cpv_field,
)
from clauses.markets.presets import TerritoryPreset
from clauses.territories.models import CpvCode


class LotForm(MarketsForm, CalculatorFields):
    """A lot; its insertion clause can be computed right here with the calculator."""

    number = forms.IntegerField(label="Numéro du lot", min_value=1, max_value=999)
    title = forms.CharField(label="Intitulé du lot", max_length=300)
    lot_amount = _amount(
        "Montant estimé du lot (€ HT)",
        help_text="Exemple : 450 000. Sert de montant de calcul si vous n'en indiquez pas.",
    )
    cpv = cpv_field(
        "Code CPV du lot",
        "suggestions-cpv-lot",
        "8 chiffres, ou des mots de son libellé pour choisir un code proposé. Laissez vide "
        "pour reprendre le code du marché.",
    )
    with_clause = forms.BooleanField(
        label="Ajouter une clause d'insertion à ce lot (condition d'exécution)",
        required=False,
        help_text="La clause reprend les publics éligibles du territoire et toutes les "
        "modalités de mise en œuvre ; vous pourrez les préciser ensuite.",
    )

    field_order = [
        "number",
        "title",
        "lot_amount",
        "cpv",
        "with_clause",
        *CalculatorFields.CALCULATOR_FIELDS,
    ]
    fieldsets = (
        ("lot", "Le lot", "", ("number", "title", "lot_amount", "cpv")),
        (
            "clause",
            "Clause d'insertion calculée",
            "Cochez la case pour que le calculateur fixe l'objectif d'heures du lot. Avec un "
            "préréglage, un champ laissé vide prend la valeur du préréglage.",
            ("with_clause", *CalculatorFields.CALCULATOR_FIELDS),
        ),
    )

    def __init__(self, *args: Any, presets: dict[str, TerritoryPreset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_presets(presets)
        self.fields["amount_ht"].label = "Montant de calcul des heures (€ HT)"
        self.fields["amount_ht"].help_text = "Laissez vide pour utiliser le montant du lot."

    def clean_cpv(self) -> CpvCode | None:
        return clean_cpv_text(self.cleaned_data.get("cpv") or "")


HOURS_CHOICES = [
    ("calculator", "Calculer avec le calculateur (préréglage ou paramètres)"),
    ("manual", "Saisir directement le nombre d'heures"),
    ("none", "Pas d'objectif d'heures pour l'instant"),
]


class ConsiderationForm(MarketsForm, CalculatorFields):
    kind = forms.ChoiceField(
        label="Type de considération sociale", choices=ConsiderationKind.choices
    )
    description = forms.CharField(
        label="Précisions", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    eligible_publics = forms.MultipleChoiceField(
        label="Publics éligibles",
        required=False,
        choices=EligiblePublic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    modalities = forms.MultipleChoiceField(
        label="Modalités de mise en œuvre proposées au titulaire",
        required=False,
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    penalty_per_missing_hour = _amount("Pénalité par heure d'insertion non réalisée (€)")
    hours_mode = forms.ChoiceField(
        label="Objectif d'heures (clause d'insertion, marché d'insertion)",
        choices=HOURS_CHOICES,
        initial="calculator",
        widget=forms.RadioSelect,
    )
    manual_hours = FrenchIntegerField(
        label="Nombre d'heures saisi directement", required=False, min_value=0
    )

    field_order = [
        "kind",
        "eligible_publics",
        "modalities",
        "description",
        "penalty_per_missing_hour",
        "hours_mode",
        "manual_hours",
        *CalculatorFields.CALCULATOR_FIELDS,
    ]
    fieldsets = (
        (
            "consideration",
            "La considération sociale",
            "",
            ("kind", "eligible_publics", "modalities", "description", "penalty_per_missing_hour"),
        ),
        (
            "heures",
            "Objectif d'heures",
            "Pour une clause d'insertion ou un marché d'insertion. Avec un préréglage, un champ "
            "laissé vide prend la valeur du préréglage.",
            ("hours_mode", "manual_hours", *CalculatorFields.CALCULATOR_FIELDS),
        ),
    )

    def __init__(self, *args: Any, presets: dict[str, TerritoryPreset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_presets(presets)
        self.fields["amount_ht"].label = "Montant de calcul des heures (€ HT)"
        self.fields["amount_ht"].help_text = "Laissez vide pour utiliser le montant du lot."

    def clean(self) -> dict:
        data = super().clean()
        if data.get("hours_mode") == "manual" and data.get("manual_hours") is None:
            self.add_error("manual_hours", "Indiquez le nombre d'heures.")
        return data


class OverrideForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "ajustement"
    hours_override = FrenchIntegerField(
        label="Heures retenues",
        required=False,
        min_value=0,
        help_text="Laissez vide pour revenir aux heures calculées.",
    )
    override_reason = forms.CharField(
        label="Motif de l'ajustement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Au moins 10 caractères : ce qui justifie un autre objectif que le calcul.",
    )
