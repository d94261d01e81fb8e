# ruff: noqa: S608 — SQL built from constants of the bench itself
"""The observatory at scale (issue 13): import of `rows` generated DECP records in the
consolidated tabular form (one row per contract, lists joined with ", ") through
`observatory.services.import_file` (stream, classify, batch upserts; COPY on PostgreSQL),
and the territory summary (`observatory.queries.summary`, one département and one year);
reference: DuckDB reading the same CSV file into a table, and the same aggregation there.

Goals (issue 13): import ≥ 20,000 records/s and summary < 300 ms, both within 5× of DuckDB.

The generated contracts are spread over the 96 metropolitan départements (Seine-Saint-Denis
weighted like a large one) and 2022–2025; a third carry a social consideration, a tenth say
nothing (empty column: counted "none" like the tabular form's "Sans objet"), a twentieth are
the same contract again with a later modification. The rows are removed at the end.
"""

import csv
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.core import Result

SOCIAL = [
    "Clause sociale",
    "Critère social",
    "Clause sociale, Critère social",
    "Marché réservé",
    "Sans objet",
    "Pas de considération sociale",
    "",
]
WEIGHTS = [18, 6, 5, 4, 40, 17, 10]
PROCEDURES = [
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Procédure avec négociation",
]
CPVS = ["45210000", "45233140", "45453000", "90911200", "77310000", "30190000", "79100000",
        "55523100", "71000000", "15000000", "60130000", "50320000"]  # fmt: skip
COLUMNS = [
    "uid", "id", "acheteur_id", "acheteur_nom", "nature", "objet", "codeCPV", "procedure",
    "montant", "dureeMois", "dateNotification", "considerationsSociales",
    "lieuExecution_code", "lieuExecution_typeCode", "acheteur_departement_code",
    "modification_id",
]  # fmt: skip
DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
SOURCE = "bench-observatoire"
DEPARTMENT, YEAR = "93", 2025


def generate(path: Path, rows: int, *, seed: int = 13) -> int:
    """Write `rows` tabular records; returns the number of distinct contracts."""
    rng = random.Random(seed)
    weights = [12 if code == DEPARTMENT else 1 for code in DEPARTMENTS]
    buyers = [(f"99{n:07d}00010"[:14], f"Acheteur bench {n}") for n in range(20_000)]
    distinct = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        previous: list | None = None
        for n in range(rows):
            if previous is not None and rng.random() < 0.05:
                row = list(previous)  # the same contract, modified later
                row[8] = str(round(float(row[8]) * 1.1, 2))
                row[15] = str(int(row[15]) + 1)
            else:
                distinct += 1
                siret, name = buyers[rng.randrange(len(buyers))]
                department = rng.choices(DEPARTMENTS, weights)[0]
                identifier = f"B{n:09d}"
                day = f"{rng.randint(2022, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                row = [
                    siret + identifier, identifier, siret, name, "Marché",
                    f"Objet du marché {n}", rng.choice(CPVS), rng.choice(PROCEDURES),
                    str(round(rng.lognormvariate(12, 1.3), 2)), str(rng.randint(1, 60)), day,
                    rng.choices(SOCIAL, WEIGHTS)[0], department, "Code département",
                    department, "0",
                ]  # fmt: skip
            writer.writerow(row)
            previous = row
    return distinct


def _backend_pid(connection: object) -> int | None:
    if connection.vendor != "postgresql":  # type: ignore[attr-defined]
        return None
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a local process (the PostgreSQL backend of this
    connection, on the same machine), from /proc; 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _duck_import(path: Path) -> tuple[float, object]:
    import duckdb

    duck = duckdb.connect()
    start = time.perf_counter()
    duck.execute(
        f"""CREATE TABLE decp AS
        SELECT * FROM read_csv('{path}', header = true, all_varchar = false,
                               types = {{'acheteur_id': 'VARCHAR', 'id': 'VARCHAR',
                                        'acheteur_departement_code': 'VARCHAR',
                                        'lieuExecution_code': 'VARCHAR', 'codeCPV': 'VARCHAR',
                                        'considerationsSociales': 'VARCHAR'}})
        QUALIFY row_number() OVER (PARTITION BY acheteur_id, id
                                   ORDER BY modification_id DESC) = 1"""
    )
    return (time.perf_counter() - start) * 1000, duck


DUCK_SUMMARY = """
    SELECT count(*) AS contracts,
           count(*) FILTER (WHERE regexp_matches(coalesce(considerationsSociales, ''),
                                                 'Clause|Critère|réservé')) AS with_social,
           sum(montant) AS amount,
           sum(montant) FILTER (WHERE regexp_matches(coalesce(considerationsSociales, ''),
                                                     'Clause|Critère|réservé')) AS amount_social
    FROM decp
    WHERE lieuExecution_code = '{department}' AND year(dateNotification) = {year}"""


def run(rows: int, *, runs: int = 20) -> list[Result]:
    from django.db import connection

    from clauses.observatory import queries, services
    from clauses.observatory.models import PublishedContract

    out: list[Result] = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "decp_bench.csv"
        distinct = generate(path, rows)
        PublishedContract.objects.filter(source=SOURCE).delete()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # start without the dead rows of a last run
            with connection.cursor() as cursor:
                cursor.execute(f'VACUUM "{PublishedContract._meta.db_table}"')
        try:
            backend = _backend_pid(connection)
            cpu_before = (time.process_time(), _process_cpu(backend))
            start = time.perf_counter()
            report = services.import_file(path, wet_run=True, source=SOURCE)
            seconds = time.perf_counter() - start
            python_cpu = time.process_time() - cpu_before[0]
            database_cpu = _process_cpu(backend) - cpu_before[1]
            load = os.getloadavg()[0]
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # What autovacuum does after a large insert (PostgreSQL ≥ 13): visibility
                # map and statistics, so the summary reads its index only.
                with connection.cursor() as cursor:
                    cursor.execute(f'VACUUM ANALYZE "{PublishedContract._meta.db_table}"')
            duck_ms, duck = _duck_import(path)
            rate = report.read / seconds
            duck_rate = report.read / (duck_ms / 1000)
            out.append(
                Result(
                    "observatory: DECP import (tabular CSV)",
                    f"{report.read:,} records, {distinct:,} contracts",
                    1,
                    median_ms=seconds * 1000,
                    rps=rate,
                    reference="DuckDB read_csv + dedup",
                    reference_ms=duck_ms,
                    goal="≥ 20,000 records/s, ≤ 5× DuckDB",
                    met=rate >= 20_000 and seconds * 1000 <= 5 * duck_ms,
                    note=f"{rate:,.0f} rec/s; DuckDB {duck_rate:,.0f} rec/s; "
                    f"created {report.created:,}, rejected {report.skipped}; CPU: Python "
                    f"{python_cpu:.1f} s + database {database_cpu:.1f} s = "
                    f"{report.read / max(python_cpu + database_cpu, 1e-9):,.0f} rec/CPU-s; "
                    f"load average {load:.1f}",
                    extra={
                        "python_cpu_s": python_cpu,
                        "database_cpu_s": database_cpu,
                        "load_average": load,
                        "duckdb_records_per_s": duck_rate,
                    },
                )
            )
            assert report.created == distinct, (report.created, distinct)

            def summary() -> object:
                contracts = queries.in_scope(
                    PublishedContract.objects.all(), department=DEPARTMENT, year=YEAR
                )
                return queries.summary(contracts)

            durations, duck_durations = [], []
            summary()
            for _ in range(runs):
                start = time.perf_counter()
                figures = summary()
                durations.append((time.perf_counter() - start) * 1000)
            query = DUCK_SUMMARY.format(department=DEPARTMENT, year=YEAR)
            duck.execute(query).fetchall()
            for _ in range(runs):
                start = time.perf_counter()
                duck_row = duck.execute(query).fetchall()[0]
                duck_durations.append((time.perf_counter() - start) * 1000)
            median, duck_median = statistics.median(durations), statistics.median(duck_durations)
            assert figures.contracts == duck_row[0], (figures.contracts, duck_row[0])
            durations.sort()
            out.append(
                Result(
                    "observatory: territory summary (93, one year)",
                    f"{figures.contracts:,} of {distinct:,} contracts",
                    runs,
                    median_ms=median,
                    p95_ms=durations[int(0.95 * (len(durations) - 1))],
                    reference="DuckDB, same aggregation",
                    reference_ms=duck_median,
                    goal="< 300 ms, ≤ 5× DuckDB",
                    met=median < 300 and median <= 5 * duck_median,
                )
            )
        finally:
            PublishedContract.objects.filter(source=SOURCE).delete()
    return out
