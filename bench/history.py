# ruff: noqa: S608 — SQL built from constants of the bench itself
"""A structure's history brought in (issue #14.1): `rows` flat history rows (people with
their eligibility, markets with lot and clause, missions, ten years of months) read from a
CSV file and imported all or nothing by `clauses.history.services.run_import` (every row
checked, matched against the database, written with bulk inserts, hours counted); then the
same file again (everything matched, nothing written). Reference: COPY (or executemany on
SQLite) of the same rows, unchecked, into a bare table of text columns.

Goal (issue #14.1): 50,000 rows in under 60 s on PostgreSQL.

Everything happens in a transaction rolled back at the end (the benchmark leaves nothing;
the import's own commit — and the aggregates refresh it enqueues — is therefore not
measured).
"""

import csv
import io
import random
import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from bench.core import Result

HEADERS = [
    "Nom", "Prénom", "Date de naissance", "Critères", "Date de validation", "Acheteur",
    "N° marché", "Type de marché", "Lot", "Entreprise", "Modalité", "Date de début",
    "Date de fin", "Mois", "Heures",
]  # fmt: skip
CRITERIA = ["BRSA", "DELD", "RQTH", "QPV", "Jeune de moins de 26 ans", "RSA socle", "Senior"]
MODALITIES = ["CDDI", "CDD", "Intérim d'insertion", "Contrat de professionnalisation", "CDI"]
FIRST_NAMES = ["Alix", "Camille", "Dominique", "Éloïse", "Karim", "Léa", "Moussa", "Nour"]
GOAL_SECONDS = 60


class _Rollback(Exception):
    pass


def _months(start: date, count: int) -> list[date]:
    result, year, month = [], start.year, start.month
    for _ in range(count):
        result.append(date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return result


def generate(rows: int, *, seed: int = 14, today: date | None = None) -> bytes:
    """A « logiciel A » export of `rows` person-month rows over the last ten years: each
    person works one mission at a time (6 to 30 months), on one of 150 markets of 40 buyers,
    for one of 250 companies."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first = date(today.year - 10, today.month, 1)
    last = date(today.year, today.month, 1)
    span = (last.year - first.year) * 12 + last.month - first.month  # months before this one
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS)
    written, person = 0, 0
    while written < rows:
        person += 1
        last_name = f"Historique{person:05d}"
        first_name = FIRST_NAMES[person % len(FIRST_NAMES)]
        birth = date(1960 + person % 40, 1 + person % 12, 1 + person % 28)
        criterion = CRITERIA[person % len(CRITERIA)]
        offset = rng.randrange(0, span - 6)
        validated = None
        while written < rows and offset < span - 1:
            length = min(rng.randrange(6, 31), span - offset, rows - written)
            months = _months(_months(first, offset + 1)[-1], length)
            start, end = months[0], date(months[-1].year, months[-1].month, 28)
            validated = validated or date(start.year, start.month, 1)
            market = rng.randrange(150)
            buyer = market % 40
            company = rng.randrange(250)
            modality = MODALITIES[company % len(MODALITIES)]
            for month in months:
                writer.writerow(
                    [
                        last_name,
                        first_name,
                        f"{birth:%d/%m/%Y}",
                        criterion,
                        f"{validated:%d/%m/%Y}",
                        f"Acheteur historique {buyer}",
                        f"HIST-{market:04d}",
                        "Travaux" if market % 3 else "Services",
                        str(1 + market % 2),
                        f"Entreprise historique {company}",
                        modality,
                        f"{start:%d/%m/%Y}",
                        f"{end:%d/%m/%Y}",
                        f"{month:%m/%Y}",
                        str(rng.choice([35, 70, 105.5, 140, 151.67])).replace(".", ","),
                    ]
                )
                written += 1
            offset += length + rng.randrange(1, 12)
    return buffer.getvalue().encode()


def _actor_and_structure():  # noqa: ANN202
    """A bench structure under a departmental coordination, and its facilitator."""
    from clauses.access.actors import actor_for_membership
    from clauses.accounts.enums import OrganisationKind, Role
    from clauses.accounts.models import Membership, Organisation, User
    from clauses.network.enums import CoordinationLevel
    from clauses.network.models import Coordination, FacilitatorStructure

    coordination = (
        Coordination.objects.filter(level=CoordinationLevel.DEPARTMENTAL, department__isnull=False)
        .order_by("pk")
        .first()
    )
    if coordination is None:
        raise RuntimeError("no departmental coordination: load the reference data first")
    structure = FacilitatorStructure.objects.create(
        name="Structure bench historique", coordination=coordination
    )
    organisation = Organisation.objects.create(
        kind=OrganisationKind.FACILITATOR_STRUCTURE, name=structure.name, structure=structure
    )
    user = User.objects.create(email="bench-historique@bench.clauses.invalid")
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=Role.FACILITATOR, is_confirmed=True
    )
    return actor_for_membership(membership), structure


def _reference(raw: bytes) -> float:
    """COPY (PostgreSQL) or executemany (SQLite) of the same rows, unchecked; ms."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_history_copy ({columns})")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                "COPY bench_history_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy:
                copy.write(raw)
        else:
            reader = csv.reader(io.StringIO(raw.decode()), delimiter=";")
            next(reader)
            marks = ", ".join(["%s"] * len(HEADERS))
            cursor.executemany(f"INSERT INTO bench_history_copy VALUES ({marks})", list(reader))
        elapsed = (time.perf_counter() - started) * 1000
        cursor.execute("DROP TABLE bench_history_copy")
    return elapsed


def run(rows: int = 50_000) -> list[Result]:
    from clauses.followup.referential import load_national_criteria
    from clauses.history import fields, services

    raw = generate(rows)
    results: list[Result] = []
    try:
        with transaction.atomic():
            load_national_criteria(wet_run=True)
            actor, structure = _actor_and_structure()
            started = time.perf_counter()
            table = services.read_bytes(
                raw,
                name="historique.csv",
                max_rows=services.COMMAND_MAX_ROWS,
                max_bytes=services.COMMAND_MAX_BYTES,
            )
            columns = {k: v for k, v in fields.suggest_columns(table.headers).items() if v}
            read_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            record = services.run_import(
                actor=actor, structure=structure, table=table, columns=columns
            )
            import_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            again = services.run_import(
                actor=actor, structure=structure, table=table, columns=columns
            )
            again_ms = (time.perf_counter() - started) * 1000
            reference_ms = _reference(raw)
            counts = record.counts
            created_again = sum(c["created"] for c in again.counts.values())
            total_ms = read_ms + import_ms
            volume = (
                f"{table.row_count:,} rows: {counts['person']['created']:,} people, "
                f"{counts['assignment']['created']:,} missions, "
                f"{counts['hours']['created']:,} months"
            )
            results.append(
                Result(
                    "history import (read + check + match + write)",
                    volume,
                    1,
                    median_ms=total_ms,
                    reference="COPY of the same rows, unchecked",
                    reference_ms=reference_ms,
                    goal=f"< {GOAL_SECONDS} s on PostgreSQL",
                    met=total_ms < GOAL_SECONDS * 1000
                    if connection.vendor == "postgresql"
                    else None,
                    note=f"read {read_ms / 1000:.1f} s, import {import_ms / 1000:.1f} s",
                    extra={"counts": counts},
                )
            )
            results.append(
                Result(
                    "history re-import (all matched)",
                    f"{table.row_count:,} rows, {created_again} created",
                    1,
                    median_ms=again_ms,
                    reference_ms=reference_ms,
                    goal="creates nothing",
                    met=created_again == 0,
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return results


if __name__ == "__main__":  # python -m bench.history [rows]
    import sys

    from bench.__main__ import ROOT, setup_django, table

    setup_django(ROOT / "var")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    print(table(run(count)))
