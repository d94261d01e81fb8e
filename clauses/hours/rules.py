"""How declared hours become counted hours, and how a clause's progress is judged.

Pure functions and constants, no database: services and selectors feed them. Each rule
carries its source (docs/domain-rules.md; [S] sourced, [U] unverified → a setting per
territory, never a hard-coded constant; [I] our inference).

Vocabulary. A *declaration* is what a company reports for one assignment (participant ×
lot × employer × modality) and one month. Its *declared* value (hours, or an amount for
subcontracting) is never changed by counting; the *counted* value is computed from it by
`count_declaration`, which also returns the code of the rule that produced it and an
explanation, stored beside the declaration so that every counted hour is traceable.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from clauses.core.dates import add_months, first_of_month, last_of_month

HUNDREDTH = Decimal("0.01")
ZERO = Decimal("0")

# -- constants ---------------------------------------------------------------------------

# Monthly ceiling of one person's hours, all assignments together. Code du travail
# L3121-20: "Au cours d'une même semaine, la durée maximale hebdomadaire de travail est de
# quarante-huit heures" [S-partial, Légifrance not read offline]. 48 h × 52 weeks ÷ 12
# months = 208 h: the most one person can legally work in an average month, overtime
# included. Above it, a declaration is refused (a typing error, or hours counted twice).
LEGAL_MAX_WEEKLY_HOURS = Decimal("48")
MONTHLY_CEILING_HOURS = (LEGAL_MAX_WEEKLY_HOURS * 52 / 12).quantize(Decimal("1"))  # 208

# One full-time equivalent = 1 600 hours (AVE national figures: 25 124 684 h = 15 703 ETP,
# docs/domain-rules.md W6 [S] ratio [I]).
FTE_HOURS = Decimal("1600")

# Default counting settings of a territory that has set none (docs/domain-rules.md §3.2,
# §4.2). Every one is [U]: shown to users as "valeur par défaut non sourcée".
DEFAULT_ELIGIBILITY_MONTHS = 24  # [U] common practice, consistent with the 2-year PASS IAE
DEFAULT_LABOUR_SHARE = Decimal("0.50")  # [S] §2.4 building average (mefsud77); for §4.2 [U]
DEFAULT_HOURLY_COST = Decimal("30")  # [S] §2.1 W1 (mefsud77: 25–30 €); for §4.2 [U]
DEFAULT_SCHEDULE_TOLERANCE = Decimal("0.15")  # [I] 15 points of slack before the alert

# Fulfilment modalities (the codes of followup's Assignment, docs/domain-rules.md §4.1).
DIRECT_CDD = "direct_cdd"
DIRECT_CDI = "direct_cdi"
APPRENTICESHIP = "apprenticeship"
PROFESSIONALISATION = "professionalisation"
TRAINING = "training"
SUBCONTRACTING_MODALITIES = frozenset(
    {"subcontract_siae", "cocontract_siae", "subcontract_ea_esat"}
)
WORK_MODALITIES = frozenset(
    {DIRECT_CDD, DIRECT_CDI, APPRENTICESHIP, PROFESSIONALISATION, "etti", "ett", "ai", "geiq"}
)
ALTERNANCE_MODALITIES = frozenset({APPRENTICESHIP, PROFESSIONALISATION})
# Employees of an SIAE (ETTI, AI, EI, ACI), an EA or an ESAT are eligible by status for
# the time of their contract (CCAG 2021 art. 16.1.1.1, docs/domain-rules.md §3.2 [S]).
ELIGIBLE_BY_STATUS_MODALITIES = frozenset({"etti", "ai", *SUBCONTRACTING_MODALITIES})

# Rule codes stored with each counted value, and their French explanation.
RULE_NOT_VALIDATED = "not_validated"
RULE_HOURS_WORKED = "hours_worked"
RULE_AMOUNT_CONVERTED = "amount_converted"
RULE_TRAINING = "training"
RULE_TRAINING_CAPPED = "training_capped"
RULE_TRAINING_EXCLUDED = "training_excluded"
RULE_OUT_OF_ELIGIBILITY = "out_of_eligibility"
RULE_PARTLY_ELIGIBLE = "partly_eligible"
RULE_OUT_OF_ASSIGNMENT = "out_of_assignment"
RULE_BONUS = "bonus"

RULE_LABELS = {
    RULE_NOT_VALIDATED: "Déclaration non validée : aucune heure comptée.",
    RULE_HOURS_WORKED: "Heures réellement travaillées sur l'opération de la clause.",
    RULE_AMOUNT_CONVERTED: "Montant sous-traité converti en heures "
    "(montant × part de main-d'œuvre ÷ coût horaire).",
    RULE_TRAINING: "Heures de formation comptées.",
    RULE_TRAINING_CAPPED: "Heures de formation comptées dans la limite du plafond mensuel.",
    RULE_TRAINING_EXCLUDED: "Heures de formation non comptées sur ce territoire.",
    RULE_OUT_OF_ELIGIBILITY: "Mois hors de la période d'éligibilité du participant.",
    RULE_PARTLY_ELIGIBLE: "Mois en partie hors de la période d'éligibilité : heures "
    "comptées au prorata des jours couverts.",
    RULE_OUT_OF_ASSIGNMENT: "Mois hors des dates de la mise en œuvre.",
    RULE_BONUS: "Bonification du contrat (CDI ou alternance) appliquée.",
}


class RuleError(ValueError):
    """A declared value that no rule accepts; the message is French, for the user."""


# -- months ------------------------------------------------------------------------------
# first_of_month, last_of_month and add_months come from clauses.core.dates (imported above,
# still reachable as rules.add_months…).


def _overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> tuple[date, date] | None:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (start, end) if start <= end else None


def _days(span: tuple[date, date] | None) -> int:
    return 0 if span is None else (span[1] - span[0]).days + 1


# -- settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Counting settings of a territory (`CountingSettings`, or these defaults)."""

    labour_share: Decimal = DEFAULT_LABOUR_SHARE
    hourly_cost: Decimal = DEFAULT_HOURLY_COST
    training_counted: bool = True  # [S-partial] creilsudoise: training is a means
    training_monthly_cap: Decimal | None = None  # [U] caps not found: none by default
    cdi_bonus: Decimal | None = None  # [U] no source: no bonus by default
    alternance_bonus: Decimal | None = None  # [U] idem
    eligibility_months: int = DEFAULT_ELIGIBILITY_MONTHS
    schedule_tolerance: Decimal = DEFAULT_SCHEDULE_TOLERANCE


# -- eligibility windows -----------------------------------------------------------------


def eligibility_window(
    valid_from: date, valid_until: date | None, *, months: int = DEFAULT_ELIGIBILITY_MONTHS
) -> tuple[date, date]:
    """The days a validation covers, both ends included: until `valid_until` when the
    validator set it, else `months` after `valid_from` (the day before the anniversary).
    Source: docs/domain-rules.md §3.2 — "hours are countable only for work dates within an
    active validation"; 24 months [U], a setting."""
    if valid_until is None:
        valid_until = add_months(valid_from, months) - timedelta(days=1)
    return valid_from, valid_until


def eligible_share(
    month: date,
    windows: Iterable[tuple[date, date]],
    *,
    assignment_start: date | None = None,
    assignment_end: date | None = None,
) -> Decimal:
    """Share (0 to 1) of the days worked in `month` that fall in an eligibility window.

    The days worked are the month's days within the assignment's dates; hours are assumed
    spread evenly over them [I] (a monthly declaration says no more). A month wholly
    covered gives 1, a month outside every window 0, a month where the validation starts
    or ends the share of days covered. Overlapping windows are merged.
    """
    month_start, month_end = first_of_month(month), last_of_month(month)
    worked = _overlap(
        month_start,
        month_end,
        assignment_start or month_start,
        assignment_end or month_end,
    )
    if worked is None:
        return ZERO
    covered: set[date] = set()
    for start, end in windows:
        span = _overlap(worked[0], worked[1], start, end)
        if span is not None:
            covered.update(span[0] + timedelta(days=n) for n in range(_days(span)))
    return Decimal(len(covered)) / Decimal(_days(worked))


# -- conversion and checks ---------------------------------------------------------------


def convert_amount(amount_ht: Decimal, *, labour_share: Decimal, hourly_cost: Decimal) -> Decimal:
    """Hours of a subcontracted or co-contracted part to an SIAE, EA or ESAT, from its
    amount: amount HT × labour share ÷ loaded hourly cost, to the hundredth.
    Source: docs/domain-rules.md §4.2 — the same ratio as §2.1; conversion practice [U],
    hence the territory's settings."""
    if amount_ht < 0:
        raise RuleError("Le montant ne peut pas être négatif.")
    if hourly_cost <= 0:
        raise RuleError("Le coût horaire du territoire doit être positif.")
    if not ZERO <= labour_share <= 1:
        raise RuleError("La part de main-d'œuvre est comprise entre 0 et 1.")
    return (amount_ht * labour_share / hourly_cost).quantize(HUNDREDTH, ROUND_HALF_UP)


def check_hours(hours: Decimal, *, already_declared: Decimal = ZERO) -> None:
    """Refuse negative hours, and more than one person may work in a month across all
    their assignments (`MONTHLY_CEILING_HOURS`, from the legal 48 h a week).

    `already_declared`: the person's hours of the same month on other assignments (same
    identity): the same person cannot exceed the ceiling by being declared twice."""
    if hours < 0:
        raise RuleError("Le nombre d'heures ne peut pas être négatif.")
    if hours > MONTHLY_CEILING_HOURS:
        raise RuleError(
            f"{_fr(hours)} h dans un mois, c'est plus que le maximum légal pour une personne "
            f"({MONTHLY_CEILING_HOURS} h : 48 h par semaine, article L3121-20 du Code du "
            "travail)."
        )
    if hours + already_declared > MONTHLY_CEILING_HOURS:
        raise RuleError(
            f"Cette personne a déjà {_fr(already_declared)} h déclarées ce mois-ci sur "
            f"d'autres mises en œuvre : avec {_fr(hours)} h, elle dépasserait le maximum "
            f"légal de {MONTHLY_CEILING_HOURS} h par mois."
        )


def check_month(month: date, *, today: date) -> None:
    """A declaration is for a month already begun: no hours in advance."""
    if first_of_month(month) > first_of_month(today):
        raise RuleError("Ce mois n'a pas encore commencé : on ne déclare que des heures faites.")


def _fr(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


# -- counting one declaration ------------------------------------------------------------


@dataclass(frozen=True)
class DeclarationFacts:
    """What counting needs to know about one declaration."""

    month: date
    modality: str
    validated: bool
    declared_hours: Decimal | None = None
    declared_amount_ht: Decimal | None = None
    is_training: bool = False
    assignment_start: date | None = None
    assignment_end: date | None = None
    eligibility_windows: tuple[tuple[date, date], ...] = ()
    # True for SIAE, EA, ESAT employees, eligible by status for their contract (CCAG
    # 16.1.1.1, docs/domain-rules.md §3.2): no individual validation needed.
    eligible_by_status: bool = False


@dataclass(frozen=True)
class Counted:
    hours: Decimal
    rule: str
    steps: tuple[str, ...] = field(default=())

    @property
    def explanation(self) -> str:
        return " ".join(RULE_LABELS[step] for step in self.steps) or RULE_LABELS[self.rule]


def base_hours(facts: DeclarationFacts, settings: Settings) -> tuple[Decimal, str]:
    """The declared value in hours: hours as declared, or the amount converted."""
    if facts.modality in SUBCONTRACTING_MODALITIES and facts.declared_amount_ht is not None:
        hours = convert_amount(
            facts.declared_amount_ht,
            labour_share=settings.labour_share,
            hourly_cost=settings.hourly_cost,
        )
        return hours, RULE_AMOUNT_CONVERTED
    if facts.declared_hours is None:
        raise RuleError("Indiquez un nombre d'heures (ou un montant pour une sous-traitance).")
    return facts.declared_hours, RULE_HOURS_WORKED


def count_declaration(facts: DeclarationFacts, settings: Settings) -> Counted:
    """The hours a declaration adds to its clause, and the rule that gave them.

    In order (docs/domain-rules.md §4.2 "Rules for the software"):
    1. only a validated declaration counts;
    2. declared hours, or a subcontracted amount converted (`convert_amount`);
    3. only the days of the assignment, and of them only those within the participant's
       eligibility (pro rata of days), unless eligible by status (SIAE, EA, ESAT);
    4. training hours: counted or not, capped per month, as the territory sets;
    5. a bonus coefficient for a CDI or an alternance contract when the territory sets one
       (none by default, [U]).
    The scope rule (only the clause's own lot, no carry-over) is in `allocate_globalised`
    and the selectors: a declaration is attached to one assignment, hence one lot.
    """
    if not facts.validated:
        return Counted(ZERO, RULE_NOT_VALIDATED, (RULE_NOT_VALIDATED,))
    hours, rule = base_hours(facts, settings)
    steps = [rule]
    if facts.eligible_by_status:
        windows: Sequence[tuple[date, date]] = (
            (facts.assignment_start or date.min, facts.assignment_end or date.max),
        )
    else:
        windows = facts.eligibility_windows
    share = eligible_share(
        facts.month,
        windows,
        assignment_start=facts.assignment_start,
        assignment_end=facts.assignment_end,
    )
    worked = eligible_share(
        facts.month,
        ((date.min, date.max),),
        assignment_start=facts.assignment_start,
        assignment_end=facts.assignment_end,
    )
    if worked == 0:
        return Counted(ZERO, RULE_OUT_OF_ASSIGNMENT, (RULE_OUT_OF_ASSIGNMENT,))
    if share == 0:
        return Counted(ZERO, RULE_OUT_OF_ELIGIBILITY, (RULE_OUT_OF_ELIGIBILITY,))
    if share < 1:
        hours = hours * share
        rule = RULE_PARTLY_ELIGIBLE
        steps.append(rule)
    if facts.is_training or facts.modality == TRAINING:
        if not settings.training_counted:
            return Counted(ZERO, RULE_TRAINING_EXCLUDED, (*steps, RULE_TRAINING_EXCLUDED))
        if settings.training_monthly_cap is not None and hours > settings.training_monthly_cap:
            hours = settings.training_monthly_cap
            rule = RULE_TRAINING_CAPPED
        else:
            rule = RULE_TRAINING if rule == RULE_HOURS_WORKED else rule
        steps.append(rule)
    bonus = None
    if facts.modality == DIRECT_CDI:
        bonus = settings.cdi_bonus
    elif facts.modality in ALTERNANCE_MODALITIES:
        bonus = settings.alternance_bonus
    if bonus is not None and bonus != 1:
        hours = hours * bonus
        rule = RULE_BONUS
        steps.append(RULE_BONUS)
    return Counted(hours.quantize(HUNDREDTH, ROUND_HALF_UP), rule, tuple(steps))


# -- globalisation -----------------------------------------------------------------------


@dataclass(frozen=True)
class PoolMember:
    clause_id: int
    target: Decimal
    own_counted: Decimal


def allocate_globalised(members: Sequence[PoolMember]) -> dict[int, Decimal]:
    """Hours moved between the clauses of one globalisation agreement: clause → hours
    received (positive) or given (negative).

    Without an agreement there is no carry-over: hours count only on the operation of the
    clause (Atout Clauses: "… sur l'opération qui fait l'objet d'une clause sociale et non
    sur un autre chantier", docs/domain-rules.md §4.2 [S]); the selectors call this only
    for clauses an agreement links ("convention de globalisation" [S]).
    Rule [I]: the surplus of a clause (counted above its target) fills the shortfall of
    the others, in the order given (oldest clause first); a clause never gives below its
    own target, never receives above it; the pool's total never changes.
    """
    surplus = {m.clause_id: max(m.own_counted - m.target, ZERO) for m in members}
    moves = {m.clause_id: ZERO for m in members}
    for taker in members:
        need = max(taker.target - taker.own_counted, ZERO)
        for giver in members:
            if need <= 0:
                break
            if giver.clause_id == taker.clause_id or surplus[giver.clause_id] <= 0:
                continue
            moved = min(need, surplus[giver.clause_id])
            surplus[giver.clause_id] -= moved
            moves[giver.clause_id] -= moved
            moves[taker.clause_id] += moved
            need -= moved
    return moves


# -- progress ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    target: int | None
    declared: Decimal
    validated: Decimal
    counted: Decimal
    achieved_share: Decimal | None  # counted ÷ target, None without a target
    elapsed_share: Decimal | None  # share of the market's duration gone by
    behind_schedule: bool
    ended_short: bool
    missing_hours: Decimal
    penalty: Decimal | None
    fte: Decimal

    @property
    def achieved_percent(self) -> int:
        if self.achieved_share is None:
            return 0
        return int((self.achieved_share * 100).to_integral_value(ROUND_HALF_UP))

    @property
    def elapsed_percent(self) -> int | None:
        if self.elapsed_share is None:
            return None
        return int((self.elapsed_share * 100).to_integral_value(ROUND_HALF_UP))


def elapsed_share(start: date | None, end: date | None, today: date) -> Decimal | None:
    """Share of the execution period gone by, 0 before the start, 1 after the end; None
    without both dates."""
    if start is None or end is None or end < start:
        return None
    if today <= start:
        return ZERO
    if today >= end:
        return Decimal(1)
    return (Decimal((today - start).days) / Decimal((end - start).days)).quantize(
        Decimal("0.0001"), ROUND_HALF_UP
    )


def progress(
    *,
    target: int | None,
    declared: Decimal,
    validated: Decimal,
    counted: Decimal,
    start: date | None,
    end: date | None,
    today: date,
    closed: bool = False,
    penalty_per_hour: Decimal | None = None,
    tolerance: Decimal = DEFAULT_SCHEDULE_TOLERANCE,
) -> Progress:
    """Where a clause (or a sum of clauses) stands.

    - behind schedule: the counted share is below the elapsed share minus the tolerance
      (a territory setting) — hours are expected roughly in step with the works [I];
    - ended short: the market is over (end date passed, or closed) with fewer counted
      hours than the target; the penalty is missing hours × the penalty per missing hour
      of the clause where set (CCAG/CCAP "pénalités pour non-respect de la clause
      d'insertion", amount per contract, docs/domain-rules.md §4.2 [S]/[U]).
    """
    achieved = None
    if target:
        achieved = (counted / Decimal(target)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    elapsed = elapsed_share(start, end, today)
    behind = (
        achieved is not None
        and elapsed is not None
        and achieved < min(elapsed, Decimal(1)) - tolerance
    )
    over = closed or (end is not None and today > end)
    missing = max(Decimal(target) - counted, ZERO) if target else ZERO
    ended_short = bool(over and target and missing > 0)
    penalty = None
    if ended_short and penalty_per_hour is not None:
        penalty = (missing * penalty_per_hour).quantize(HUNDREDTH, ROUND_HALF_UP)
    return Progress(
        target=target,
        declared=declared,
        validated=validated,
        counted=counted,
        achieved_share=achieved,
        elapsed_share=elapsed,
        behind_schedule=bool(behind) and not ended_short,
        ended_short=ended_short,
        missing_hours=missing.quantize(HUNDREDTH) if target else ZERO,
        penalty=penalty,
        fte=(counted / FTE_HOURS).quantize(HUNDREDTH, ROUND_HALF_UP),
    )


# -- checking one declaration before it is written ---------------------------------------

OLDEST_MONTHS = 36  # a declaration older than 3 years is refused (a typing error) [I]
AMOUNT_LIMIT = Decimal("1e10")
# Statuses of a declaration (the values of `enums.DeclarationStatus`, kept as plain strings
# so that this module stays free of Django).
STATUS_SUBMITTED = "submitted"


@dataclass(frozen=True)
class Entry:
    """One declaration as typed (by a form, a spreadsheet row or an API item). `reason`
    explains a correction (a change to a month already declared)."""

    line: int
    assignment_id: int | None
    month: date | None
    hours: Decimal | None = None
    amount_ht: Decimal | None = None
    is_training: bool = False
    participant_name: str = ""
    reason: str = ""


@dataclass(frozen=True)
class AssignmentFacts:
    """What the checks know of the assignment an entry names."""

    pk: int
    own: bool  # the declaring company employs the person on it
    start: date
    end: date | None
    subcontracting: bool
    person_name: str  # folded (see `services.fold`), to compare with the typed name


@dataclass(frozen=True)
class StandingDeclaration:
    """The declaration already recorded for the entry's assignment and month."""

    status: str
    status_label: str
    hours: Decimal | None
    amount_ht: Decimal | None
    is_training: bool


@dataclass(frozen=True)
class EntryFacts:
    """Everything `check_entry` needs beside the entry, gathered by the service.

    `person_hours`: the person's hours of that month on other declarations that stand
    (every assignment, every company, by identity), not counting the one this entry
    replaces; `batch_lines` / `batch_hours`: the earlier lines of the same batch for the
    same person and month, and their hours; `earlier_line`: the earlier line of the batch
    with the same assignment and month, if any."""

    today: date
    assignment_id: int | None = None
    assignment: AssignmentFacts | None = None  # None: no such assignment
    typed_name: str = ""  # the entry's participant name, folded
    existing: StandingDeclaration | None = None
    earlier_line: int | None = None
    person_hours: Decimal = ZERO
    batch_lines: tuple[int, ...] = ()
    batch_hours: Decimal = ZERO


@dataclass(frozen=True)
class Reason:
    """Why an entry is refused: the field (a key of the columns, "" for the whole line)
    and a French message starting lower-case (it follows "ligne N :")."""

    field: str
    message: str


def same_values(existing: StandingDeclaration, entry: Entry) -> bool:
    return (
        existing.hours == entry.hours
        and existing.amount_ht == entry.amount_ht
        and existing.is_training == entry.is_training
    )


def is_correction(facts: EntryFacts, entry: Entry) -> bool:
    """A change to a month already declared (whatever its status): kept as a correction,
    with its reason, and controlled again."""
    return facts.existing is not None and not same_values(facts.existing, entry)


def _check_assignment(facts: EntryFacts) -> list[Reason]:
    if facts.assignment_id is None:
        return [Reason("assignment", "indiquez le numéro de la mission.")]
    if facts.assignment is None or not facts.assignment.own:
        # One message for both: a token must not learn which mission numbers exist (#11.9).
        return [
            Reason(
                "assignment",
                f"mission n° {facts.assignment_id} inconnue de votre entreprise.",
            )
        ]
    return []


def _check_month(facts: EntryFacts, month: date | None) -> list[Reason]:
    if month is None:
        return [Reason("month", "indiquez le mois (MM/AAAA).")]
    reasons = list(_month_reasons(month, facts.today))
    assignment = facts.assignment
    if assignment is not None and assignment.own:
        if last_of_month(month) < assignment.start or (
            assignment.end is not None and month > assignment.end
        ):
            until = f" au {assignment.end:%d/%m/%Y}" if assignment.end else ""
            reasons.append(
                Reason(
                    "month",
                    f"{month:%m/%Y} est hors des dates de la mission "
                    f"(du {assignment.start:%d/%m/%Y}{until}).",
                )
            )
    return reasons


@lru_cache(maxsize=1024)
def _month_reasons(month: date, today: date) -> tuple[Reason, ...]:
    """Begun, not older than `OLDEST_MONTHS`: depends on the month and today only, which a
    file repeats on every row (remembered: #15, the import's checks)."""
    reasons = []
    try:
        check_month(month, today=today)
    except RuleError as exc:
        reasons.append(Reason("month", _lower_first(str(exc))))
    if month < add_months(first_of_month(today), -OLDEST_MONTHS):
        reasons.append(Reason("month", f"mois trop ancien (plus de {OLDEST_MONTHS} mois)."))
    return tuple(reasons)


def _check_value(facts: EntryFacts, entry: Entry) -> list[Reason]:
    assignment = facts.assignment if facts.assignment and facts.assignment.own else None
    if entry.hours is not None and entry.amount_ht is not None:
        return [Reason("amount_ht", "indiquez des heures ou un montant, pas les deux.")]
    if entry.amount_ht is not None:
        if assignment is not None and not assignment.subcontracting:
            return [
                Reason(
                    "amount_ht",
                    "un montant ne se déclare que pour une sous-traitance ou une cotraitance "
                    "avec une SIAE, une EA ou un ESAT : indiquez des heures.",
                )
            ]
        if entry.amount_ht < 0:
            return [Reason("amount_ht", "le montant ne peut pas être négatif.")]
        if entry.amount_ht >= AMOUNT_LIMIT:
            return [Reason("amount_ht", "montant trop élevé.")]
        return []
    if entry.hours is None:
        return [Reason("hours", "indiquez le nombre d'heures.")]
    try:
        check_hours(entry.hours)
    except RuleError as exc:
        return [Reason("hours", _lower_first(str(exc)))]
    return []


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _check_person_month(facts: EntryFacts, entry: Entry, month: date) -> list[Reason]:
    """Double counting: one person, one month, several assignments (of one or several
    companies) may not add up to more than a person can work (`MONTHLY_CEILING_HOURS`)."""
    if entry.hours is None:
        return []
    already = facts.person_hours + facts.batch_hours
    total = already + entry.hours
    if total <= MONTHLY_CEILING_HOURS:
        return []
    if facts.batch_lines:
        lines = ", ".join(str(n) for n in (*facts.batch_lines, entry.line))
        before = f" (dont {_fr(facts.person_hours)} h déjà déclarées)" if facts.person_hours else ""
        return [
            Reason(
                "hours",
                f"la même personne est déclarée aux lignes {lines} pour {month:%m/%Y} : "
                f"{_fr(total)} h au total{before}, plus que le maximum légal de "
                f"{MONTHLY_CEILING_HOURS} h par mois.",
            )
        ]
    try:
        check_hours(entry.hours, already_declared=already)
    except RuleError as exc:
        return [Reason("hours", _lower_first(str(exc)))]
    return []  # pragma: no cover — check_hours refuses what exceeds the ceiling


def check_entry(facts: EntryFacts, entry: Entry) -> list[Reason]:
    """Every reason to refuse one declaration, in French (empty: it may be written).

    In order: the assignment (known, the company's own), the person named (when typed),
    the month (begun, not older than `OLDEST_MONTHS`, within the assignment's dates), the
    value (hours or, for a subcontracting, an amount; `check_hours`), then — only for an
    entry right so far — the same assignment and month twice in one batch, a correction
    without its reason, and the person's monthly ceiling across assignments
    (`MONTHLY_CEILING_HOURS`, hours already standing elsewhere included)."""
    reasons = _check_assignment(facts)
    assignment = facts.assignment if not reasons else None
    if assignment is not None and facts.typed_name and facts.typed_name != assignment.person_name:
        reasons.append(
            Reason(
                "participant",
                f"« {entry.participant_name} » n'est pas la personne de la mission "
                f"n° {assignment.pk}.",
            )
        )
    month = first_of_month(entry.month) if entry.month else None
    reasons += _check_month(facts, month)
    reasons += _check_value(facts, entry)
    if reasons or assignment is None or month is None:
        return reasons
    if facts.earlier_line is not None:
        return [
            Reason(
                "",
                f"la mission n° {assignment.pk} et le mois {month:%m/%Y} sont déjà à la "
                f"ligne {facts.earlier_line} (une seule déclaration par mission et par mois).",
            )
        ]
    if is_correction(facts, entry) and not entry.reason.strip():
        existing = facts.existing
        assert existing is not None  # noqa: S101 — is_correction says so
        value = (
            f"{_fr(existing.amount_ht)} € HT"
            if existing.amount_ht is not None
            else f"{_fr(existing.hours or ZERO)} h"
        )
        return [
            Reason(
                "reason",
                f"la mission n° {assignment.pk} a déjà une déclaration de {value} pour "
                f"{month:%m/%Y} ({existing.status_label.lower()}) : pour la corriger, "
                "indiquez le motif de la correction (elle sera contrôlée à nouveau).",
            )
        ]
    return _check_person_month(facts, entry, month)


# -- hours that did not count, in plain French ---------------------------------------------

# Short labels of the rules that leave hours uncounted, to sum by reason (tables, exports).
UNCOUNTED_LABELS = {
    RULE_NOT_VALIDATED: "Déclarations non validées",
    RULE_OUT_OF_ELIGIBILITY: "Hors de la période d'éligibilité de la personne",
    RULE_PARTLY_ELIGIBLE: "Mois en partie hors de la période d'éligibilité (prorata des jours)",
    RULE_OUT_OF_ASSIGNMENT: "Hors des dates de la mission",
    RULE_TRAINING_EXCLUDED: "Heures de formation non comptées sur ce territoire",
    RULE_TRAINING_CAPPED: "Heures de formation au-delà du plafond mensuel du territoire",
}


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return ""


def _windows_text(detail: dict) -> str:
    """ " (…)" saying the person's eligibility, or nothing when the detail does not know
    it (a sum over several declarations, a detail stored before it was kept)."""
    if not isinstance(detail.get("windows"), list):
        return ""
    windows = [w for w in detail["windows"] if isinstance(w, list | tuple) and len(w) == 2]
    if not windows:
        return " (aucune éligibilité validée ne couvre ce mois)"
    spans = [f"du {_day(start)} au {_day(end)}" for start, end in windows if _day(start)]
    if not spans:
        return ""
    return " (éligibilité validée " + " et ".join(spans) + ")"


def uncounted_reason(rule: str, detail: dict | None = None) -> str:
    """Why hours of a declaration did not count, as one French sentence (empty when the
    rule leaves nothing out). `rule` and `detail` are what `count_declaration` stored on
    the declaration (`counting_rule`, `counting_detail`): the eligibility windows, the
    assignment's dates, the training cap, when known."""
    detail = detail or {}
    steps = list(detail.get("steps") or [rule])
    sentences = []
    if RULE_NOT_VALIDATED in steps:
        sentences.append(
            "La déclaration n'est pas validée : ses heures ne comptent qu'une fois validées."
        )
    if RULE_OUT_OF_ASSIGNMENT in steps:
        start, end = (detail.get("assignment") or ["", ""])[:2]
        dates = f" (du {_day(start)}" + (f" au {_day(end)})" if _day(end) else ")")
        sentences.append(
            "Le mois est hors des dates de la mission" + (dates if _day(start) else "") + "."
        )
    if RULE_OUT_OF_ELIGIBILITY in steps:
        sentences.append(
            "Le mois est hors de la période d'éligibilité de la personne"
            f"{_windows_text(detail)} : seules les heures faites pendant une éligibilité "
            "validée comptent."
        )
    if RULE_PARTLY_ELIGIBLE in steps:
        sentences.append(
            "Une partie du mois est hors de la période d'éligibilité de la personne"
            f"{_windows_text(detail)} : heures comptées au prorata des jours couverts."
        )
    if RULE_TRAINING_EXCLUDED in steps:
        sentences.append("Les heures de formation ne sont pas comptées sur ce territoire.")
    if RULE_TRAINING_CAPPED in steps:
        try:
            cap = f" ({_fr(Decimal(str(detail.get('training_cap'))))} h)"
        except (ArithmeticError, ValueError):
            cap = ""
        sentences.append(
            "Heures de formation comptées dans la limite du plafond mensuel du territoire"
            + cap
            + "."
        )
    return " ".join(sentences)


def uncounted_hours(base: Decimal, counted: Decimal) -> Decimal:
    """The hours of a declaration that did not count (never negative: a bonus adds)."""
    return max(base - counted, ZERO)
