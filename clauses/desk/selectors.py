"""Read side of the desk shared by the pages and the API: the inbox and the dashboard, the
routing facts and the routing dry run, the request behind a private link, the requests due to
escalate, the planned market's facts for the markets app.

Everything starts from `policies.visible_requests(actor)` (or, for the dashboard figures of
the national coordination, every request — figures only, never a row). Counts, weeks and
the median are computed in the database; each function runs a bounded number of queries
whatever the number of requests (checked by the query-budget tests).
"""

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.accounts.models import Organisation
from clauses.core.tokens import hash_token
from clauses.desk import policies
from clauses.desk.conf import desk_settings
from clauses.desk.enums import OPEN_STATUSES, RequestKind, RequestStatus, TargetLevel
from clauses.desk.models import BuyerAgreement, Request
from clauses.desk.rules import Decision, RoutingFacts, Target, add_working_days, route
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Commune, Department

# How many weeks the dashboard shows by default.
DASHBOARD_WEEKS = 12
# How many overdue requests the dashboard lists.
OVERDUE_LIST_SIZE = 50


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def in_department(code: str) -> Q:
    """Requests executed in a département: one of their communes, or the whole
    département, is there (two EXISTS subqueries, no join fan-out)."""
    communes = Request.execution_communes.through.objects.filter(
        request=OuterRef("pk"), commune__department__code=code
    )
    departments = Request.execution_departments.through.objects.filter(
        request=OuterRef("pk"), department__code=code
    )
    return Q(Exists(communes)) | Q(Exists(departments))


def in_departments(codes: list[str]) -> Q:
    """Requests executed in any of these départements, as two semi-joins
    (`pk IN (SELECT request_id …)`): one condition whatever the number of départements,
    where OR-ing `in_department` would add two correlated EXISTS per département and per
    row (docs/performance.md, suggestion 3)."""
    through_communes = Request.execution_communes.through.objects.filter(
        commune__department__code__in=codes
    ).values("request_id")
    through_departments = Request.execution_departments.through.objects.filter(
        department__code__in=codes
    ).values("request_id")
    return Q(pk__in=through_communes) | Q(pk__in=through_departments)


def counts_by_department(requests: QuerySet[Request], codes: list[str]) -> dict[str, int]:
    """How many of these requests each département has (one of its communes, or the whole
    département), each request counted once per département: three grouped queries
    (by commune, by département, and the requests named both ways, subtracted)."""
    ids = requests.order_by().values("pk")
    by_commune = Request.execution_communes.through.objects.filter(
        request__in=ids, commune__department__code__in=codes
    )
    by_department = Request.execution_departments.through.objects.filter(
        request__in=ids, department__code__in=codes
    )
    both = by_commune.filter(
        Exists(
            by_department.filter(
                request=OuterRef("request"), department__code=OuterRef("commune__department__code")
            )
        )
    )

    def grouped(rows: QuerySet, code_field: str) -> dict[str, int]:
        return dict(
            rows.order_by()
            .values(code_field)
            .annotate(n=Count("request", distinct=True))
            .values_list(code_field, "n")
        )

    communes = grouped(by_commune, "commune__department__code")
    departments = grouped(by_department, "department__code")
    overlap = grouped(both, "commune__department__code")
    return {
        code: communes.get(code, 0) + departments.get(code, 0) - overlap.get(code, 0)
        for code in codes
    }


def inbox(
    actor: Actor,
    *,
    today: date | None = None,
    status: str | None = None,
    kind: str | None = None,
    department: str | None = None,
    age: str | None = None,
    timing: str | None = None,
    overdue: bool | None = None,
    search: str | None = None,
) -> QuerySet[Request]:
    """The requests the actor sees, filtered, with what a list row shows loaded (one query
    for any page size). Filters:

    - `status`: a `RequestStatus` value, or "open" (every status but closed);
    - `kind`: a `RequestKind` value; `department`: a département code (execution places);
    - `age`: "7" or "30" (filed within that many days), "old" (more than 30 days ago);
    - `timing`: a `PublicationTiming` value; `overdue`: no first response past its due date;
    - `search`: part of the reference, of the buyer's name or its SIRET.

    Ordered: overdue first, then by due date, newest first."""
    today = today or timezone.localdate()
    requests = policies.visible_requests(actor)
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif status in RequestStatus.values:
        requests = requests.filter(status=status)
    if kind in RequestKind.values:
        requests = requests.filter(kind=kind)
    if department:
        requests = requests.filter(in_department(department))
    if age in ("7", "30"):
        requests = requests.filter(created_at__gte=_start_of(today - timedelta(days=int(age))))
    elif age == "old":
        requests = requests.filter(created_at__lt=_start_of(today - timedelta(days=30)))
    if timing:
        requests = requests.filter(publication_timing=timing)
    if overdue:
        requests = requests.overdue(today)
    if search:
        term = search.strip()
        requests = requests.filter(
            Q(reference__icontains=term) | Q(buyer_name__icontains=term) | Q(buyer_siret=term)
        )
    # Workflow order (new first, closed last), then the most urgent first.
    workflow = Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(RequestStatus)),
        output_field=IntegerField(),
    )
    return requests.select_related(
        "target_structure", "target_coordination", "taken_by", "market_cpv"
    ).order_by(workflow, "first_response_due", "-created_at", "-pk")


def request_detail(actor: Actor, reference: str) -> Request | None:
    """One visible request with its relations loaded, or None."""
    return (
        policies.visible_requests(actor)
        .select_related(
            "target_structure", "target_coordination", "taken_by", "market_cpv", "filed_by"
        )
        .prefetch_related("execution_communes", "execution_departments")
        .filter(reference=reference)
        .first()
    )


# --------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int

    @property
    def text(self) -> int:
        """What the data table (components/table.html) shows: the count."""
        return self.count


@dataclass(frozen=True)
class Dashboard:
    total: int
    open_count: int
    overdue_count: int
    per_status: list[Row]
    per_week: list[Row]  # ISO weeks, oldest first, empty weeks included
    per_department: list[Row]
    per_kind: list[Row]
    routed_automatically: int  # requests whose current target is the automatic routing's
    routed_automatically_share: float | None  # 0..1, None without requests
    before_publication: int
    before_publication_share: float | None  # among requests with a known publication date
    answered: int  # requests with a first response
    median_first_response_working_days: float | None
    overdue: list[Request] = field(default_factory=list)  # empty for aggregate-only actors


def dashboard_requests(actor: Actor) -> QuerySet[Request]:
    """The requests counted in the actor's figures: what it sees; the whole desk for the
    national coordination, which gets figures only (never the overdue list)."""
    if actor.is_national:
        return Request.objects.all()
    return policies.visible_requests(actor)


def median(values: QuerySet, field_name: str) -> float | None:
    """Median of a numeric column, portable (SQLite and PostgreSQL): count, then read the
    one or two middle values in order — two small queries, no rows loaded in Python."""
    column = values.exclude(**{f"{field_name}__isnull": True}).order_by(field_name)
    count = column.count()
    if count == 0:
        return None
    middle = column.values_list(field_name, flat=True)[(count - 1) // 2 : count // 2 + 1]
    numbers = list(middle)
    return float(sum(numbers)) / len(numbers)


def _weeks(today: date, weeks: int) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def dashboard(
    actor: Actor, *, today: date | None = None, weeks: int = DASHBOARD_WEEKS
) -> Dashboard:
    """The desk's figures for the actor's scope (about 8 queries)."""
    today = today or timezone.localdate()
    requests = dashboard_requests(actor)
    ids = requests.values("pk")

    totals = requests.aggregate(
        total=Count("pk"),
        open_count=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue_count=Count(
            "pk",
            filter=Q(
                status__in=OPEN_STATUSES, first_response_at=None, first_response_due__lt=today
            ),
        ),
        automatic=Count("pk", filter=Q(routed_automatically=True)),
        before=Count("pk", filter=Q(publication_timing="before_publication")),
        known_timing=Count("pk", filter=~Q(publication_timing="unknown")),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
    )

    status_counts = dict(
        requests.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    per_status = [
        Row(value, label, status_counts.get(value, 0)) for value, label in RequestStatus.choices
    ]

    week_starts = _weeks(today, weeks)
    week_counts = {
        (week.date() if isinstance(week, datetime) else week): n
        for week, n in requests.filter(created_at__gte=_start_of(week_starts[0]))
        .order_by()
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    }
    per_week = [
        Row(
            start.isoformat(),
            f"S{start.isocalendar().week:02d} ({start:%d/%m})",
            week_counts.get(start, 0),
        )
        for start in week_starts
    ]

    communes = Request.execution_communes.through.objects.filter(
        request=OuterRef("pk"), commune__department=OuterRef(OuterRef("pk"))
    )
    whole = Request.execution_departments.through.objects.filter(
        request=OuterRef("pk"), department=OuterRef(OuterRef("pk"))
    )
    in_department_count = (
        Request.objects.filter(pk__in=ids)
        .filter(Q(Exists(communes)) | Q(Exists(whole)))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    per_department = [
        Row(d.code, f"{d.code} — {d.name}", d.n)
        for d in Department.objects.annotate(
            n=Coalesce(Subquery(in_department_count, output_field=IntegerField()), Value(0))
        ).order_by("code")
    ]

    kind_counts = dict(
        requests.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    per_kind = [
        Row(value, label, kind_counts.get(value, 0)) for value, label in RequestKind.choices
    ]

    total = totals["total"]
    overdue: list[Request] = []
    if not actor.is_national:
        overdue = list(
            requests.overdue(today)
            .select_related("target_structure", "target_coordination", "taken_by")
            .order_by("first_response_due", "created_at")[:OVERDUE_LIST_SIZE]
        )
    return Dashboard(
        total=total,
        open_count=totals["open_count"],
        overdue_count=totals["overdue_count"],
        per_status=per_status,
        per_week=per_week,
        per_department=per_department,
        per_kind=per_kind,
        routed_automatically=totals["automatic"],
        routed_automatically_share=(totals["automatic"] / total) if total else None,
        before_publication=totals["before"],
        before_publication_share=(
            totals["before"] / totals["known_timing"] if totals["known_timing"] else None
        ),
        answered=totals["answered"],
        median_first_response_working_days=median(requests, "first_response_working_days"),
        overdue=overdue,
    )


GREEN_DESK_NAME = "Guichet vert"


# --------------------------------------------------------------------------------------
# Routing facts (services.file_request and the API's POST /route use them)
# --------------------------------------------------------------------------------------


def coordination_target(coordination: Coordination) -> Target:
    return Target(
        level=TargetLevel(coordination.level),
        id=coordination.pk,
        name=coordination.name,
        email=coordination.desk_email or coordination.email,
    )


def structure_target(structure: FacilitatorStructure) -> Target:
    return Target(
        level=TargetLevel.STRUCTURE, id=structure.pk, name=structure.name, email=structure.email
    )


def green_desk_target(regional: Coordination | None) -> Target:
    if regional is None:
        return Target(TargetLevel.GREEN_DESK, None, GREEN_DESK_NAME, "")
    return Target(
        TargetLevel.GREEN_DESK,
        regional.pk,
        GREEN_DESK_NAME,
        regional.green_desk_email or regional.desk_email or regional.email,
    )


def _agreement_structure(
    *, buyer_siret: str, buyer_organisation: Organisation | None, on: date
) -> FacilitatorStructure | None:
    condition = Q()
    if buyer_siret:
        condition |= Q(buyer_siret=buyer_siret) | Q(buyer_organisation__siret=buyer_siret)
    if buyer_organisation is not None:
        condition |= Q(buyer_organisation=buyer_organisation)
    if not condition:
        return None
    agreement = (
        BuyerAgreement.objects.valid_on(on)
        .filter(condition, structure__is_active=True)
        .select_related("structure")
        .order_by("-valid_from", "-pk")
        .first()
    )
    return agreement.structure if agreement else None


def routing_facts(
    *,
    kind: str,
    communes: Sequence[Commune] = (),
    departments: Sequence[Department] = (),
    region_wide: bool = False,
    outside_places: Sequence[str] = (),
    buyer_siret: str = "",
    buyer_organisation: Organisation | None = None,
    on: date | None = None,
) -> RoutingFacts:
    """Gather what the routing rule needs, in at most 6 queries: coordinations (1), the
    agreement (1), the structures covering every commune (1) and the local coordinations
    covering them all (1) — the last two only when the communes are in one département.
    Communes must be fetched with `select_related("department", "parent")`."""
    on = on or timezone.localdate()
    coordinations = list(
        Coordination.objects.filter(
            level__in=[
                CoordinationLevel.NATIONAL,
                CoordinationLevel.REGIONAL,
                CoordinationLevel.DEPARTMENTAL,
            ]
        )
        .select_related("department")
        .order_by("pk")
    )
    national = next((c for c in coordinations if c.level == CoordinationLevel.NATIONAL), None)
    regions = {c.department.region_id for c in communes} | {d.region_id for d in departments}
    regionals = [c for c in coordinations if c.level == CoordinationLevel.REGIONAL]
    regional = next((c for c in regionals if c.region_id in regions), None) or next(
        iter(regionals), None
    )
    departmental = {
        c.department.code: coordination_target(c)
        for c in coordinations
        if c.level == CoordinationLevel.DEPARTMENTAL and c.department_id
    }
    commune_departments = {c.insee: c.department.code for c in communes}

    agreement = None
    if kind != RequestKind.ENVIRONMENTAL and (communes or departments or region_wide):
        structure = _agreement_structure(
            buyer_siret=buyer_siret, buyer_organisation=buyer_organisation, on=on
        )
        agreement = structure_target(structure) if structure else None

    structures: tuple[Target, ...] = ()
    locals_: tuple[Target, ...] = ()
    one_department = len(set(commune_departments.values())) == 1
    if (
        kind != RequestKind.ENVIRONMENTAL
        and agreement is None
        and communes
        and one_department
        and not departments
        and not region_wide
        and not outside_places
    ):
        covering = FacilitatorStructure.objects.active()
        local = Coordination.objects.local()
        for commune in communes:
            covering = covering & FacilitatorStructure.objects.covering(commune)
            local = local & Coordination.objects.covering(commune)
        structures = tuple(structure_target(s) for s in covering.order_by("name", "pk"))
        locals_ = tuple(coordination_target(c) for c in local.order_by("name", "pk"))

    return RoutingFacts(
        kind=RequestKind(kind),
        national=(
            coordination_target(national)
            if national
            else Target(TargetLevel.NATIONAL, None, "Coordination nationale", "")
        ),
        regional=(
            coordination_target(regional)
            if regional
            else Target(TargetLevel.REGIONAL, None, "Coordination régionale", "")
        ),
        green_desk=green_desk_target(regional),
        departmental=departmental,
        communes=commune_departments,
        departments=frozenset(d.code for d in departments),
        region_wide=region_wide,
        outside_places=tuple(outside_places),
        agreement_structure=agreement,
        structures_covering_all=structures,
        local_covering_all=locals_,
    )


def route_request(
    *,
    kind: str,
    buyer_siret: str = "",
    execution_communes: Sequence[Any] = (),
    execution_departments: Sequence[Any] = (),
    region_wide: bool = False,
    buyer_organisation: Organisation | None = None,
    on: date | None = None,
) -> Decision:
    """Dry run: where a request with these facts would go, and why. Files nothing.
    Raises ValidationError (French, by field) on a bad kind, SIRET or place; the SIRET is
    optional here (it only serves to find an agreement)."""
    from clauses.desk.validation import clean_places, clean_siret

    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [
            "Objet de la demande : choisissez l'une des valeurs "
            + ", ".join(RequestKind.values)
            + "."
        ]
    siret = clean_siret(buyer_siret, errors) if buyer_siret else ""
    communes, departments, outside = clean_places(execution_communes, execution_departments, errors)
    if not isinstance(region_wide, bool):
        errors["region_wide"] = ["Toute la région : vrai ou faux attendu."]
    if errors:
        raise ValidationError(errors)
    facts = routing_facts(
        kind=kind,
        communes=communes,
        departments=departments,
        region_wide=region_wide,
        outside_places=outside,
        buyer_siret=siret,
        buyer_organisation=buyer_organisation,
        on=on,
    )
    return route(facts)


# --------------------------------------------------------------------------------------
# Private links, escalation, the markets app
# --------------------------------------------------------------------------------------


def request_for_token(*, reference: str, token: str) -> Request | None:
    """The request behind a private link, or None (wrong reference or token): compared in
    constant time."""
    if not reference or not token:
        return None
    desk_request = Request.objects.filter(reference=reference).first()
    if desk_request is None:
        hmac.compare_digest(hash_token(token), "0" * 64)
        return None
    if not hmac.compare_digest(hash_token(token), desk_request.follow_token_hash):
        return None
    return desk_request


def level_above(desk_request: Request) -> Target | None:
    """Structure → departmental coordination of its département (through a local
    coordination if it hangs from one); local → departmental; departmental → regional.
    Regional, national and guichet vert: the top, nothing above."""
    level = desk_request.target_level
    coordination: Coordination | None = None
    if level == TargetLevel.STRUCTURE and desk_request.target_structure_id:
        coordination = desk_request.target_structure.coordination
        if coordination.level == CoordinationLevel.LOCAL:
            coordination = coordination.parent
        elif coordination.level != CoordinationLevel.DEPARTMENTAL:
            coordination = None
    elif level == TargetLevel.LOCAL and desk_request.target_coordination_id:
        coordination = desk_request.target_coordination.parent
    elif level == TargetLevel.DEPARTMENTAL:
        coordination = None
    else:
        return None
    if coordination is not None and coordination.level == CoordinationLevel.DEPARTMENTAL:
        return coordination_target(coordination)
    regional = Coordination.objects.regional().order_by("pk").first()
    return coordination_target(regional) if regional else None


def escalation_candidates(now: datetime | None = None) -> list[Request]:
    """Untaken requests (status new, nobody in charge) below the regional level whose
    routing is older than CLAUSES_DESK_ESCALATION_WORKING_DAYS working days."""
    now = now or timezone.now()
    conf = desk_settings()
    today = timezone.localdate(now)
    candidates = (
        Request.objects.untaken()
        .filter(
            target_level__in=[TargetLevel.STRUCTURE, TargetLevel.LOCAL, TargetLevel.DEPARTMENTAL],
            routed_at__lt=now,
        )
        .select_related("target_structure__coordination__parent", "target_coordination__parent")
        .order_by("routed_at", "pk")
    )
    return [
        r
        for r in candidates
        if add_working_days(
            timezone.localdate(r.routed_at), conf.escalation_working_days, conf.closed_days
        )
        < today
    ]


def planned_market_facts(desk_request: Request) -> dict[str, Any]:
    """What the desk knows of the planned market, for the markets app to create a Market
    from a request ("convert to market"); plain values, keys named after the request."""
    return {
        "desk_reference": desk_request.reference,
        "buyer_organisation_id": desk_request.buyer_organisation_id,
        "buyer_name": desk_request.buyer_name,
        "buyer_siret": desk_request.buyer_siret,
        "subject": desk_request.market_subject,
        "cpv_code8": desk_request.market_cpv.code8 if desk_request.market_cpv_id else "",
        "estimated_amount": desk_request.market_estimated_amount,
        "planned_publication_date": desk_request.market_planned_publication_date,
        "duration_months": desk_request.market_duration_months,
        "execution_commune_insee": sorted(
            desk_request.execution_communes.values_list("insee", flat=True)
        ),
        "execution_department_codes": sorted(
            desk_request.execution_departments.values_list("code", flat=True)
        ),
        "region_wide": desk_request.region_wide,
        "structure_id": desk_request.target_structure_id,
        "coordination_id": desk_request.target_coordination_id,
        "publication_timing": desk_request.publication_timing,
    }
