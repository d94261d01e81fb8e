"""Declarations by spreadsheet (CSV or XLSX), for a company.

Every row is read and checked first (`services.check_entries`, the same checks as the form
and the API); errors are listed in French by line and column; nothing is written unless
every row is right. A cell holding a formula is refused, never evaluated. The same file
sent again (same SHA-256) is recognised and changes nothing; a different file with the
same values changes nothing either (declarations are keyed by assignment and month).
"""

import csv
import hashlib
import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.hours import policies, rules, services
from clauses.hours.enums import DeclarationSource
from clauses.hours.models import ImportBatch
from clauses.hours.services import FIELD_LABELS, Entry, Outcome, Problem

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ["assignment", "participant", "month", "hours", "amount_ht", "training"]
HELP = {
    "assignment": "Numéro de la mission (colonne pré-remplie dans le modèle). Obligatoire.",
    "participant": "Prénom et nom de la personne, pour vérification (facultatif).",
    "month": "Mois travaillé : MM/AAAA (par exemple 03/2026). Obligatoire.",
    "hours": "Heures travaillées dans le mois, sans formule (208 h au plus par personne).",
    "amount_ht": "Sous-traitance ou cotraitance avec une SIAE, EA ou ESAT seulement : "
    "montant HT du mois, converti en heures.",
    "training": "« oui » si ce sont des heures de formation.",
}
_FORMULA = re.compile(r"^[=@]|^[+\-](?![\d\s.,])")


def _fold(text: str) -> str:
    return services.rules_fold(text)


_HEADERS = {_fold(label): key for key, label in FIELD_LABELS.items()}


class _Formula:
    pass


class _CellError(Exception):
    pass


def _read(raw: bytes, name: str) -> list[list[Any]]:
    if raw[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        except Exception as exc:  # noqa: BLE001 — a broken workbook is the user's file
            raise _CellError("le fichier n'est pas un classeur XLSX lisible.") from exc
        rows = []
        for row in workbook.worksheets[0].iter_rows():
            rows.append(
                [
                    _Formula()
                    if getattr(cell, "data_type", None) == "f"
                    or (isinstance(cell.value, str) and cell.value.startswith("="))
                    else cell.value
                    for cell in row
                ]
            )
        workbook.close()
        return rows
    if name.lower().endswith((".xls", ".ods")) or b"\x00" in raw[:1024]:
        raise _CellError("format non pris en charge : utilisez un fichier CSV ou XLSX.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _text(value: Any) -> str:
    if isinstance(value, _Formula):
        raise _CellError("formule refusée : saisissez la valeur elle-même.")
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if _FORMULA.match(text):
        raise _CellError("formule refusée : saisissez la valeur elle-même.")
    return text


def _number(value: Any, what: str) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = _text(value).replace("\u202f", "").replace(" ", "").replace("€", "")
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise _CellError(f"« {text} » n'est pas {what}.") from None
    if not number.is_finite():
        raise _CellError(f"« {text} » n'est pas {what}.")
    return number.quantize(Decimal("0.01"))


def _month(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = _text(value)
    if not text:
        return None
    for pattern in ("%m/%Y", "%m-%Y", "%Y-%m", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date().replace(day=1)  # noqa: DTZ007
        except ValueError:
            continue
    raise _CellError(f"« {text} » n'est pas un mois (MM/AAAA, par exemple 03/2026).")


def _assignment(value: Any) -> int | None:
    text = _text(value).lstrip("nN°o ").strip()
    if not text:
        return None
    if not text.isdigit():
        raise _CellError(f"« {text} » n'est pas un numéro de mission.")
    return int(text)


def _training(value: Any) -> bool:
    text = _fold(_text(value))
    if text in ("", "non", "n", "0", "false", "faux"):
        return False
    if text in ("oui", "o", "1", "true", "vrai", "x"):
        return True
    raise _CellError("répondez « oui » ou « non ».")


def read_entries(raw: bytes, *, name: str = "") -> tuple[list[Entry], list[Problem]]:
    """The rows of the file as entries, and the problems of reading them (nothing checked
    against the database yet)."""
    problems: list[Problem] = []
    if len(raw) > MAX_BYTES:
        return [], [Problem(1, "", "le fichier dépasse 5 Mo.")]
    try:
        table = _read(raw, name)
    except _CellError as exc:
        return [], [Problem(1, "", str(exc))]
    table = [row for row in table if any(str(c or "").strip() for c in row)]
    if not table:
        return [], [Problem(1, "", "le fichier est vide.")]
    mapping: dict[int, str] = {}
    for index, raw_header in enumerate(table[0]):
        header = "" if isinstance(raw_header, _Formula) else str(raw_header or "").strip()
        if not header:
            continue
        key = _HEADERS.get(_fold(header))
        if key is None:
            problems.append(Problem(1, "", f"colonne inconnue « {header} » (voir le modèle)."))
        else:
            mapping[index] = key
    for required in ("assignment", "month"):
        if required not in mapping.values():
            problems.append(Problem(1, required, "colonne obligatoire absente."))
    if problems:
        return [], problems
    if len(table) - 1 > MAX_ROWS:
        return [], [Problem(1, "", f"{MAX_ROWS} lignes au plus par import.")]
    parsers = {
        "assignment": _assignment,
        "participant": _text,
        "month": _month,
        "hours": lambda v: _number(v, "un nombre d'heures"),
        "amount_ht": lambda v: _number(v, "un montant"),
        "training": _training,
    }
    entries = []
    for offset, values in enumerate(table[1:]):
        line = offset + 2
        parsed: dict[str, Any] = {}
        failed = False
        for index, key in mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed[key] = parsers[key](value)
            except _CellError as exc:
                problems.append(Problem(line, key, str(exc)))
                failed = True
        if failed:
            continue
        entries.append(
            Entry(
                line=line,
                assignment_id=parsed.get("assignment"),
                month=parsed.get("month"),
                hours=parsed.get("hours"),
                amount_ht=parsed.get("amount_ht"),
                is_training=bool(parsed.get("training")),
                participant_name=parsed.get("participant") or "",
            )
        )
    return entries, problems


def import_declarations(
    *,
    actor: Actor,
    file: IO[bytes] | bytes,
    name: str = "",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Outcome:
    """Check every row, then write all the declarations or none (see the module)."""
    if not actor.can_write or not policies.is_company(actor):
        raise PermissionDenied("Seule une entreprise importe ses déclarations d'heures.")
    raw = file if isinstance(file, bytes) else file.read()
    name = name or getattr(file, "name", "") or ""
    digest = hashlib.sha256(raw).hexdigest()
    previous = ImportBatch.objects.filter(company=actor.organisation_id, file_hash=digest).first()
    entries, problems = read_entries(raw, name=name)
    if previous is not None and not problems:
        return Outcome(unchanged=len(entries), already_imported=previous)
    if problems:
        # Check the readable rows too, so that every error shows at once.
        _, more = services.check_entries(actor, entries, today=today)
        return Outcome(problems=sorted(problems + more, key=lambda p: (p.line, p.field)))
    batch = ImportBatch(
        company_id=actor.organisation_id,
        source=DeclarationSource.SPREADSHEET,
        file_name=name[:255],
        file_hash=digest,
        rows=len(entries),
        imported_by_id=actor.user_id,
        imported_by_repr=actor.label[:300],
        imported_at=timezone.now(),
    )
    return services.save_entries(
        actor=actor,
        entries=entries,
        source=DeclarationSource.SPREADSHEET,
        batch=batch,
        today=today,
        request=request,
    )


# -- the template -------------------------------------------------------------------------


def _template_rows(actor: Actor, today: date) -> list[list[str]]:
    month = rules.add_months(rules.first_of_month(today), -1)
    rows = []
    for assignment in (
        policies.declarable_assignments(actor)
        .select_related("participant")
        .order_by("pk")[:MAX_ROWS]
    ):
        if assignment.end_date and assignment.end_date < month:
            continue
        rows.append([str(assignment.pk), str(assignment.participant), f"{month:%m/%Y}", "", "", ""])
    return rows


def template_csv(actor: Actor, *, today: date | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([FIELD_LABELS[k] for k in COLUMNS])
    writer.writerows(_template_rows(actor, today or timezone.localdate()))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(actor: Actor, *, today: date | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Déclarations"
    sheet.append([FIELD_LABELS[k] for k in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _template_rows(actor, today or timezone.localdate()):
        sheet.append(row)
    for index, key in enumerate(COLUMNS, start=1):
        letter = sheet.cell(1, index).column_letter
        sheet.column_dimensions[letter].width = max(16, len(FIELD_LABELS[key]) + 4)
        for row_number in range(1, sheet.max_row + 1):
            sheet.cell(row_number, index).number_format = "@"
    help_sheet = workbook.create_sheet("Aide")
    help_sheet.append(["Colonne", "Contenu"])
    for key in COLUMNS:
        help_sheet.append([FIELD_LABELS[key], HELP[key]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
