"""The programme review's demo: 40 lines for the demo buyer, reviewed in part by the demo
facilitator, one line a planned market; the buyer, the facilitator and the coordinator see
it; idempotent."""

import io

import pytest

from clauses.access.actors import actor_for_membership
from clauses.accounts.models import Membership
from clauses.markets.enums import MarketStatus
from clauses.programme import demo, policies
from clauses.programme.enums import ReviewDecision
from clauses.programme.models import Programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, django_capture_on_commit_callbacks):  # noqa: ANN201
    from clauses.access import demo as access_demo
    from clauses.accounts import demo as accounts_demo
    from clauses.desk import demo as desk_demo
    from clauses.markets import demo as markets_demo
    from clauses.network import demo as network_demo

    settings.DEMO_MODE = True
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        for module in (network_demo, accounts_demo, access_demo, desk_demo, markets_demo, demo):
            module.seed(stdout=out)
    return out.getvalue()


def _actor(email: str):  # noqa: ANN202
    return actor_for_membership(Membership.objects.filter(user__email=email).first())


def test_demo_programme(seeded):
    programme = Programme.objects.get(is_demo=True)
    lines = programme.lines.all()
    assert lines.count() == len(demo.LINES) == 40
    assert lines.exclude(decision=ReviewDecision.PENDING).count() == len(demo.REVIEWS)
    assert lines.filter(to_discuss=True).exists()
    assert lines.filter(decision=ReviewDecision.CHANGED).exists()
    assert lines.filter(obligation_mandatory=True).exists()
    assert lines.filter(hours__gt=0).count() >= 10
    codes = {item["code"] for line in lines for item in line.recommendations}
    assert codes >= {"insertion_clause", "social_award_criterion", "reserved_siae", "none"}
    converted = lines.get(number=demo.CONVERTED_LINE)
    assert converted.market.status == MarketStatus.PLANNED
    assert converted.publication_timing == "before_publication"
    assert "ligne 2 devenue le marché prévu" in seeded
    for email in (
        "acheteur@demo.clauses.example",
        "facilitateur@demo.clauses.example",
        "coordination93@demo.clauses.example",
    ):
        assert policies.visible_programmes(_actor(email)).filter(pk=programme.pk).exists()
    assert not policies.visible_programmes(_actor("entreprise@demo.clauses.example")).exists()


def test_demo_is_idempotent(seeded):
    demo.seed(stdout=io.StringIO())
    assert Programme.objects.filter(is_demo=True).count() == 1
