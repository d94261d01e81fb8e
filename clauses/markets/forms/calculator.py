"""Forms of the hour calculator (and the calculator fields the lot and consideration forms
share).
"""

from decimal import Decimal
from typing import Any

from django import forms

from clauses.markets import rules
from clauses.markets.calculator import LABELS
from clauses.markets.forms.common import (
    HUNDRED,
    FrenchDecimalField,
    MarketsForm,
    _amount,
    department_choices,
    fraction,
)
from clauses.markets.presets import TerritoryPreset

# ---------------------------------------------------------------------------------------
# Hour calculator


class CalculatorFields(forms.Form):
    """The calculator's inputs, shared by the public page, the lot form and the social
    consideration form. A preset fills the fields left empty."""

    preset = forms.ChoiceField(
        label="Préréglage",
        required=False,
        help_text="Les valeurs d'un préréglage s'appliquent aux champs que vous laissez vides.",
    )
    amount_ht = _amount(
        "Montant estimé (€ HT)",
        help_text="Exemple : 1 000 000,50 — le montant du lot ou du marché, hors taxes.",
    )
    labour_share = FrenchDecimalField(
        label="Part de main-d'œuvre (%)",
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        help_text="En pourcentage du montant : 50 pour 50 %.",
    )
    hourly_cost = FrenchDecimalField(
        label="Coût horaire chargé (€)",
        required=False,
        strictly_positive=True,
        max_value=Decimal(10000),
        help_text="Toutes charges comprises, par exemple 30.",
    )
    insertion_rate = FrenchDecimalField(
        label="Taux d'insertion (%)",
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        help_text="Part des heures de travail réservée à l'insertion : 5 pour 5 %.",
    )
    duration_months = FrenchDecimalField(
        label="Durée du marché (mois)",
        required=False,
        strictly_positive=True,
        max_value=Decimal(1200),
        help_text="Propreté seulement.",
    )
    transferred_staff_monthly_hours = FrenchDecimalField(
        label="Heures mensuelles du personnel repris",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10_000_000),
        help_text="Propreté seulement : heures par mois du personnel transférable.",
    )

    CALCULATOR_FIELDS = (
        "preset",
        "amount_ht",
        "labour_share",
        "hourly_cost",
        "insertion_rate",
        "duration_months",
        "transferred_staff_monthly_hours",
    )

    def set_presets(self, presets: dict[str, TerritoryPreset]) -> None:
        self.presets = presets
        self.fields["preset"].choices = [
            ("", "Aucun : je saisis tous les paramètres"),
            *[(code, preset.label) for code, preset in presets.items()],
        ]

    def calculation_input(self) -> dict[str, Any]:
        """The calculator's input (fractions), empty values left out for the preset."""
        data = self.cleaned_data
        result: dict[str, Any] = {}
        if data.get("preset"):
            result["preset"] = data["preset"]
        for name in ("amount_ht", "hourly_cost", "duration_months"):
            if data.get(name) is not None:
                result[name] = data[name]
        for name in ("labour_share", "insertion_rate"):
            if data.get(name) is not None:
                result[name] = fraction(data[name])
        if data.get("transferred_staff_monthly_hours") is not None:
            result["transferred_staff_monthly_hours"] = data["transferred_staff_monthly_hours"]
        preset = self.presets.get(data.get("preset") or "") if hasattr(self, "presets") else None
        if preset is not None and preset.sector == rules.Sector.CLEANING:
            result.setdefault("duration_months", None)
        return result

    def calculation_error(self, message: str) -> None:
        """Put a calculator error on its field when its label says which one."""
        for name, label in LABELS.items():
            if message.startswith(label) and name in self.fields:
                self.add_error(name, message.removeprefix(f"{label} : "))
                return
        self.add_error(None, message)


class CalculatorForm(MarketsForm, CalculatorFields):
    """The public calculator (a GET form: the result is a link anyone can share)."""

    departement = forms.ChoiceField(
        label="Département",
        required=False,
        help_text="Pour utiliser les préréglages de votre territoire.",
    )

    field_order = ["departement", *CalculatorFields.CALCULATOR_FIELDS]
    fieldsets = (
        (
            "territoire",
            "Préréglage",
            "Choisissez votre département pour voir les préréglages de votre territoire.",
            ("departement", "preset"),
        ),
        (
            "parametres",
            "Paramètres du calcul",
            "Avec un préréglage, un champ laissé vide prend la valeur du préréglage.",
            ("amount_ht", "labour_share", "hourly_cost", "insertion_rate"),
        ),
        (
            "proprete",
            "Propreté : personnel repris",
            "Seulement pour la méthode PACT Propreté (préréglage « Propreté, nettoyage »).",
            ("duration_months", "transferred_staff_monthly_hours"),
        ),
    )

    def __init__(self, *args: Any, presets: dict[str, TerritoryPreset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [
            ("", "Valeurs nationales par défaut"),
            *department_choices(),
        ]
        self.set_presets(presets)
