"""The markets import on hostile files (#11.2) and its template (#11.3): the same reader
and the same writers as the hours import (clauses.core.spreadsheets)."""

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from clauses.markets import imports
from clauses.markets.models import Market

HEADER = [c.header for c in imports.COLUMNS]


def _far_cell_file() -> bytes:
    """5 KB: a sheet declaring A1:AX1048576 with one cell in the last row (13 s and 500 MB
    in openpyxl's padding before)."""
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:AX1048576"/>', data
                )
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>2026-X</t></is>'
                    b"</c></row></sheetData>",
                )
            target.writestr(info.filename, data)
    return out.getvalue()


def test_the_far_cell_file_is_read_by_its_content_and_refused_by_line(world):
    raw = _far_cell_file()
    assert len(raw) < 6_000
    rows, report = imports.validate_rows(raw, name="m.xlsx")
    assert report.rows == 1  # the far row only: no million padded rows
    assert {p.line for p in report.errors} == {1_048_576}
    assert "Objet" in {p.column for p in report.errors}
    assert not Market.objects.exists()


def test_more_rows_than_the_cap_stop_the_reading(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    raw = ("\n".join([";".join(HEADER)] + [";".join(imports.EXAMPLE_ROW)] * 4)).encode()
    _, report = imports.validate_rows(raw, name="m.csv")
    assert [str(p) for p in report.errors] == ["ligne 1 : 2 lignes au plus par import."]


def test_an_undecodable_csv_is_refused_in_french_not_a_500(world):
    """cp1252 leaves five bytes undefined: the old loop left `text` unbound (a 500)."""
    _, report = imports.validate_rows(b"R\x81f\xe9rence;Objet\n", name="m.csv")
    assert "encodage du fichier non reconnu" in report.errors[0].message


@pytest.mark.parametrize("amount", ["1e30", "inf", 1e30])
def test_absurd_amounts_are_named_by_line_and_column(world, amount):
    workbook = Workbook()
    workbook.active.append(HEADER)
    values = list(imports.EXAMPLE_ROW)
    values[HEADER.index("Montant estimé HT")] = amount
    workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, report = imports.validate_rows(buffer.getvalue(), name="m.xlsx")
    assert [(p.line, p.column) for p in report.errors] == [(2, "Montant estimé HT")]


def test_the_template_is_written_by_the_neutralising_writers():
    sheet = load_workbook(io.BytesIO(imports.template_xlsx())).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    text = imports.template_csv().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text), delimiter=";")) == HEADER
