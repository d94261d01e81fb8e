"""The reviews' hours from the aggregates (`models.MarketMonthHours`), and their rebuild.

`refresh()` rebuilds the table in one transaction with one INSERT … SELECT grouped in the
database (portable SQL: SQLite and PostgreSQL). The readers below answer exactly what
`queries.hours`, `queries.hours_by_month`, `queries.hours_by_department` and
`queries.uncounted` answer, from the aggregates instead of the declarations.

When a review reads them (`use_for`): periods that are closed — ended before the current
month — once the aggregates exist; the page then says « chiffres arrêtés au … » (the last
rebuild). The current period is always computed live. A declaration corrected or
validated later for a closed month shows at the next rebuild (after imports and controls,
and nightly).
"""

import time
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clauses.followup.models import Assignment
from clauses.hours.enums import LIVE_STATUSES, DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.hours.selectors import Uncounted
from clauses.markets.models import Lot, Market
from clauses.reporting import queries, snapshots, territory_figures
from clauses.reporting.models import AggregatesRefresh, MarketMonthHours
from clauses.reporting.periods import Period

ZERO = Decimal(0)


def closed_years(today: date | None = None) -> list[int]:
    """The calendar years over, from the first market's start or declaration: the years
    `TerritoryYear` keeps."""
    today = today or timezone.localdate()
    firsts = [
        MarketMonthHours.objects.order_by("month").values_list("month", flat=True).first(),
        Market.objects.filter(start_date__isnull=False)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first(),
    ]
    firsts = [day for day in firsts if day is not None]
    if not firsts:
        return []
    return list(range(min(firsts).year, today.year))


# Two rebuilds at once would both rewrite the same territory rows: the second waits.
REFRESH_LOCK = 0x7265_7669_6577  # "review", a constant of this app's advisory lock
CHUNK = 500  # market ids per statement of a partial rebuild (SQLite's parameter limit)


def refresh(
    *,
    today: date | None = None,
    markets: list[int] | None = None,
    months: list[date] | None = None,
) -> AggregatesRefresh:
    """Rebuild every row (one DELETE, one INSERT … SELECT), then the per territory × year
    figures of the closed years (`territory_figures`), and record when.

    After a batch of declarations (`services.declarations_changed`): `markets` rebuilds
    only those markets' rows, and `months` only the closed years holding those months
    (the other years' territory figures are unchanged by it and stay, marked with this
    rebuild). The nightly run rebuilds everything."""
    started = time.monotonic()
    refreshed_at = timezone.now()
    table = MarketMonthHours._meta.db_table
    live = ", ".join(f"'{s}'" for s in LIVE_STATUSES)
    validated = f"'{DeclarationStatus.VALIDATED}'"
    d, a, lot = (
        HourDeclaration._meta.db_table,
        Assignment._meta.db_table,
        Lot._meta.db_table,
    )
    sql = f"""
        INSERT INTO {table} (market_id, month, counting_rule, declared, validated, counted,
                             uncounted, uncounted_declarations)
        SELECT l.market_id, d.month, d.counting_rule,
               SUM(CASE WHEN d.status IN ({live}) THEN d.base_hours ELSE 0 END),
               SUM(CASE WHEN d.status = {validated} THEN d.base_hours ELSE 0 END),
               SUM(CASE WHEN d.status = {validated} THEN d.counted_hours ELSE 0 END),
               SUM(CASE WHEN d.status = {validated} AND d.counted_hours < d.base_hours
                        THEN d.base_hours - d.counted_hours ELSE 0 END),
               SUM(CASE WHEN d.status = {validated} AND d.counted_hours < d.base_hours
                        THEN 1 ELSE 0 END)
        FROM {d} d
        JOIN {a} a ON a.id = d.assignment_id
        JOIN {lot} l ON l.id = a.lot_id
        {{where}}
        GROUP BY l.market_id, d.month, d.counting_rule
    """  # noqa: S608 — table names from the models, statuses from the enums
    years = closed_years(today)
    if months is not None:
        years = sorted({m.year for m in months} & set(years))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one rebuild at a time (workers, nightly)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        rows = 0
        if markets is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(sql.replace("{where}", ""))
            rows = max(cursor.rowcount, 0)
        else:
            ids = sorted(set(markets))
            for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE market_id IN ({marks})", chunk)  # noqa: S608
                cursor.execute(sql.replace("{where}", f"WHERE l.market_id IN ({marks})"), chunk)
                rows += max(cursor.rowcount, 0)
        if connection.vendor == "postgresql":  # fresh statistics for the planner
            cursor.execute(f"ANALYZE {table}")
        rows += territory_figures.rebuild(
            refreshed_at, years, places=markets is None, every_year=months is None
        )
        done = AggregatesRefresh.objects.create(
            refreshed_at=refreshed_at,
            rows=rows,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        snapshots.prune(done.refreshed_at)  # stale from now on: the next read recomputes
        return done


def last_refresh() -> datetime | None:
    latest = AggregatesRefresh.objects.order_by("-refreshed_at").first()
    return latest.refreshed_at if latest else None


def is_closed(period: Period, today: date | None = None) -> bool:
    """Ended before the current month."""
    today = today or timezone.localdate()
    return period.end < today.replace(day=1)


def use_for(period: Period, today: date | None = None) -> datetime | None:
    """The time the figures are « arrêtés » when this period's review reads the aggregates
    (a closed period, aggregates built), else None (live)."""
    if not is_closed(period, today):
        return None
    return last_refresh()


def _rows(markets: QuerySet[Market]) -> QuerySet[MarketMonthHours]:
    return MarketMonthHours.objects.filter(market__in=queries.market_ids(markets)).order_by()


def _in_period(period: Period) -> Q:
    return Q(month__gte=period.start, month__lt=period.end_exclusive)


def hours(markets: QuerySet[Market], period: Period) -> queries.Hours:
    """`queries.hours` from the aggregates (the targets and the span read the markets)."""
    in_period = _in_period(period)
    sums = (
        _rows(markets)
        .filter(month__lt=period.end_exclusive)
        .aggregate(
            sum_declared=Sum("declared", filter=in_period),
            sum_validated=Sum("validated", filter=in_period),
            sum_counted=Sum("counted", filter=in_period),
            cumulative=Sum("counted"),
        )
    )
    sums = {key.removeprefix("sum_"): value for key, value in sums.items()}
    return queries.hours_from(markets, sums)


def hours_by_month(markets: QuerySet[Market], period: Period) -> dict[date, Decimal]:
    rows = (
        _rows(markets)
        .filter(_in_period(period), validated__gt=0)
        .values("month")
        .annotate(n=Sum("counted"))
    )
    return {row["month"]: row["n"] or ZERO for row in rows}


def hours_by_department(markets: QuerySet[Market], period: Period) -> dict[str, Decimal]:
    rows = (
        _rows(markets)
        .filter(_in_period(period), validated__gt=0)
        .values(code=Coalesce("market__buyer__department__code", Value("")))
        .annotate(n=Sum("counted"))
    )
    return {row["code"]: row["n"] or ZERO for row in rows}


def grouped_hours(markets: QuerySet[Market], period: Period, group: str) -> dict:
    """`queries.grouped_hours` from the aggregates."""
    rows = (
        _rows(markets)
        .filter(_in_period(period), validated__gt=0)
        .values(key=F(f"market__{group}"))
        .annotate(n=Sum("counted"))
    )
    return {row["key"]: row["n"] or ZERO for row in rows}


def uncounted(markets: QuerySet[Market], period: Period) -> list[Uncounted]:
    rows = (
        _rows(markets)
        .filter(_in_period(period), uncounted__gt=0)
        .values("counting_rule")
        .annotate(hours=Sum("uncounted"), count=Sum("uncounted_declarations"))
    )
    items = [Uncounted(r["counting_rule"], r["hours"] or ZERO, r["count"]) for r in rows]
    return sorted(items, key=lambda u: (-u.hours, u.rule))
