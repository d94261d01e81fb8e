"""Query budgets of the report pages, measured (CaptureQueriesContext) and checked on two
dataset sizes: the figures are aggregated in the database, so the count of queries must not
grow with the data (one query per family of figures, never one per market or person).

Measured on 25 November 2026 (SQLite): clause report 15, département review 30, regional
dashboard 32 — of which 6 are the session, the user, its second factor and the membership.
The budgets allow a margin of 2 or 3 for middleware changes outside the reports.

Re-measured on 6 December 2026 (SQLite): clause report 18, département review 36, regional
dashboard 38 — the reports add two (validated hours not counted, by reason, #12.1; the last
rebuild of the aggregates, which a closed period's hours then read, #15), the
notification bell one, the desk's tables two.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clauses.accounts.enums import Role
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import World, departmental, organisation_of
from tests.markets.conftest import world as world  # noqa: F401 - the fixture
from tests.reporting.conftest import build_dataset

pytestmark = pytest.mark.django_db
YEAR = "periode=year&annee=2025"

BUDGETS = {"clause_report": 20, "department_review": 38, "regional_dashboard": 40}


def _page(world: World, client, name: str) -> str:  # noqa: ANN001
    """Logs in the reader of the page and returns its address."""
    if name == "clause_report":
        login(client, MembershipFactory(organisation=world.buyer, role=Role.BUYER_AGENT))
        return reverse("reporting:clause_report", args=[world.buyer.pk]) + f"?{YEAR}"
    if name == "department_review":
        coordination = departmental("93")
        url = reverse("reporting:review", args=["departement", "93"])
    else:
        coordination = Coordination.objects.get(level=CoordinationLevel.REGIONAL, region__code="11")
        url = reverse("reporting:dashboard")
    login(
        client, MembershipFactory(organisation=organisation_of(coordination), role=Role.COORDINATOR)
    )
    return f"{url}?{YEAR}"


def _count(client, url: str) -> int:  # noqa: ANN001
    assert client.get(url).status_code == 200  # warm (session, caches)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", list(BUDGETS))
def test_budget_holds_and_does_not_grow_with_the_data(world: World, client, name: str):  # noqa: F811
    # Small: one market of the buyer, three people.
    build_dataset(world, buyers_count=1, markets_per_buyer=1, people_per_market=3)
    url = _page(world, client, name)
    small = _count(client, url)
    # Large: four more markets of the same buyer and two other buyers, 15 people each.
    build_dataset(
        world, tag="plus", with_world_buyer=True, buyers_count=3, markets_per_buyer=4,
        people_per_market=15,
    )  # fmt: skip
    large = _count(client, url)
    assert small == large, f"{name} : {small} requêtes pour le petit jeu, {large} pour le grand"
    assert large <= BUDGETS[name], f"{name} : {large} requêtes (budget {BUDGETS[name]})"
