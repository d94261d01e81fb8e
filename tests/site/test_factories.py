"""The model factories of requests, markets, lots, participants, assignments and
declarations build valid rows with every trait (constraints hold, foreign keys resolve)."""

import pytest

from tests.desk.factories import RequestFactory
from tests.followup.factories import AssignmentFactory, ParticipantFactory
from tests.hours.factories import HourDeclarationFactory, next_month
from tests.markets.factories import LotFactory, MarketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "traits",
    [{}, {"taken": True}, {"closed": True}, {"to_structure": True}, {"environmental": True},
     {"from_member": True}, {"overdue": True, "taken": True}],
)  # fmt: skip
def test_requests(traits):
    request = RequestFactory(**traits)
    request.full_clean(exclude=["reference"])
    assert request.pk and request.target_name


@pytest.mark.parametrize(
    "traits", [{}, {"in_execution": True}, {"closed": True}, {"services": True}, {"followed": True}]
)
def test_markets_and_lots(traits):
    market = MarketFactory(**traits)
    first, second = LotFactory(market=market), LotFactory(market=market, second=True)
    assert [lot.number for lot in market.lots.order_by("number")] == [1, 2]
    assert first.title == "Lot unique" and second.title == "Lot 2"


@pytest.mark.parametrize("traits", [{}, {"woman": True, "qpv": True}, {"anonymised": True}])
def test_participants(traits):
    participant = ParticipantFactory(**traits)
    assert participant.pk and participant.structure_id


@pytest.mark.parametrize(
    "traits",
    [{}, {"validated": True}, {"rejected": True}, {"fix_requested": True},
     {"subcontracted": True}],
)  # fmt: skip
def test_declarations(traits):
    declaration = HourDeclarationFactory(**traits)
    later = next_month(declaration)
    assert later.month > declaration.month
    assert declaration.assignment.participant_id


def test_assignment_traits():
    ended = AssignmentFactory(ended=True)
    assert ended.end_date > ended.start_date
