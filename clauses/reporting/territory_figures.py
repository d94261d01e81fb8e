# ruff: noqa: S608 — SQL built from the models' table names and constants; values are parameters
"""Per territory × year figures (#15): the review of a département or a region for a closed
calendar year, for a reader who sees every market (national coordination, administrators),
read from `TerritoryYear` instead of scanning the scope's declarations, assignments and
markets.

Built by the rebuild (`aggregates.refresh`), for every département and region at once: one
grouped query per family and year over `MarketTerritory` (market × territory of its
execution communes, the very scope `policies` draws), so that the distinct counts of
people — not summable across months — are counted per territory and year. The same
definitions as `queries` (the reference: `tests/reporting/test_territory_figures.py`
compares every family with the live computation); hours from `MarketMonthHours`.
"""

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from clauses.hours.policies import HOUR_CLAUSE_KINDS
from clauses.markets.models import Market
from clauses.reporting import figures as figures_module
from clauses.reporting import queries
from clauses.reporting.models import MarketMonthHours, MarketTerritory, TerritoryYear
from clauses.reporting.periods import Period
from clauses.reporting.periods import year as year_period

DEPARTMENT = "department"
REGION = "region"
# The national consolidation of a closed year (every market, by the buyer's region), kept
# as one row per year: `queries.grouped` run by the rebuild.
CONSOLIDATION = "nation"  # level of that row; its code: "region"
NATIONAL_GROUP = "buyer__department__region__code"
CENT = Decimal("0.01")
# The families of a review that `TerritoryYear` holds (the rest — desk, network, labels —
# is read live: small queries on small tables).
FAMILIES = (
    "hours",
    "profile",
    "uncounted",
    "eligibility",
    "modality",
    "contract",
    "outcomes",
    "by_kind",
    "by_division",
    "by_band",
    "clauses",
    "by_department",
    "by_month",
)

MT = MarketTerritory._meta.db_table
MMH = MarketMonthHours._meta.db_table


def _decimal(value: object) -> Decimal:
    """A sum as the ORM returns it (SQLite sums decimals as floats: 2 places)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(CENT)
    return Decimal(value)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day(value: date) -> object:
    return connection.ops.adapt_datefield_value(value)


def _moment(value: date) -> object:
    aware = timezone.make_aware(datetime.combine(value, time.min))
    return connection.ops.adapt_datetimefield_value(aware)


def rebuild_places() -> int:
    """`MarketTerritory` from the markets' execution communes (DELETE + INSERT … SELECT)."""
    through = "markets_market_execution_communes"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MT}")
        cursor.execute(
            f"""INSERT INTO {MT} (market_id, level, code)
            SELECT DISTINCT mc.market_id, %s, d.code
            FROM {through} mc
            JOIN territories_commune c ON c.id = mc.commune_id
            JOIN territories_department d ON d.id = c.department_id"""
        , [DEPARTMENT])  # fmt: skip
        count = max(cursor.rowcount, 0)
        cursor.execute(
            f"""INSERT INTO {MT} (market_id, level, code)
            SELECT DISTINCT mc.market_id, %s, r.code
            FROM {through} mc
            JOIN territories_commune c ON c.id = mc.commune_id
            JOIN territories_department d ON d.id = c.department_id
            JOIN territories_region r ON r.id = d.region_id"""
        , [REGION])  # fmt: skip
        count += max(cursor.rowcount, 0)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {MT}")
    return count


def _band_sql() -> str:
    amount = "COALESCE(m.awarded_amount_ht, m.estimated_amount_ht)"
    whens = []
    for key, _label, low, high in queries.AMOUNT_BANDS:
        parts = []
        if low is not None:
            parts.append(f"{amount} >= {int(low)}")
        if high is not None:
            parts.append(f"{amount} < {int(high)}")
        whens.append(f"WHEN {' AND '.join(parts)} THEN '{key}'")
    return f"CASE {' '.join(whens)} ELSE '{queries.UNKNOWN}' END"


def _timeless() -> dict[tuple[str, str], dict]:
    """The figures that do not depend on the year (targets, execution span): once per
    rebuild."""
    out: dict[tuple[str, str], dict] = defaultdict(dict)
    kinds = ", ".join(f"'{k}'" for k in HOUR_CLAUSE_KINDS)
    for level, code, target in _rows(
        f"""SELECT t.level, t.code, SUM(COALESCE(s.hours_override, s.calculated_hours))
        FROM {MT} t JOIN markets_lot l ON l.market_id = t.market_id
        JOIN markets_socialconsideration s ON s.lot_id = l.id
        WHERE s.kind IN ({kinds}) GROUP BY t.level, t.code""",
        [],
    ):
        out[level, code]["target"] = int(target or 0)
    for level, code, first, last in _rows(
        f"""SELECT t.level, t.code, MIN(m.start_date), MAX(m.end_date)
        FROM {MT} t JOIN markets_market m ON m.id = t.market_id GROUP BY t.level, t.code""",
        [],
    ):
        out[level, code]["span"] = (_date(first), _date(last))
    return out


def compute_year(value: int, timeless: dict | None = None) -> dict[tuple[str, str], dict]:
    """Every territory's figures for the year `value` (about 15 grouped queries)."""
    period = year_period(value)
    start, end = _day(period.start), _day(period.end_exclusive)
    out: dict[tuple[str, str], dict] = defaultdict(dict)
    for key, values in (timeless if timeless is not None else _timeless()).items():
        out[key].update(values)

    def each(sql: str, params: list) -> list[tuple]:
        return _rows(sql, params)

    # -- hours (MarketMonthHours), target and span ---------------------------------------
    for level, code, declared, validated, counted, cumulative in each(
        f"""SELECT t.level, t.code,
            SUM(CASE WHEN h.month >= %s THEN h.declared ELSE 0 END),
            SUM(CASE WHEN h.month >= %s THEN h.validated ELSE 0 END),
            SUM(CASE WHEN h.month >= %s THEN h.counted ELSE 0 END),
            SUM(h.counted)
        FROM {MT} t JOIN {MMH} h ON h.market_id = t.market_id
        WHERE h.month < %s GROUP BY t.level, t.code""",
        [start, start, start, end],
    ):
        out[level, code]["sums"] = {
            "declared": _decimal(declared),
            "validated": _decimal(validated),
            "counted": _decimal(counted),
            "cumulative": _decimal(cumulative),
        }
    in_year = "h.month >= %s AND h.month < %s"
    for level, code, month, counted in each(
        f"""SELECT t.level, t.code, h.month, SUM(h.counted)
        FROM {MT} t JOIN {MMH} h ON h.market_id = t.market_id
        WHERE {in_year} AND h.validated > 0 GROUP BY t.level, t.code, h.month""",
        [start, end],
    ):
        out[level, code].setdefault("by_month", {})[_date(month)] = _decimal(counted)
    for level, code, department, counted in each(
        f"""SELECT t.level, t.code, COALESCE(d.code, ''), SUM(h.counted)
        FROM {MT} t JOIN {MMH} h ON h.market_id = t.market_id
        JOIN markets_market m ON m.id = t.market_id
        JOIN accounts_organisation b ON b.id = m.buyer_id
        LEFT JOIN territories_department d ON d.id = b.department_id
        WHERE {in_year} AND h.validated > 0 GROUP BY t.level, t.code, COALESCE(d.code, '')""",
        [start, end],
    ):
        out[level, code].setdefault("by_department", {})[department] = _decimal(counted)
    for level, code, rule, hours, count in each(
        f"""SELECT t.level, t.code, h.counting_rule, SUM(h.uncounted),
            SUM(h.uncounted_declarations)
        FROM {MT} t JOIN {MMH} h ON h.market_id = t.market_id
        WHERE {in_year} AND h.uncounted > 0 GROUP BY t.level, t.code, h.counting_rule""",
        [start, end],
    ):
        out[level, code].setdefault("uncounted", []).append(
            queries.Uncounted(rule, _decimal(hours), int(count))
        )

    # -- people and contracts: assignments running during the year ---------------------
    running = f"""FROM {MT} t JOIN markets_lot l ON l.market_id = t.market_id
        JOIN followup_assignment a ON a.lot_id = l.id
        WHERE a.start_date < %s AND (a.end_date IS NULL OR a.end_date >= %s)"""
    y = period.end.year
    for row in each(
        f"""SELECT t.level, t.code,
            COUNT(DISTINCT p.id),
            COUNT(DISTINCT CASE WHEN p.gender = 'female' THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.gender = 'male' THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.gender = 'unspecified' THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.birth_year >= %s THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.birth_year <= %s THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.birth_year < %s AND p.birth_year > %s THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.birth_year IS NULL THEN p.id END),
            COUNT(DISTINCT CASE WHEN p.qpv_resident THEN p.id END)
        {running.replace("WHERE", "JOIN followup_participant p ON p.id = a.participant_id WHERE")}
        GROUP BY t.level, t.code""",
        [y - 25, y - 50, y - 25, y - 50, end, start],
    ):
        level, code, *counts = row
        names = ("total", "female", "male", "unspecified", "lt_26", "gte_50", "age_26_49",
                 "age_unknown", "qpv")  # fmt: skip
        out[level, code]["profile"] = dict(zip(names, map(int, counts), strict=True))
    for level, code, criterion, label, n in each(
        f"""SELECT t.level, t.code, k.code, MIN(k.label), COUNT(DISTINCT v.participant_id)
        FROM followup_eligibilitycriterion k
        JOIN followup_eligibilityvalidation_criteria vk ON vk.eligibilitycriterion_id = k.id
        JOIN followup_eligibilityvalidation v ON v.id = vk.eligibilityvalidation_id
        JOIN (SELECT DISTINCT t.level, t.code, a.participant_id {running}) t
            ON t.participant_id = v.participant_id
        WHERE v.withdrawn_at IS NULL
        GROUP BY t.level, t.code, k.code ORDER BY k.code""",
        [end, start],
    ):
        out[level, code].setdefault("eligibility", []).append((criterion, label, int(n)))
    for field, name in (("modality", "modality"), ("contract_type", "contract")):
        for level, code, key, n in each(
            f"SELECT t.level, t.code, a.{field}, COUNT(*) {running} "
            f"GROUP BY t.level, t.code, a.{field}",
            [end, start],
        ):
            counts = out[level, code].setdefault(name, {})
            counts[key or ""] = counts.get(key or "", 0) + int(n)
    for level, code, category, n in each(
        f"""SELECT t.level, t.code, o.category, COUNT(*)
        FROM {MT} t JOIN markets_lot l ON l.market_id = t.market_id
        JOIN followup_assignment a ON a.lot_id = l.id
        JOIN followup_outcome o ON o.assignment_id = a.id
        WHERE o.recorded_at >= %s AND o.recorded_at < %s
        GROUP BY t.level, t.code, o.category""",
        [_moment(period.start), _moment(period.end_exclusive)],
    ):
        out[level, code].setdefault("outcomes", {})[category] = int(n)

    # -- markets with clauses running during the year ------------------------------------
    with_clauses = f"""FROM {MT} t JOIN markets_market m ON m.id = t.market_id
        WHERE m.start_date < %s AND (m.end_date IS NULL OR m.end_date >= %s)
        AND EXISTS (SELECT 1 FROM markets_lot l2
                    JOIN markets_socialconsideration s2 ON s2.lot_id = l2.id
                    WHERE l2.market_id = m.id)"""
    for name, key_sql, join in (
        ("by_kind", "m.kind", ""),
        ("by_division", "COALESCE(cpv.division, '')", "cpv"),
        ("by_band", _band_sql(), ""),
    ):
        source = with_clauses
        if join:
            source = source.replace(
                "WHERE", "LEFT JOIN territories_cpvcode cpv ON cpv.id = m.cpv_id WHERE", 1
            )
        for level, code, key, n in each(
            f"SELECT t.level, t.code, {key_sql}, COUNT(*) {source} "
            f"GROUP BY t.level, t.code, {key_sql}",
            [end, start],
        ):
            out[level, code].setdefault(name, {})[key] = int(n)
    for level, code, kind, n in each(
        f"""SELECT t.level, t.code, s.kind, COUNT(*)
        {with_clauses.replace("WHERE", "JOIN markets_lot l ON l.market_id = m.id JOIN markets_socialconsideration s ON s.lot_id = l.id WHERE", 1)}
        GROUP BY t.level, t.code, s.kind""",  # noqa: E501
        [end, start],
    ):
        out[level, code].setdefault("clauses", {})[kind] = int(n)

    return {key: _finish(values, period) for key, values in out.items()}


def _date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _finish(values: dict, period: Period) -> dict:
    """The families in the shape `figures.collect_clause` / `collect_review` give them."""
    sums = values.get("sums", {})
    first, last = values.get("span", (None, None))
    zero = {k: 0 for k in ("total", "female", "male", "unspecified", "lt_26", "gte_50",
                           "age_26_49", "age_unknown", "qpv")}  # fmt: skip
    return {
        "hours": queries.Hours(
            target=values.get("target", 0),
            declared=sums.get("declared", Decimal(0)),
            validated=sums.get("validated", Decimal(0)),
            counted=sums.get("counted", Decimal(0)),
            cumulative_counted=sums.get("cumulative", Decimal(0)),
            start=first,
            end=last,
        ),
        "profile": values.get("profile", zero),
        "uncounted": sorted(values.get("uncounted", []), key=lambda u: (-u.hours, u.rule)),
        "eligibility": sorted(values.get("eligibility", [])),
        "modality": values.get("modality", {}),
        "contract": values.get("contract", {}),
        "outcomes": values.get("outcomes", {}),
        "by_kind": values.get("by_kind", {}),
        "by_division": values.get("by_division", {}),
        "by_band": values.get("by_band", {}),
        "clauses": values.get("clauses", {}),
        "by_department": values.get("by_department", {}),
        "by_month": values.get("by_month", {}),
    }


def rebuild(
    refreshed_at: datetime, years: list[int], *, places: bool = True, every_year: bool = True
) -> int:
    """`MarketTerritory` (unless `places` is false: a batch of declarations does not move
    markets), then `TerritoryYear` for these (closed) years; the other years' rows are
    deleted (`every_year`: the nightly rebuild) or kept and marked with this rebuild (a
    batch that touched none of their months). Returns the rows written."""
    if places:
        rebuild_places()
    if every_year:
        TerritoryYear.objects.all().delete()
    else:
        TerritoryYear.objects.filter(year__in=years).delete()
        TerritoryYear.objects.update(refreshed_at=refreshed_at)
    rows = []
    timeless = _timeless() if years else {}
    for value in years:
        national = queries.grouped(
            Market.objects.all(), year_period(value), NATIONAL_GROUP, from_aggregates=True
        )
        rows.append(
            TerritoryYear(
                level=CONSOLIDATION,
                code=REGION,
                year=value,
                refreshed_at=refreshed_at,
                figures=figures_module.encode({"grouped": national}),
            )
        )
        for (level, code), values in compute_year(value, timeless).items():
            rows.append(
                TerritoryYear(
                    level=level,
                    code=code,
                    year=value,
                    refreshed_at=refreshed_at,
                    figures=figures_module.encode(values),
                )
            )
    TerritoryYear.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def read(level: str, code: str, period: Period, refreshed_at: datetime) -> dict | None:
    """The kept figures of this territory when `period` is a whole calendar year built at
    the rebuild `refreshed_at`, else None. A territory with no market that year has none
    of its own: every family is empty."""
    if not _whole_year(period):
        return None
    row = (
        TerritoryYear.objects.filter(level=level, year=period.start.year)
        .filter(refreshed_at=refreshed_at)
        .filter(code=code)
        .values_list("figures", flat=True)
        .first()
    )
    if row is None:
        built = TerritoryYear.objects.filter(year=period.start.year, refreshed_at=refreshed_at)
        if not built.exists():
            return None
        return _finish({}, period)
    return figures_module.decode(row)


def read_consolidation(markets, group: str, period: Period, refreshed_at: datetime) -> dict | None:  # noqa: ANN001
    """The kept national consolidation of a closed calendar year — when `markets` is every
    market (the same SQL) and `group` the buyer's region — else None."""
    from clauses.reporting.snapshots import same_rows

    if group != NATIONAL_GROUP or not _whole_year(period):
        return None
    if not same_rows(markets, Market.objects.all()):
        return None
    row = (
        TerritoryYear.objects.filter(
            level=CONSOLIDATION, code=REGION, year=period.start.year, refreshed_at=refreshed_at
        )
        .values_list("figures", flat=True)
        .first()
    )
    return figures_module.decode(row)["grouped"] if row is not None else None


def _whole_year(period: Period) -> bool:
    return (period.start.month, period.start.day, period.end.month, period.end.day) == (
        1, 1, 12, 31,
    ) and period.start.year == period.end.year  # fmt: skip
