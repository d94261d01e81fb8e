"""Import of DECP files: streaming read, one classification per record, batch writes.

Open data is messy: a bad record is reported (position, identifier, reason in French) and
skipped, never fatal. Each batch is written in one transaction (all its rows or none).
Re-importing is idempotent: a contract is identified by `uid` = buyer identifier + `id`
(the national consolidation's rule); a record seen again updates its row, unless the row
already holds a later modification (`modification_rank`), which then stays. Within a file,
the tabular form's several rows of one contract (one per holder and per modification)
make one contract: the row with the latest modification wins.

Writes: `bulk_create(update_conflicts=True)` on the `uid` (INSERT … ON CONFLICT DO UPDATE on
PostgreSQL and SQLite); on PostgreSQL the rows go through COPY into a temporary table first
(`_write_postgresql`), which keeps the import above 20,000 records per second.
"""

import contextlib
import csv
import io
import operator
import queue
import shutil
import tempfile
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from django.db import connection, transaction
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.observatory import parsing
from clauses.observatory.models import PublishedContract
from clauses.territories.models import Department

BATCH_SIZE = 10_000
MAX_DETAILS = 200  # errors and warnings kept for the report; all are counted
UPDATE_FIELDS = [
    "decp_id", "buyer_siret", "buyer_siren", "buyer_name", "category", "nature", "kind",
    "subject", "cpv", "cpv_division", "procedure", "amount", "duration_months",
    "notification_date", "year", "department_code", "region_code", "social_status",
    "social_considerations", "source_format", "modification_rank", "source", "imported_at",
]  # fmt: skip
COLUMNS = ["uid", *UPDATE_FIELDS]
NULLABLE = {"amount", "duration_months", "notification_date", "year"}
TEXT_COLUMNS = ", ".join(
    f'"{name}"' for name in COLUMNS if name not in NULLABLE | {"modification_rank", "imported_at"}
)


@dataclass
class ImportReport:
    wet_run: bool
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged_newer: int = 0  # the database already holds a later modification
    merged: int = 0  # rows of the file that were another version of a contract of the file
    skipped: int = 0
    warned: int = 0
    without_field: int = 0  # no considerationsSociales at all (2019 format): unknown
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fatal: str = ""

    def skip(self, position: str, record: object, reason: str) -> None:
        self.skipped += 1
        if len(self.errors) < MAX_DETAILS:
            self.errors.append(f"{position}{_label(record)} : ignoré, {reason}")

    def warn(self, position: str, record: object, warnings: tuple[str, ...]) -> None:
        self.warned += 1
        if len(self.warnings) < MAX_DETAILS:
            self.warnings.append(f"{position}{_label(record)} : " + " ".join(warnings))

    def lines(self) -> list[str]:
        verb = "importés" if self.wet_run else "à importer (simulation, rien n'est écrit)"
        lines = [
            f"Enregistrements lus : {self.read}",
            f"Contrats {verb} : {self.created} nouveaux, {self.updated} mis à jour",
            f"Versions plus anciennes ignorées : {self.unchanged_newer + self.merged}",
            f"Enregistrements rejetés : {self.skipped}",
            f"Enregistrements avec avertissement : {self.warned}",
        ]
        if self.without_field:
            lines.append(
                f"Enregistrements sans champ « considerationsSociales » (format 2019 ou colonne "
                f"absente) : "
                f"{self.without_field}, comptés « non renseigné »"
            )
        if self.fatal:
            lines.append(f"Lecture interrompue : {self.fatal}")
        lines += [f"  Rejet — {text}" for text in self.errors]
        lines += [f"  Avertissement — {text}" for text in self.warnings]
        if self.skipped > len(self.errors) or self.warned > len(self.warnings):
            lines.append(f"  (seuls les {MAX_DETAILS} premiers de chaque sorte sont détaillés)")
        return lines


def _label(record: object) -> str:
    if isinstance(record, dict):
        identifier = str(record.get("id") or "")[:40]
        if identifier:
            return f" (id « {identifier} »)"
    return ""


def context() -> parsing.Context:
    regions = dict(Department.objects.values_list("code", "region__code"))
    buyers: dict[str, str] = {}
    rows = Organisation.objects.exclude(siret="").filter(department__isnull=False)
    for siret, code in rows.values_list("siret", "department__code"):
        buyers[siret] = code
        buyers.setdefault(siret[:9], code)
    return parsing.Context(regions, buyers)


def import_file(
    path: Path | str,
    *,
    wet_run: bool,
    source: str = "",
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Read a DECP file (JSON 2024 or 2019, or tabular CSV) and write its contracts when
    `wet_run`; otherwise only count what would change.

    Reading and classifying (Python) run in a reader thread while this thread writes the
    previous batch (the database works while Python parses): on two cores the import takes
    about the larger of the two costs instead of their sum (docs/performance.md,
    observatory). The reader never touches the database; every write stays on the
    caller's connection and transaction."""
    path = Path(path)
    report = ImportReport(wet_run=wet_run)
    found = context()
    batches: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()
    # On PostgreSQL the reader also writes each batch's COPY text, so that this thread only
    # waits on the database (the two threads then overlap; pure Python, no query).
    prepare = _copy_text if wet_run and connection.vendor == "postgresql" else None
    reader = threading.Thread(
        target=_read_batches,
        args=(path, found, source or path.name, batch_size, report, batches, stop, prepare),
        name="decp-reader",
        daemon=True,
    )
    reader.start()
    try:
        while (batch := batches.get()) is not _END:
            if isinstance(batch, BaseException):
                raise batch
            _flush(batch, report)
            if progress:
                progress(report)
    finally:
        stop.set()
        while reader.is_alive():  # a reader blocked on a full queue gets its place back
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.05)
        reader.join()
    return report


_END = object()
READ_AHEAD = 2  # batches read ahead of the writer: bounds the memory (≈ 2 × batch_size rows)


def _read_batches(
    path: Path,
    found: parsing.Context,
    source: str,
    batch_size: int,
    report: ImportReport,
    batches: queue.Queue,
    stop: threading.Event,
    prepare: Callable[[dict], object] | None = None,
) -> None:
    """The reader thread: streams records, classifies them, merges a file's versions of
    one contract, and hands batches of at most `batch_size` contracts to the writer.
    Only the reading counters of `report` are its own (read, skipped, warned, merged)."""
    batch: dict[str, parsing.Normalised] = {}
    try:
        try:
            for position, hint, record in parsing.iter_records(path):
                report.read += 1
                try:
                    row = parsing.normalise(record, hint=hint, context=found, source=source)
                except parsing.RecordError as error:
                    report.skip(position, record, str(error))
                    continue
                if row.field_absent:
                    report.without_field += 1
                if row.record_warnings:
                    report.warn(position, record, row.record_warnings)
                previous = batch.get(row.uid)
                if previous is not None:
                    report.merged += 1
                    if previous.rank > row.rank:
                        continue
                batch[row.uid] = row
                if len(batch) >= batch_size:
                    if stop.is_set():
                        return
                    batches.put(prepare(batch) if prepare else batch)
                    batch = {}
        except parsing.FileError as error:
            report.fatal = str(error)
        if batch and not stop.is_set():
            batches.put(prepare(batch) if prepare else batch)
    except BaseException as error:  # noqa: BLE001 - handed to the writer, which raises it
        batches.put(error)
        return
    batches.put(_END)


@dataclass(frozen=True)
class CopyText:
    """A batch ready for COPY: its CSV text (columns in the order of COLUMNS) and size."""

    text: str
    rows: int


def _copy_text(batch: dict[str, parsing.Normalised]) -> CopyText:
    """The batch as COPY's CSV (written by the csv module, in C): an unquoted empty field
    is NULL, except in the text columns (never NULL). Pure Python: the reader runs it."""
    values = operator.itemgetter(*COLUMNS[:-1])  # every column but imported_at, last
    stamp = (timezone.now().isoformat(),)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        values(row.fields) + stamp for row in batch.values()
    )
    return CopyText(buffer.getvalue(), len(batch))


def _flush(batch: dict[str, parsing.Normalised] | CopyText, report: ImportReport) -> None:
    """Write one batch (a CopyText on PostgreSQL, else the batch itself)."""
    if isinstance(batch, CopyText):
        with transaction.atomic():
            created, updated = _write_postgresql(batch.text)
        report.created += created
        report.updated += updated
        report.unchanged_newer += batch.rows - created - updated
        return
    if not batch:
        return
    now = timezone.now()
    existing = dict(
        PublishedContract.objects.filter(uid__in=list(batch)).values_list(
            "uid", "modification_rank"
        )
    )
    rows = []
    for uid, row in batch.items():
        rank = existing.get(uid)
        if rank is not None and rank > row.rank:
            report.unchanged_newer += 1
            continue
        if rank is None:
            report.created += 1
        else:
            report.updated += 1
        rows.append({**row.fields, "imported_at": now})
    if not report.wet_run or not rows:
        return
    with transaction.atomic():
        PublishedContract.objects.bulk_create(
            [PublishedContract(**row) for row in rows],
            update_conflicts=True,
            unique_fields=["uid"],
            update_fields=UPDATE_FIELDS,
        )


def _write_postgresql(text: str) -> tuple[int, int]:
    """COPY the batch (CSV text, columns in the order of COLUMNS) into a temporary table, then one
    INSERT … ON CONFLICT from it that keeps a later modification already stored; returns
    (created, updated).

    `synchronous_commit` is off for these transactions only: a crash may lose the last
    batches, which the next (idempotent) import writes again."""
    table = PublishedContract._meta.db_table
    columns = ", ".join(f'"{name}"' for name in COLUMNS)
    updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in UPDATE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f'CREATE TEMPORARY TABLE IF NOT EXISTS "decp_staging" ON COMMIT DELETE ROWS '  # noqa: S608
            f'AS SELECT {columns} FROM "{table}" WITH NO DATA'
        )
        with cursor.cursor.copy(
            f'COPY "decp_staging" ({columns}) FROM STDIN '
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({TEXT_COLUMNS}))"
        ) as copy:
            copy.write(text)
        cursor.execute(
            f'INSERT INTO "{table}" AS stored ({columns}) '  # noqa: S608
            f'SELECT {columns} FROM "decp_staging" '
            f'ON CONFLICT ("uid") DO UPDATE SET {updates} '
            "WHERE stored.modification_rank <= EXCLUDED.modification_rank "
            "RETURNING (xmax = 0)"
        )
        inserted = [flag for (flag,) in cursor.fetchall()]
        # Emptied now too: a caller's transaction may hold several batches.
        cursor.execute('TRUNCATE "decp_staging"')
    created = sum(inserted)
    return created, len(inserted) - created


# -- the scheduled import ------------------------------------------------------------------


class FetchError(ValueError):
    """The configured address cannot be read (French message)."""


def fetch_and_import(url: str, *, wet_run: bool = True) -> ImportReport:
    """Download the file at `url` (http, https or file) to a temporary file, streamed in
    chunks, then import it. The download never sits in memory whole."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise FetchError(f"Adresse DECP non prise en charge : « {url[:100]} ».")
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "decp"
        try:
            with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:  # noqa: S310
                shutil.copyfileobj(response, out, length=1 << 20)
        except OSError as error:
            raise FetchError(f"Téléchargement impossible : {error}") from error
        return import_file(target, wet_run=wet_run, source=url[-200:])
