"""Declarations by spreadsheet (CSV or XLSX), for a company.

Every row is read and checked first (`services.check_entries`, the same checks as the form
and the API); errors are listed in French by line and column; nothing is written unless
every row is right. The file is read by `clauses.core.spreadsheets.read_table` (5 MB,
5,000 rows, 50 columns at most, declared dimensions ignored, zip sizes bounded; lines are
the file's) and numbers by `clauses.core.numbers` (1e30 or inf is an error of its cell).
A cell holding a formula is refused, never evaluated. The same file
sent again (same SHA-256) is recognised and changes nothing; a different file with the
same values changes nothing either (declarations are keyed by assignment and month).
"""

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.core.dates import add_months, first_of_month
from clauses.core.numbers import NumberError, NumberOutOfRange, parse_decimal
from clauses.core.spreadsheets import (
    Formula,
    SpreadsheetError,
    csv_bytes,
    is_formula,
    new_workbook,
    read_table,
    workbook_bytes,
)
from clauses.core.text import compact
from clauses.hours import policies, services
from clauses.hours.enums import DeclarationSource
from clauses.hours.models import HourDeclaration, ImportBatch
from clauses.hours.services import FIELD_LABELS, OLDEST_MONTHS, Entry, Outcome, Problem

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ["assignment", "participant", "month", "hours", "amount_ht", "training", "reason"]
# A row whose values are all empty is skipped (the template pre-fills every mission: the
# user fills the rows they need and leaves the others as they are).
VALUE_COLUMNS = ("hours", "amount_ht", "training", "reason")
HELP = {
    "assignment": "Numéro de la mission (colonne pré-remplie dans le modèle). Obligatoire.",
    "participant": "Prénom et nom de la personne, pour vérification (facultatif).",
    "month": "Mois travaillé : MM/AAAA (par exemple 03/2026). Obligatoire.",
    "hours": "Heures travaillées dans le mois, sans formule (208 h au plus par personne).",
    "amount_ht": "Sous-traitance ou cotraitance avec une SIAE, EA ou ESAT seulement : "
    "montant HT du mois, converti en heures.",
    "training": "« oui » si ce sont des heures de formation.",
    "reason": "Seulement pour corriger un mois déjà déclaré : le motif de la correction "
    "(obligatoire alors). La correction est gardée dans l'historique et contrôlée à "
    "nouveau.",
}
# Far above anything a person works in a month (the ceiling check says what is allowed);
# beyond it a value is not hours but a typing accident or an attack ("1e30").
MAX_HOURS = Decimal(10_000)
MAX_AMOUNT = Decimal(10**10)

_HEADERS = {compact(label): key for key, label in FIELD_LABELS.items()}


class _CellError(Exception):
    pass


def _text(value: Any) -> str:
    if isinstance(value, Formula):
        raise _CellError("formule refusée : saisissez la valeur elle-même.")
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if is_formula(text):
        raise _CellError("formule refusée : saisissez la valeur elle-même.")
    return text


def _number(value: Any, what: str, maximum: Decimal) -> Decimal | None:
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        value = _text(value)
    try:
        return parse_decimal(value, maximum=maximum, minimum=-maximum)
    except NumberOutOfRange:
        raise _CellError(f"« {value} » n'est pas {what} plausible.") from None
    except NumberError:
        raise _CellError(f"« {value} » n'est pas {what}.") from None


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
    text = compact(_text(value))
    if text in ("", "non", "n", "0", "false", "faux"):
        return False
    if text in ("oui", "o", "1", "true", "vrai", "x"):
        return True
    raise _CellError("répondez « oui » ou « non ».")


def _blank(values: list[Any], indexes: list[int]) -> bool:
    """A row with no value to declare (hours, amount, training, reason all empty) — the
    template's pre-filled missions the user did not need. A formula anywhere is not blank
    (it is refused, never silently skipped)."""
    if any(isinstance(v, Formula) for v in values):
        return False
    return not any(str(values[i] or "").strip() for i in indexes if i < len(values))


def _memo(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The parser, remembering its value for each text cell already read in this file (a
    file repeats its months and hours on every row: #15). Errors are not remembered: a bad
    cell is reported on every line it appears."""
    seen: dict[str, Any] = {}

    def parse(value: Any) -> Any:
        if type(value) is not str:
            return parser(value)
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = parser(value)
            return result

    return parse


def read_entries(raw: bytes, *, name: str = "") -> tuple[list[Entry], list[Problem]]:
    """The rows of the file as entries, and the problems of reading them (nothing checked
    against the database yet)."""
    problems: list[Problem] = []
    try:
        table = read_table(raw, name=name, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    except SpreadsheetError as exc:
        return [], [Problem(1, "", str(exc))]
    if not table:
        return [], [Problem(1, "", "le fichier est vide.")]
    header_line = table[0][0]
    mapping: dict[int, str] = {}
    for index, raw_header in enumerate(table[0][1]):
        header = "" if isinstance(raw_header, Formula) else str(raw_header or "").strip()
        if not header:
            continue
        key = _HEADERS.get(compact(header))
        if key is None:
            problems.append(
                Problem(header_line, "", f"colonne inconnue « {header} » (voir le modèle).")
            )
        else:
            mapping[index] = key
    for required in ("assignment", "month"):
        if required not in mapping.values():
            problems.append(Problem(header_line, required, "colonne obligatoire absente."))
    if problems:
        return [], problems
    parsers = {
        "assignment": _memo(_assignment),
        "participant": _text,
        "month": _memo(_month),
        "hours": _memo(lambda v: _number(v, "un nombre d'heures", MAX_HOURS)),
        "amount_ht": _memo(lambda v: _number(v, "un montant", MAX_AMOUNT)),
        "training": _memo(_training),
        "reason": _text,
    }
    value_indexes = [i for i, key in mapping.items() if key in VALUE_COLUMNS]
    entries = []
    for line, values in table[1:]:
        if _blank(values, value_indexes):
            continue  # a mission left blank: nothing to declare on this row
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
                reason=(parsed.get("reason") or "")[:2000],
            )
        )
    if not entries and not problems:
        problems.append(
            Problem(
                header_line,
                "hours",
                "aucune ligne remplie : indiquez les heures (ou le montant) des missions à "
                "déclarer ; les lignes laissées vides sont ignorées.",
            )
        )
    return entries, problems


def import_declarations(
    *,
    actor: Actor,
    file: IO[bytes] | bytes,
    name: str = "",
    today: date | None = None,
) -> Outcome:
    """Check every row, then write all the declarations or none (see the module)."""
    if not actor.can_write or not actor.is_company_contact:
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
    )


# -- the template -------------------------------------------------------------------------


def _first_undeclared(start: date, declared: set[date], *, today: date) -> date | None:
    """The first month of an assignment with no declaration yet, from its start (or the
    oldest month still accepted) to the current month; None when all are declared."""
    oldest = add_months(first_of_month(today), -OLDEST_MONTHS)
    month = max(first_of_month(start), oldest)
    while month <= today:
        if month not in declared:
            return month
        month = add_months(month, 1)
    return None


def _template_rows(actor: Actor, today: date) -> list[list[str]]:
    """One row per mission still to declare, with the first month not declared yet; the
    values are left for the user. Two queries."""
    assignments = list(
        policies.declarable_assignments(actor)
        .select_related("participant")
        .order_by("pk")[:MAX_ROWS]
    )
    declared: dict[int, set[date]] = {}
    oldest = add_months(first_of_month(today), -OLDEST_MONTHS)
    for assignment_id, month in HourDeclaration.objects.filter(
        assignment__in=[a.pk for a in assignments], month__gte=oldest
    ).values_list("assignment_id", "month"):
        declared.setdefault(assignment_id, set()).add(month)
    rows = []
    for assignment in assignments:
        month = _first_undeclared(
            assignment.start_date, declared.get(assignment.pk, set()), today=today
        )
        if month is None or (assignment.end_date and assignment.end_date < month):
            continue
        rows.append(
            [str(assignment.pk), str(assignment.participant), f"{month:%m/%Y}", "", "", "", ""]
        )
    return rows


def template_csv(actor: Actor, *, today: date | None = None) -> bytes:
    """The template as CSV; a participant named like a formula stays text (neutralised)."""
    header = [FIELD_LABELS[k] for k in COLUMNS]
    return csv_bytes([header, *_template_rows(actor, today or timezone.localdate())])


def template_xlsx(actor: Actor, *, today: date | None = None) -> bytes:
    """The template as XLSX, saved by the neutralising writer: a participant named
    "=HYPERLINK(…)" is text in the file, never a live formula (#11.3)."""
    from openpyxl.styles import Font

    workbook = new_workbook()
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
    return workbook_bytes(workbook)
