"""Read side of the desk shared by the pages and the API: the inbox and the dashboard.

Everything starts from `policies.visible_requests(actor)` (or, for the dashboard figures of
the national coordination, every request — figures only, never a row). Counts, weeks and
the median are computed in the database; each function runs a bounded number of queries
whatever the number of requests (checked by the query-budget tests).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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
from clauses.desk import policies
from clauses.desk.enums import OPEN_STATUSES, RequestKind, RequestStatus
from clauses.desk.models import Request
from clauses.territories.models import Department

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
