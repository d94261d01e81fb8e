"""Masking marks explained wherever a masked table goes (#12.3): under the table on the
page, in the PDF's template, in the XLSX and CSV exports."""

import io

from django.template.loader import render_to_string
from openpyxl import load_workbook

from clauses.reporting import exports, masking
from clauses.reporting.reports import Row, Table


def _table() -> Table:
    cells, total = masking.mask_breakdown([3, 11, 40], limit=5)
    pairs = enumerate(zip("ABC", cells, strict=True))
    rows = [Row(f"k{i}", label, cell) for i, (label, cell) in pairs]
    return Table("public", "Publics", "Public", "Personnes", rows, total=Row("t", "Total", total))


def test_the_table_knows_which_marks_it_shows():
    assert _table().legend == masking.legend(5)
    cells, total = masking.mask_breakdown([12, 11, 40], limit=5)
    plain = Table("x", "X", "X", "N", [Row("a", "A", c) for c in cells])
    assert plain.legend == []


def test_the_page_explains_the_marks_under_the_table():
    html = render_to_string("reporting/_table.html", {"table": _table(), "export_base": ""})
    assert "« s »" in html and "secret secondaire" in html
    assert ">s<" in html  # the cell holding 11 reads « s », not « < 5 »


def test_exports_carry_the_marks_and_their_legend():
    rows = exports.table_rows(_table())
    assert ["B", "s"] in rows
    assert [masking.legend(5)[1]] in rows
    csv = exports.to_csv(rows).decode("utf-8-sig")
    assert "secret secondaire" in csv
    book = load_workbook(io.BytesIO(exports.to_xlsx([("Publics", rows)])))
    texts = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert "s" in texts and any("secret secondaire" in str(t) for t in texts)
