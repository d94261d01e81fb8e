"""Every CSV and XLSX the project writes goes through the neutralising writers of
clauses.core.spreadsheets (#11.3): csv_bytes and workbook_bytes neutralise every cell, so
a module that writes spreadsheets any other way is a formula injection waiting to happen.
The writers themselves are tested in test_spreadsheets.py, and each writer path with a
hostile name in its app's tests (hours template, markets template, reporting exports,
right-of-access workbook)."""

import pathlib
import re

from clauses.core import spreadsheets

# CSV that no person opens in a spreadsheet: the DECP rows streamed into PostgreSQL COPY.
NOT_FOR_PEOPLE = {"observatory/services.py"}

_CSV_WRITER = re.compile(r"csv\.(writer|DictWriter)\(")
_WORKBOOK = re.compile(r"\bWorkbook\(|openpyxl\.Workbook\b")
_SAVE = re.compile(r"\b\w*(workbook|book|wb)\w*\.save\(", re.IGNORECASE)


def _writes_around_core(text: str) -> bool:
    if _CSV_WRITER.search(text) or _WORKBOOK.search(text):
        return True
    return "openpyxl" in text and bool(_SAVE.search(text))


def test_no_module_writes_a_spreadsheet_around_the_neutralising_writers():
    root = pathlib.Path(spreadsheets.__file__).parents[1]
    offenders = [
        name
        for path in root.rglob("*.py")
        if (name := str(path.relative_to(root))) not in NOT_FOR_PEOPLE | {"core/spreadsheets.py"}
        and _writes_around_core(path.read_text())
    ]
    assert offenders == []


def test_the_guard_sees_a_writer_around_core():
    assert _writes_around_core("import csv\nw = csv.writer(buffer)")
    assert _writes_around_core("from openpyxl import Workbook\nbook = Workbook()")
    assert _writes_around_core("import openpyxl\nworkbook.save(buffer)")
    assert not _writes_around_core("import openpyxl\nmarket.save()")
    assert not _writes_around_core("from clauses.core.spreadsheets import csv_bytes")
