"""The engine end to end: a file becomes participants, validations, markets, lots, clauses,
assignments and counted hours; all or nothing; re-importing matches everything."""

from decimal import Decimal

import pytest
from django.db import connection

from clauses.followup.models import Assignment, EligibilityValidation, Participant
from clauses.history.services import ImportInvalid
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Market
from tests.history.engine_support import D, row
from tests.history.engine_support import fw as fw  # noqa: F401
from tests.history.engine_support import hw as hw  # noqa: F401
from tests.history.engine_support import world as world  # noqa: F401

pytestmark = pytest.mark.django_db


def months_rows(months=("03/2024", "04/2024", "05/2024"), **overrides):
    return [row(Mois=month, **overrides) for month in months]


def test_a_person_month_file_creates_every_entity_and_counts_hours(hw):
    record = hw.run(months_rows())
    counts = record.counts
    assert counts["person"] == {"created": 1, "matched": 0, "skipped": 0}
    assert counts["eligibility"]["created"] == 1
    assert counts["market"]["created"] == 1
    assert counts["assignment"]["created"] == 1
    assert counts["hours"]["created"] == 3
    person = Participant.objects.get(last_name="Dupont")
    assert person.structure == hw.structure
    validation = EligibilityValidation.objects.get(participant=person)
    assert [c.code for c in validation.criteria.all()] == ["minimum_benefits"]
    assert validation.valid_until == D(2026, 2, 28)  # 24 months from the first contract
    market = Market.objects.get(reference="HIST-2024-01")
    assert market.buyer.name == "Ville de Saint-Denis (test)"
    assert market.following_structure == hw.structure
    assignment = Assignment.objects.get(participant=person)
    assert assignment.modality == "subcontract_siae"
    hours = HourDeclaration.objects.filter(assignment=assignment)
    assert sorted(h.counted_hours for h in hours) == [Decimal(35)] * 3
    assert {h.status for h in hours} == {"validated"}


def test_reimporting_the_same_file_creates_nothing(hw):
    hw.run(months_rows())
    again = hw.run(months_rows())
    assert all(c["created"] == 0 for c in again.counts.values())
    assert again.counts["hours"]["matched"] == 3
    assert again.counts["person"]["matched"] == 1
    assert HourDeclaration.objects.count() == 3


def test_one_wrong_row_writes_nothing(hw):
    rows = months_rows() + [row(Mois="13/2024")]
    with pytest.raises(ImportInvalid) as caught:
        hw.run(rows)
    assert caught.value.problems[0].line == 5
    assert caught.value.problems[0].column == "Mois"
    assert not Participant.objects.filter(last_name="Dupont").exists()
    assert not Market.objects.filter(reference="HIST-2024-01").exists()


def test_hours_outside_eligibility_say_why_per_clause(hw):
    # validated after the first month: March does not count
    preview = hw.preview(months_rows(**{"Date de validation": "01/04/2024", "Modalité": "CDD"}))
    assert preview.is_valid, preview.problems
    assert preview.uncounted
    assert preview.uncounted[0]["market"] == "HIST-2024-01"
    assert Decimal(preview.uncounted[0]["hours"]) == Decimal(35)


def test_imported_hours_are_counted_exactly_as_the_hours_app_counts(hw):
    from clauses.hours.services import recount

    # validated in April, CDD: March out of eligibility, later months counted
    hw.run(months_rows(**{"Date de validation": "01/04/2024", "Modalité": "CDD"}))
    declarations = HourDeclaration.objects.all()
    counted = sorted((d.month, d.counted_hours, d.counting_rule) for d in declarations)
    assert recount(declarations) == 0  # the hours app finds nothing to change
    assert counted == [
        (D(2024, 3, 1), Decimal(0), "out_of_eligibility"),
        (D(2024, 4, 1), Decimal(35), "hours_worked"),
        (D(2024, 5, 1), Decimal(35), "hours_worked"),
    ]


def test_a_later_validation_recounts_the_hours_already_there(hw):
    # first the missions and hours without eligibility: nothing counts…
    headers_rows = months_rows(Modalité="CDD")
    record = hw.run(headers_rows, columns=_without_eligibility(hw, headers_rows))
    assert record.counts["hours"]["created"] == 3
    assert all(d.counted_hours == 0 for d in HourDeclaration.objects.all())
    # …then the same file with the validation: the person is matched, the hours recounted
    hw.run(months_rows(Modalité="CDD"))
    assert all(d.counted_hours == 35 for d in HourDeclaration.objects.all())


def _without_eligibility(hw, rows):
    columns = hw.columns(hw.table(rows))
    return {k: v for k, v in columns.items() if not k.startswith("eligibility.")}


def test_xlsx_and_latin1_files_are_read(hw):
    import io

    from openpyxl import Workbook

    from clauses.core.spreadsheets import workbook_bytes
    from clauses.history import services
    from tests.history.engine_support import HEADERS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row())
    stream = io.BytesIO(workbook_bytes(workbook))
    stream.name = "export.xlsx"
    table = services.read_upload(stream)
    assert table.headers == HEADERS and table.rows[0][0] == 2
    latin = io.BytesIO(
        ";".join(HEADERS).encode("cp1252")
        + b"\n"
        + ";".join(str(v) for v in row()).encode("cp1252")
    )
    latin.name = "export.csv"
    table = services.read_upload(latin)
    assert table.headers[1] == "Prénom" and table.rows[0][1][1] == "Éloïse"


def test_the_reviews_aggregates_are_rebuilt_after_the_import(
    hw, django_capture_on_commit_callbacks
):
    from clauses.reporting.models import MarketMonthHours

    with django_capture_on_commit_callbacks(execute=True):  # tests run tasks at once
        hw.run(months_rows())
    market = Market.objects.get(reference="HIST-2024-01")
    rows = MarketMonthHours.objects.filter(market=market)
    assert sorted(r.month for r in rows) == [D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1)]
    assert sum(r.counted for r in rows) == 105


def test_one_journal_event_per_import(hw):
    from clauses.accounts.models import AuditEvent

    before = AuditEvent.objects.count()
    record = hw.run(months_rows())
    events = AuditEvent.objects.all()[: AuditEvent.objects.count() - before]
    assert AuditEvent.objects.count() - before == 1
    assert "Dupont" not in str(list(events.values()))
    assert record.counts["hours"]["created"] == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the COPY write path is PostgreSQL's",
)
def test_a_duplicate_month_written_meanwhile_is_a_french_conflict(hw, monkeypatch):
    from clauses.history import services, writing

    original = writing._insert_declarations
    monkeypatch.setattr(
        writing, "_insert_declarations", lambda declarations: original(declarations * 2)
    )
    with pytest.raises(services.ImportConflict, match="au même moment"):
        hw.run([row()])
    assert not Participant.objects.filter(last_name="Dupont").exists()
