"""Query budgets of the list pages of accounts and access: the number of queries does not
grow with the rows listed (members, organisations to confirm, a person's organisations, API
tokens). The budgets include the page frame's own queries (session, user, second factor,
membership, the notifications bell)."""

import pytest
from django.urls import reverse

from clauses.accounts.enums import Role
from tests.access.conftest import World
from tests.access.factories import make_api_token
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _same_budget(client, url: str, grow, budget: int, assert_max) -> str:  # noqa: ANN001
    """The page within `budget` queries, then again after `grow()` added rows."""
    with assert_max(budget):
        assert client.get(url).status_code == 200
    grow()
    with assert_max(budget):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_members_page(world: World, client, django_assert_max_num_queries):
    admin = world.memberships["buyer_org_admin"]
    login(client, admin)

    def grow() -> None:
        for n in range(6):
            MembershipFactory(
                organisation=admin.organisation,
                user=UserFactory(email=f"agent-{n}@exemple.fr"),
                role=Role.BUYER_AGENT,
            )

    html = _same_budget(client, reverse("accounts:members"), grow, 9, django_assert_max_num_queries)
    assert "agent-5@exemple.fr" in html


def test_confirmations_page(world: World, client, django_assert_max_num_queries):
    login(client, world.memberships["departmental_coordinator"])
    department = world.memberships["buyer_agent"].organisation.department

    def grow() -> None:
        for n in range(5):
            organisation = OrganisationFactory(
                as_buyer=True, unconfirmed=True, department=department, name=f"Mairie {n}"
            )
            MembershipFactory(organisation=organisation, user=UserFactory())
            MembershipFactory(
                organisation=world.memberships["buyer_agent"].organisation,
                user=UserFactory(),
                is_confirmed=False,
            )

    html = _same_budget(
        client, reverse("accounts:confirmations"), grow, 8, django_assert_max_num_queries
    )
    assert "Mairie 4" in html


def test_my_organisations_page(world: World, client, django_assert_max_num_queries):
    agent = world.memberships["buyer_agent"]
    login(client, agent)

    def grow() -> None:
        for n in range(5):
            MembershipFactory(
                user=agent.user,
                organisation=OrganisationFactory(as_buyer=True, name=f"Syndicat {n}"),
            )

    html = _same_budget(
        client, reverse("accounts:organisations"), grow, 6, django_assert_max_num_queries
    )
    assert "Syndicat 4" in html


def test_api_tokens_page(world: World, client, django_assert_max_num_queries):
    admin = world.memberships["buyer_org_admin"]
    login(client, admin)

    def grow() -> None:
        for n in range(5):
            make_api_token(admin.organisation, name=f"Jeton {n}")

    html = _same_budget(client, reverse("access:tokens"), grow, 8, django_assert_max_num_queries)
    assert "Jeton 4" in html
