"""Spreadsheets in and out: reading a CSV or XLSX upload safely, and neutralising every
cell the project writes.

Reading (`iter_table`, `read_table`) never trusts what a file declares about itself:

- the upload is refused above `max_bytes`; an XLSX is a zip, so before openpyxl opens it
  the count of its members and their total uncompressed size are bounded (`MAX_MEMBERS`,
  `MAX_UNPACKED_BYTES`; Python's zip reader never inflates a member beyond its declared
  size), and a member declaring a DOCTYPE or an entity (never in a real workbook) is
  refused;
- the sheet is read in openpyxl's read-only mode with its declared dimensions dropped (a
  5 KB file declaring `A1:AX1048576` once made openpyxl pad a million rows of 50 cells);
  `max_columns` columns are read, a value beyond them is refused, and reading stops at the
  first non-empty row past the header and `max_rows` data rows, or past Excel's last row;
- CSV is decoded as UTF-8 (with or without BOM), else Windows-1252, else refused; the
  separator is `;`, `,` or a tab, whichever the first line uses most;
- a cell holding a formula is never evaluated: an XLSX formula, or a text cell (XLSX or
  CSV) starting with "=" or "@", or with "+" or "-" not followed by a number, comes back as
  a `Formula`, which the imports refuse.

Every problem is a `SpreadsheetError` whose text is French, for the "ligne 1" of an import
report. Rows come back as `(line, values)` with the line of the file (1 = first), empty
rows left out.

Writing: `neutralise()` is the one function that makes a cell safe for a spreadsheet
(CWE-1236, OWASP "CSV injection"): text starting with =, +, -, @, a tab or a carriage
return gets a leading quote and stays text; numbers stay numbers. `csv_bytes()` and
`workbook_bytes()` apply it to every cell they write, whatever built the rows or the
workbook; no other module writes CSV or saves a workbook (a test checks it).
"""

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 200
MAX_COLUMNS = 50
EXCEL_MAX_ROW = 1_048_576

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What an import takes for a formula: "=", "@", or a sign not followed by a number.
_FORMULA = re.compile(r"^[=@]|^[+\-](?![\d\s.,])")
_XML_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1024 * 1024

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

Row = tuple[int, list[Any]]


class SpreadsheetError(ValueError):
    """Why a file cannot be read, in French (`str(error)`)."""


class Formula:
    """A cell that holds a formula (refused by the imports, never evaluated)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


def is_formula(text: str) -> bool:
    return bool(_FORMULA.match(text.strip()))


# -- reading ----------------------------------------------------------------------------


def iter_table(
    raw: bytes,
    *,
    name: str = "",
    max_rows: int = 5000,
    max_columns: int = MAX_COLUMNS,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Row]:
    """The non-empty rows of the first sheet (or of the CSV file), header included, as
    `(line, values)`; at most `max_rows + 1` of them are yielded before a
    `SpreadsheetError` says the file has too many lines."""
    if len(raw) > max_bytes:
        raise SpreadsheetError(f"le fichier dépasse {max_bytes // (1024 * 1024)} Mo.")
    if raw[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(raw, max_columns)
    elif name.lower().endswith((".xls", ".ods")) or b"\x00" in raw[:1024]:
        raise SpreadsheetError("format non pris en charge : utilisez un fichier CSV ou XLSX.")
    else:
        rows = _csv_rows(raw, max_columns)
    kept = 0
    for line, values in rows:
        if not any(_filled(value) for value in values):
            continue
        kept += 1
        if kept > max_rows + 1:
            raise SpreadsheetError(f"{max_rows} lignes au plus par import.")
        yield line, values


def read_table(raw: bytes, **limits: Any) -> list[Row]:
    """`iter_table` as a list (the same limits)."""
    return list(iter_table(raw, **limits))


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _cell(value: Any, data_type: str | None = None) -> Any:
    if data_type == "f":
        return Formula(str(value))
    if isinstance(value, str) and is_formula(value):
        return Formula(value)
    return value


def _width(values: list[Any], max_columns: int, line: int) -> list[Any]:
    if len(values) > max_columns:
        if any(_filled(value) for value in values[max_columns:]):
            raise SpreadsheetError(
                f"ligne {line} : des valeurs au-delà de la colonne {max_columns} "
                f"({max_columns} colonnes au plus)."
            )
        values = values[:max_columns]
    return values


def _check_zip(raw: bytes) -> None:
    """Refuse a zip that would inflate beyond the limits, or declare XML entities, before
    openpyxl reads any of it."""
    unreadable = SpreadsheetError(
        "le fichier n'est pas un classeur XLSX lisible (enregistrez-le au format Excel "
        ".xlsx ou CSV)."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise SpreadsheetError(f"le classeur contient trop d'éléments ({MAX_MEMBERS} au plus).")
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise SpreadsheetError(
                f"le classeur décompressé dépasse {MAX_UNPACKED_BYTES // (1024 * 1024)} Mo."
            )
        try:
            for member in members:
                if not member.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(_CHUNK):
                        window = tail + chunk
                        if any(mark in window for mark in _XML_DECLARATIONS):
                            raise SpreadsheetError(
                                "le classeur contient des déclarations XML refusées "
                                "(DOCTYPE ou entités) : enregistrez-le à nouveau depuis "
                                "votre tableur."
                            )
                        tail = window[-16:]
        except SpreadsheetError:
            raise
        except Exception as exc:  # noqa: BLE001 — a broken archive is the user's file
            raise unreadable from exc


def _xlsx_rows(raw: bytes, max_columns: int) -> Iterator[Row]:
    _check_zip(raw)
    from openpyxl import load_workbook

    unreadable = (
        "le fichier n'est pas un classeur XLSX lisible (enregistrez-le au format Excel "
        ".xlsx ou CSV)."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about parts it drops
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 — a broken workbook is the user's file
        raise SpreadsheetError(unreadable) from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("le classeur n'a aucune feuille.")
        yield from _sheet_rows(workbook, workbook.worksheets[0], max_columns, unreadable)
    finally:
        workbook.close()


def _sheet_rows(workbook: Any, sheet: Any, max_columns: int, unreadable: str) -> Iterator[Row]:
    """The rows the sheet's XML holds, as openpyxl's read-only mode parses them, but without
    its filling of missing rows and columns up to the declared dimensions (the cost of the
    hostile file): rows and cells absent from the file cost nothing here."""
    from openpyxl.worksheet._reader import WorkSheetParser

    with sheet._get_source() as source:  # noqa: SLF001 — what ReadOnlyWorksheet reads
        parser = WorkSheetParser(
            source,
            workbook.shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,  # noqa: SLF001
            timedelta_formats=workbook._timedelta_formats,  # noqa: SLF001
        )
        rows = parser.parse()
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # extensions openpyxl does not read
                    line, cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 — malformed sheet XML is the user's file
                raise SpreadsheetError(unreadable) from exc
            if not 0 < line <= EXCEL_MAX_ROW:
                raise SpreadsheetError(f"le classeur a une ligne hors des limites ({line}).")
            values: list[Any] = []
            for cell in cells:
                column, value = cell["column"], cell["value"]
                if value is None:
                    continue
                if column > max_columns:
                    raise SpreadsheetError(
                        f"ligne {line} : des valeurs au-delà de la colonne {max_columns} "
                        f"({max_columns} colonnes au plus)."
                    )
                values.extend([None] * (column - len(values)))
                values[column - 1] = _cell(value, cell["data_type"])
            yield line, values


def decode_text(raw: bytes) -> str:
    """A text file's content: UTF-8 (with or without BOM), else Windows-1252, else a
    `SpreadsheetError` in French. The one rule for every CSV or text file people send."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(
        "encodage du fichier non reconnu : enregistrez-le en « CSV UTF-8 » ou en XLSX."
    )


def _csv_rows(raw: bytes, max_columns: int) -> Iterator[Row]:
    text = decode_text(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SpreadsheetError(
                f"ligne {reader.line_num} : le fichier CSV est mal formé ({exc})."
            ) from exc
        yield line, _width([_cell(value) for value in values], max_columns, line)
        line = reader.line_num + 1


# -- writing ----------------------------------------------------------------------------

# Excel number formats (ECMA-376 §18.8.31): "#,##0" groups thousands, "0.0" one decimal,
# "%" multiplies by 100; the reader's locale chooses the separators it shows.
INTEGER = "#,##0"
DECIMAL = "#,##0.0"
PERCENT = "0%"
PERCENT_DECIMAL = "0.0%"
AMOUNT = '#,##0.00\\ "€"'
TEXT = "@"

SHEET_TITLE_MAX = 31  # Excel refuses a longer sheet name
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

Numeric = int | float | Decimal


class Number(str):
    """A figure as a page shows it (the `str` itself, « 33 722 h ») with the value and the
    `number_format` a spreadsheet cell takes. `value` None (no figure: « — ») is written as
    the text."""

    value: Numeric | None
    number_format: str

    def __new__(cls, text: str, value: Numeric | None, number_format: str) -> "Number":
        number = super().__new__(cls, text)
        number.value = value
        number.number_format = number_format
        return number

    def __reduce__(self) -> tuple:
        return (Number, (str(self), self.value, self.number_format))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _integral(value: Numeric) -> bool:
    return float(value).is_integer()


def number_format_of(value: Numeric) -> str:
    """The format of a plain number: `INTEGER` for a whole number, else `DECIMAL`."""
    return INTEGER if _integral(value) else DECIMAL


def count(value: int, text: str | None = None) -> Number:
    """A count (contracts, markets, people unmasked): « 1 200 »."""
    return Number(str(value) if text is None else text, value, INTEGER)


def quantity(value: Numeric | None, text: str | None = None) -> Number:
    """Hours, full-time equivalents, days: one decimal at most (« 33 722 », « 12,5 »)."""
    if value is None:
        return Number("—" if text is None else text, None, DECIMAL)
    rounded = round(float(value), 1)
    return Number(
        _plain(rounded, ",") if text is None else text, rounded, number_format_of(rounded)
    )


def share(fraction: float | None, text: str | None = None) -> Number:
    """A share as a fraction of 1 (0.457), shown « 45,7 % » (one decimal at most)."""
    if fraction is None:
        return Number("—" if text is None else text, None, PERCENT)
    rounded = round(float(fraction), 3)
    shown = text if text is not None else _plain(round(rounded * 100, 1), ",") + " %"
    return Number(
        shown, rounded, PERCENT if _integral(round(rounded * 100, 6)) else PERCENT_DECIMAL
    )


def amount(value: Numeric | None, text: str | None = None) -> Number:
    """An amount in euros: « 1 200 000,00 € »."""
    if value is None:
        return Number("—" if text is None else text, None, AMOUNT)
    rounded = round(float(value), 2)
    return Number(_plain(rounded, ",") + " €" if text is None else text, rounded, AMOUNT)


def _plain(value: Numeric, decimal_mark: str) -> str:
    """A number as a CSV holds it: no thousands separator, no exponent, no trailing zero."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(str(value)) if isinstance(value, float) else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", decimal_mark)


def csv_value(value: object, *, separator: str = ";") -> object:
    """A cell as `csv_bytes` writes it: numbers as plain numbers, with a decimal comma
    when the separator is `;` (French Excel), text neutralised."""
    mark = "," if separator == ";" else "."
    if isinstance(value, Number):
        if value.value is None:
            return neutralise(str(value))
        if value.number_format in (PERCENT, PERCENT_DECIMAL):
            return _plain(round(float(value.value) * 100, 1), mark) + "%"
        if value.number_format == AMOUNT:
            return f"{float(value.value):.2f}".replace(".", mark)
        return _plain(value.value, mark)
    if _is_number(value):
        return _plain(value, mark)  # type: ignore[arg-type]
    return neutralise(value)


def neutralise(value: object) -> object:
    """A cell safe for a spreadsheet: text that could start a formula gets a leading
    quote; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[object]], *, separator: str = ";") -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel then reads the accents), lines ended by
    CRLF, every cell neutralised, numbers written by `csv_value`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_value(value, separator=separator) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_title(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts, unique among `used` (compared ignoring case, as Excel
    does) and added to it: the forbidden characters dropped, a name over 31 characters cut
    at the last word boundary that fits, « (2) », « (3) »… added to a repeated name."""
    base = " ".join(_SHEET_FORBIDDEN.sub("", text).split()).strip("'") or "Feuille"
    taken = {name.casefold() for name in used}
    n = 1
    while True:
        suffix = "" if n == 1 else f" ({n})"
        title = _cut_at_word(base, SHEET_TITLE_MAX - len(suffix)) + suffix
        if title.casefold() not in taken:
            used.add(title)
            return title
        n += 1


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else ""
    cut = cut.rstrip(" -—–,;.('")
    return cut if cut else text[:limit]


def append_row(sheet: "Worksheet", row: Sequence[object], *, format_plain: bool = True) -> None:
    """Append `row` to `sheet`: a `Number` as its value and format, a plain number with
    `number_format_of` (unless `format_plain` is false: a sheet of years or identifiers
    keeps Excel's « Standard »), anything else as is (text is neutralised by
    `workbook_bytes`)."""
    values = [
        (value.value if value.value is not None else str(value))
        if isinstance(value, Number)
        else value
        for value in row
    ]
    sheet.append(values)
    line = sheet._current_row  # noqa: SLF001 — the row `append` just wrote
    for column, value in enumerate(row, start=1):
        if isinstance(value, Number):
            if value.value is not None:
                sheet.cell(line, column).number_format = value.number_format
        elif format_plain and _is_number(value):
            sheet.cell(line, column).number_format = number_format_of(value)  # type: ignore[arg-type]


def new_workbook(*, empty: bool = False) -> "Workbook":
    """An openpyxl workbook (with no sheet when `empty`), to be saved by `workbook_bytes`."""
    from openpyxl import Workbook

    workbook = Workbook()
    if empty:
        workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: "Workbook") -> bytes:
    """The XLSX file of `workbook`, every text cell neutralised first (openpyxl would
    otherwise store a text starting with "=" as a live formula)."""
    for sheet in workbook.worksheets:
        # The cells written so far (iter_rows would create the empty ones in between).
        for cell in list(sheet._cells.values()):  # noqa: SLF001
            safe = neutralise(cell.value)
            if safe is not cell.value:
                cell.value = safe
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
