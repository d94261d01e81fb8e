"""The spreadsheet we hand out imports as it is once filled (#12.5): downloaded from the
page, filled with openpyxl (only the rows needed), uploaded to the page, hours recorded;
the month proposed is the first not declared yet; blank rows are ignored."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from clauses.accounts.enums import Role
from clauses.hours import imports, services
from clauses.hours.models import HourDeclaration
from tests.hours.test_views import log

pytestmark = pytest.mark.django_db


def test_downloaded_template_filled_and_uploaded_records_the_hours(client, hw):
    services.declare(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=date(2025, 9, 1),
        hours=Decimal(70),
    )
    other = hw.assign(hw.new_participant("Noé Blanc"), hw.lot, start=date(2026, 1, 5))
    log(client, hw.company, Role.COMPANY_CONTACT)
    response = client.get(reverse("hours:template", args=["xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Déclarations"]
    headers = [c.value for c in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {str(hw.assignment.pk), str(other.pk)}
    month_column = headers.index("Mois")
    # the first month not declared yet, per mission
    assert rows[str(hw.assignment.pk)][month_column].value == "10/2025"
    assert rows[str(other.pk)][month_column].value == "01/2026"
    rows[str(hw.assignment.pk)][headers.index("Heures")].value = 35  # the other row: blank
    filled = io.BytesIO()
    workbook.save(filled)
    upload = SimpleUploadedFile("declarations-heures.xlsx", filled.getvalue())
    response = client.post(reverse("hours:upload"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    created = HourDeclaration.objects.get(assignment=hw.assignment, month=date(2025, 10, 1))
    assert created.declared_hours == 35
    assert not HourDeclaration.objects.filter(assignment=other).exists()
    # the next template proposes the month after
    again = load_workbook(io.BytesIO(client.get(reverse("hours:template", args=["xlsx"])).content))
    months = {r[0].value: r[month_column].value for r in again.worksheets[0].iter_rows(min_row=2)}
    assert months[str(hw.assignment.pk)] == "11/2025"


def test_the_csv_template_round_trips_too(hw):
    actor = hw.actor("company")
    raw = imports.template_csv(actor, today=date(2026, 6, 15)).decode("utf-8-sig")
    lines = raw.strip().splitlines()
    filled = lines[0] + "\n" + lines[1].replace(";;;;", ";42;;;", 1) + "\n"
    outcome = imports.import_declarations(
        actor=actor, file=filled.encode(), name="m.csv", today=date(2026, 6, 15)
    )
    assert outcome.ok and outcome.created == 1, [str(p) for p in outcome.problems]


def test_a_template_left_entirely_blank_says_so(hw):
    actor = hw.actor("company")
    raw = imports.template_xlsx(actor, today=date(2026, 6, 15))
    outcome = imports.import_declarations(actor=actor, file=raw, name="m.xlsx")
    assert [p.message for p in outcome.problems][0].startswith("aucune ligne remplie")
