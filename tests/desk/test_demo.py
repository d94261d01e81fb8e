"""The desk's demo data: alive for the demo accounts, idempotent, and silent (no email)."""

import io

import pytest

from clauses.access.actors import actor_for_membership
from clauses.accounts.models import Membership
from clauses.desk import demo, selectors
from clauses.desk.enums import MessageKind, PublicationTiming, RequestStatus
from clauses.desk.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, mailoutbox, django_capture_on_commit_callbacks):
    from clauses.accounts import demo as accounts_demo
    from clauses.network import demo as network_demo

    settings.DEMO_MODE = True
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        network_demo.seed(stdout=out)
        accounts_demo.seed(stdout=out)
        demo.seed(stdout=out)
    return out.getvalue()


def _actor(email: str):  # noqa: ANN202
    return actor_for_membership(Membership.objects.active().get(user__email=email))


def test_demo_requests_are_varied_and_alive(seeded, mailoutbox):
    requests = Request.objects.filter(is_demo=True)
    assert requests.count() == len(demo.SPECS)
    assert mailoutbox == []
    statuses = set(requests.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    assert requests.filter(escalation_count__gt=0).exists()
    assert {PublicationTiming.BEFORE, PublicationTiming.AFTER} <= set(
        requests.values_list("publication_timing", flat=True)
    )
    assert requests.filter(messages__kind=MessageKind.INTERNAL_NOTE).exists()
    assert requests.filter(messages__kind=MessageKind.FROM_BUYER).exists()
    assert (
        len(
            {
                r.execution_communes.first().department.code
                for r in requests
                if r.execution_communes.exists()
            }
        )
        == 8
    )

    facilitator = _actor("facilitateur@demo.clauses.example")
    assert selectors.inbox(facilitator).count() >= 5
    coordination = _actor("coordination93@demo.clauses.example")
    figures = selectors.dashboard(coordination)
    assert figures.total >= 8
    assert figures.overdue_count >= 1
    regional = selectors.dashboard(_actor("coordination-regionale@demo.clauses.example"))
    assert regional.total == len(demo.SPECS)
    assert regional.median_first_response_working_days is not None


def test_demo_is_idempotent(seeded):
    references = set(Request.objects.values_list("reference", flat=True))
    demo.seed(stdout=io.StringIO())
    assert set(Request.objects.values_list("reference", flat=True)) == references
