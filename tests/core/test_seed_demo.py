"""seed_demo end to end, twice: it succeeds, changes no count the second time, and each demo
account sees a coherent demo (the demo company holds the lots of the demo assignments)."""

from io import StringIO

import pytest
from django.core.management import call_command

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.demo import DEMO_COMPANY_NAME
from clauses.accounts.models import Membership
from clauses.desk import policies as desk_policies
from clauses.followup import policies as followup_policies
from clauses.followup.models import Assignment, Participant
from clauses.hours import policies as hours_policies
from clauses.hours import selectors as hours_selectors
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Market

pytestmark = pytest.mark.django_db


def _actor(key: str) -> Actor:
    membership = Membership.objects.select_related("organisation").get(
        user__email=f"{key}@demo.clauses.example"
    )
    return actor_for_membership(membership, user=membership.user)


def _counts() -> dict[str, int]:
    return {
        "markets": Market.objects.filter(is_demo=True).count(),
        "participants": Participant.objects.filter(is_demo=True).count(),
        "assignments": Assignment.objects.filter(participant__is_demo=True).count(),
        "declarations": HourDeclaration.objects.filter(is_demo=True).count(),
    }


def test_seed_demo_twice_is_coherent_for_every_role(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["declarations"] > 0

    facilitator = _actor("facilitateur")
    assert desk_policies.visible_requests(facilitator).exists()
    assert (
        followup_policies.visible_participants(facilitator).filter(is_demo=True).count()
        == (first["participants"])
    )
    to_control = hours_policies.visible_declarations(facilitator).filter(
        status=DeclarationStatus.SUBMITTED
    )
    assert to_control.exists()
    agreements = hours_policies.visible_agreements(facilitator)
    assert agreements.count() == 1
    assert agreements.get().company.name == DEMO_COMPANY_NAME

    buyer = _actor("acheteur")
    markets = Market.objects.filter(pk__in=hours_policies.visible_markets(buyer).values("pk"))
    assert markets.filter(buyer__name="Ville de Démo-sur-Seine (démo)").count() >= 5
    followed = [
        hours_selectors.market_progress(buyer, market.pk)
        for market in markets.filter(lots__assignments__isnull=False).distinct()
    ]
    assert followed and any(group.progress.declared > 0 for group in followed if group)
    assert not hours_policies.visible_declarations(buyer).exists()  # counts only

    company = _actor("entreprise")
    assert company.organisation_id is not None
    assert Membership.objects.get(
        user__email="entreprise@demo.clauses.example"
    ).organisation.name == (DEMO_COMPANY_NAME)
    clauses = hours_selectors.contractor_clauses(company)
    assert len(clauses) >= 3
    assert any(item.progress.declared > 0 for item in clauses)
    assert hours_policies.declarable_assignments(company).count() >= 2
    assert hours_policies.visible_declarations(company).exists()
    assert followup_policies.visible_participants(company).exists()
