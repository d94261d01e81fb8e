# ruff: noqa: S608 — SQL built from constants, codes and integers of the bench itself
"""The reference for reports: the same aggregations in DuckDB, on the same rows exported to
Parquet (PostgreSQL `COPY … TO STDOUT` → CSV → DuckDB → Parquet; a cursor on SQLite).

Each reference runs the queries the report runs (reporting.queries), on flat tables:
hours (declared, validated, counted, cumulative), targets, execution span, counted hours by
month and by the buyer's département, distinct participants with their profile,
assignments by modality and by contract type, outcomes by category, markets with clauses by
kind and by amount band, buyers; for the national review the same grouped by region.
"""

import csv
import statistics
import tempfile
import time
from pathlib import Path

from django.db import connection

EXPORTS = {
    "decl": """
        SELECT d.id, d.month, d.status, d.base_hours, d.counted_hours, d.assignment_id,
               l.market_id
        FROM hours_hourdeclaration d
        JOIN followup_assignment a ON a.id = d.assignment_id
        JOIN markets_lot l ON l.id = a.lot_id""",
    "assignments": """
        SELECT a.id, a.participant_id, l.market_id, a.modality, a.contract_type, a.start_date,
               a.end_date
        FROM followup_assignment a JOIN markets_lot l ON l.id = a.lot_id""",
    "participants": "SELECT id, gender, birth_year, qpv_resident FROM followup_participant",
    "markets": """
        SELECT m.id, m.buyer_id, m.kind, COALESCE(m.awarded_amount_ht, m.estimated_amount_ht)
               AS amount, m.start_date, m.end_date, dep.code AS buyer_dept,
               reg.code AS buyer_region
        FROM markets_market m
        JOIN accounts_organisation b ON b.id = m.buyer_id
        LEFT JOIN territories_department dep ON dep.id = b.department_id
        LEFT JOIN territories_region reg ON reg.id = dep.region_id""",
    "places": """
        SELECT DISTINCT mc.market_id, dep.code AS dept_code, reg.code AS region_code
        FROM markets_market_execution_communes mc
        JOIN territories_commune c ON c.id = mc.commune_id
        JOIN territories_department dep ON dep.id = c.department_id
        JOIN territories_region reg ON reg.id = dep.region_id""",
    "clauses": """
        SELECT l.market_id, s.kind, COALESCE(s.hours_override, s.calculated_hours) AS target
        FROM markets_socialconsideration s JOIN markets_lot l ON l.id = s.lot_id""",
    "outcomes": """
        SELECT o.id, o.category, o.recorded_at, l.market_id
        FROM followup_outcome o
        JOIN followup_assignment a ON a.id = o.assignment_id
        JOIN markets_lot l ON l.id = a.lot_id""",
}

BANDS = """CASE WHEN amount IS NULL THEN 'unknown' WHEN amount < 40000 THEN 'lt_40k'
    WHEN amount < 100000 THEN '40k_100k' WHEN amount < 221000 THEN '100k_221k'
    WHEN amount < 1000000 THEN '221k_1m' ELSE 'gte_1m' END"""


class Reference:
    def __init__(self, directory: Path | None = None, *, runs: int = 5) -> None:
        import duckdb

        self.directory = directory or Path(tempfile.mkdtemp(prefix="clauses-duck-"))
        self.runs = runs
        started = time.monotonic()
        self.rows = {name: self._export(name, sql) for name, sql in EXPORTS.items()}
        self.export_seconds = time.monotonic() - started
        self.db = duckdb.connect()
        self.db.execute("SET threads TO 2")
        for name in EXPORTS:
            path = self.directory / f"{name}.parquet"
            self.db.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")

    def _export(self, name: str, sql: str) -> int:
        import duckdb

        path_csv = self.directory / f"{name}.csv"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, open(path_csv, "wb") as handle:
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as cp:
                    for block in cp:
                        handle.write(block)
        else:
            with connection.cursor() as cursor, open(path_csv, "w", newline="") as handle:
                cursor.execute(sql)
                writer = csv.writer(handle)
                writer.writerow([c[0] for c in cursor.description])
                for row in cursor.fetchall():
                    writer.writerow(row)
        con = duckdb.connect()
        con.execute(
            f"COPY (SELECT * FROM read_csv_auto('{path_csv}', header=true)) "
            f"TO '{self.directory / name}.parquet' (FORMAT parquet)"
        )
        count = con.execute(f"SELECT count(*) FROM '{self.directory / name}.parquet'").fetchone()[0]
        con.close()
        path_csv.unlink()
        return count

    # -- the aggregations ------------------------------------------------------------------
    def _scope_review(self, markets_sql: str, start: str, end: str) -> list:
        """The queries of a review (or of a clause report when `full` is false)."""
        q = self.db.execute
        m = f"(SELECT id FROM ({markets_sql}))"
        out = [
            q(f"""SELECT
                sum(base_hours) FILTER (WHERE month >= DATE '{start}' AND status <> 'rejected'),
                sum(base_hours) FILTER (WHERE month >= DATE '{start}' AND status = 'validated'),
                sum(counted_hours) FILTER (WHERE month >= DATE '{start}' AND status = 'validated'),
                sum(counted_hours) FILTER (WHERE status = 'validated')
              FROM decl WHERE market_id IN {m} AND month < DATE '{end}'""").fetchall(),
            q(f"SELECT sum(target) FROM clauses WHERE market_id IN {m}").fetchall(),
            q(f"SELECT min(start_date), max(end_date) FROM markets WHERE id IN {m}").fetchall(),
            q(f"""SELECT month, sum(counted_hours) FROM decl WHERE market_id IN {m}
                  AND month >= DATE '{start}' AND month < DATE '{end}' AND status = 'validated'
                  GROUP BY month""").fetchall(),
            q(f"""SELECT mk.buyer_dept, sum(d.counted_hours) FROM decl d JOIN markets mk
                  ON mk.id = d.market_id WHERE d.market_id IN {m} AND d.month >= DATE '{start}'
                  AND d.month < DATE '{end}' AND d.status = 'validated' GROUP BY 1""").fetchall(),
        ]
        active = (
            f"FROM assignments WHERE market_id IN {m} AND start_date < DATE '{end}' "
            f"AND (end_date IS NULL OR end_date >= DATE '{start}')"
        )
        year = int(end[:4]) - (1 if end[5:] == "01-01" else 0)
        out += [
            q(f"""SELECT count(*), count(*) FILTER (WHERE gender = 'female'),
                  count(*) FILTER (WHERE birth_year >= {year - 25}),
                  count(*) FILTER (WHERE birth_year <= {year - 50}),
                  count(*) FILTER (WHERE qpv_resident)
                  FROM participants WHERE id IN (SELECT participant_id {active})""").fetchall(),
            q(f"SELECT modality, count(*) {active} GROUP BY 1").fetchall(),
            q(f"SELECT contract_type, count(*) {active} GROUP BY 1").fetchall(),
            q(f"""SELECT category, count(*) FROM outcomes WHERE market_id IN {m}
                  AND recorded_at >= TIMESTAMP '{start}' AND recorded_at < TIMESTAMP '{end}'
                  GROUP BY 1""").fetchall(),
        ]
        with_clauses = (
            f"FROM markets WHERE id IN {m} AND id IN (SELECT market_id FROM clauses) "
            f"AND start_date < DATE '{end}' AND (end_date IS NULL OR "
            f"end_date >= DATE '{start}')"
        )
        out += [
            q(f"SELECT kind, count(*) {with_clauses} GROUP BY 1").fetchall(),
            q(f"SELECT {BANDS}, count(*) {with_clauses} GROUP BY 1").fetchall(),
            q(f"SELECT count(DISTINCT buyer_id) {with_clauses}").fetchall(),
        ]
        return out

    def _national(self, start: str, end: str) -> list:
        q = self.db.execute
        return [
            q(f"""SELECT mk.buyer_region, sum(d.counted_hours) FROM decl d JOIN markets mk
                  ON mk.id = d.market_id WHERE d.status = 'validated'
                  AND d.month >= DATE '{start}' AND d.month < DATE '{end}'
                  GROUP BY 1""").fetchall(),
            q(f"""SELECT mk.buyer_region, count(*), count(DISTINCT a.participant_id)
                  FROM assignments a JOIN markets mk ON mk.id = a.market_id
                  WHERE a.start_date < DATE '{end}'
                  AND (a.end_date IS NULL OR a.end_date >= DATE '{start}')
                  GROUP BY 1""").fetchall(),
            q(f"""SELECT buyer_region, count(DISTINCT buyer_id), {BANDS}, count(*) FROM markets
                  WHERE id IN (SELECT market_id FROM clauses) AND start_date < DATE '{end}'
                  AND (end_date IS NULL OR end_date >= DATE '{start}')
                  GROUP BY buyer_region, {BANDS}""").fetchall(),
        ]

    def run(
        self, key: str, *, year: int, buyer_id: int | None, department: str, region: str
    ) -> list:
        start, end = f"{year}-01-01", f"{year + 1}-01-01"
        if key == "regional":
            return self._scope_review(
                f"SELECT market_id AS id FROM places WHERE region_code = '{region}'", start, end
            )
        if key == "department":
            return self._scope_review(
                f"SELECT market_id AS id FROM places WHERE dept_code = '{department}'", start, end
            )
        if key == "buyer":
            return self._scope_review(
                f"SELECT id FROM markets WHERE buyer_id = {int(buyer_id or 0)}", start, end
            )
        if key == "national":
            return self._national(start, end)
        raise ValueError(key)

    def measure(self, key: str, **kwargs: object) -> float:
        self.run(key, **kwargs)  # warm-up (file metadata, caches)
        durations = []
        for _ in range(self.runs):
            started = time.perf_counter()
            self.run(key, **kwargs)
            durations.append((time.perf_counter() - started) * 1000)
        return statistics.median(durations)
