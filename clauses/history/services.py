"""Bringing a structure's history in (issue #14.1): the workflows the wizard and the
`import_history` command share.

    read_upload(file)            the file as a `Table` (headers + rows with their lines),
                                 through the core's safe reader; `ImportRefused` otherwise
    store_upload(...)            keep the file for the wizard's next steps (24 hours)
    distinct_values(table, cols) each choice column's labels, with a suggested code and count
    preview(...)                 every problem by line and column; what would be created,
                                 matched, skipped per entity; nothing written
    run_import(...)              the same checks again, then all or nothing in one
                                 transaction (the upload or the structure locked first);
                                 `ImportInvalid(problems)` if anything is wrong
    save_profile(...), profiles_for(actor, structure), purge_expired_uploads()

Reading and typing cells is `mapping.py`, the checks of a row and of the whole file
`validation.py` (pure), matching with what the database holds and the writes `plan.py` and
`writing.py`. The rows written are ordinary follow-up, markets and hours rows, counted by
the hours' own rules; one journal event per import, not per row.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.accounts.enums import AuditAction
from clauses.core.spreadsheets import SpreadsheetError, iter_table
from clauses.core.text import compact
from clauses.followup.selectors import structure_department
from clauses.history import fields, mapping, plan, policies, validation, writing
from clauses.history.models import HistoryImport, HistoryUpload, MappingProfile
from clauses.network.models import FacilitatorStructure

# Bounds of a file: the wizard's, and the command's (a whole département at once).
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
COMMAND_MAX_ROWS = 200_000
COMMAND_MAX_BYTES = 100 * 1024 * 1024
MAX_HEADER_LENGTH = 120

Problem = validation.Problem
ENTITIES = fields.ENTITIES


class ImportRefused(Exception):
    """The file cannot be read at all (French `str(error)`)."""


class ImportInvalid(Exception):
    """Some rows are wrong: nothing was written. `problems`: (line, header, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problème(s) : rien n'a été importé.")


class ImportConflict(Exception):
    """Another import of the same upload or structure is running, or this upload was already
    imported (French `str(error)`)."""


@dataclass
class Table:
    """A read file: its headers (as typed, made unique) and its data rows with their line
    in the file (1 = the header's line)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    file_name: str = ""
    sha256: str = ""

    @property
    def row_count(self) -> int:
        return len(self.rows)


@dataclass
class Preview:
    """What an import would do: `problems` (line, header, French message), and per entity
    (`fields.ENTITIES`) `would_create`, `would_match`, `would_skip` counts."""

    problems: list[Problem] = field(default_factory=list)
    would_create: dict[str, int] = field(default_factory=dict)
    would_match: dict[str, int] = field(default_factory=dict)
    would_skip: dict[str, int] = field(default_factory=dict)
    row_count: int = 0
    # Hours that would not count, per clause and reason: [{market, lot, clause, rule,
    # reason, hours}] (the same as `HistoryImport.uncounted` after the import).
    uncounted: list[dict] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def entities(self) -> list[tuple[str, str, int, int, int]]:
        """(entity, French label, created, matched, skipped) of the entities present."""
        return [
            (
                key,
                label,
                self.would_create.get(key, 0),
                self.would_match.get(key, 0),
                self.would_skip.get(key, 0),
            )
            for key, label in ENTITIES.items()
            if key in self.would_create or key in self.would_match or key in self.would_skip
        ]


# -- reading ------------------------------------------------------------------------------


def _header(value: Any, position: int) -> str:
    text = "" if value is None else str(value).strip()
    text = text[:MAX_HEADER_LENGTH]
    return text or f"Colonne {position}"


def read_bytes(
    raw: bytes, *, name: str = "", max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES
) -> Table:
    """A `Table` from a file's content: the first non-empty line is the header; headers
    are made unique ("Date", "Date (2)")."""
    try:
        rows = iter_table(raw, name=name, max_rows=max_rows, max_bytes=max_bytes)
        first = next(rows, None)
        if first is None:
            raise ImportRefused("le fichier est vide.")
        _, header_cells = first
        if any(isinstance(cell, mapping.Formula) for cell in header_cells):
            raise ImportRefused("la ligne d'en-tête contient une formule.")
        headers: list[str] = []
        seen: Counter[str] = Counter()
        for position, cell in enumerate(header_cells, start=1):
            text = _header(cell, position)
            seen[text] += 1
            headers.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
        data = [(line, list(values)) for line, values in rows]
    except SpreadsheetError as exc:
        raise ImportRefused(str(exc)) from exc
    if not data:
        raise ImportRefused("le fichier n'a aucune ligne sous l'en-tête.")
    return Table(
        headers=headers,
        rows=data,
        file_name=name[:255],
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def read_upload(
    file: BinaryIO | Any, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES
) -> Table:
    """Read an uploaded file (a Django `UploadedFile`, a `File` or any binary stream with a
    `name`): bounded rows and sizes, CSV (; , or tab; UTF-8 or Latin-1) or XLSX, formulas
    never evaluated. `ImportRefused` with a French message on anything unreadable."""
    name = str(getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise ImportRefused(f"le fichier dépasse {max_bytes // (1024 * 1024)} Mo.")
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        raw = file.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise ImportRefused("le fichier n'a pas pu être lu.") from exc
    if not isinstance(raw, bytes):
        raise ImportRefused("le fichier n'a pas pu être lu.")
    return read_bytes(raw, name=name.rsplit("/", 1)[-1], max_rows=max_rows, max_bytes=max_bytes)


def store_upload(
    *, actor: Actor, structure: FacilitatorStructure, file: BinaryIO | Any
) -> tuple[HistoryUpload, Table]:
    """Read the file, then keep it (private media storage) with its headers and the
    suggested columns for the wizard's next steps."""
    if not policies.can_import(actor, structure):
        raise PermissionDenied("Vous ne pouvez pas importer l'historique de cette structure.")
    table = read_upload(file)
    file.seek(0)
    raw = file.read(MAX_BYTES + 1)
    upload = HistoryUpload(
        structure=structure,
        uploaded_by_id=actor.user_id,
        file_name=table.file_name or "fichier",
        sha256=table.sha256,
        headers=table.headers,
        row_count=table.row_count,
        columns={k: v for k, v in fields.suggest_columns(table.headers).items() if v},
    )
    upload.file.save(table.file_name or "fichier.csv", ContentFile(raw), save=False)
    upload.save()
    return upload, table


def table_of(upload: HistoryUpload) -> Table:
    """The stored file of an upload, read again."""
    try:
        with upload.file.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ImportRefused(
            "le fichier déposé n'est plus disponible : déposez-le à nouveau."
        ) from exc
    return read_bytes(raw, name=upload.file_name)


def purge_expired_uploads(now: Any = None, *, wet_run: bool = True) -> int:
    """Delete the uploads older than 24 hours and their files (an import's report keeps
    its counts; its link to the upload is cleared); returns how many."""
    expired = HistoryUpload.objects.expired(now)
    if not wet_run:
        return expired.count()
    count = 0
    for upload in expired.iterator():
        upload.file.delete(save=False)
        upload.delete()
        count += 1
    return count


# -- mapping ------------------------------------------------------------------------------


def distinct_values(
    table: Table, columns: dict[str, str | None], *, values: dict | None = None
) -> dict[str, list[tuple[str, str | None, int]]]:
    """For each mapped choice field: its distinct labels (as written, first spelling kept),
    most frequent first, each with the code already chosen (`values`) or suggested, and its
    count. A multiple field ("RSA, QPV") is split into its labels."""
    chosen = values or {}
    result: dict[str, list[tuple[str, str | None, int]]] = {}
    positions = mapping.positions(table.headers, columns)
    for key, position in positions.items():
        spec = fields.FIELDS_BY_KEY[key]
        if spec.kind != fields.CHOICE:
            continue
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for _, cells in table.rows:
            cell = cells[position] if position < len(cells) else None
            for label in mapping.labels_of(cell, multiple=spec.multiple):
                folded = compact(label)
                spelling.setdefault(folded, label)
                counts[folded] += 1
        own = {compact(str(k)): v for k, v in (chosen.get(key) or {}).items()}
        result[key] = [
            (spelling[folded], own.get(folded) or fields.suggest_value(key, spelling[folded]), n)
            for folded, n in counts.most_common()
        ]
    return result


def suggested_values(table: Table, columns: dict[str, str | None]) -> dict[str, dict[str, str]]:
    """{field: {label: suggested code}} for the labels a suggestion exists for."""
    return {
        key: {label: code for label, code, _ in labels if code}
        for key, labels in distinct_values(table, columns).items()
    }


# -- preview and import -------------------------------------------------------------------


def _checked(
    *,
    actor: Actor,
    structure: FacilitatorStructure,
    table: Table,
    columns: dict[str, str | None],
    values: dict,
) -> tuple[validation.Checked, plan.Plan | None]:
    checked = validation.check_table(table.headers, table.rows, columns, values)
    if checked.problems:
        return checked, None
    the_plan = plan.build(actor=actor, structure=structure, checked=checked)
    return checked, the_plan


def preview(
    *,
    actor: Actor,
    structure: FacilitatorStructure,
    table: Table,
    columns: dict[str, str | None],
    values: dict | None = None,
) -> Preview:
    """Every problem (line, column header, French message) and what would be created,
    matched and skipped per entity; nothing is written."""
    if not policies.can_import(actor, structure):
        raise PermissionDenied("Vous ne pouvez pas importer l'historique de cette structure.")
    checked, the_plan = _checked(
        actor=actor, structure=structure, table=table, columns=columns, values=values or {}
    )
    result = Preview(row_count=table.row_count)
    if the_plan is None:
        result.problems = checked.problems
        return result
    result.problems = the_plan.problems
    result.would_create = dict(the_plan.created)
    result.would_match = dict(the_plan.matched)
    result.would_skip = dict(the_plan.skipped)
    result.uncounted = the_plan.uncounted
    return result


def _lock(structure: FacilitatorStructure, upload: HistoryUpload | None) -> None:
    """One import at a time per structure (and per upload): the row is locked until the
    transaction ends (PostgreSQL `FOR UPDATE`; SQLite's write lock serialises writers)."""
    FacilitatorStructure.objects.select_for_update().filter(pk=structure.pk).first()
    if upload is not None:
        locked = HistoryUpload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None or locked.imported_at is not None:
            raise ImportConflict("ce fichier a déjà été importé : voyez le compte rendu.")


def run_import(
    *,
    actor: Actor,
    structure: FacilitatorStructure,
    table: Table,
    columns: dict[str, str | None],
    values: dict | None = None,
    upload: HistoryUpload | None = None,
    profile: MappingProfile | None = None,
) -> HistoryImport:
    """Check everything again, then write all or nothing in one transaction. Raises
    `ImportInvalid(problems)` (nothing written), `ImportConflict` (the same upload imported
    meanwhile), `PermissionDenied`."""
    if not policies.can_import(actor, structure):
        raise PermissionDenied("Vous ne pouvez pas importer l'historique de cette structure.")
    if profile is not None and not policies.can_use_profile(actor, profile):
        raise PermissionDenied("Ce profil n'est pas utilisable ici.")
    try:
        with transaction.atomic():
            _lock(structure, upload)
            checked, the_plan = _checked(
                actor=actor,
                structure=structure,
                table=table,
                columns=columns,
                values=values or {},
            )
            if the_plan is None:
                raise ImportInvalid(checked.problems)
            if the_plan.problems:
                raise ImportInvalid(the_plan.problems)
            counts = writing.write(actor=actor, structure=structure, the_plan=the_plan)
            record = HistoryImport.objects.create(
                structure=structure,
                upload=upload,
                profile=profile,
                imported_by_id=actor.user_id,
                file_name=table.file_name,
                sha256=table.sha256,
                row_count=table.row_count,
                counts=counts,
                uncounted=the_plan.uncounted,
            )
            if upload is not None:
                HistoryUpload.objects.filter(pk=upload.pk).update(imported_at=timezone.now())
            audit.record(
                actor,
                AuditAction.CREATE,
                record,
                changes={"rows": table.row_count, "counts": counts, "sha256": table.sha256},
            )
            transaction.on_commit(writing.after_import)
    except (IntegrityError, OperationalError) as exc:
        # A concurrent import wrote the same natural keys first (or held the lock too long).
        raise ImportConflict(
            "une autre importation pour cette structure s'est terminée au même moment : "
            "relancez l'aperçu, les lignes déjà importées seront reconnues."
        ) from exc
    return record


# -- profiles -------------------------------------------------------------------------------


def _clean_mapping(columns: dict, values: dict) -> tuple[dict, dict]:
    clean_columns = {
        key: str(header)[:MAX_HEADER_LENGTH]
        for key, header in (columns or {}).items()
        if key in fields.FIELDS_BY_KEY and header
    }
    clean_values = {}
    for key, labels in (values or {}).items():
        if key not in fields.CHOICE_FIELDS or not isinstance(labels, dict):
            continue
        allowed = set(fields.choice_codes(key)) | {fields.IGNORE}
        clean_values[key] = {
            str(label)[:200]: code for label, code in labels.items() if code in allowed
        }
    return clean_columns, clean_values


def save_profile(
    *,
    actor: Actor,
    structure: FacilitatorStructure,
    name: str,
    columns: dict[str, str | None],
    values: dict | None = None,
    shared_in_department: bool = False,
) -> MappingProfile:
    """Create or replace the structure's profile of that name (unique per structure)."""
    if not policies.can_import(actor, structure):
        raise PermissionDenied("Vous ne pouvez pas enregistrer de profil pour cette structure.")
    name = " ".join(str(name).split())[:120]
    if not name:
        raise ValueError("Donnez un nom au profil.")
    clean_columns, clean_values = _clean_mapping(columns, values or {})
    with transaction.atomic():
        profile, created = MappingProfile.objects.update_or_create(
            structure=structure,
            name=name,
            defaults={
                "columns": clean_columns,
                "values": clean_values,
                "shared_in_department": shared_in_department,
                "updated_at": timezone.now(),
            },
            create_defaults={
                "columns": clean_columns,
                "values": clean_values,
                "shared_in_department": shared_in_department,
                "created_by_id": actor.user_id,
            },
        )
        audit.record(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            profile,
            changes={"name": name, "shared_in_department": shared_in_department},
        )
    return profile


def profiles_for(actor: Actor, structure: FacilitatorStructure) -> QuerySet[MappingProfile]:
    """The profiles usable for an import into `structure`: those of the structures the
    actor imports into (its own, for a facilitator), and those shared in the structure's
    département."""
    if not policies.can_import(actor, structure):
        return MappingProfile.objects.none()
    condition = Q(structure__in=policies.importable_structures(actor).values("pk"))
    department = structure_department(structure)
    if department is not None:
        condition |= Q(shared_in_department=True) & (
            Q(structure__coordination__department=department)
            | Q(
                structure__coordination__department__isnull=True,
                structure__coordination__parent__department=department,
            )
        )
    return (
        MappingProfile.objects.filter(condition)
        .distinct()
        .select_related("structure")
        .order_by("name", "pk")
    )


def merge_values(*mappings: Iterable[dict] | dict | None) -> dict:
    """Later value mappings win over earlier ones, label by label."""
    merged: dict[str, dict[str, str]] = {}
    for one in mappings:
        for key, labels in (one or {}).items():
            merged.setdefault(key, {}).update(labels or {})
    return merged
