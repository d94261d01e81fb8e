"""Read side of hours, shared by the pages, the API and reporting.

Everything starts from `policies` and aggregates in the database: a clause list costs a
fixed number of queries (clauses, sums per lot, agreements and their members' sums,
settings) whatever the number of clauses or declarations.

Signatures reporting relies on:

- `clause_progress(clauses, *, today) -> list[ClauseProgress]` (any queryset of clauses)
- `progress_for_actor(actor, *, today) -> list[ClauseProgress]` (the clauses it may read)
- `contractor_clauses(actor, *, today) -> list[ClauseProgress]`
- `market_progress(actor, market_id, *, today) -> GroupProgress | None`
- `operation_progress(actor, operation_id, *, today) -> GroupProgress | None`
- `lot_progress(actor, lot_id, *, today) -> GroupProgress | None`
- `alerts(actor, *, today) -> list[ClauseProgress]` (behind schedule or ended short)
- `declarations_to_control(actor, filters) -> QuerySet[HourDeclaration]`
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.followup.models import EligibilityValidation
from clauses.hours import policies, rules
from clauses.hours.enums import LIVE_STATUSES, DeclarationStatus
from clauses.hours.models import (
    CountingSettings,
    DeclarationEvent,
    GlobalisationAgreement,
    HourDeclaration,
)
from clauses.markets.enums import MarketStatus
from clauses.markets.models import Market, SocialConsideration

ZERO = Decimal(0)


# -- settings and eligibility (read by counting and by the checks) -----------------------


def settings_for_market(market: Market, *, cache: dict | None = None) -> rules.Settings:
    """The counting settings of the market's territory: the buyer's département, else its
    region, else the defaults of `rules.Settings`."""
    department = market.buyer.department if market.buyer.department_id else None
    if department is None:
        return rules.Settings()
    if cache is None:
        cache = {}
    key = department.pk
    if key not in cache:
        row = (
            CountingSettings.objects.filter(department=department).first()
            or CountingSettings.objects.filter(region_id=department.region_id).first()
        )
        cache[key] = row.as_rules() if row else rules.Settings()
    return cache[key]


def eligibility_windows(
    validations: Iterable[EligibilityValidation], *, months: int
) -> tuple[tuple[date, date], ...]:
    """The days each validation covers. One withdrawn for an error or a fraud covers
    nothing; one withdrawn because the person is no longer eligible covers until the day
    before the withdrawal (its valid_until) — `EligibilityValidation.covers_hours`,
    docs/domain-rules.md §3.2."""
    windows = []
    for validation in validations:
        if not validation.covers_hours:
            continue
        start = validation.valid_from or timezone.localdate(validation.validated_at)
        windows.append(rules.eligibility_window(start, validation.valid_until, months=months))
    return tuple(windows)


def declaration_facts(
    declaration: HourDeclaration, settings: rules.Settings
) -> rules.DeclarationFacts:
    """What counting needs to know about a declaration (its assignment and participant
    with the participant's validations loaded)."""
    assignment = declaration.assignment
    return rules.DeclarationFacts(
        month=declaration.month,
        modality=assignment.modality,
        validated=declaration.status == DeclarationStatus.VALIDATED,
        declared_hours=declaration.declared_hours,
        declared_amount_ht=declaration.declared_amount_ht,
        is_training=declaration.is_training,
        assignment_start=assignment.start_date,
        assignment_end=assignment.end_date,
        eligibility_windows=eligibility_windows(
            assignment.participant.validations.all(), months=settings.eligibility_months
        ),
        eligible_by_status=assignment.modality in rules.ELIGIBLE_BY_STATUS_MODALITIES,
    )


def counting_detail(
    facts: rules.DeclarationFacts, settings: rules.Settings, counted: rules.Counted, base: Decimal
) -> dict:
    """Stored beside the counted hours: the steps, and what `rules.uncounted_reason`
    needs to explain the hours that did not count."""
    return {
        "steps": list(counted.steps),
        "explanation": counted.explanation,
        "base_hours": str(base),
        "labour_share": str(settings.labour_share),
        "hourly_cost": str(settings.hourly_cost),
        "windows": [[s.isoformat(), e.isoformat()] for s, e in facts.eligibility_windows],
        "assignment": [
            facts.assignment_start.isoformat() if facts.assignment_start else "",
            facts.assignment_end.isoformat() if facts.assignment_end else "",
        ],
        "training_cap": None
        if settings.training_monthly_cap is None
        else str(settings.training_monthly_cap),
    }


@dataclass(frozen=True)
class Preview:
    """What validating a declaration now would leave uncounted, and why."""

    hours: Decimal
    reason: str


def preview_uncounted(declarations: Iterable[HourDeclaration]) -> dict[int, Preview]:
    """For declarations awaiting control: the hours validation would NOT count, and why
    (the control page warns "N h ne seront pas comptées : …" before validating). Nothing
    written; declarations that would count in full are absent. Two queries plus one per
    territory's settings."""
    from django.db.models import prefetch_related_objects

    pending = [d for d in declarations if d.status == DeclarationStatus.SUBMITTED]
    prefetch_related_objects(
        pending, "assignment__participant__validations", "assignment__lot__market__buyer"
    )
    cache: dict = {}
    previews = {}
    for declaration in pending:
        settings = settings_for_market(declaration.assignment.lot.market, cache=cache)
        facts = replace(declaration_facts(declaration, settings), validated=True)
        base, _ = rules.base_hours(facts, settings)
        counted = rules.count_declaration(facts, settings)
        left = rules.uncounted_hours(base, counted.hours)
        if left > 0:
            detail = counting_detail(facts, settings, counted, base)
            previews[declaration.pk] = Preview(left, rules.uncounted_reason(counted.rule, detail))
    return previews


@dataclass(frozen=True)
class Uncounted:
    """Validated hours that did not count, for one reason (a counting rule)."""

    rule: str
    hours: Decimal
    declarations: int

    @property
    def label(self) -> str:
        return rules.UNCOUNTED_LABELS.get(self.rule, rules.RULE_LABELS.get(self.rule, self.rule))


def _summed(groups: Iterable[Iterable[Uncounted]]) -> tuple[Uncounted, ...]:
    totals: dict[str, list] = {}
    for group in groups:
        for item in group:
            total = totals.setdefault(item.rule, [ZERO, 0])
            total[0] += item.hours
            total[1] += item.declarations
    return tuple(
        Uncounted(rule, hours, count)
        for rule, (hours, count) in sorted(totals.items(), key=lambda kv: -kv[1][0])
    )


@dataclass(frozen=True)
class ClauseProgress:
    clause: SocialConsideration
    own_counted: Decimal  # counted on the clause's own lot
    globalised: Decimal  # received (+) or given (−) through a globalisation agreement
    progress: rules.Progress
    uncounted: tuple[Uncounted, ...] = ()  # validated hours that did not count, by reason

    @property
    def uncounted_hours(self) -> Decimal:
        return sum((u.hours for u in self.uncounted), ZERO)

    @property
    def market(self):  # noqa: ANN201
        return self.clause.lot.market

    @property
    def lot(self):  # noqa: ANN201
        return self.clause.lot


@dataclass(frozen=True)
class GroupProgress:
    label: str
    clauses: list[ClauseProgress]
    progress: rules.Progress

    @property
    def uncounted(self) -> tuple[Uncounted, ...]:
        """The clauses' uncounted hours summed by reason."""
        return _summed(item.uncounted for item in self.clauses)

    @property
    def uncounted_hours(self) -> Decimal:
        return sum((u.hours for u in self.uncounted), ZERO)


def _uncounted_per_lot(lot_ids: set[int]) -> dict[int, tuple[Uncounted, ...]]:
    """Validated hours that did not count, per lot and reason, in one query."""
    rows = (
        HourDeclaration.objects.filter(
            assignment__lot__in=lot_ids,
            status=DeclarationStatus.VALIDATED,
            counted_hours__lt=F("base_hours"),
        )
        .order_by()
        .values("assignment__lot", "counting_rule")
        .annotate(hours=Sum(F("base_hours") - F("counted_hours")), count=Count("pk"))
    )
    per_lot: dict[int, list[Uncounted]] = {}
    for row in rows:
        per_lot.setdefault(row["assignment__lot"], []).append(
            Uncounted(row["counting_rule"], row["hours"] or ZERO, row["count"])
        )
    return {lot: _summed([items]) for lot, items in per_lot.items()}


def uncounted_by_reason(clauses: QuerySet[SocialConsideration]) -> list[Uncounted]:
    """Validated hours of these clauses (any queryset: a clause, a lot's, a market's, an
    operation's, a territory's) that did not count, summed by reason — most hours first;
    `Uncounted.label` is the French reason, `rules.uncounted_reason` the sentence. For
    reports and exports. One query."""
    lots = set(clauses.values_list("lot_id", flat=True))
    return list(_summed(_uncounted_per_lot(lots).values()))


def _sums(lot_ids: set[int]) -> dict[int, dict[str, Decimal]]:
    """Declared, validated and counted hours per lot, in one query."""
    rows = (
        HourDeclaration.objects.filter(assignment__lot__in=lot_ids)
        .order_by()
        .values("assignment__lot")
        .annotate(
            declared=Sum("base_hours", filter=Q(status__in=LIVE_STATUSES)),
            validated=Sum("base_hours", filter=Q(status=DeclarationStatus.VALIDATED)),
            counted=Sum("counted_hours", filter=Q(status=DeclarationStatus.VALIDATED)),
        )
    )
    return {
        row["assignment__lot"]: {
            "declared": row["declared"] or ZERO,
            "validated": row["validated"] or ZERO,
            "counted": row["counted"] or ZERO,
        }
        for row in rows
    }


def _tolerances() -> dict[tuple[str, int], Decimal]:
    return {
        ("department", row.department_id) if row.department_id else ("region", row.region_id): (
            row.schedule_tolerance
        )
        for row in CountingSettings.objects.all()
    }


def _tolerance(clause: SocialConsideration, table: dict) -> Decimal:
    department = clause.lot.market.buyer.department
    if department is not None:
        for key in (("department", department.pk), ("region", department.region_id)):
            if key in table:
                return table[key]
    return rules.DEFAULT_SCHEDULE_TOLERANCE


def clause_progress(
    clauses: QuerySet[SocialConsideration], *, today: date | None = None
) -> list[ClauseProgress]:
    """Progress of each clause: target, declared, validated, counted (own lot plus what a
    globalisation agreement moves), shares, alerts, and the validated hours that did not
    count by reason. Six queries."""
    today = today or timezone.localdate()
    clause_list = list(
        clauses.select_related("lot__market__buyer__department").order_by(
            "lot__market__reference", "lot__number", "pk"
        )
    )
    if not clause_list:
        return []
    ids = {c.pk for c in clause_list}
    agreements = list(
        GlobalisationAgreement.objects.filter(clauses__in=ids)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .distinct()
        .prefetch_related("clauses")
    )
    members: dict[int, SocialConsideration] = {c.pk: c for c in clause_list}
    for agreement in agreements:
        for member in agreement.clauses.all():
            members.setdefault(member.pk, member)
    sums = _sums({c.lot_id for c in members.values()})
    uncounted = _uncounted_per_lot({c.lot_id for c in clause_list})
    moves: dict[int, Decimal] = {}
    for agreement in agreements:
        pool = [
            rules.PoolMember(
                m.pk,
                Decimal(m.hours_target or 0),
                sums.get(m.lot_id, {}).get("counted", ZERO),
            )
            for m in sorted(agreement.clauses.all(), key=lambda c: c.pk)
        ]
        for clause_id, moved in rules.allocate_globalised(pool).items():
            moves[clause_id] = moves.get(clause_id, ZERO) + moved
    table = _tolerances()
    result = []
    for clause in clause_list:
        figures = sums.get(clause.lot_id, {})
        own = figures.get("counted", ZERO)
        moved = moves.get(clause.pk, ZERO)
        market = clause.lot.market
        result.append(
            ClauseProgress(
                clause=clause,
                own_counted=own,
                globalised=moved,
                progress=rules.progress(
                    target=clause.hours_target,
                    declared=figures.get("declared", ZERO),
                    validated=figures.get("validated", ZERO),
                    counted=own + moved,
                    start=market.start_date,
                    end=market.end_date,
                    today=today,
                    closed=market.status == MarketStatus.CLOSED,
                    penalty_per_hour=clause.penalty_per_missing_hour,
                    tolerance=_tolerance(clause, table),
                ),
                uncounted=uncounted.get(clause.lot_id, ()),
            )
        )
    return result


def _group(
    label: str,
    items: list[ClauseProgress],
    *,
    start: date | None,
    end: date | None,
    closed: bool,
    today: date,
) -> GroupProgress:
    target = sum((i.clause.hours_target or 0 for i in items), 0)
    penalty = sum((i.progress.penalty or ZERO for i in items), ZERO)
    summed = rules.progress(
        target=target or None,
        declared=sum((i.progress.declared for i in items), ZERO),
        validated=sum((i.progress.validated for i in items), ZERO),
        counted=sum((i.progress.counted for i in items), ZERO),
        start=start,
        end=end,
        today=today,
        closed=closed,
    )
    if penalty:
        from dataclasses import replace

        summed = replace(summed, penalty=penalty)
    return GroupProgress(label, items, summed)


def progress_for_actor(actor: Actor, *, today: date | None = None) -> list[ClauseProgress]:
    return clause_progress(policies.visible_clauses(actor), today=today)


def contractor_clauses(actor: Actor, *, today: date | None = None) -> list[ClauseProgress]:
    """The clauses a company must fulfil (lots it executes), with their progress."""
    if not actor.is_company_contact:
        return []
    return clause_progress(policies.visible_clauses(actor), today=today)


def market_progress(
    actor: Actor, market_id: int, *, today: date | None = None
) -> GroupProgress | None:
    today = today or timezone.localdate()
    market = policies.visible_markets(actor).filter(pk=market_id).first()
    if market is None:
        return None
    items = clause_progress(
        policies.visible_clauses(actor).filter(lot__market=market_id), today=today
    )
    return _group(
        str(market),
        items,
        start=market.start_date,
        end=market.end_date,
        closed=market.status == MarketStatus.CLOSED,
        today=today,
    )


def lot_progress(actor: Actor, lot_id: int, *, today: date | None = None) -> GroupProgress | None:
    today = today or timezone.localdate()
    items = clause_progress(policies.visible_clauses(actor).filter(lot=lot_id), today=today)
    if not items:
        return None
    market = items[0].market
    return _group(
        str(items[0].lot),
        items,
        start=market.start_date,
        end=market.end_date,
        closed=market.status == MarketStatus.CLOSED,
        today=today,
    )


def operation_progress(
    actor: Actor, operation_id: int, *, today: date | None = None
) -> GroupProgress | None:
    today = today or timezone.localdate()
    items = clause_progress(
        policies.visible_clauses(actor)
        .filter(lot__market__operation=operation_id)
        .select_related("lot__market__operation"),
        today=today,
    )
    if not items:
        return None
    markets = {i.market.pk: i.market for i in items}.values()
    starts = [m.start_date for m in markets if m.start_date]
    ends = [m.end_date for m in markets if m.end_date]
    operation = items[0].market.operation
    return _group(
        operation.name if operation is not None else str(operation_id),
        items,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        closed=all(m.status == MarketStatus.CLOSED for m in markets),
        today=today,
    )


def alerts(actor: Actor, *, today: date | None = None) -> list[ClauseProgress]:
    """Clauses behind schedule or ended short (with the penalty where set), for the
    facilitators and coordinators who follow them (and buyers, counts only)."""
    if actor.is_company_contact:
        items = contractor_clauses(actor, today=today)
    else:
        items = progress_for_actor(actor, today=today)
    return [i for i in items if i.progress.behind_schedule or i.progress.ended_short]


@dataclass(frozen=True)
class ControlFilters:
    status: str = DeclarationStatus.SUBMITTED
    market_id: int | None = None
    company_id: int | None = None
    month: date | None = None


def declarations_to_control(
    actor: Actor, filters: ControlFilters | None = None
) -> QuerySet[HourDeclaration]:
    """Declarations a facilitator or coordinator controls, filtered, with what a row shows
    (one query per page: everything is joined)."""
    filters = filters or ControlFilters()
    declarations = policies.visible_declarations(actor)
    if actor.is_company_contact:
        return declarations.none()
    if filters.status:
        declarations = declarations.filter(status=filters.status)
    if filters.market_id:
        declarations = declarations.filter(assignment__lot__market=filters.market_id)
    if filters.company_id:
        declarations = declarations.filter(assignment__employer=filters.company_id)
    if filters.month:
        declarations = declarations.filter(month=filters.month)
    return (
        declarations.select_related(
            "assignment__participant", "assignment__employer", "assignment__lot__market"
        )
        .prefetch_related(_corrections_prefetch())
        .order_by("month", "assignment__lot__market__reference", "pk")
    )


def _corrections_prefetch() -> Prefetch:
    """A declaration's corrections, newest first, as `declaration.correction_events`."""
    return Prefetch(
        "events",
        queryset=DeclarationEvent.objects.filter(kind="corrected").order_by("-created_at", "-pk"),
        to_attr="correction_events",
    )


def clause_hours_by_person(actor: Actor, clause: SocialConsideration) -> QuerySet | None:
    """A clause's hours by person and month (declared, counted; personal data): for the
    facilitators and coordinators who follow its market only — None for anyone else (a
    buyer reads the counts, never the people). One query per page of rows."""
    if not policies.can_read_people_hours(actor, clause):
        return None
    return (
        HourDeclaration.objects.filter(assignment__lot=clause.lot_id)
        .order_by()
        .values(
            "assignment__participant",
            "assignment__participant__last_name",
            "assignment__participant__first_name",
            "month",
        )
        .annotate(
            declared=Sum("base_hours", filter=Q(status__in=LIVE_STATUSES)),
            validated=Sum("base_hours", filter=Q(status=DeclarationStatus.VALIDATED)),
            counted=Sum("counted_hours", filter=Q(status=DeclarationStatus.VALIDATED)),
        )
        .order_by(
            "assignment__participant__last_name",
            "assignment__participant__first_name",
            "assignment__participant",
            "-month",
        )
    )


def control_filter_choices(actor: Actor) -> tuple[QuerySet, QuerySet]:
    """The markets and companies the control page offers as filters: those of the
    declarations this actor controls (two queries when the form renders)."""
    from clauses.accounts.models import Organisation
    from clauses.markets.models import Market

    declarations = policies.visible_declarations(actor)
    markets = Market.objects.filter(pk__in=declarations.values("assignment__lot__market")).order_by(
        "reference"
    )
    companies = Organisation.objects.filter(
        pk__in=declarations.values("assignment__employer")
    ).order_by("name")
    return markets, companies


def company_declarations(actor: Actor) -> QuerySet[HourDeclaration]:
    """A company's own declarations, newest month first."""
    if not actor.is_company_contact:
        return HourDeclaration.objects.none()
    return (
        policies.visible_declarations(actor)
        .select_related("assignment__participant", "assignment__lot__market")
        .prefetch_related(_corrections_prefetch())
        .order_by("-month", "assignment__lot__market__reference", "pk")
    )


def agreement_companies(actor: Actor) -> QuerySet:
    """Companies executing a lot with an hour clause on the markets whose agreements this
    actor manages (the choices of the agreements page)."""
    from clauses.accounts.models import Organisation

    clauses = policies.visible_clauses(actor).filter(
        lot__market__in=policies.agreement_markets(actor)
    )
    return Organisation.objects.filter(
        pk__in=clauses.values("lot__contractor_links__organisation")
    ).order_by("name")
