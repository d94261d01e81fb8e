"""The engine end to end: a file becomes participants, validations, markets, lots, clauses,
assignments and counted hours; all or nothing; re-importing matches everything."""

from decimal import Decimal

import pytest

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
