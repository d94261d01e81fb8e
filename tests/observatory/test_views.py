"""Observatory pages: figures, exports, opportunities, discrepancies, a buyer's page,
permissions and query budgets."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses.accounts.enums import Role
from clauses.markets.models import SocialConsideration
from clauses.observatory import services
from clauses.observatory.models import PublishedContract
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import World, departmental, organisation_of
from tests.markets.conftest import world as world  # noqa: F401 - the fixture
from tests.observatory.conftest import market

pytestmark = pytest.mark.django_db
QUERY = "territoire=93&annee=2025"
# Session, membership, the layout (menu, notifications bell), the form's territories, the
# figures, four breakdowns, the CPV labels, the buyers' names: the same with 5 or 50 buyers.
BUDGET = 24


def _publish(world: World, decp_file) -> None:  # noqa: ANN001
    siret = world.buyer.siret
    records = [
        market("PUB-CLAUSE", buyer=siret, amount=6_000_000),  # published with a clause
        market("PUB-NONE", buyer=siret, social=["Pas de considération sociale"],
               amount=6_000_000),  # above the works threshold, no clause: an opportunity
        market("PUB-SMALL", buyer=siret, social=["Sans objet"], amount=100_000),
        market("FOLLOWED", buyer=siret, social=["Pas de considération sociale"]),
        market("OLD", buyer=siret, social=None),  # unknown
        market("PARIS", buyer="21750001600019", place=("75001", "Code postal")),
    ]  # fmt: skip
    services.import_file(decp_file(records), wet_run=True)


def _followed(world: World) -> None:
    followed = world.market(reference="SUIVI-1", decp_id="FOLLOWED")
    SocialConsideration.objects.create(lot=followed.lots.first(), kind="execution_condition")


def _as(client, organisation, role):  # noqa: ANN001, ANN202
    login(client, MembershipFactory(organisation=organisation, role=role))
    return client


@pytest.fixture
def published(world: World, decp_file) -> World:  # noqa: F811, ANN001
    _publish(world, decp_file)
    _followed(world)
    return world


def test_figures_tables_and_shares(published: World, client):
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    page = client.get(reverse("observatory:index") + "?" + QUERY)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Contrats publiés" in text
    # 5 contracts in 93, 1 unknown; 1 of the 4 known has a clause: 25 %
    figures = dict(page.context["figures"])
    assert figures["Contrats publiés"] == "5"
    assert figures["Part des contrats (réponse connue)"] == "25 %"
    assert "Non renseigné" in " ".join(figures)
    assert [t.key for t in page.context["tables"]] == ["acheteurs", "cpv", "procedures", "types"]
    assert 'role="img"' in text and "<caption>Par acheteur (données)</caption>" in text


def test_exports(published: World, client):
    _as(client, organisation_of(departmental("93")), Role.COORDINATOR)
    xlsx = client.get(reverse("observatory:export", args=["xlsx"]) + "?" + QUERY)
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == [
        "Synthèse", "Par acheteur", "Par division CPV", "Par procédure", "Par type de contrat",
    ]  # fmt: skip
    # Numbers as numbers with their formats (#12.12): 5 contracts, 25 %.
    summary = {row[0].value: row[1] for row in workbook["Synthèse"].iter_rows() if len(row) > 1}
    assert summary["Contrats publiés"].value == 5
    assert summary["Contrats publiés"].number_format == "#,##0"
    assert summary["Part des contrats (réponse connue)"].value == 0.25
    assert summary["Part des contrats (réponse connue)"].number_format == "0%"
    csv = client.get(reverse("observatory:export", args=["csv"]) + "?" + QUERY + "&tableau=types")
    assert csv.content.decode("utf-8-sig").startswith("Type;Contrats;")
    synthesis = client.get(reverse("observatory:export", args=["csv"]) + "?" + QUERY)
    assert "Part des contrats (réponse connue);25%" in synthesis.content.decode("utf-8-sig")
    assert client.get(reverse("observatory:export", args=["pdf"])).status_code == 404
    unknown = client.get(reverse("observatory:export", args=["csv"]) + "?tableau=autre")
    assert unknown.status_code == 404


def test_opportunities_list_the_buyer_above_thresholds(published: World, client):
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    page = client.get(reverse("observatory:opportunities") + "?" + QUERY)
    rows = list(page.context["page"].object_list)
    assert len(rows) == 1
    assert rows[0]["buyer_siret"] == published.buyer.siret and rows[0]["count"] == 1
    assert rows[0]["amount"] == Decimal("6000000.00")


def test_discrepancies_both_ways(published: World, client):
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    page = client.get(reverse("observatory:discrepancies") + "?" + QUERY)
    followed = [m.reference for m in page.context["followed_page"].object_list]
    unfollowed = [c.decp_id for c in page.context["unfollowed_page"].object_list]
    assert followed == ["SUIVI-1"]
    assert unfollowed == ["PUB-CLAUSE"]
    # the Paris facilitator does not see the 93 market, but sees the public data
    client.logout()
    _as(client, organisation_of(published.s75), Role.FACILITATOR)
    page = client.get(reverse("observatory:discrepancies") + "?" + QUERY)
    assert list(page.context["followed_page"].object_list) == []
    assert [c.decp_id for c in page.context["unfollowed_page"].object_list] == ["PUB-CLAUSE"]


def test_buyer_page_shows_contracts_next_to_followed_markets(published: World, client):
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    page = client.get(reverse("observatory:buyer", args=[published.buyer.siret]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "PUB-CLAUSE" in text and "SUIVI-1" in text
    assert "Publié (identifiant FOLLOWED)" in text
    by_siren = client.get(reverse("observatory:buyer", args=[published.buyer.siret[:9]]))
    assert by_siren.status_code == 200
    assert client.get(reverse("observatory:buyer", args=["123"])).status_code == 404
    assert client.get(reverse("observatory:buyer", args=["12345678901234"])).status_code == 404


def test_national_sees_figures_but_no_market(published: World, client):
    from clauses.network.models import Coordination

    national = Coordination.objects.get(level="national")
    _as(client, organisation_of(national), Role.COORDINATOR)
    assert client.get(reverse("observatory:index") + "?" + QUERY).status_code == 200
    page = client.get(reverse("observatory:buyer", args=[published.buyer.siret]))
    assert page.context["followed"] == []
    discrepancies = client.get(reverse("observatory:discrepancies") + "?" + QUERY)
    assert list(discrepancies.context["followed_page"].object_list) == []


@pytest.mark.parametrize("who", ["buyer", "company"])
def test_buyers_and_companies_are_refused(published: World, client, who):
    organisation = published.buyer if who == "buyer" else published.company
    role = Role.BUYER_AGENT if who == "buyer" else Role.COMPANY_CONTACT
    _as(client, organisation, role)
    for name in ("index", "opportunities", "discrepancies"):
        assert client.get(reverse(f"observatory:{name}")).status_code == 404
    assert client.get(reverse("observatory:buyer", args=[published.buyer.siret])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("observatory:index")).status_code == 302


def test_region_and_bad_parameters(published: World, client):
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    region = client.get(reverse("observatory:index") + "?territoire=region-11&annee=2025")
    assert dict(region.context["figures"])["Contrats publiés"] == "6"
    hostile = client.get(reverse("observatory:index") + "?territoire=<script>&annee=abc")
    assert hostile.status_code == 200


def test_query_budgets(published: World, client, django_assert_max_num_queries, decp_file):
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    many = [market(f"EXTRA-{i}", buyer=f"2193{i:010d}", amount=7_000_000,
                   social=["Sans objet"]) for i in range(40)]  # fmt: skip
    services.import_file(decp_file(many, name="extra.json"), wet_run=True)
    assert PublishedContract.objects.count() > 40
    for name in ("index", "opportunities", "discrepancies"):
        with django_assert_max_num_queries(BUDGET):
            assert client.get(reverse(f"observatory:{name}") + "?" + QUERY).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        client.get(reverse("observatory:buyer", args=[published.buyer.siret]))


def test_the_workspace_menu_leads_network_members_here(published: World, client):
    url = reverse("observatory:index")
    _as(client, organisation_of(published.s93), Role.FACILITATOR)
    assert f'href="{url}"' in client.get("/").content.decode()
    client.logout()
    _as(client, published.buyer, Role.BUYER_AGENT)
    assert f'href="{url}"' not in client.get("/").content.decode()
