"""The markets' demo data: every status, clauses computed by the calculator, valid SIRETs,
meetings, a market converted from a desk request, one missing its mandatory condition;
idempotent and silent."""

import io

import pytest
from stdnum.fr import siret

from clauses.access.actors import actor_for_membership
from clauses.accounts.models import Membership
from clauses.markets import demo, policies, selectors
from clauses.markets.enums import MarketStatus
from clauses.markets.models import LotContractor, Market, Meeting, SocialConsideration

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, mailoutbox, django_capture_on_commit_callbacks):  # noqa: ANN201
    from clauses.access import demo as access_demo
    from clauses.accounts import demo as accounts_demo
    from clauses.desk import demo as desk_demo
    from clauses.network import demo as network_demo

    settings.DEMO_MODE = True
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        for module in (network_demo, accounts_demo, access_demo, desk_demo, demo):
            module.seed(stdout=out)
    return out.getvalue()


def test_demo_markets(seeded, mailoutbox):
    markets = Market.objects.filter(is_demo=True)
    assert markets.count() == len(demo.SPECS) + 1  # + the converted desk request
    assert set(markets.values_list("status", flat=True)) == set(MarketStatus.values)
    converted = markets.exclude(desk_request=None).get()
    assert converted.desk_request.converted_market_id == converted.pk
    assert "demande" in seeded
    clauses = SocialConsideration.objects.filter(lot__market__in=markets, calculated_hours__gt=0)
    assert clauses.count() >= 12
    assert clauses.filter(hours_method="cleaning").exists()
    assert all(c.formula for c in clauses)
    for link in LotContractor.objects.select_related("organisation"):
        assert siret.is_valid(link.organisation.siret)
    assert Meeting.objects.filter(facilitator_invited=True).count() >= 4
    assert markets.filter(operation__kind="urban_renewal").count() == 4
    buyer = actor_for_membership(
        Membership.objects.active().get(user__email="acheteur@demo.clauses.example")
    )
    assert policies.visible_markets(buyer).count() >= 6
    admin_like = actor_for_membership(
        Membership.objects.active().get(user__email="coordination93@demo.clauses.example")
    )
    missing = selectors.markets_missing_social_condition(admin_like)
    assert "DEMO-2026-011" in {m.reference for m in missing}
    assert mailoutbox == []


def test_demo_is_idempotent(seeded):
    before = (
        Market.objects.filter(is_demo=True).count(),
        SocialConsideration.objects.count(),
        Meeting.objects.count(),
    )
    from clauses.desk import demo as desk_demo

    with io.StringIO() as out:  # as seed_demo does: the desk's requests, then the markets
        desk_demo.seed(stdout=out)
        demo.seed(stdout=out)
    after = (
        Market.objects.filter(is_demo=True).count(),
        SocialConsideration.objects.count(),
        Meeting.objects.count(),
    )
    assert before == after


def test_demo_clauses_list_the_territory_publics_and_statuses_carry_real_dates(seeded):
    from clauses.markets import clause_text
    from clauses.markets.enums import ConsiderationKind, EligiblePublic

    markets = Market.objects.filter(is_demo=True)
    clauses = SocialConsideration.objects.filter(
        lot__market__in=markets, kind=ConsiderationKind.EXECUTION_CONDITION
    )
    assert clauses.exists()
    for clause in clauses:
        assert len(clause.eligible_publics) > 1 and clause.modalities
        html = clause_text.clause_html(clause)
        for code in clause.eligible_publics:
            assert EligiblePublic(code).label.replace("'", "&#x27;") in html
    running = markets.filter(status=MarketStatus.IN_EXECUTION)
    assert running.exists()
    for market in running:
        assert market.consultation_launch_date <= market.notification_date <= market.start_date, (
            market.reference
        )
        dated = market.events.filter(to_status=MarketStatus.IN_EXECUTION).get()
        assert dated.details["start_date"] == market.start_date.isoformat()
