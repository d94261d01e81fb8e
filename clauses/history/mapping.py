"""From a row of cells to typed values, by the mapping of columns and values (pure).

Each parser takes whatever a cell holds (text, number, date, a `Formula`, None) and returns
the typed value or raises `CellError` with a French message (it follows « ligne N,
colonne X : »). Dates as tools export them: 15/03/2021, 15/03/21, 2021-03-15, 15.03.2021, an
XLSX date; months: 03/2021, 2021-03, « mars 2021 », « mars-21 », or any date of the month.
Numbers the French way through `clauses.core.numbers`.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from clauses.core.dates import first_of_month
from clauses.core.numbers import NumberError, parse_decimal, parse_integer
from clauses.core.spreadsheets import Formula
from clauses.core.text import compact, fold
from clauses.history import fields

__all__ = ["Formula", "CellError"]

MAX_TEXT = 300
OLDEST_YEAR = 1900
LATEST_YEAR = 2100
_SEPARATORS = re.compile(r"\s*[,;/+|\n]\s*|\s+et\s+")


class CellError(ValueError):
    """Why a cell cannot be read, in French."""


def positions(headers: list[str], columns: dict[str, str | None]) -> dict[str, int]:
    """{field_key: index of its column} for the mapped fields whose header is in the file."""
    index = {header: position for position, header in enumerate(headers)}
    return {
        key: index[header]
        for key, header in (columns or {}).items()
        if key in fields.FIELDS_BY_KEY and isinstance(header, str) and header in index
    }


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _shown(cell: Any) -> str:
    text = str(cell).strip().replace("\n", " ")
    return text if len(text) <= 40 else text[:40] + "…"


def _refuse_formula(cell: Any) -> None:
    if isinstance(cell, Formula):
        raise CellError("formule refusée : saisissez la valeur elle-même.")


def labels_of(cell: Any, *, multiple: bool = False) -> list[str]:
    """The labels a choice cell holds ("RSA, QPV" → two when `multiple`)."""
    if is_blank(cell) or isinstance(cell, Formula):
        return []
    if isinstance(cell, datetime.datetime | datetime.date):
        text = cell.isoformat()
    elif isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    else:
        text = str(cell)
    text = " ".join(text.split())[:MAX_TEXT]
    if not multiple:
        return [text] if text else []
    return [part for part in _SEPARATORS.split(text) if part.strip()]


# -- parsers --------------------------------------------------------------------------------


def parse_text(cell: Any, *, max_length: int = MAX_TEXT) -> str:
    _refuse_formula(cell)
    if is_blank(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    text = " ".join(str(cell).split())
    limit = max_length or MAX_TEXT
    if len(text) > limit:
        raise CellError(f"texte trop long ({len(text)} caractères, {limit} au plus).")
    return text


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[/.\-](\d{1,2})$")
_MONTH_NAMES = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "mar": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_NAMED_MONTH = re.compile(r"^(?:(\d{1,2}) )?([a-z]+) (\d{2}|\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # "21" → 2021, "85" → 1985 (a birth year or an old export)
        year += 2000 if year <= datetime.date.today().year % 100 + 1 else 1900  # noqa: DTZ011
    return year


def _make(year: int, month: int, day: int, shown: str) -> datetime.date:
    if not OLDEST_YEAR <= year <= LATEST_YEAR:
        raise CellError(f"« {shown} » : année hors de {OLDEST_YEAR} à {LATEST_YEAR}.")
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(f"« {shown} » n'est pas une date valide.") from exc


def parse_date(cell: Any) -> datetime.date | None:
    """A calendar day, or None for an empty cell."""
    _refuse_formula(cell)
    if is_blank(cell):
        return None
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    if isinstance(cell, datetime.date):
        return _make(cell.year, cell.month, cell.day, cell.isoformat())
    if isinstance(cell, bool | int | float | Decimal):
        raise CellError(f"« {_shown(cell)} » n'est pas une date (JJ/MM/AAAA).")
    text = str(cell).strip()
    shown = _shown(text)
    if match := _DAY_FIRST.match(text):
        return _make(_year(match[3]), int(match[2]), int(match[1]), shown)
    if match := _ISO.match(text.lower()):
        return _make(int(match[1]), int(match[2]), int(match[3]), shown)
    folded = fold(text, expand=False)
    if (match := _NAMED_MONTH.match(folded)) and match[1] and match[2] in _MONTH_NAMES:
        return _make(_year(match[3]), _MONTH_NAMES[match[2]], int(match[1]), shown)
    raise CellError(f"« {shown} » n'est pas une date (JJ/MM/AAAA).")


def parse_month(cell: Any) -> datetime.date | None:
    """The first day of a month, or None for an empty cell."""
    _refuse_formula(cell)
    if is_blank(cell):
        return None
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    if isinstance(cell, datetime.date):
        return first_of_month(_make(cell.year, cell.month, cell.day, cell.isoformat()))
    if isinstance(cell, bool | int | float | Decimal):
        raise CellError(f"« {_shown(cell)} » n'est pas un mois (MM/AAAA).")
    text = str(cell).strip()
    shown = _shown(text)
    if match := _MONTH_YEAR.match(text):
        return _make(int(match[2]), int(match[1]), 1, shown)
    if match := _YEAR_MONTH.match(text):
        return _make(int(match[1]), int(match[2]), 1, shown)
    folded = fold(text, expand=False)
    if (match := _NAMED_MONTH.match(folded)) and match[2] in _MONTH_NAMES:
        return _make(_year(match[3]), _MONTH_NAMES[match[2]], 1, shown)
    try:
        day = parse_date(text)
    except CellError:
        raise CellError(f"« {shown} » n'est pas un mois (MM/AAAA).") from None
    return first_of_month(day) if day else None


def parse_whole(cell: Any, *, minimum: int = 0, maximum: int = 10**9) -> int | None:
    _refuse_formula(cell)
    if is_blank(cell):
        return None
    try:
        return parse_integer(cell, minimum=minimum, maximum=maximum)
    except NumberError as exc:
        raise CellError(str(exc)) from exc


def parse_number(cell: Any, *, minimum: int = 0, maximum: int = 10**9) -> Decimal | None:
    _refuse_formula(cell)
    if is_blank(cell):
        return None
    if isinstance(cell, str):
        cell = cell.strip().removesuffix("h").removesuffix("H").strip()
    try:
        return parse_decimal(cell, places=2, minimum=minimum, maximum=maximum)
    except NumberError as exc:
        raise CellError(str(exc)) from exc


def parse_choice(cell: Any, field_key: str, values: dict) -> list[str]:
    """The codes of a choice cell, by the value mapping (`{label: code}`, labels compared
    folded), else by the catalogue's own codes and labels. A label mapped to
    `fields.IGNORE` is dropped. An unknown label is an error."""
    _refuse_formula(cell)
    spec = fields.FIELDS_BY_KEY[field_key]
    allowed = fields.choice_codes(field_key)
    chosen = {compact(str(label)): code for label, code in (values.get(field_key) or {}).items()}
    codes: list[str] = []
    for label in labels_of(cell, multiple=spec.multiple):
        folded = compact(label)
        code = chosen.get(folded)
        if code is None:
            code = fields.suggest_value(field_key, label)
        if code == fields.IGNORE:
            continue
        if code is None or code not in allowed:
            raise CellError(f"valeur « {_shown(label)} » non reconnue : associez-la à un code.")
        if code not in codes:
            codes.append(code)
    return codes
