"""The analysis of one line of a buyer's procurement programme: which social considerations
suit it, how many insertion hours, whether the L2112-2-1 social condition is mandatory, and
the local supply of inclusive structures. One pure function, `analyse_line(facts)`.

Pure: no database, no clock. The facts it needs from the database (the calculator presets
of the territory, the counts of SIAE, EA/ESAT and GEIQ of the partner directory) are
gathered by `selectors.line_facts` and passed in; the date of "today" too.

Sources (docs/domain-rules.md, section "Revue de programmation", and ../shared/domain/
RULES.md §1, §2): every threshold below says whether it is sourced [S] or an inference of
practice [I] that a facilitator confirms on review; [U] marks an unverified value.

Compared with le marché de l'inclusion's "analyse du potentiel inclusif" (gip-inclusion/
le-marche, `api/inclusive_potential`: number of suppliers of the sector in the perimeter and
the buyer's budget over their average turnover → total reservation / reserved lot / clause /
criterion / none), this analysis also gives the insertion hours (the markets calculator), the
legal obligation (L2112-2-1), and each line goes on to a facilitator's review and to a
followed market.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.db import models

from clauses.markets import calculator
from clauses.markets import rules as market_rules
from clauses.markets.presets import TerritoryPreset
from clauses.markets.rules import CalculationError, MarketKind

ZERO = Decimal(0)

# --------------------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------------------


class Recommendation(models.TextChoices):
    INSERTION_CLAUSE = (
        "insertion_clause",
        "Clause d'insertion, condition d'exécution (L2112-2, L2112-2-1)",
    )
    SOCIAL_AWARD_CRITERION = (
        "social_award_criterion",
        "Critère d'attribution social (L2152-7, R2152-7)",
    )
    RESERVED_SIAE = "reserved_siae", "Marché ou lot réservé aux SIAE (L2113-13)"
    RESERVED_EA_ESAT = "reserved_ea_esat", "Marché ou lot réservé aux EA et ESAT (L2113-12)"
    NONE = "none", "Pas de considération sociale adaptée"


RecommendationCode = Literal[
    "insertion_clause", "social_award_criterion", "reserved_siae", "reserved_ea_esat", "none"
]

# The markets app's kind of consideration for each recommendation (a line that becomes a
# market keeps its recommendation in the market's vocabulary).
CONSIDERATION_KIND = {
    Recommendation.INSERTION_CLAUSE: "execution_condition",
    Recommendation.SOCIAL_AWARD_CRITERION: "award_criterion",
    Recommendation.RESERVED_SIAE: "reserved_siae",
    Recommendation.RESERVED_EA_ESAT: "reserved_ea_esat",
}


class BuyerKind(models.TextChoices):
    """The kinds of buyer the public analysis takes (only "state" changes a threshold:
    the State's supplies and services threshold is lower, RULES.md §1 "EU thresholds")."""

    LOCAL_AUTHORITY = "local_authority", "Collectivité territoriale ou groupement"
    STATE = "state", "Service de l'État"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    HOSPITAL = "hospital", "Établissement de santé"
    OTHER_PUBLIC = "other_public", "Autre organisme public"


# accounts.BuyerCategory → BuyerKind
BUYER_KIND_OF_CATEGORY = {
    "commune": BuyerKind.LOCAL_AUTHORITY,
    "epci": BuyerKind.LOCAL_AUTHORITY,
    "departement": BuyerKind.LOCAL_AUTHORITY,
    "region": BuyerKind.LOCAL_AUTHORITY,
    "state": BuyerKind.STATE,
    "social_landlord": BuyerKind.SOCIAL_LANDLORD,
    "hospital": BuyerKind.HOSPITAL,
    "other_public": BuyerKind.OTHER_PUBLIC,
}

# --------------------------------------------------------------------------------------
# Thresholds of the analysis (each with its status)
# --------------------------------------------------------------------------------------

# [I] Under this many insertion hours a clause is hard to follow (two weeks of full-time
# work, 2 × 35 h). No generic minimum is sourced (RULES.md §2.4: only the cleaning sector's
# 150 h, which its preset carries and which then applies instead).
MIN_CLAUSE_HOURS = 70

# [I] Recruiting and placing an eligible person takes weeks: a contract shorter than this
# suits a clause badly (unless the law makes a social condition mandatory).
MIN_CLAUSE_MONTHS = 2

# [I] A reservation needs real competition: at least this many structures of the kind in
# the purchase family and the département (le marché de l'inclusion also grades its
# recommendation by the number of potential suppliers).
MIN_RESERVED_SUPPLY = 3

# [I] Economic dependency: above this yearly amount one inclusive structure would depend on
# the contract (le marché compares the budget with the suppliers' average turnover); the
# analysis then advises reserving a lot rather than the whole contract.
RESERVATION_MAX_YEARLY_AMOUNT = Decimal(300_000)

# [S] R2196-1: the essential data of contracts from 40,000 € HT are published; [I] from
# there a consultation has written award criteria in which a social one can weigh.
CRITERION_MIN_AMOUNT = Decimal(40_000)

# Upper bounds of what the analysis accepts (the API refuses beyond).
MAX_AMOUNT = Decimal(10) ** 11  # 100 billion euros
MAX_DURATION_MONTHS = 1200

# --------------------------------------------------------------------------------------
# Purchase families: CPV prefixes → labour profile, calculator preset, NAF of the supply
# --------------------------------------------------------------------------------------


class Labour(models.TextChoices):
    HIGH = "high", "forte"
    MEDIUM = "medium", "moyenne"
    LOW = "low", "faible"


@dataclass(frozen=True)
class PurchaseFamily:
    code: str
    label: str
    cpv_prefixes: tuple[str, ...]
    naf_prefixes: tuple[str, ...]
    labour: Labour
    # Shown to users: the share and its source, or why there is none. Status of each
    # ([S] sourced, [I] inference, [U] unverified) in docs/domain-rules.md §6 bis.
    labour_source: str
    preset_code: str | None = None
    siae_reservable: bool = False
    ea_esat_reservable: bool = False
    # Folded words of a purchase category ("Nettoyage des locaux") that name the family
    # when the line has no CPV code.
    keywords: tuple[str, ...] = ()


_MEF = "50 % en moyenne des lots du bâtiment, source : Maison de l'emploi Sud 77"
_UNSOURCED = "part sans source vérifiée, à confirmer par le facilitateur"

# Order does not matter: the longest matching CPV prefix wins. NAF prefixes are in the
# SIRENE format of the partner directory ("81.21Z"); the division alone ("81") matches all
# of it. [I] for the NAF and reservability columns: where SIAE and EA/ESAT commonly work.
FAMILIES: tuple[PurchaseFamily, ...] = (
    PurchaseFamily(
        "batiment",
        "Travaux de bâtiment et de génie civil",
        ("45",),
        ("41", "42", "43"),
        Labour.HIGH,
        _MEF,
        "batiment",
        siae_reservable=True,
        keywords=(
            "batiment",
            "renovation",
            "rehabilitation",
            "construction",
            "voirie",
            "vrd",
        ),
    ),
    PurchaseFamily(
        "peinture",
        "Travaux de peinture et de revêtement",
        ("45442", "45432"),
        ("43.3",),
        Labour.HIGH,
        "70 % pour la peinture intérieure, source : Maison de l'emploi Sud 77",
        "peinture",
        siae_reservable=True,
        keywords=("peinture", "revetement", "revetements"),
    ),
    PurchaseFamily(
        "maconnerie",
        "Maçonnerie et gros œuvre",
        ("452625", "45223", "45262"),
        ("43.99", "41.2"),
        Labour.HIGH,
        "50 % pour la maçonnerie, source : Maison de l'emploi Sud 77",
        "maconnerie",
        siae_reservable=True,
        keywords=("maconnerie", "gros oeuvre"),
    ),
    PurchaseFamily(
        "charpente_metallique",
        "Charpente et structures métalliques",
        ("452231", "45262400"),
        ("25.11", "43.99"),
        Labour.LOW,
        "20 % pour la charpente métallique, source : Maison de l'emploi Sud 77",
        "charpente_metallique",
        keywords=("charpente", "metallerie", "serrurerie"),
    ),
    PurchaseFamily(
        "proprete",
        "Propreté et nettoyage",
        ("909",),
        ("81.2",),
        Labour.HIGH,
        "80 % de main-d'œuvre, source : Inserpropre, PACT Propreté",
        "proprete",
        siae_reservable=True,
        ea_esat_reservable=True,
        keywords=("nettoyage", "proprete", "entretien des locaux", "menage", "vitrerie"),
    ),
    PurchaseFamily(
        "espaces_verts",
        "Espaces verts et paysage",
        ("7731", "7730", "45112710", "77211", "7734"),
        ("81.30", "01.6", "02."),
        Labour.HIGH,
        _UNSOURCED,
        "espaces_verts",
        siae_reservable=True,
        ea_esat_reservable=True,
        keywords=(
            "espaces verts",
            "paysage",
            "elagage",
            "tonte",
            "jardin",
            "jardins",
            "plantations",
        ),
    ),
    PurchaseFamily(
        "dechets",
        "Collecte, tri et valorisation des déchets",
        ("905", "9051", "9052"),
        ("38",),
        Labour.HIGH,
        _UNSOURCED,
        "dechets",
        siae_reservable=True,
        ea_esat_reservable=True,
        keywords=("dechets", "collecte", "tri", "recyclage", "encombrants"),
    ),
    PurchaseFamily(
        "restauration",
        "Restauration collective et traiteur",
        ("555", "5552", "5551", "5553"),
        ("56",),
        Labour.HIGH,
        _UNSOURCED,
        "restauration",
        siae_reservable=True,
        ea_esat_reservable=True,
        keywords=("restauration", "repas", "cantine", "traiteur", "alimentation"),
    ),
    PurchaseFamily(
        "blanchisserie",
        "Blanchisserie et entretien du linge",
        ("9831",),
        ("96.01",),
        Labour.HIGH,
        _UNSOURCED,
        "blanchisserie",
        siae_reservable=True,
        ea_esat_reservable=True,
        keywords=("blanchisserie", "linge", "pressing"),
    ),
    PurchaseFamily(
        "demenagement",
        "Déménagement, manutention et logistique",
        ("98392", "6310", "6312"),
        ("49.42", "52."),
        Labour.HIGH,
        _UNSOURCED,
        "demenagement",
        siae_reservable=True,
        keywords=("demenagement", "manutention", "logistique", "transport de mobilier"),
    ),
    PurchaseFamily(
        "impression",
        "Impression, reprographie et mise sous pli",
        ("798", "22", "79571", "7952"),
        ("18.", "82.19", "82.92"),
        Labour.MEDIUM,
        _UNSOURCED,
        None,
        ea_esat_reservable=True,
        siae_reservable=True,
        keywords=("impression", "reprographie", "mise sous pli", "imprimes", "routage"),
    ),
    PurchaseFamily(
        "gardiennage",
        "Sécurité et gardiennage",
        ("7971", "7972"),
        ("80.",),
        Labour.HIGH,
        _UNSOURCED,
        "gardiennage",
        keywords=("gardiennage", "securite", "surveillance"),
    ),
    PurchaseFamily(
        "informatique",
        "Informatique et services numériques",
        ("72", "48", "302"),
        ("62.", "63."),
        Labour.LOW,
        "estimation : prestations qualifiées, peu de postes accessibles aux publics de la clause",
        keywords=("informatique", "logiciel", "logiciels", "numerique", "infogerance"),
    ),
    PurchaseFamily(
        "intellectuel",
        "Études, ingénierie et conseil",
        ("71", "73", "794", "791", "792"),
        ("70.", "71.", "72.", "69."),
        Labour.LOW,
        "estimation : prestations intellectuelles, peu de postes accessibles aux publics de la "
        "clause",
        keywords=(
            "etudes",
            "etude",
            "conseil",
            "ingenierie",
            "maitrise d oeuvre",
            "assistance a maitrise",
        ),
    ),
)

# Families for a line whose CPV matches none of the above (or has none), by kind.
FALLBACK_FAMILIES = {
    MarketKind.WORKS: FAMILIES[0],
    MarketKind.SERVICES: PurchaseFamily(
        "services_autres",
        "Autres services",
        (),
        (),
        Labour.MEDIUM,
        "estimation : famille non identifiée par le code CPV, à qualifier par le facilitateur",
    ),
    MarketKind.SUPPLIES: PurchaseFamily(
        "fournitures",
        "Fournitures",
        (),
        (),
        Labour.LOW,
        "estimation : achat de biens, peu d'heures de travail exécutées pour l'acheteur",
    ),
}

FAMILY_BY_CODE = {f.code: f for f in FAMILIES} | {f.code: f for f in FALLBACK_FAMILIES.values()}


def family_for(cpv: str | None, kind: str, category: str = "") -> PurchaseFamily:
    """The purchase family of a CPV code (longest prefix), else of the words of the purchase
    category (`category` folded: lower-case ASCII words), else the fallback of the kind."""
    code = (cpv or "").strip()
    if not code and category:
        padded = f" {category} "
        found = [
            (len(word), family)
            for family in FAMILIES
            for word in family.keywords
            if f" {word} " in padded
        ]
        if found:
            return max(found, key=lambda pair: pair[0])[1]
    best: PurchaseFamily | None = None
    best_length = 0
    for family in FAMILIES:
        for prefix in family.cpv_prefixes:
            if code.startswith(prefix) and len(prefix) > best_length:
                best, best_length = family, len(prefix)
    if best is None:
        return FALLBACK_FAMILIES[MarketKind(kind)]
    return best


# --------------------------------------------------------------------------------------
# Facts in, analysis out
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalSupply:
    """Inclusive structures of the partner directory in the line's purchase family and
    département (counted by `selectors.local_supply`)."""

    territory: str = ""  # the département's code, "" when the place is unknown
    siae: int = 0  # EI, ACI (and ETTI, AI) whose NAF code belongs to the family
    ea_esat: int = 0  # EA and ESAT whose NAF code belongs to the family
    geiq: int = 0  # GEIQ of the département (they place people in any trade)
    staffing_siae: int = 0  # ETTI and AI of the département (mise à disposition, any trade)
    known: bool = False  # False when the place is unknown: counts are not meaningful

    def as_dict(self) -> dict[str, object]:
        return {
            "department": self.territory or None,
            "siae": self.siae,
            "ea_esat": self.ea_esat,
            "geiq": self.geiq,
            "staffing_siae": self.staffing_siae,
        }


@dataclass(frozen=True)
class LineFacts:
    title: str
    kind: str  # MarketKind value
    today: date
    cpv: str | None = None  # 8 digits
    category: str = ""  # the purchase category, folded (territories.search.fold)
    amount_ht: Decimal | None = None
    duration_months: int | None = None
    launch_date: date | None = None
    buyer_kind: str = BuyerKind.LOCAL_AUTHORITY
    defence_or_security: bool = False
    presets: dict[str, TerritoryPreset] = field(default_factory=dict)
    supply: LocalSupply = field(default_factory=LocalSupply)


@dataclass(frozen=True)
class Obligation:
    mandatory: bool
    reason: str
    threshold: Decimal | None = None


@dataclass(frozen=True)
class Advice:
    code: str  # Recommendation value
    reason: str

    @property
    def label(self) -> str:
        return Recommendation(self.code).label


@dataclass(frozen=True)
class LineAnalysis:
    family: PurchaseFamily
    advice: tuple[Advice, ...]
    hours: int | None
    hours_formula: str
    obligation: Obligation
    supply: LocalSupply
    reasons: tuple[str, ...]

    @property
    def recommendations(self) -> list[str]:
        return [a.code for a in self.advice]

    @property
    def primary(self) -> str:
        return self.advice[0].code


def _euros(value: Decimal) -> str:
    return market_rules._euros(value)


def _obligation(facts: LineFacts) -> Obligation:
    """L2112-2-1 through the markets' rule (thresholds by buyer kind and launch date)."""
    if facts.amount_ht is None:
        return Obligation(
            False,
            "Montant estimé inconnu : indiquez-le pour savoir si la condition sociale de "
            "l'article L2112-2-1 est obligatoire.",
        )
    on = facts.launch_date or facts.today
    try:
        check = market_rules.check_social_obligation(
            estimated_amount_ht=facts.amount_ht,
            market_kind=MarketKind(facts.kind),
            buyer_is_state=facts.buyer_kind == BuyerKind.STATE,
            consultation_date=on,
            defence_or_security=facts.defence_or_security,
        )
    except CalculationError as exc:  # a date before 2024: no threshold table
        return Obligation(False, str(exc))
    reason = check.reason
    if facts.launch_date is None:
        reason += " (Date de lancement inconnue : la date du jour est retenue.)"
    return Obligation(check.mandatory, reason, check.threshold)


def _hours(facts: LineFacts, family: PurchaseFamily) -> tuple[int | None, str, str]:
    """(hours, formula, reason) from the calculator and the territory's preset of the
    family; None when the amount or a sourced preset is missing."""
    if facts.amount_ht is None:
        return None, "", "Montant inconnu : les heures d'insertion ne peuvent être estimées."
    preset = facts.presets.get(family.preset_code or "")
    if preset is None or preset.missing:
        return (
            None,
            "",
            f"Pas de préréglage du calculateur pour « {family.label} » dans ce territoire "
            "(part de main-d'œuvre non sourcée) : les heures sont à estimer avec le "
            "facilitateur.",
        )
    data: dict[str, object] = {"amount_ht": facts.amount_ht, "preset": preset.code}
    if preset.sector == market_rules.Sector.CLEANING:
        if facts.duration_months:
            data["duration_months"] = facts.duration_months
        else:
            # Without transferred staff the cleaning method equals the standard one.
            data["method"] = market_rules.Sector.STANDARD
    try:
        result = calculator.calculate(data, presets=facts.presets)
    except CalculationError as exc:
        return None, "", str(exc)
    hours = result.estimate.hours
    share = market_rules._percent(preset.labour_share)
    reason = (
        f"Environ {hours} heures d'insertion estimées (part de main-d'œuvre {share}, "
        f"préréglage « {preset.label} », {preset.territory_label})."
    )
    return hours, result.estimate.formula, reason


def _yearly(amount: Decimal, months: int | None) -> Decimal:
    if not months or months <= 12:
        return amount
    return amount * 12 / months


def analyse_line(facts: LineFacts) -> LineAnalysis:
    """The analysis of one programme line. Every line gets at least one recommendation,
    each with its reason; `reasons` explains the facts it rests on.

    Rules, in order (thresholds above, statuses in the comments there):
    1. Reserved to SIAE (L2113-13) / to EA and ESAT (L2113-12): the family is one where
       such structures work, at least MIN_RESERVED_SUPPLY of them in the département;
       above RESERVATION_MAX_YEARLY_AMOUNT a reserved lot rather than the whole contract.
    2. Insertion clause (L2112-2; mandatory under L2112-2-1): the social condition is
       mandatory, or the estimated hours reach the minimum (the preset's, else
       MIN_CLAUSE_HOURS) over at least MIN_CLAUSE_MONTHS; a labour-intensive family
       without a sourced preset from CRITERION_MIN_AMOUNT (hours to set on review).
    3. Social award criterion (R2152-7): with a clause from the European threshold
       (rewards the quality of the insertion offered); alone from CRITERION_MIN_AMOUNT
       when neither a clause nor a reservation suits.
    4. None, with why.
    """
    family = family_for(facts.cpv, facts.kind, facts.category)
    obligation = _obligation(facts)
    hours, formula, hours_reason = _hours(facts, family)
    supply = facts.supply
    amount = facts.amount_ht
    months = facts.duration_months
    reasons = [
        f"Famille d'achat « {family.label} » : part de main-d'œuvre {family.labour.label} "
        f"({family.labour_source}).",
        hours_reason,
    ]
    if months is not None:
        reasons.append(f"Durée prévue : {months} mois.")
    if supply.known:
        reasons.append(
            f"Offre locale (département {supply.territory}) : {supply.siae} SIAE et "
            f"{supply.ea_esat} EA ou ESAT dans cette famille d'achat, {supply.geiq} GEIQ et "
            f"{supply.staffing_siae} ETTI ou AI pour la mise à disposition de personnes."
        )
    else:
        reasons.append("Lieu d'exécution inconnu : l'offre locale n'a pas été comptée.")
    reasons.append(obligation.reason)

    advice: list[Advice] = []
    too_big = amount is not None and _yearly(amount, months) > RESERVATION_MAX_YEARLY_AMOUNT
    for code, reservable, count, who, article in (
        (Recommendation.RESERVED_SIAE, family.siae_reservable, supply.siae, "SIAE", "L2113-13"),
        (
            Recommendation.RESERVED_EA_ESAT,
            family.ea_esat_reservable,
            supply.ea_esat,
            "EA ou ESAT",
            "L2113-12",
        ),
    ):
        if reservable and supply.known and count >= MIN_RESERVED_SUPPLY:
            scope = (
                "réservez un lot plutôt que tout le marché : au-delà de "
                f"{_euros(RESERVATION_MAX_YEARLY_AMOUNT)} HT par an, une seule structure "
                "dépendrait de ce contrat"
                if too_big
                else "le marché entier peut leur être réservé"
            )
            advice.append(
                Advice(
                    code,
                    f"{count} {who} travaillent dans cette famille d'achat dans le département "
                    f"(au moins {MIN_RESERVED_SUPPLY} pour une vraie mise en concurrence) : "
                    f"{scope} (article {article}).",
                )
            )

    minimum = MIN_CLAUSE_HOURS
    preset = facts.presets.get(family.preset_code or "")
    if preset is not None and preset.minimum_hours is not None:
        minimum = preset.minimum_hours
    short = months is not None and months < MIN_CLAUSE_MONTHS
    clause_reason = ""
    if obligation.mandatory:
        clause_reason = (
            "La condition d'exécution sociale est obligatoire (article L2112-2-1) : la clause "
            "d'insertion est la façon la plus courante d'y répondre"
            + (f", avec environ {hours} heures." if hours else ".")
        )
    elif short:
        pass
    elif hours is not None and hours >= minimum:
        clause_reason = (
            f"Environ {hours} heures d'insertion, au moins {minimum} heures : une clause "
            "d'insertion est réaliste (article L2112-2)."
        )
    elif (
        hours is None
        and family.labour == Labour.HIGH
        and amount is not None
        and amount >= CRITERION_MIN_AMOUNT
    ):
        clause_reason = (
            f"Famille à forte part de main-d'œuvre, montant d'au moins "
            f"{_euros(CRITERION_MIN_AMOUNT)} HT : une clause d'insertion est probablement "
            "possible ; le volume d'heures est à fixer avec le facilitateur (article L2112-2)."
        )
    if clause_reason:
        advice.append(Advice(Recommendation.INSERTION_CLAUSE, clause_reason))

    has_clause = bool(clause_reason)
    reserved = any(a.code != Recommendation.INSERTION_CLAUSE for a in advice)
    if has_clause and obligation.threshold is not None and amount is not None:
        if amount >= obligation.threshold:
            advice.append(
                Advice(
                    Recommendation.SOCIAL_AWARD_CRITERION,
                    "Marché au-dessus du seuil européen : un critère de performance en matière "
                    "d'insertion professionnelle valorise la qualité de l'accompagnement "
                    "proposé, en plus de la clause (article R2152-7).",
                )
            )
    elif not has_clause and not reserved and amount is not None:
        if amount >= CRITERION_MIN_AMOUNT:
            why = (
                f"durée de moins de {MIN_CLAUSE_MONTHS} mois"
                if short
                else "trop peu d'heures d'insertion pour une clause"
                if hours is not None
                else f"part de main-d'œuvre {family.labour.label}"
            )
            advice.append(
                Advice(
                    Recommendation.SOCIAL_AWARD_CRITERION,
                    f"Pas de clause d'insertion adaptée ({why}), mais un montant d'au moins "
                    f"{_euros(CRITERION_MIN_AMOUNT)} HT : un critère social d'attribution "
                    "valorise les candidats qui emploient ou forment des personnes éloignées "
                    "de l'emploi (article R2152-7).",
                )
            )

    if not advice:
        if amount is None:
            why = "montant inconnu"
        elif short:
            why = f"durée de moins de {MIN_CLAUSE_MONTHS} mois"
        elif hours is not None and hours < minimum:
            why = f"environ {hours} heures d'insertion, moins de {minimum} heures"
        else:
            why = f"montant de {_euros(amount)} HT, sous {_euros(CRITERION_MIN_AMOUNT)} HT"
        no_supply = "" if supply.known else " ; offre locale non comptée"
        advice.append(
            Advice(
                Recommendation.NONE,
                f"Pas de considération sociale adaptée à ce stade ({why}{no_supply}). Le "
                "facilitateur peut proposer une autre approche (sourcing, allotissement).",
            )
        )
    # Order: reservations first (strongest), then the clause, then the criterion.
    # When the law makes a social condition mandatory, the clause comes first.
    order = ["reserved_siae", "reserved_ea_esat", "insertion_clause", "social_award_criterion"]
    if obligation.mandatory:
        order.remove("insertion_clause")
        order.insert(0, "insertion_clause")
    order.append("none")
    advice.sort(key=lambda a: order.index(a.code))
    return LineAnalysis(
        family=family,
        advice=tuple(advice),
        hours=hours,
        hours_formula=formula,
        obligation=obligation,
        supply=supply,
        reasons=tuple(r for r in reasons if r),
    )
