# ruff: noqa: S608 — SQL built from model metadata
"""The declaration import benchmark (#15): a company imports a CSV of `rows` monthly
declarations through `hours.imports.import_declarations` (read, every check against the
database, all-or-nothing write, the journal line and the one signal), beside its
reference, a bare `COPY` of the same rows without any check (an `executemany` on SQLite),
in the same run. Everything happens in a transaction rolled back at the end.

The time of each phase is measured by wrapping the hours functions (read, check, write,
signal). After the run, `index_usage()` reads PostgreSQL's `pg_stat_user_indexes` for the
declarations' table (which indexes the benchmarks' queries used).
"""

import csv
import io
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench.core import Result, timed

GOAL_RATIO = 5  # issue #15: within 5× of COPY


class _Rollback(Exception):
    pass


@contextmanager
def _phases(spent: dict[str, float]):  # noqa: ANN202
    """Time the import's phases by wrapping the hours functions it calls by name."""
    from clauses.hours import imports, services, writing

    targets = [
        (imports, "read_entries", "read"),
        (services, "check_entries", "check"),
        (writing, "insert", "write new rows"),
        (services, "declarations_arrived", "signal (receivers)"),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in targets]

    def wrap(function, label):  # noqa: ANN001, ANN202
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + (time.perf_counter() - started) * 1000

        return wrapper

    for (module, name, label), (_, _, function) in zip(targets, saved, strict=True):
        setattr(module, name, wrap(function, label))
    try:
        yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


def _world(rows: int) -> tuple[Any, Any, list[tuple[int, date, Decimal]]]:
    """A new company with `rows` ÷ 12 people, each on a year-long assignment, and the rows
    of the file: one per person and month of the last 12 months."""
    from clauses.access.actors import Actor
    from clauses.accounts.models import Organisation, User
    from clauses.followup.identity import identity_key
    from clauses.followup.models import Assignment, Participant
    from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration
    from clauses.network.models import FacilitatorStructure

    today = timezone.localdate()
    last = date(today.year, today.month, 1) - timedelta(days=1)
    months = []
    month = date(last.year, last.month, 1)
    for _ in range(12):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    months.reverse()
    people = -(-rows // len(months))
    structure = FacilitatorStructure.objects.select_related("coordination").first()
    buyer = Organisation.objects.filter(kind="buyer").first()
    company = Organisation.objects.create(kind="company", name="Bench import SA")
    user = User.objects.create(email="bench-import@bench.clauses.invalid")
    actor = Actor(
        user_id=user.pk,
        role="company_contact",
        organisation_id=company.pk,
        organisation_kind="company",
        label="Bench import",
    )
    market = Market.objects.create(
        buyer=buyer,
        reference="BENCH-IMPORT",
        subject="Import",
        kind="works",
        start_date=months[0],
        end_date=last + timedelta(days=365),
        following_structure=structure,
        status="in_execution",
    )
    lot = Lot.objects.create(market=market, number=1, title="Lot unique")
    LotContractor.objects.create(lot=lot, organisation=company, role="holder")
    SocialConsideration.objects.create(
        lot=lot, kind="execution_condition", calculated_hours=rows * 100
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                first_name=f"Prénom{i}",
                last_name="Import",
                birth_year=1990,
                identity_key=identity_key(last_name="Import", first_name=f"P{i}", birth_year=1990),
                structure=structure,
            )
            for i in range(people)
        ],
        batch_size=5000,
    )
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                participant=p,
                lot=lot,
                employer=company,
                modality="direct_cdd",
                start_date=months[0],
                end_date=last,
            )
            for p in participants
        ],
        batch_size=5000,
    )
    lines = []
    for a in assignments:
        for m in months:
            if len(lines) >= rows:
                break
            lines.append((a.pk, m, Decimal("120.50")))
    return actor, lot, lines


def _reference(lines: list[tuple[int, date, Decimal]]) -> tuple[float, str]:
    """COPY (PostgreSQL) or executemany (SQLite) of the same rows, without any check."""
    from clauses.hours.models import HourDeclaration

    table = HourDeclaration._meta.db_table
    now = timezone.now()
    values = [
        (aid, m, hours, False, "submitted", "", "Bench", now, "spreadsheet", hours, Decimal(0),
         "not_validated", '{"steps": ["not_validated"]}', False)
        for aid, m, hours in lines
    ]  # fmt: skip
    columns = (
        "assignment_id, month, declared_hours, is_training, status, "
        "rejection_reason, declared_by_repr, declared_at, source, base_hours, "
        "counted_hours, counting_rule, counting_detail, is_demo"
    )
    if connection.vendor == "postgresql":

        def copy() -> None:
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
                    for row in values:
                        cp.write_row(row)

        return timed(copy)[0], "PostgreSQL COPY, no checks"
    marks = ", ".join(["%s"] * 14)

    def insert() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in values],
            )

    return timed(insert)[0], "executemany INSERT, no checks (SQLite)"


def run(rows: int = 100_000) -> list[Result]:
    """The import of `rows` new declarations and its reference (see the module)."""
    from django.urls import reverse

    from clauses.hours import imports
    from clauses.hours.models import HourDeclaration

    # A web or task process has its URL configuration loaded: so does the benchmark (the
    # notifications link to the control page).
    reverse("hours:control")
    today = timezone.localdate()
    out: list[Result] = []
    try:
        with transaction.atomic():
            actor, lot, lines = _world(rows)
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(["N° de mission", "Mois", "Heures"])
            for aid, m, hours in lines:
                writer.writerow([aid, f"{m:%m/%Y}", str(hours).replace(".", ",")])
            raw = buffer.getvalue().encode()
            # The form caps one file at 5,000 rows and 5 MB; the benchmark lifts the caps
            # (a 100,000-row file would be sent as 20 files by a real company).
            saved = imports.MAX_ROWS, imports.MAX_BYTES
            imports.MAX_ROWS, imports.MAX_BYTES = rows + 10, len(raw) + 10
            spent: dict[str, float] = {}
            try:
                with _phases(spent):
                    ms, outcome = timed(
                        lambda: imports.import_declarations(
                            actor=actor, file=raw, name="bench.csv", today=today
                        )
                    )
            finally:
                imports.MAX_ROWS, imports.MAX_BYTES = saved
            assert outcome.ok, outcome.problems[:5]
            assert outcome.created == len(lines), outcome.created
            HourDeclaration.objects.filter(assignment__lot=lot).delete()
            ref_ms, reference = _reference(lines)
            result = Result(
                "declaration import (CSV, validated)",
                f"{len(lines):,} rows",
                1,
                median_ms=ms,
                reference=reference,
                reference_ms=ref_ms,
                goal=f"≤ {GOAL_RATIO}× COPY",
                note="phases: "
                + ", ".join(f"{label} {value:,.0f} ms" for label, value in spent.items()),
            )
            result.met = (result.ratio or 99) <= GOAL_RATIO
            result.extra["created"] = outcome.created
            result.extra["phases_ms"] = {k: round(v, 1) for k, v in spent.items()}
            out.append(result)
            raise _Rollback
    except _Rollback:
        pass
    if out:
        out[0].extra["indexes"] = index_usage()
    return out


def index_usage() -> list[dict]:
    """`pg_stat_user_indexes` of the hours tables since the statistics were last reset
    (PostgreSQL; empty elsewhere): scans and size of each index."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, indexrelname, idx_scan, pg_relation_size(indexrelid) "
            "FROM pg_stat_user_indexes WHERE relname LIKE 'hours\\_%%' "
            "ORDER BY relname, indexrelname"
        )
        return [
            {"table": t, "index": i, "scans": s, "bytes": b} for t, i, s, b in cursor.fetchall()
        ]


if __name__ == "__main__":  # python -m bench.imports [rows]
    import sys
    from pathlib import Path

    from bench.__main__ import setup_django

    setup_django(Path(__file__).resolve().parent.parent / "var")
    for r in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
        print(f"{r.name}: {r.median_ms:,.0f} ms; {r.reference}: {r.reference_ms:,.0f} ms; "
              f"× {r.ratio:.1f} (goal {r.goal}); {r.note}")  # fmt: skip
