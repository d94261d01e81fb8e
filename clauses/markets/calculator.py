"""The hour-target calculator as people and programs call it: explicit parameters, or a
preset of the territory overridable field by field; French errors for impossible input.

`calculate()` is shared by the public API (`POST /api/v1/clauses/hours-estimate`) and by the
services that store a clause's target with every input (`services.set_consideration`).
The arithmetic itself is in `rules.py` (sourced, property-tested).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clauses.markets import rules
from clauses.markets.enums import HourMethod
from clauses.markets.presets import TerritoryPreset, presets_for
from clauses.markets.rules import CalculationError, HourEstimate, to_decimal

LABELS = {
    "amount_ht": "Montant HT",
    "labour_share": "Part de main-d'œuvre",
    "hourly_cost": "Coût horaire chargé",
    "insertion_rate": "Taux d'insertion",
    "duration_months": "Durée du marché (mois)",
    "transferred_staff_monthly_hours": "Heures mensuelles du personnel repris",
}
RATE_FIELDS = ("labour_share", "hourly_cost", "insertion_rate")
CLEANING_FIELDS = ("duration_months", "transferred_staff_monthly_hours")

RECOMMENDATION_LABELS = {
    "clause": "Une clause d'insertion est possible avec cet objectif d'heures.",
    "no_clause": "La méthode recommande de ne pas mettre en place de clause d'insertion.",
}
UNVERIFIED_WARNING = (
    "Préréglage « {label} » : certaines valeurs n'ont pas de source vérifiée ; faites-les "
    "confirmer par le facilitateur ou la facilitatrice."
)


@dataclass(frozen=True)
class Calculation:
    estimate: HourEstimate
    method: str
    preset: TerritoryPreset | None
    inputs: dict[str, Decimal | None]

    @property
    def recommendation_label(self) -> str:
        return RECOMMENDATION_LABELS[self.estimate.recommendation]

    def as_dict(self) -> dict[str, Any]:
        """The API's answer."""
        parameters = dict(self.estimate.parameters)
        if self.preset is not None:
            parameters["preset"] = self.preset.code
            parameters["preset_label"] = self.preset.label
            parameters["source"] = self.preset.source
            parameters["territory"] = self.preset.territory_label
        return {
            "hours": self.estimate.hours,
            "formula": self.estimate.formula,
            "parameters": parameters,
            "recommendation": self.estimate.recommendation,
            "recommendation_label": self.recommendation_label,
            "warnings": list(self.estimate.warnings),
        }


def _given(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _number(data: Mapping[str, Any], name: str) -> Decimal:
    if not _given(data, name):
        raise CalculationError(f"{LABELS[name]} : ce champ est obligatoire.")
    value = data[name]
    if isinstance(value, list | dict):
        raise CalculationError(f"{LABELS[name]} : un nombre est attendu.")
    return to_decimal(value, LABELS[name])


def _preset(code: Any, presets: Mapping[str, TerritoryPreset]) -> TerritoryPreset:
    if not isinstance(code, str) or code.strip() not in presets:
        known = ", ".join(sorted(presets))
        raise CalculationError(
            f"Préréglage inconnu : « {code} ». Préréglages disponibles : {known}."
        )
    return presets[code.strip()]


def calculate(
    data: Mapping[str, Any],
    *,
    department_code: str | None = None,
    presets: Mapping[str, TerritoryPreset] | None = None,
) -> Calculation:
    """Hours from `data`: `amount_ht` and either `labour_share`, `hourly_cost`,
    `insertion_rate` (fractions), or `preset` with any of them to override its values;
    the cleaning preset (or `method: "cleaning"`) also takes `duration_months` and
    `transferred_staff_monthly_hours`. Numbers may be JSON numbers or strings (French
    decimal comma accepted). Raises CalculationError with a French message."""
    if presets is None:
        presets = presets_for(department_code)
    amount = _number(data, "amount_ht")
    preset = _preset(data["preset"], presets) if _given(data, "preset") else None
    values: dict[str, Decimal] = {}
    for name in RATE_FIELDS:
        if _given(data, name) or preset is None:
            values[name] = _number(data, name)
        elif preset.value(name) is None:
            raise CalculationError(
                f"Le préréglage « {preset.label} » n'a pas de valeur sourcée pour "
                f"« {LABELS[name].lower()} » : saisissez-la."
            )
        else:
            values[name] = preset.value(name)  # type: ignore[assignment]
    method = data.get("method") or (preset.sector if preset else rules.Sector.STANDARD)
    if method not in (rules.Sector.STANDARD, rules.Sector.CLEANING):
        raise CalculationError(
            f"Méthode inconnue : « {method} » (attendu : « standard » ou « cleaning »)."
        )
    inputs: dict[str, Decimal | None] = {"amount_ht": amount, **values}
    if method == rules.Sector.CLEANING:
        duration = _number(data, "duration_months")
        transferred = (
            _number(data, "transferred_staff_monthly_hours")
            if _given(data, "transferred_staff_monthly_hours")
            else Decimal(0)
        )
        inputs |= {"duration_months": duration, "transferred_staff_monthly_hours": transferred}
        minimum = preset.minimum_hours if preset and preset.minimum_hours is not None else 150
        estimate = rules.estimate_cleaning_hours(
            amount_ht=amount,
            duration_months=duration,
            transferred_staff_monthly_hours=transferred,
            minimum_hours=minimum,
            **values,
        )
    else:
        inputs |= {"duration_months": None, "transferred_staff_monthly_hours": None}
        estimate = rules.estimate_hours(
            amount_ht=amount,
            minimum_hours=preset.minimum_hours if preset else None,
            **values,
        )
    if preset is not None and not preset.verified:
        estimate.warnings.append(UNVERIFIED_WARNING.format(label=preset.label))
    return Calculation(
        estimate=estimate,
        method=HourMethod(str(method)).value,
        preset=preset,
        inputs=inputs,
    )
