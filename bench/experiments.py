# ruff: noqa: S608 — SQL built from constants of the bench itself
"""Measured suggestions for other apps (PostgreSQL only): each experiment times the current
code, applies a change in the database (an index, a materialised aggregate, a setting) or
runs the proposed query shape, times again, and undoes the change. Nothing is kept.

`python -m bench --only experiments`
"""

import statistics
import time
from collections.abc import Callable

from django.db import connection

from bench.core import Result


def _median_ms(function: Callable[[], object], runs: int) -> float:
    function()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _row(name: str, before: float, after: float, note: str) -> Result:
    result = Result(name, "before → after", 2, median_ms=after, reference="current code",
                    reference_ms=before, note=note)  # fmt: skip
    result.extra = {
        "before_ms": before,
        "after_ms": after,
        "gain": before / after if after else None,
    }
    return result


def commune_trigram(runs: int) -> Result:
    from bench.inprocess import SEARCHES
    from clauses.territories.models import Commune

    def search() -> None:
        for q in SEARCHES:
            list(Commune.objects.search(q).with_department()[:20])

    before = _median_ms(search, runs) / len(SEARCHES)
    _sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _sql(
        "CREATE INDEX bench_commune_trgm ON territories_commune "
        "USING gin (search_name gin_trgm_ops)"
    )
    _sql("ANALYZE territories_commune")
    try:
        after = _median_ms(search, runs) / len(SEARCHES)
    finally:
        _sql("DROP INDEX bench_commune_trgm")
    return _row(
        "index: GIN trigram on Commune.search_name", before, after,
        "per search, mean of the 20 typed texts",
    )  # fmt: skip


def _region_markets():
    from bench.inprocess import _admin
    from clauses.reporting import policies

    return policies.region_scope(_admin(), "11")


def covering_declaration_index(runs: int) -> Result:
    from bench.inprocess import report_year
    from clauses.reporting import queries
    from clauses.reporting.periods import year

    scope, period = _region_markets(), year(report_year())

    def hours() -> None:
        queries.hours(scope.markets, period)
        queries.hours_by_month(scope.markets, period)
        queries.hours_by_department(scope.markets, period)

    before = _median_ms(hours, runs)
    _sql(
        "CREATE INDEX bench_declaration_covering ON hours_hourdeclaration "
        "(assignment_id) INCLUDE (month, status, base_hours, counted_hours)"
    )
    _sql("VACUUM (ANALYZE) hours_hourdeclaration")
    try:
        after = _median_ms(hours, runs)
    finally:
        _sql("DROP INDEX bench_declaration_covering")
    return _row(
        "index: HourDeclaration (assignment) INCLUDE (month, status, hours)", before, after,
        "regional review's 3 hours queries",
    )  # fmt: skip


DESK_GROUPED = """
SELECT code, count(DISTINCT request_id) FROM (
  SELECT d.code, rc.request_id FROM desk_request_execution_communes rc
    JOIN territories_commune c ON c.id = rc.commune_id
    JOIN territories_department d ON d.id = c.department_id
  UNION ALL
  SELECT d.code, rd.request_id FROM desk_request_execution_departments rd
    JOIN territories_department d ON d.id = rd.department_id
) x JOIN desk_request r ON r.id = x.request_id
WHERE r.created_at >= %s AND r.created_at < %s AND code = ANY(%s)
GROUP BY code"""


def _desk_prototype(codes: list[str], period) -> tuple[int, dict]:  # noqa: ANN001
    """The review's desk block with semi-joins instead of per-row EXISTS: the requests of
    the départements (`pk IN (SELECT request_id …)`), and one grouped join for the
    per-département counts."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncWeek

    from clauses.desk.models import Request
    from clauses.desk.selectors import median

    through_c = Request.execution_communes.through.objects.filter(
        commune__department__code__in=codes
    ).values("request_id")
    through_d = Request.execution_departments.through.objects.filter(
        department__code__in=codes
    ).values("request_id")
    filed = Request.objects.filter(
        Q(pk__in=through_c) | Q(pk__in=through_d) | Q(region_wide=True),
        created_at__gte=period.start_datetime,
        created_at__lt=period.end_datetime_exclusive,
    ).order_by()
    per_kind = {r["kind"]: r["n"] for r in filed.values("kind").annotate(n=Count("pk"))}
    list(filed.annotate(week=TruncWeek("created_at")).values("week").annotate(n=Count("pk")))
    filed.filter(first_response_at__isnull=False).count()
    with connection.cursor() as cursor:
        cursor.execute(DESK_GROUPED, [period.start_datetime, period.end_datetime_exclusive, codes])
        per_department = dict(cursor.fetchall())
    median(filed, "first_response_working_days")
    return sum(per_kind.values()), per_department


def desk_per_department(runs: int) -> Result:
    from bench.inprocess import report_year
    from clauses.reporting import queries
    from clauses.reporting.periods import year

    scope, period = _region_markets(), year(report_year())
    current = queries.desk(scope.requests, period, scope.department_codes)
    total, per_department = _desk_prototype(scope.department_codes, period)
    assert total == current.total, (total, current.total)
    before = _median_ms(lambda: queries.desk(scope.requests, period, scope.department_codes), runs)
    after = _median_ms(lambda: _desk_prototype(scope.department_codes, period), runs)
    result = _row(
        "query shape: the review's desk block (semi-joins, grouped counts)", before, after,
        "same totals; prototype of a change to reporting/queries.py and the region scope",
    )  # fmt: skip
    result.extra["same_per_department"] = per_department == current.per_department
    return result


AGGREGATE = """
CREATE MATERIALIZED VIEW bench_hours_by_place AS
SELECT p.kind, p.code, h.month, h.status,
       sum(h.base_hours) AS base_hours, sum(h.counted_hours) AS counted_hours
FROM (
  SELECT l.market_id, d.month, d.status, d.base_hours, d.counted_hours
  FROM hours_hourdeclaration d
  JOIN followup_assignment a ON a.id = d.assignment_id
  JOIN markets_lot l ON l.id = a.lot_id
) h
JOIN (
  SELECT DISTINCT 'department' AS kind, d.code, mc.market_id
  FROM markets_market_execution_communes mc
  JOIN territories_commune c ON c.id = mc.commune_id
  JOIN territories_department d ON d.id = c.department_id
  UNION
  SELECT DISTINCT 'region', r.code, mc.market_id
  FROM markets_market_execution_communes mc
  JOIN territories_commune c ON c.id = mc.commune_id
  JOIN territories_department d ON d.id = c.department_id
  JOIN territories_region r ON r.id = d.region_id
) p ON p.market_id = h.market_id
GROUP BY 1, 2, 3, 4"""


def hours_aggregate(runs: int) -> Result:
    from bench.inprocess import report_year
    from clauses.reporting import queries
    from clauses.reporting.periods import year

    scope, period = _region_markets(), year(report_year())
    before = _median_ms(lambda: queries.hours(scope.markets, period), runs)
    _sql("DROP MATERIALIZED VIEW IF EXISTS bench_hours_by_place")
    started = time.perf_counter()
    _sql(AGGREGATE)
    _sql("CREATE UNIQUE INDEX ON bench_hours_by_place (kind, code, month, status)")
    refresh_ms = (time.perf_counter() - started) * 1000

    def read() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sum(base_hours) FILTER (WHERE month >= %s AND status <> 'rejected'), "
                "sum(base_hours) FILTER (WHERE month >= %s AND status = 'validated'), "
                "sum(counted_hours) FILTER (WHERE month >= %s AND status = 'validated'), "
                "sum(counted_hours) FILTER (WHERE status = 'validated') "
                "FROM bench_hours_by_place WHERE kind = 'region' AND code = '11' AND month < %s",
                [period.start, period.start, period.start, period.end_exclusive],
            )
            cursor.fetchall()

    try:
        after = _median_ms(read, runs)
    finally:
        _sql("DROP MATERIALIZED VIEW bench_hours_by_place")
    result = _row(
        "materialised aggregate: hours by execution place × month × status", before, after,
        f"regional hours figures; building it took {refresh_ms:,.0f} ms (nightly refresh)",
    )  # fmt: skip
    result.extra["refresh_ms"] = refresh_ms
    return result


def jit_off(runs: int) -> Result:
    from bench.inprocess import report_year
    from clauses.reporting import reports

    y = report_year()
    before = _median_ms(lambda: reports.national_rows(y), runs)
    _sql("SET jit = off")
    try:
        after = _median_ms(lambda: reports.national_rows(y), runs)
    finally:
        _sql("SET jit = on")
    return _row("setting: jit = off", before, after, "national review (consolidation by region)")


def _covers_split(model, key, *, departments: bool = False):  # noqa: ANN001, ANN202
    """The coverage condition with the commune test and the arrondissement test in two
    EXISTS: `commune_id IN (…) OR commune.parent_id = …` inside one EXISTS makes the planner
    hash the whole through table with every commune (no index); apart, each uses one."""
    from django.db.models import Q

    from clauses.network.coverage import _m2m_exists, _target

    condition = Q(
        _m2m_exists(model, "communes", _target("communes", model, "__in", key.commune_ids))
    )
    if key.with_arrondissements:
        condition |= Q(
            _m2m_exists(
                model, "communes", _target("communes", model, "__parent_id", key.main_commune_id)
            )
        )
    if key.epci_id:
        condition |= Q(_m2m_exists(model, "epcis", _target("epcis", model, "", key.epci_id)))
    if key.ept_id:
        condition |= Q(_m2m_exists(model, "epts", _target("epts", model, "", key.ept_id)))
    if departments:
        condition |= Q(
            _m2m_exists(model, "departments", _target("departments", model, "", key.department_id))
        )
    return condition


def coverage_query_shape(runs: int) -> list[Result]:
    """facilitation_for and route_request with the coverage condition split (prototype of a
    change to network/coverage.py), then with jit off as well."""
    from bench.inprocess import sample_communes
    from clauses.desk import selectors
    from clauses.network import querysets
    from clauses.network.selectors import facilitation_for

    communes = sample_communes(40, seed=5)

    def lookups() -> None:
        for commune in communes:
            facilitation_for(commune)

    def routes() -> None:
        for commune in communes:
            selectors.route_request(kind="social_advice", execution_communes=[commune.insee])

    before = (_median_ms(lookups, runs) / len(communes), _median_ms(routes, runs) / len(communes))
    original = querysets.covers
    querysets.covers = _covers_split
    try:
        split = (
            _median_ms(lookups, runs) / len(communes),
            _median_ms(routes, runs) / len(communes),
        )
        _sql("SET jit = off")
        try:
            both = (
                _median_ms(lookups, runs) / len(communes),
                _median_ms(routes, runs) / len(communes),
            )
        finally:
            _sql("SET jit = on")
    finally:
        querysets.covers = original
    _sql("SET jit = off")
    try:
        jit_only = _median_ms(lookups, runs) / len(communes)
    finally:
        _sql("SET jit = on")
    note = "per commune, 40 communes; prototype of a change to network/coverage.py"
    return [
        _row("query shape: coverage split (facilitation_for)", before[0], split[0], note),
        _row("query shape: coverage split (route_request)", before[1], split[1], note),
        _row("coverage split + jit = off (facilitation_for)", before[0], both[0], note),
        _row("coverage split + jit = off (route_request)", before[1], both[1], note),
        _row("jit = off alone (facilitation_for)", before[0], jit_only, note),
    ]


def public_pages_cached(runs: int) -> list[Result]:
    """The public pages rendered in the process (production settings, no HTTP), then with
    the network's département table and the projected network map computed once and
    reused (what a per-process cache invalidated when the network changes would give)."""
    from django.test import Client

    from clauses.network import views as network_views
    from clauses.site import views as site_views

    client = Client(HTTP_HOST="127.0.0.1")
    paths = ["/", "/reseau/"]

    def timed_pages() -> list[float]:
        return [_median_ms(lambda p=p: client.get(p), runs * 5) for p in paths]

    before = timed_pages()
    table = site_views.department_table()
    saved = site_views.department_table, network_views.department_table
    saved_map = network_views._network_map
    maps: dict = {}

    def cached_map(t):  # noqa: ANN001, ANN202
        if "map" not in maps:
            maps["map"] = saved_map(t)
        return maps["map"]

    site_views.department_table = network_views.department_table = lambda: table
    network_views._network_map = cached_map
    try:
        after = timed_pages()
    finally:
        site_views.department_table, network_views.department_table = saved
        network_views._network_map = saved_map
    return [
        _row(f"caching: département table and map ({path})", b, a,
             "page rendered in the process; prototype of a cache in network/selectors.py")
        for path, b, a in zip(paths, before, after, strict=True)
    ]  # fmt: skip


def run(runs: int = 3) -> list[Result]:
    if connection.vendor != "postgresql":
        return [Result("experiments", "", 0, note="PostgreSQL only")]
    out = []
    for experiment in (coverage_query_shape, public_pages_cached, commune_trigram,
                       desk_per_department,
                       hours_aggregate, jit_off, covering_declaration_index):  # fmt: skip
        try:
            result = experiment(runs)
            out.extend(result if isinstance(result, list) else [result])
        except Exception as exc:  # noqa: BLE001 — one failed experiment must not stop the rest
            out.append(Result(experiment.__name__, "", 0, note=f"failed: {exc}"))
    return out
