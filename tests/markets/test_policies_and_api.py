"""Who sees which markets (policies), the token API agreeing with them, and query budgets
of the selectors and the API."""

from decimal import Decimal

import pytest

from clauses.access.actors import Actor
from clauses.access.enums import TokenScope
from clauses.markets import policies, selectors, services
from clauses.markets.enums import ConsiderationKind
from clauses.markets.selectors import MarketFilters
from tests.access.factories import make_api_token
from tests.markets.conftest import commune


@pytest.fixture
def markets(world):  # noqa: ANN201
    own = world.market(reference="OWN")
    paris = world.market(
        reference="PARIS",
        buyer=world.buyer75,
        communes=[commune("75056")],
        following_structure=world.s75,
        facilitator=None,
    )
    services.add_contractor(
        actor=world.admin, lot=own.lots.get(), siret=world.company.siret, role="holder"
    )
    return own, paris


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("buyer", {"OWN"}),
        ("buyer75", {"PARIS"}),
        ("facilitator", {"OWN"}),
        ("facilitator75", {"PARIS"}),
        ("coordinator93", {"OWN"}),
        ("coordinator75", {"PARIS"}),
        ("company", {"OWN"}),
    ],
)
def test_visible_markets(world, markets, who, sees):
    actor = world.actor(who)
    assert {m.reference for m in policies.visible_markets(actor)} == sees


def test_anonymous_and_admin(world, markets):
    assert not policies.visible_markets(Actor()).exists()
    assert policies.visible_markets(world.admin).count() == 2


def test_coordinator_sees_markets_executed_in_its_territory_even_if_not_followed(world):
    market = world.market(reference="UNFOLLOWED", following_structure=None, facilitator=None)
    assert policies.visible_markets(world.actor("coordinator93")).filter(pk=market.pk).exists()
    assert not policies.visible_markets(world.actor("facilitator")).filter(pk=market.pk).exists()


def test_company_reads_clauses_but_changes_nothing(world, markets):
    own, _ = markets
    company = world.actor("company")
    assert not policies.can_edit_market(company, own)
    assert not policies.can_manage_clause(company, own)
    services.set_consideration(
        actor=world.admin, lot=own.lots.get(), kind=ConsiderationKind.EXECUTION_CONDITION
    )
    assert selectors.considerations_of(company, own).count() == 1


def test_list_and_detail_query_budgets(world, django_assert_max_num_queries):
    for number in range(12):
        market = world.market(
            reference=f"Q-{number}",
            lots=[{"number": 1, "title": "A"}, {"number": 2, "title": "B"}],
        )
        for lot in market.lots.all():
            services.set_consideration(
                actor=world.admin,
                lot=lot,
                kind=ConsiderationKind.EXECUTION_CONDITION,
                calculation={"preset": "batiment", "amount_ht": 500_000},
            )
    actor = world.actor("coordinator93")
    with django_assert_max_num_queries(2):
        rows = list(selectors.market_list(actor, MarketFilters(department_code="93")))
        assert all(len(r.execution_communes.all()) == 1 for r in rows)
    assert len(rows) == 12
    assert rows[0].lot_count == 2 and rows[0].hours_target == 834  # 417 × 2
    first = rows[0].lots.first().considerations.get()
    services.override_hours(
        actor=world.admin, consideration=first, hours=1000, reason="Chantier en QPV"
    )
    adjusted = selectors.market_list(actor, MarketFilters(department_code="93")).get(pk=rows[0].pk)
    assert adjusted.hours_target == 1417  # the adjustment wins over the calculation
    with django_assert_max_num_queries(8):
        detail = selectors.market_detail(actor, rows[0].pk)
        assert [len(lot.considerations.all()) for lot in detail.lots.all()] == [1, 1]
    with django_assert_max_num_queries(1):
        counts = selectors.status_counts(actor)
    assert counts["planned"] == 12


def _bearer(raw: str) -> dict:
    return {"authorization": f"Bearer {raw}"}


def test_api_lists_what_the_token_may_see(world, markets, client, django_assert_max_num_queries):
    _, raw = make_api_token(world.buyer, role="buyer_agent", scope=TokenScope.READ)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/markets", headers=_bearer(raw))
    assert response.status_code == 200
    assert [m["reference"] for m in response.json()["items"]] == ["OWN"]
    assert response.json()["count"] == 1
    own, paris = markets
    detail = client.get(f"/api/v1/markets/{own.pk}", headers=_bearer(raw)).json()
    assert detail["lots"][0]["contractors"][0]["siret"] == world.company.siret
    response = client.get(f"/api/v1/markets/{paris.pk}", headers=_bearer(raw))
    assert response.status_code == 404
    assert response.json()["detail"] == "Marché introuvable."
    response = client.get("/api/v1/markets?limit=abc", headers=_bearer(raw))
    assert response.status_code == 422
    assert "entiers" in response.json()["errors"]["limit"][0]


def test_api_needs_a_token(client):
    response = client.get("/api/v1/markets")
    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]


def test_can_create_market_by_department(world):
    assert policies.can_create_market(world.actor("facilitator"), world.buyer)
    assert not policies.can_create_market(world.actor("facilitator"), world.buyer75)
    assert policies.can_create_market(world.actor("buyer"), world.buyer)
    assert not policies.can_create_market(world.actor("buyer"), world.buyer75)
    assert not policies.can_create_market(world.actor("company"), world.buyer)
    assert not policies.can_create_market(world.actor("buyer"), world.company)


def test_delete_only_planned_by_the_buyer(world):
    market = world.market(estimated_amount_ht=Decimal(10))
    assert not policies.can_delete_market(world.actor("facilitator"), market)
    services.delete_market(actor=world.actor("buyer"), market=market)
