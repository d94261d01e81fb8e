"""The figures of the reports, aggregated in the database: one query per family of
figures (annotate / aggregate / values + Count or Sum), never a loop over rows in Python.

Definitions (the reference test, tests/reporting/test_reference.py, recomputes each one in
plain Python over the same rows):

- **markets of a scope**: the markets the report's policy gives (`policies.scope_markets`);
- **hours**: declarations of assignments on those markets whose month is in the period
  (`periods`): declared = base hours of live declarations (submitted, validated, to fix),
  validated = base hours of validated ones, counted = counted hours of validated ones (the
  hours app's definitions, `hours.selectors`). Hours moved by a globalisation agreement
  stay on the lot that produced them;
- **cumulative counted**: the same counted hours from the beginning up to the period's end;
  share achieved = cumulative counted ÷ target (hour clauses' targets, override first);
- **time elapsed** at the period's end, over the span from the earliest start to the latest
  end of execution of the markets (as the hours app does for an operation);
- **FTE** (ETP) = counted hours ÷ 1,600 (docs/domain-rules.md, W6);
- **participants**: distinct people with an assignment on those markets running during the
  period (started by its end, not ended before its start); their profile at the period's
  end: gender, age band by year of birth (age = year of the end − year of birth: under 26,
  26–49, 50 and over), QPV residents, eligibility criteria of their validations in force
  (not withdrawn);
- **contracts** (employment contracts, modalities, contract types): assignments running
  during the period; **outcomes**: recorded during the period;
- **markets with clauses** ("marchés clausés"): markets with at least one social
  consideration, whose execution overlaps the period (started by its end, not ended before
  its start; a market without a start date is not counted); amount = awarded, else
  estimated (€ HT), in the bands of `AMOUNT_BANDS`;
- **hours by département**: the buyer's département; by month: the declaration's month;
- **uncounted hours**: validated hours of the period that did not count (base − counted),
  summed by the counting rule stored on each declaration (`hours.rules.UNCOUNTED_LABELS`);
- **desk**: requests filed during the period; median first response in working days.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek

from clauses.desk.models import Request
from clauses.desk.selectors import counts_by_department, median
from clauses.followup.models import Assignment, EligibilityCriterion, Outcome, Participant
from clauses.hours.enums import LIVE_STATUSES, DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.hours.policies import HOUR_CLAUSE_KINDS
from clauses.hours.selectors import Uncounted
from clauses.markets.models import Market, SocialConsideration
from clauses.network.models import Facilitator, FacilitatorStructure
from clauses.network.selectors import department_rows
from clauses.reporting.periods import Period
from clauses.territories.models import CpvCode

ZERO = Decimal(0)
# docs/domain-rules.md §7, W6: one full-time equivalent (ETP) = 1,600 hours a year.
FTE_HOURS = Decimal(1600)

# Amount bands of markets with clauses (€ HT, lower bound included, upper excluded). They
# follow the national consolidation's habit of counting small markets apart (< 90 k€, the
# threshold of the public procurement census, OECP) and the European thresholds of
# `markets.rules.EU_THRESHOLDS`: 221 k€ (supplies and services, 2024–2025; 216 k€ from 2026)
# and 5.4 M€ (works: 5,538 k€ in 2024–2025, 5,404 k€ from 2026). Fixed round bands keep the
# years comparable; the dated thresholds stay in `markets.rules`.
AMOUNT_BANDS = [
    ("lt_90k", "Moins de 90 000 €", None, Decimal(90_000)),
    ("90k_221k", "De 90 000 € à 221 000 €", Decimal(90_000), Decimal(221_000)),
    ("221k_5_4m", "De 221 000 € à 5,4 M€", Decimal(221_000), Decimal(5_400_000)),
    ("gte_5_4m", "5,4 M€ et plus", Decimal(5_400_000), None),
]
UNKNOWN = "unknown"


def market_ids(markets: QuerySet[Market]) -> QuerySet:
    return markets.order_by().values("pk")


def declarations(markets: QuerySet[Market]) -> QuerySet[HourDeclaration]:
    return HourDeclaration.objects.filter(assignment__lot__market__in=market_ids(markets))


def _in_period(period: Period, field: str = "month") -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end_exclusive})


# -- hours ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    target: int
    declared: Decimal
    validated: Decimal
    counted: Decimal
    cumulative_counted: Decimal
    start: date | None
    end: date | None

    @property
    def fte(self) -> Decimal:
        return (self.counted / FTE_HOURS).quantize(Decimal("0.01"))

    @property
    def share_achieved(self) -> float | None:
        return float(self.cumulative_counted / self.target) if self.target else None

    def time_elapsed(self, on: date) -> float | None:
        if self.start is None or self.end is None or self.end <= self.start:
            return None
        elapsed = (min(max(on, self.start), self.end) - self.start).days
        return elapsed / (self.end - self.start).days


def hours(markets: QuerySet[Market], period: Period) -> Hours:
    """Three queries: declarations, targets, execution span."""
    validated = Q(status=DeclarationStatus.VALIDATED)
    in_period = _in_period(period)
    sums = (
        declarations(markets)
        .filter(month__lt=period.end_exclusive)
        .aggregate(
            declared=Sum("base_hours", filter=in_period & Q(status__in=LIVE_STATUSES)),
            validated=Sum("base_hours", filter=in_period & validated),
            counted=Sum("counted_hours", filter=in_period & validated),
            cumulative=Sum("counted_hours", filter=validated),
        )
    )
    return hours_from(markets, sums)


def hours_from(markets: QuerySet[Market], sums: dict) -> Hours:
    """`Hours` from the sums of the declarations (declared, validated, counted, cumulative)
    — read live or from the aggregates — with the targets and the span (two queries)."""
    target = SocialConsideration.objects.filter(
        lot__market__in=market_ids(markets), kind__in=HOUR_CLAUSE_KINDS
    ).aggregate(target=Sum(Coalesce("hours_override", "calculated_hours")))["target"]
    span = Market.objects.filter(pk__in=market_ids(markets)).aggregate(
        start=Min("start_date"), end=Max("end_date")
    )
    return Hours(
        target=int(target or 0),
        declared=sums["declared"] or ZERO,
        validated=sums["validated"] or ZERO,
        counted=sums["counted"] or ZERO,
        cumulative_counted=sums["cumulative"] or ZERO,
        start=span["start"],
        end=span["end"],
    )


def hours_by_month(markets: QuerySet[Market], period: Period) -> dict[date, Decimal]:
    rows = (
        declarations(markets)
        .filter(_in_period(period), status=DeclarationStatus.VALIDATED)
        .order_by()
        .values("month")
        .annotate(n=Sum("counted_hours"))
    )
    return {row["month"]: row["n"] or ZERO for row in rows}


def hours_by_department(markets: QuerySet[Market], period: Period) -> dict[str, Decimal]:
    """Counted hours by the buyer's département code ("" when the buyer has none)."""
    rows = (
        declarations(markets)
        .filter(_in_period(period), status=DeclarationStatus.VALIDATED)
        .order_by()
        .values(code=Coalesce("assignment__lot__market__buyer__department__code", Value("")))
        .annotate(n=Sum("counted_hours"))
    )
    return {row["code"]: row["n"] or ZERO for row in rows}


def uncounted(markets: QuerySet[Market], period: Period) -> list[Uncounted]:
    """Validated hours of the period that did not count, summed by the counting rule stored
    on each declaration (the hours app's `Uncounted`: its `label` is the French reason,
    `hours.rules.uncounted_reason` the sentence), most hours first. One query; the same
    definition as `hours.selectors.uncounted_by_reason`, restricted to the period's months.
    Validated − counted = the sum of these hours (a bonus never makes a reason negative)."""
    rows = (
        declarations(markets)
        .filter(
            _in_period(period),
            status=DeclarationStatus.VALIDATED,
            counted_hours__lt=F("base_hours"),
        )
        .order_by()
        .values("counting_rule")
        .annotate(hours=Sum(F("base_hours") - F("counted_hours")), count=Count("pk"))
    )
    items = [Uncounted(r["counting_rule"], r["hours"] or ZERO, r["count"]) for r in rows]
    return sorted(items, key=lambda u: (-u.hours, u.rule))


# -- people -----------------------------------------------------------------------------


def assignments(markets: QuerySet[Market], period: Period) -> QuerySet[Assignment]:
    """Assignments on the markets running during the period."""
    return Assignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start),
        lot__market__in=market_ids(markets),
        start_date__lt=period.end_exclusive,
    )


def people(markets: QuerySet[Market], period: Period) -> QuerySet[Participant]:
    return Participant.objects.filter(
        pk__in=assignments(markets, period).order_by().values("participant")
    )


AGE_BANDS = [
    ("lt_26", "Moins de 26 ans"),
    ("26_49", "De 26 à 49 ans"),
    ("gte_50", "50 ans et plus"),
]


def profile(markets: QuerySet[Market], period: Period) -> dict[str, int]:
    """Distinct participants and their profile, in one query."""
    year = period.end.year
    young = Q(birth_year__gte=year - 25)
    senior = Q(birth_year__lte=year - 50)
    return people(markets, period).aggregate(
        total=Count("pk"),
        female=Count("pk", filter=Q(gender="female")),
        male=Count("pk", filter=Q(gender="male")),
        unspecified=Count("pk", filter=Q(gender="unspecified")),
        lt_26=Count("pk", filter=young),
        gte_50=Count("pk", filter=senior),
        age_26_49=Count("pk", filter=Q(birth_year__isnull=False) & ~young & ~senior),
        age_unknown=Count("pk", filter=Q(birth_year__isnull=True)),
        qpv=Count("pk", filter=Q(qpv_resident=True)),
    )


def eligibility(markets: QuerySet[Market], period: Period) -> list[tuple[str, str, int]]:
    """(code, label, distinct participants) per criterion of validations not withdrawn."""
    rows = (
        EligibilityCriterion.objects.filter(
            validations__participant__in=people(markets, period).values("pk"),
            validations__withdrawn_at__isnull=True,
        )
        .order_by()
        .values("code")
        .annotate(label=Min("label"), n=Count("validations__participant", distinct=True))
        .order_by("code")
    )
    return [(row["code"], row["label"], row["n"]) for row in rows]


def assignments_by(markets: QuerySet[Market], period: Period, field: str) -> dict[str, int]:
    """Contracts (assignments) by `modality` or `contract_type`."""
    rows = assignments(markets, period).order_by().values(field).annotate(n=Count("pk"))
    return {row[field] or "": row["n"] for row in rows}


def outcomes(markets: QuerySet[Market], period: Period) -> dict[str, int]:
    rows = (
        Outcome.objects.filter(
            assignment__lot__market__in=market_ids(markets),
            recorded_at__gte=period.start_datetime,
            recorded_at__lt=period.end_datetime_exclusive,
        )
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
    )
    return {row["category"]: row["n"] for row in rows}


# -- markets and clauses ------------------------------------------------------------------


def markets_with_clauses(markets: QuerySet[Market], period: Period) -> QuerySet[Market]:
    with_consideration = market_ids(markets).filter(lots__considerations__isnull=False)
    return Market.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start),
        start_date__lt=period.end_exclusive,
        pk__in=with_consideration,
    )


def _band_case() -> tuple[Coalesce, Case]:
    amount = Coalesce("awarded_amount_ht", "estimated_amount_ht", output_field=DecimalField())
    whens = []
    for key, _label, low, high in AMOUNT_BANDS:
        condition = Q()
        if low is not None:
            condition &= Q(amount__gte=low)
        if high is not None:
            condition &= Q(amount__lt=high)
        whens.append(When(condition, then=Value(key)))
    return amount, Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def markets_by(markets: QuerySet[Market], period: Period, what: str) -> dict[str, int]:
    """Markets with clauses by "kind", "division" (CPV) or "band" (amount)."""
    queryset = markets_with_clauses(markets, period).order_by()
    if what == "kind":
        rows = queryset.values(key=F("kind"))
    elif what == "division":
        rows = queryset.values(key=Coalesce("cpv__division", Value("")))
    elif what == "band":
        amount, case = _band_case()
        rows = queryset.annotate(amount=amount).values(key=case)
    else:
        raise ValueError(what)
    return {row["key"]: row["n"] for row in rows.annotate(n=Count("pk"))}


def division_labels(codes: list[str]) -> dict[str, str]:
    rows = CpvCode.objects.filter(level=1, division__in=codes).values_list("division", "label")
    return dict(rows)


def clauses_by_kind(markets: QuerySet[Market], period: Period) -> dict[str, int]:
    rows = (
        SocialConsideration.objects.filter(
            lot__market__in=markets_with_clauses(markets, period).values("pk")
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    return {row["kind"]: row["n"] for row in rows}


def buyers_count(markets: QuerySet[Market], period: Period) -> int:
    return markets_with_clauses(markets, period).values("buyer").distinct().count()


# -- desk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    total: int
    per_kind: dict[str, int]
    per_week: dict[date, int]
    per_department: dict[str, int]
    answered: int
    median_first_response: float | None


def desk(requests: QuerySet[Request], period: Period, department_codes: list[str]) -> Desk:
    """Requests filed during the period: 8 queries (per kind, per week, the answered ones,
    three for the counts per département shown, the median's two), none per row."""
    filed = requests.filter(
        created_at__gte=period.start_datetime, created_at__lt=period.end_datetime_exclusive
    ).order_by()
    per_kind = {row["kind"]: row["n"] for row in filed.values("kind").annotate(n=Count("pk"))}
    per_week = {}
    for row in filed.annotate(week=TruncWeek("created_at")).values("week").annotate(n=Count("pk")):
        week = row["week"]
        per_week[week.date() if hasattr(week, "date") else week] = row["n"]
    answered = filed.filter(first_response_at__isnull=False).count()
    per_department = counts_by_department(filed, department_codes) if department_codes else {}
    return Desk(
        total=sum(per_kind.values()),
        per_kind=per_kind,
        per_week=per_week,
        per_department=per_department,
        answered=answered,
        median_first_response=median(filed, "first_response_working_days"),
    )


# -- network ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    facilitators: int
    structures: int
    per_department: dict[str, tuple[int, int]]  # code -> (facilitators, structures)


def network(
    department_codes: list[str] | None = None, structure_ids: list[int] | None = None
) -> Network:
    """Active facilitators and structures: of some structures (two counts), or of
    départements (one query, `network.selectors.department_rows`)."""
    if structure_ids is not None:
        facilitators = Facilitator.objects.filter(
            structure__in=structure_ids, is_active=True
        ).count()
        structures = FacilitatorStructure.objects.filter(
            pk__in=structure_ids, is_active=True
        ).count()
        return Network(facilitators, structures, {})
    rows = department_rows()
    if department_codes is not None:
        rows = rows.filter(code__in=department_codes)
    per_department = {
        row["code"]: (row["facilitator_count"], row["structure_count"])
        for row in rows.values("code", "facilitator_count", "structure_count")
    }
    return Network(
        facilitators=sum(f for f, _ in per_department.values()),
        structures=sum(s for _, s in per_department.values()),
        per_department=per_department,
    )


# -- grouped figures (national by region, consolidation) ---------------------------------


def grouped_hours(markets: QuerySet[Market], period: Period, group: str) -> dict:
    """Counted hours per group (a path from a market)."""
    rows = (
        declarations(markets)
        .filter(_in_period(period), status=DeclarationStatus.VALIDATED)
        .order_by()
        .values(key=F(f"assignment__lot__market__{group}"))
        .annotate(n=Sum("counted_hours"))
    )
    return {row["key"]: row["n"] or ZERO for row in rows}


def grouped(
    markets: QuerySet[Market], period: Period, group: str, *, from_aggregates: bool | None = None
) -> dict[str, dict]:
    """The consolidation's figures per group (`group` is a path from a market, e.g.
    "buyer__department__region__code"), one query per family. The hours come from the
    aggregates for a closed year once they exist, or when `from_aggregates` says so (the
    rebuild itself, `territory_figures`)."""
    result: dict[str, dict] = {}

    def put(key: str | None, name: str, value: object) -> None:
        result.setdefault(key or "", {})[name] = value

    from clauses.reporting import aggregates  # it reads this module

    if from_aggregates is None:
        from_aggregates = aggregates.use_for(period) is not None
    if from_aggregates:  # a closed year: the kept aggregates
        hours_rows = aggregates.grouped_hours(markets, period, group)
    else:
        hours_rows = grouped_hours(markets, period, group)
    for key, value in hours_rows.items():
        put(key, "hours", value)
    running = assignments(markets, period).order_by().values(key=F(f"lot__market__{group}"))
    for row in running.annotate(
        contracts=Count("pk"), participants=Count("participant", distinct=True)
    ):
        put(row["key"], "contracts", row["contracts"])
        put(row["key"], "participants", row["participants"])
    amount, case = _band_case()
    with_clauses = markets_with_clauses(markets, period).order_by().annotate(amount=amount)
    band_counts = {f"band_{key}": Count("pk", filter=Q(band=key)) for key, *_ in AMOUNT_BANDS}
    for row in (
        with_clauses.annotate(band=case)
        .values(key=F(group))
        .annotate(
            markets=Count("pk"),
            buyers=Count("buyer", distinct=True),
            **band_counts,
        )
    ):
        for name, value in row.items():
            if name != "key":
                put(row["key"], name, value)
    return result


def integer(value: object) -> int:
    return int(value or 0)
