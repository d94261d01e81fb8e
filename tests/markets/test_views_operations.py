"""Operations pages (list, creation, detail with the hours progress of its clauses), the
hours progress on a market's page, the upcoming meetings on the markets list: who opens
what (200/403/404 per role), the figures shown, and query budgets."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clauses.hours.models import HourDeclaration
from clauses.markets import services
from clauses.markets.models import Lot, Market, Meeting, Operation, SocialConsideration
from clauses.territories.models import Department
from tests.hours.conftest import hw  # noqa: F401 — fixture
from tests.markets.conftest import world as market_world  # noqa: F401 — fixture
from tests.markets.test_views_markets import log_in, text

OPERATIONS = "/marches/operations/"
CREATE = "/marches/operations/nouvelle/"


def operation_url(operation: Operation) -> str:
    return f"/marches/operations/{operation.pk}/"


def new_operation(world, name: str = "NPNRU Franc-Moisin", code: str = "93") -> Operation:  # noqa: ANN001
    return services.create_operation(
        actor=world.admin,
        name=name,
        kind="urban_renewal",
        department=Department.objects.get(code=code),
        insertion_rate="0.05",
    )


def attach(operation: Operation, *markets: Market) -> None:
    Market.objects.filter(pk__in=[m.pk for m in markets]).update(operation=operation)


def declare(assignment, month: date, hours: int, *, status: str, counted: int = 0):  # noqa: ANN001, ANN201
    return HourDeclaration.objects.create(
        assignment=assignment,
        month=month,
        declared_hours=Decimal(hours),
        base_hours=Decimal(hours),
        counted_hours=Decimal(counted),
        status=status,
    )


@pytest.fixture
def op(hw):  # noqa: ANN001, ANN201, F811
    """The hours world's market (1 000 h clause) in a 93 operation; 100 h validated of
    which 80 counted, 30 h submitted."""
    operation = new_operation(hw.base)
    attach(operation, hw.market)
    declare(hw.assignment, date(2026, 1, 1), 100, status="validated", counted=80)
    declare(hw.assignment, date(2026, 2, 1), 30, status="submitted")
    return operation


# ---------------------------------------------------------------------------------------
# Who opens what


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("buyer", 200),
        ("facilitator", 200),
        ("coordinator93", 200),
        ("company", 200),
        ("buyer75", 404),
        ("facilitator75", 404),
        ("coordinator75", 404),
    ],
)
def test_operation_detail_per_role(client, hw, op, who, status):  # noqa: F811
    log_in(client, hw.base, who)
    assert client.get(operation_url(op)).status_code == status


def test_anonymous_is_sent_to_login(client, op):
    for url in (OPERATIONS, CREATE, operation_url(op)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/connexion" in response["Location"] or "login" in response["Location"]


def test_unknown_operation_is_404(client, hw, op):  # noqa: F811
    log_in(client, hw.base, "coordinator93")
    assert client.get(f"/marches/operations/{op.pk + 1000}/").status_code == 404


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("buyer", True),
        ("facilitator", True),
        ("coordinator93", True),
        ("company", True),
        ("buyer75", False),
        ("facilitator75", False),
        ("coordinator75", False),
    ],
)
def test_operation_list_per_role(client, hw, op, who, sees):  # noqa: F811
    log_in(client, hw.base, who)
    response = client.get(OPERATIONS)
    assert response.status_code == 200
    assert (f'data-operation="{op.pk}"' in response.content.decode()) is sees


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("facilitator", 200),
        ("coordinator93", 200),
        ("buyer", 403),
        ("company", 403),
    ],
)
def test_operation_create_page_per_role(client, market_world, who, status):  # noqa: F811
    log_in(client, market_world, who)
    assert client.get(CREATE).status_code == status
    assert client.post(CREATE, {"name": "X", "kind": "other"}).status_code in (status, 400)
    if status == 403:
        assert client.post(CREATE, {"name": "X", "kind": "other"}).status_code == 403
        assert not Operation.objects.exists()


def test_list_shows_create_button_to_network_only(client, market_world):  # noqa: F811
    log_in(client, market_world, "buyer")
    assert CREATE not in client.get(OPERATIONS).content.decode()
    client.logout()
    log_in(client, market_world, "facilitator")
    assert CREATE in client.get(OPERATIONS).content.decode()


# ---------------------------------------------------------------------------------------
# Creation


def test_facilitator_creates_an_operation_then_sees_it(client, market_world):  # noqa: F811
    log_in(client, market_world, "facilitator")
    department = Department.objects.get(code="93")
    response = client.post(
        CREATE,
        {
            "name": "  NPNRU Franc-Moisin ",
            "kind": "urban_renewal",
            "department": department.pk,
            "communes": "93066",
            "insertion_rate": "5",
            "description": "Quartier Franc-Moisin – Bel-Air.",
        },
    )
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == operation_url(operation)
    assert operation.name == "NPNRU Franc-Moisin"
    assert operation.insertion_rate == Decimal("0.05")
    assert [c.insee for c in operation.communes.all()] == ["93066"]
    page = text(client.get(response["Location"]))
    assert "L'opération « NPNRU Franc-Moisin » est créée." in page
    assert "5 % des heures travaillées" in page
    assert "Aucun marché rattaché à cette opération" in page
    assert f'data-operation="{operation.pk}"' in client.get(OPERATIONS).content.decode()


def test_bad_input_is_explained_in_french(client, market_world):  # noqa: F811
    log_in(client, market_world, "coordinator93")
    paris = Department.objects.get(code="75")
    response = client.post(
        CREATE,
        {"name": "", "kind": "other", "department": paris.pk, "insertion_rate": "cinq"},
    )
    assert response.status_code == 400
    html = text(response)
    assert 'id="resume-erreurs"' in html
    assert "Sélectionnez un choix valide" in html  # Paris is outside the 93 coordination
    assert "« cinq » n'est pas un nombre" in html
    assert not Operation.objects.exists()


def test_communes_outside_the_department_are_refused(client, market_world):  # noqa: F811
    log_in(client, market_world, "coordinator93")
    response = client.post(
        CREATE,
        {
            "name": "Op",
            "kind": "other",
            "department": Department.objects.get(code="93").pk,
            "communes": "75056",
        },
    )
    assert response.status_code == 400
    assert "Commune(s) hors du département 93 : 75056." in text(response)


# ---------------------------------------------------------------------------------------
# Progress figures


def test_operation_detail_shows_its_markets_and_progress(client, hw, op):  # noqa: F811
    log_in(client, hw.base, "facilitator")
    html = text(client.get(operation_url(op)))
    assert f'data-market="{hw.market.pk}"' in html
    assert "80 h comptées sur 1\xa0000 h visées" in html
    assert "soit 8 % de l'objectif" in html
    assert re.search(r"<dt>Heures déclarées</dt>\s*<dd>130 h</dd>", html)
    assert re.search(r"<dt>Heures validées</dt>\s*<dd>100 h</dd>", html)
    progress = re.search(r"<progress[^>]*>", html).group()
    assert 'value="8"' in progress
    assert 'max="100"' in progress
    assert 'aria-labelledby="avancement-operation"' in progress
    assert 'id="avancement-operation"' in html
    assert f'href="/heures/clauses/{hw.clause.pk}/"' in html


def test_operation_without_hour_clauses_says_so(client, market_world):  # noqa: F811
    operation = new_operation(market_world)
    attach(operation, market_world.market())
    log_in(client, market_world, "buyer")
    html = text(client.get(operation_url(operation)))
    assert "Aucune clause avec un objectif d'heures" in html
    assert "<progress" not in html


def test_alerts_shown_when_behind_schedule(client, hw, op):  # noqa: F811
    Market.objects.filter(pk=hw.market.pk).update(
        start_date=timezone.localdate() - timedelta(days=700),
        end_date=timezone.localdate() + timedelta(days=30),
    )
    log_in(client, hw.base, "coordinator93")
    assert "En retard sur le calendrier" in text(client.get(operation_url(op)))


def test_market_detail_links_each_clause_to_its_progress(client, hw, op):  # noqa: F811
    log_in(client, hw.base, "facilitator")
    html = text(client.get(f"/marches/{hw.market.pk}/"))
    assert f'href="/heures/clauses/{hw.clause.pk}/"' in html
    block = html[html.index(f'data-progress="{hw.clause.pk}"') :]
    assert "80 h comptées sur 1\xa0000 h visées" in block[:600]
    assert f'aria-labelledby="avancement-{hw.clause.pk}"' in html
    assert 'id="avancement-marche"' in html
    assert f'href="{operation_url(op)}"' in html


def test_market_detail_without_hour_clause_has_no_progress(client, market_world):  # noqa: F811
    market = market_world.market()
    log_in(client, market_world, "buyer")
    html = text(client.get(f"/marches/{market.pk}/"))
    assert "/heures/clauses/" not in html
    assert "<progress" not in html


def test_company_sees_only_the_progress_of_its_lots(client, hw, op):  # noqa: F811
    other_lot = Lot.objects.create(market=hw.market, number=2, title="Lot sans l'entreprise")
    other = SocialConsideration.objects.create(
        lot=other_lot, kind="execution_condition", calculated_hours=500
    )
    log_in(client, hw.base, "company")
    html = text(client.get(f"/marches/{hw.market.pk}/"))
    assert f'href="/heures/clauses/{hw.clause.pk}/"' in html
    assert f'href="/heures/clauses/{other.pk}/"' not in html


# ---------------------------------------------------------------------------------------
# Links and meetings on the markets list


def test_markets_list_links_operations(client, hw, op):  # noqa: F811
    log_in(client, hw.base, "buyer")
    html = text(client.get("/marches/"))
    assert f'href="{OPERATIONS}"' in html
    assert f'href="{operation_url(op)}"' in html


def test_upcoming_meetings_for_the_network_only(client, hw):  # noqa: F811
    soon = Meeting.objects.create(
        market=hw.market, kind="site", date=timezone.now() + timedelta(days=3), location="Mairie"
    )
    past = Meeting.objects.create(
        market=hw.market, kind="launch", date=timezone.now() - timedelta(days=3)
    )
    for who in ("facilitator", "coordinator93"):
        log_in(client, hw.base, who)
        html = text(client.get("/marches/"))
        assert "Prochaines réunions" in html
        assert f'data-meeting="{soon.pk}"' in html
        assert "Réunion de chantier" in html
        assert f'data-meeting="{past.pk}"' not in html
        client.logout()
    log_in(client, hw.base, "buyer")
    assert "Prochaines réunions" not in text(client.get("/marches/"))
    client.logout()
    log_in(client, hw.base, "coordinator75")
    html = text(client.get("/marches/"))
    assert "Aucune réunion programmée à venir" in html


def test_htmx_list_has_no_meetings(client, hw):  # noqa: F811
    Meeting.objects.create(market=hw.market, kind="site", date=timezone.now() + timedelta(days=3))
    log_in(client, hw.base, "facilitator")
    response = client.get("/marches/", headers={"HX-Request": "true"})
    assert "Prochaines réunions" not in text(response)


def test_market_form_offers_visible_operations(client, hw, op):  # noqa: F811
    other = new_operation(hw.base, name="Opération parisienne", code="75")
    log_in(client, hw.base, "facilitator")
    html = text(client.get(f"/marches/{hw.market.pk}/modifier/"))
    assert f'<option value="{op.pk}" selected>NPNRU Franc-Moisin</option>' in html
    assert other.name not in html


# ---------------------------------------------------------------------------------------
# Query budgets


def _more_markets(world, operation: Operation, count: int) -> None:  # noqa: ANN001
    for i in range(count):
        market, lot, _clause = world.new_market(reference=f"OP-{i}")
        attach(operation, market)
        assignment = world.assign(world.participant, lot)
        declare(assignment, date(2026, 3, 1), 10, status="validated", counted=10)


def _count(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_operation_detail_query_budget(client, hw, op, django_assert_max_num_queries):  # noqa: F811
    log_in(client, hw.base, "coordinator93")
    client.get(operation_url(op))  # warm the session and the actor
    one = _count(client, operation_url(op))
    _more_markets(hw, op, 4)
    assert _count(client, operation_url(op)) == one
    with django_assert_max_num_queries(18):
        client.get(operation_url(op))


def test_market_detail_with_progress_query_budget(
    client,
    hw,  # noqa: F811
    op,
    django_assert_max_num_queries,
):
    log_in(client, hw.base, "facilitator")
    url = f"/marches/{hw.market.pk}/"
    client.get(url)
    one = _count(client, url)
    for number in range(2, 6):
        lot = Lot.objects.create(market=hw.market, number=number, title=f"Lot {number}")
        SocialConsideration.objects.create(
            lot=lot, kind="execution_condition", calculated_hours=200
        )
        declare(hw.assign(hw.participant, lot), date(2026, 3, 1), 10, status="validated")
    assert _count(client, url) == one
    with django_assert_max_num_queries(24):
        client.get(url)


def test_operation_list_query_budget(client, hw, op, django_assert_max_num_queries):  # noqa: F811
    for i in range(5):
        new_operation(hw.base, name=f"Opération {i}")
    log_in(client, hw.base, "coordinator93")
    client.get(OPERATIONS)
    with django_assert_max_num_queries(12):
        client.get(OPERATIONS)


# ---------------------------------------------------------------------------------------
# CPV of a lot (the autocomplete's field on the lot form)


def test_lot_takes_the_picked_cpv_or_the_markets(client, market_world):  # noqa: F811
    market = market_world.market()
    log_in(client, market_world, "buyer")
    url = f"/marches/{market.pk}/lots/ajouter/"
    page = text(client.get(url))
    assert 'list="suggestions-cpv-lot"' in page
    response = client.post(
        url, {"number": "2", "title": "Peinture", "cpv": "45442100 – Travaux de peinture"}
    )
    assert response.status_code == 302
    assert market.lots.get(number=2).cpv.code8 == "45442100"
    client.post(url, {"number": "3", "title": "Divers", "cpv": ""})
    assert market.lots.get(number=3).cpv.code8 == "45210000"
    lot = market.lots.get(number=2)
    assert 'value="45442100"' in text(client.get(f"/marches/{market.pk}/lots/{lot.pk}/"))
    response = client.post(url, {"number": "4", "title": "X", "cpv": "12345678"})
    assert response.status_code == 400
    assert "Ce code CPV est inconnu : 12345678" in text(response)
