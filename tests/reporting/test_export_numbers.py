"""The reports' XLSX and CSV hold numbers as numbers (#12.12): the « Synthèse » sheet and
the summary CSV write the figures the page shows as « 33 722 h » as number cells with
their formats, and as plain numbers with a decimal comma in the `;` CSV."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from clauses.core import spreadsheets
from clauses.desk.models import Request
from clauses.markets.models import Market
from clauses.reporting import exports, periods, reports
from clauses.reporting.policies import BUYER, Scope
from tests.reporting.conftest import Dataset

pytestmark = pytest.mark.django_db


def _report(dataset: Dataset) -> reports.Report:
    scope = Scope(
        kind=BUYER, key="x", label="Jeu",
        markets=Market.objects.filter(pk__in=[m.pk for m in dataset.markets]),
        requests=Request.objects.none(),
    )  # fmt: skip
    return reports.clause_report(scope, periods.year(2025))


def test_the_summary_sheet_and_csv_hold_numbers(dataset: Dataset):
    report = _report(dataset)
    figures = dict(report.figures)
    counted = figures["Heures comptées sur la période"]
    assert counted.endswith(" h")  # the page's text is unchanged
    book = load_workbook(io.BytesIO(exports.report_xlsx(report)))
    summary = {row[0].value: row[1] for row in book["Synthèse"].iter_rows() if len(row) > 1}
    cell = summary["Heures comptées sur la période"]
    assert isinstance(cell.value, int | float) and cell.value == counted.value
    assert cell.number_format in (spreadsheets.INTEGER, spreadsheets.DECIMAL)
    share = summary["Part de l'objectif réalisée"]
    if report.summary.share_achieved is not None:
        assert isinstance(share.value, float) and share.number_format.endswith("%")
    participants = summary["Participants et participantes"]
    assert isinstance(participants.value, int) or participants.value.startswith(("<", "s"))
    assert not any(
        isinstance(c.value, str) and c.value.endswith((" h", " ETP", " %"))
        for row in book["Synthèse"].iter_rows()
        for c in row
    )
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert "Heures validées non comptées" in book.sheetnames  # cut at a word

    text = exports.report_csv(report, "synthese").decode("utf-8-sig")
    rows = dict(row for row in csv.reader(io.StringIO(text), delimiter=";") if len(row) == 2)
    written = rows["Heures comptées sur la période"]
    assert " " not in written and "h" not in written and "." not in written
    assert float(written.replace(",", ".")) == counted.value
    comma = exports.report_csv(report, "synthese", separator=",").decode("utf-8-sig")
    assert (
        ","
        not in next(
            row for row in csv.reader(io.StringIO(comma)) if row[0].startswith("Heures comptées")
        )[1]
    )


def test_the_consolidation_sheet_holds_numbers_and_masked_counts_as_text():
    rows = [
        (
            "Île-de-France",
            {"hours": 33722.0, "fte": 21.1, "contracts": 1200, "participants": "< 5"},
        ),
        ("Bretagne", {"hours": 12.5, "fte": 0.0, "contracts": 0, "participants": 40}),
    ]
    content = exports.consolidation_xlsx("Consolidation", 2025, rows, edited=date(2026, 1, 15))
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Consolidation 2025"
    body = {row[0].value: row for row in sheet.iter_rows() if row[0].value in dict(rows)}
    header = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "Territoire")]
    idf, bzh = body["Île-de-France"], body["Bretagne"]
    hours = header.index("Heures d'insertion comptées")
    assert (idf[hours].value, idf[hours].number_format) == (33722, spreadsheets.INTEGER)
    assert (bzh[hours].value, bzh[hours].number_format) == (12.5, spreadsheets.DECIMAL)
    fte = header.index("ETP (1 600 h)")
    assert (idf[fte].value, idf[fte].number_format) == (21.1, spreadsheets.DECIMAL)
    contracts = header.index("Contrats de travail")
    assert (idf[contracts].value, idf[contracts].number_format) == (1200, spreadsheets.INTEGER)
    people = header.index("Participants")
    assert idf[people].value == "< 5" and bzh[people].value == 40
