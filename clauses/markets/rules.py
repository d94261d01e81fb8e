"""Exact rules for clauses: the hour-target calculator and the 2026 mandatory social condition.

Pure functions on Decimals: no database, no clock. Every constant carries its source from
the domain rules (docs/domain-rules.md, cited below as "domain rules §N"); values they mark
unverified are presets a coordination may change for its territory, never hidden constants.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from clauses.core.numbers import NumberError, parse_decimal
from clauses.markets.enums import MarketKind, Sector

ZERO = Decimal(0)
ONE = Decimal(1)


class CalculationError(ValueError):
    """Impossible input, with a French message for the person who typed it."""


# --------------------------------------------------------------------------------------
# Hour target
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourPreset:
    code: str
    label: str
    labour_share: Decimal
    hourly_cost: Decimal
    insertion_rate: Decimal
    source: str
    sector: Sector = Sector.STANDARD
    # Below this many hours, the method recommends no clause (None: no threshold known).
    minimum_hours: int | None = None
    verified: bool = True


# Shown to users next to each preset (docs/domain-rules.md §1, §2.1, §2.2, §2.4 hold the detail).
MEFSUD77 = "Maison de l'emploi Sud 77 (mefsud77.fr), méthode et exemple chiffré des facilitateurs"
INSERPROPRE = (
    "Inserpropre, calculateur du PACT Propreté de la Fédération des entreprises de propreté"
)
ANRU = "Charte nationale d'insertion de l'ANRU"

# Source: domain rules §2.4 (labour shares of MEF Sud 77; hourly cost 25–30 € "toutes charges
# comprises", 30 € in the worked example W1; insertion rate 5 % "fixé par le maître
# d'ouvrage", the usual default). Cleaning: 80 % labour and 20 €/h from Inserpropre.
HOUR_PRESETS: dict[str, HourPreset] = {
    preset.code: preset
    for preset in [
        HourPreset(
            "batiment",
            "Bâtiment, moyenne des lots",
            Decimal("0.50"),
            Decimal(30),
            Decimal("0.05"),
            MEFSUD77,
        ),
        HourPreset(
            "peinture",
            "Peinture intérieure",
            Decimal("0.70"),
            Decimal(30),
            Decimal("0.05"),
            MEFSUD77,
        ),
        HourPreset(
            "maconnerie",
            "Maçonnerie, gros œuvre",
            Decimal("0.50"),
            Decimal(30),
            Decimal("0.05"),
            MEFSUD77,
        ),
        HourPreset(
            "charpente_metallique",
            "Charpente métallique",
            Decimal("0.20"),
            Decimal(30),
            Decimal("0.05"),
            MEFSUD77,
        ),
        HourPreset(
            "proprete",
            "Propreté, nettoyage",
            Decimal("0.80"),
            Decimal(20),
            Decimal("0.05"),
            INSERPROPRE,
            sector=Sector.CLEANING,
            minimum_hours=150,
        ),
        HourPreset(
            "anru_travaux",
            "Opération ANRU : travaux et ingénierie",
            Decimal("0.50"),
            Decimal(30),
            Decimal("0.05"),
            f"{ANRU} ; part de main-d'œuvre : {MEFSUD77}",
        ),
        HourPreset(
            "anru_gup",
            "Opération ANRU : gestion urbaine de proximité",
            Decimal("0.50"),
            Decimal(30),
            Decimal("0.10"),
            f"{ANRU} ; part de main-d'œuvre : {MEFSUD77}",
        ),
    ]
}


@dataclass(frozen=True)
class HourEstimate:
    hours: int
    exact_hours: Decimal
    formula: str
    parameters: dict[str, str]
    recommendation: str  # "clause" or "no_clause"
    warnings: list[str] = field(default_factory=list)


def to_decimal(value: object, label: str) -> Decimal:
    """A number typed by a person, the French way (`clauses.core.numbers`), or an error in
    French prefixed by `label`."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise CalculationError(f"{label} : un nombre est attendu.")
    try:
        number = parse_decimal(value, places=None)
    except NumberError as exc:
        raise CalculationError(f"{label} : {exc}") from exc
    if number is None:
        raise CalculationError(f"{label} : « {value} » n'est pas un nombre.")
    return number


def round_hours(value: Decimal) -> int:
    """To the nearest whole hour, halves up (833.33 → 833, as in the worked example W1)."""
    return int(value.quantize(ONE, rounding=ROUND_HALF_UP))


def _euros(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text.removesuffix(",00") + " €"


def _percent(value: Decimal) -> str:
    text = f"{(value * 100).normalize():f}".replace(".", ",")
    return f"{text} %"


def _number(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}".replace(",", "\u202f").replace(".", ",")


def _check_common(
    amount: Decimal, labour_share: Decimal, hourly_cost: Decimal, rate: Decimal
) -> None:
    if amount < 0:
        raise CalculationError("Le montant HT ne peut pas être négatif.")
    if not ZERO <= labour_share <= ONE:
        raise CalculationError(
            "La part de main-d'œuvre doit être comprise entre 0 et 1 (0,5 pour 50 %)."
        )
    if hourly_cost <= 0:
        raise CalculationError("Le coût horaire chargé doit être strictement positif.")
    if not ZERO <= rate <= ONE:
        raise CalculationError(
            "Le taux d'insertion doit être compris entre 0 et 1 (0,05 pour 5 %)."
        )


def estimate_hours(
    *,
    amount_ht: Decimal,
    labour_share: Decimal,
    hourly_cost: Decimal,
    insertion_rate: Decimal,
    minimum_hours: int | None = None,
) -> HourEstimate:
    """hours = amount HT × labour share ÷ loaded hourly cost × insertion rate.

    Source: domain rules §2.1, the facilitators' method (MEF Sud 77): 1,000,000 € × 50 % =
    500,000 € of labour; × 5 % = 25,000 €; ÷ 30 €/h = 833 hours (worked example W1).
    """
    _check_common(amount_ht, labour_share, hourly_cost, insertion_rate)
    labour_cost = amount_ht * labour_share
    labour_hours = labour_cost / hourly_cost
    exact = labour_hours * insertion_rate
    hours = round_hours(exact)
    warnings: list[str] = []
    recommendation = "clause"
    if hours == 0:
        recommendation = "no_clause"
        warnings.append("Le calcul ne donne aucune heure d'insertion : pas de clause possible.")
    elif minimum_hours is not None and hours < minimum_hours:
        recommendation = "no_clause"
        warnings.append(
            f"Moins de {minimum_hours} heures : la méthode recommande de ne pas mettre en "
            "place de clause sociale."
        )
    formula = (
        f"{_euros(amount_ht)} HT × {_percent(labour_share)} de main-d'œuvre "
        f"= {_euros(labour_cost)} ; ÷ {_euros(hourly_cost)} de coût horaire chargé "
        f"= {_number(labour_hours)} heures de travail ; × {_percent(insertion_rate)} "
        f"d'insertion = {_number(exact)} heures, arrondies à {hours} heures."
    )
    parameters = {
        "amount_ht": str(amount_ht),
        "labour_share": str(labour_share),
        "hourly_cost": str(hourly_cost),
        "insertion_rate": str(insertion_rate),
        "method": Sector.STANDARD.value,
    }
    return HourEstimate(hours, exact, formula, parameters, recommendation, warnings)


def estimate_cleaning_hours(
    *,
    amount_ht: Decimal,
    duration_months: Decimal,
    transferred_staff_monthly_hours: Decimal,
    labour_share: Decimal,
    hourly_cost: Decimal,
    insertion_rate: Decimal,
    minimum_hours: int = 150,
) -> HourEstimate:
    """The cleaning sector's method, which deducts the hours of the transferred staff.

    Source: domain rules §2.2 (Inserpropre, PACT Propreté of the FEP): C = hourly cost ÷ labour
    share (20 € ÷ 80 % = 25 € of turnover per labour hour); P = 1 − (S × C) ÷ (A ÷ N);
    I = P × A ÷ C × T. Under 150 hours, no clause; P ≤ 0 means the transferred staff exceed
    the market's labour potential.
    """
    _check_common(amount_ht, labour_share, hourly_cost, insertion_rate)
    if duration_months <= 0:
        raise CalculationError("La durée du marché doit être d'au moins un mois.")
    if transferred_staff_monthly_hours < 0:
        raise CalculationError(
            "Les heures mensuelles du personnel repris ne peuvent être négatives."
        )
    if labour_share == 0:
        raise CalculationError("La part de main-d'œuvre doit être strictement positive.")
    coefficient = hourly_cost / labour_share
    parameters = {
        "amount_ht": str(amount_ht),
        "labour_share": str(labour_share),
        "hourly_cost": str(hourly_cost),
        "insertion_rate": str(insertion_rate),
        "duration_months": str(duration_months),
        "transferred_staff_monthly_hours": str(transferred_staff_monthly_hours),
        "method": Sector.CLEANING.value,
    }
    monthly_turnover = amount_ht / duration_months
    if monthly_turnover == 0:
        return HourEstimate(
            0,
            ZERO,
            "Montant nul : aucune heure d'insertion.",
            parameters,
            "no_clause",
            ["Le calcul ne donne aucune heure d'insertion : pas de clause possible."],
        )
    weighting = ONE - (transferred_staff_monthly_hours * coefficient) / monthly_turnover
    exact = weighting * amount_ht / coefficient * insertion_rate
    hours = max(round_hours(exact), 0)
    warnings: list[str] = []
    recommendation = "clause"
    if weighting <= 0 or hours <= 0:
        hours = 0
        exact = max(exact, ZERO)
        recommendation = "no_clause"
        warnings.append(
            "Le personnel transférable représente plus que le potentiel d'heures du marché : "
            "pas de clause possible."
        )
    elif hours < minimum_hours:
        recommendation = "no_clause"
        warnings.append(
            f"Moins de {minimum_hours} heures : le PACT Propreté recommande de ne pas mettre en "
            "place de clause sociale."
        )
    formula = (
        f"Coefficient C = {_euros(hourly_cost)} ÷ {_percent(labour_share)} "
        f"= {_number(coefficient)} ; pondération P = 1 − "
        f"({_number(transferred_staff_monthly_hours)} h × {_number(coefficient)}) "
        f"÷ ({_euros(amount_ht)} ÷ {_number(duration_months)} mois) = {_number(weighting)} ; "
        f"heures = P × {_euros(amount_ht)} ÷ {_number(coefficient)} × {_percent(insertion_rate)} "
        f"= {_number(max(exact, ZERO))} heures, arrondies à {hours} heures."
    )
    return HourEstimate(hours, exact, formula, parameters, recommendation, warnings)


# --------------------------------------------------------------------------------------
# Mandatory social condition (L2112-2-1 of the Code de la commande publique)
# --------------------------------------------------------------------------------------

# Source: domain rules §1 — loi Climat et résilience art. 35 and its décret of 2 May 2022:
# consultations launched from 21 August 2026 (the Légifrance mirror says 22 August for the
# law; consultations launched on the 21st are flagged). Defence and security contracts are
# not concerned.
MANDATORY_SOCIAL_CONDITION_FROM = date(2026, 8, 21)


@dataclass(frozen=True)
class EuThresholds:
    valid_from: date
    works: Decimal
    supplies_services: Decimal
    supplies_services_state: Decimal
    source: str


# Source: domain rules §1, "EU thresholds" (they change every two years: a dated table).
# 143,000 € for the State in 2024–2025 is marked unverified in RULES.md.
EU_THRESHOLDS = [
    EuThresholds(
        date(2024, 1, 1),
        Decimal(5_538_000),
        Decimal(221_000),
        Decimal(143_000),
        "Seuils européens 2024-2025 (règlements délégués de la Commission)",
    ),
    EuThresholds(
        date(2026, 1, 1),
        Decimal(5_404_000),
        Decimal(216_000),
        Decimal(140_000),
        "Seuils européens applicables au 1er janvier 2026",
    ),
]


def eu_threshold(kind: MarketKind, *, buyer_is_state: bool, on: date) -> Decimal:
    table = [row for row in EU_THRESHOLDS if row.valid_from <= on]
    if not table:
        raise CalculationError("Aucun seuil européen connu pour une date antérieure à 2024.")
    row = table[-1]
    if kind == MarketKind.WORKS:
        return row.works
    return row.supplies_services_state if buyer_is_state else row.supplies_services


@dataclass(frozen=True)
class ObligationCheck:
    mandatory: bool
    threshold: Decimal | None
    reason: str


def check_social_obligation(
    *,
    estimated_amount_ht: Decimal,
    market_kind: MarketKind,
    buyer_is_state: bool,
    consultation_date: date,
    defence_or_security: bool,
    start: date = MANDATORY_SOCIAL_CONDITION_FROM,
) -> ObligationCheck:
    """Must this contract carry a social or employment execution condition (L2112-2-1)?

    Source: domain rules §1: mandatory when the consultation is launched from 21 August 2026,
    the estimated value is at or above the European threshold, and the contract is not a
    defence or security one (W10: works at 6,000,000 € launched 2026-09-01 → mandatory).
    """
    if estimated_amount_ht < 0:
        raise CalculationError("Le montant estimé HT ne peut pas être négatif.")
    if defence_or_security:
        return ObligationCheck(
            False,
            None,
            "Les marchés de défense ou de sécurité ne sont pas concernés par l'obligation "
            "de l'article L2112-2-1.",
        )
    if consultation_date < start:
        return ObligationCheck(
            False,
            None,
            f"La consultation est engagée avant le {start:%d/%m/%Y} : l'obligation de "
            "l'article L2112-2-1 ne s'applique pas encore (la clause reste recommandée).",
        )
    threshold = eu_threshold(market_kind, buyer_is_state=buyer_is_state, on=consultation_date)
    kind_label = MarketKind(market_kind).label.lower()
    if estimated_amount_ht >= threshold:
        reason = (
            f"Marché de {kind_label} estimé à {_euros(estimated_amount_ht)} HT, au moins égal au "
            f"seuil européen de {_euros(threshold)} HT, consultation engagée à partir du "
            f"{start:%d/%m/%Y} : une condition d'exécution sociale ou relative à l'emploi est "
            "obligatoire (article L2112-2-1), sauf dérogation motivée."
        )
        if consultation_date == start:
            reason += (
                " Attention : la consultation est engagée le jour même de l'entrée en vigueur ; "
                "certaines sources retiennent le 22 août 2026."
            )
        return ObligationCheck(True, threshold, reason)
    return ObligationCheck(
        False,
        threshold,
        f"Marché de {kind_label} estimé à {_euros(estimated_amount_ht)} HT, sous le seuil "
        f"européen de {_euros(threshold)} HT : la condition sociale n'est pas obligatoire "
        "(elle reste possible et recommandée).",
    )
