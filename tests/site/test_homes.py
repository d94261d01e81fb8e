"""Each role lands on its home (#12.10): the sections of what waits for it, the
organisation and role in the header with the switcher, within a query budget; the
public presentation stays one link away."""

from html import unescape

import pytest

from clauses.notifications import services as notifications
from clauses.notifications.enums import NotificationKind
from tests.access.conftest import World
from tests.access.helpers import login

pytestmark = pytest.mark.django_db

HOMES = {
    "facilitator": [
        "Demandes du guichet à traiter",
        "Demandes en retard de première réponse",
        "Éligibilités à décider",
        "Éligibilités qui expirent",
        "Déclarations d'heures à contrôler",
        "Clauses en retard sur leurs heures",
        "Réunions de la semaine",
    ],
    "company_contact": ["À déclarer ce mois-ci", "Déclarations refusées ou à corriger"],
    "buyer_agent": [
        "Mes demandes au guichet en cours",
        "Mes marchés et leur avancement",
        "Marchés sans la condition sociale obligatoire",
    ],
    "departmental_coordinator": [
        "Demandes du guichet à traiter",
        "Demandes remontées faute de prise en charge",
        "Déclarations d'heures à contrôler",
        "Bilans du territoire",
    ],
    "national_coordinator": ["Bilans des régions"],
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_home(client, world: World, role, django_assert_max_num_queries):
    membership = world.memberships[role]
    login(client, membership)
    with django_assert_max_num_queries(45):
        response = client.get("/")
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "<h1>Mon espace</h1>" in html
    for title in HOMES[role]:
        assert title in html, (role, title)
    identity = f"{membership.organisation.name} — {membership.get_role_display()}"
    assert 'id="identite-courante"' in html and identity in html
    assert "Présentation des clauses sociales" in html


def test_a_partner_and_a_visitor_read_the_presentation(client, world: World):
    assert "<h1>Mon espace</h1>" not in client.get("/").content.decode()
    login(client, world.memberships["partner"])
    assert "<h1>Mon espace</h1>" not in client.get("/").content.decode()


def test_the_presentation_stays_reachable_when_signed_in(client, world: World):
    login(client, world.memberships["buyer_agent"])
    html = client.get("/?presentation=1").content.decode()
    assert "<h1>Mon espace</h1>" not in html


def test_the_home_shows_what_waits_in_the_notifications(client, world: World):
    membership = world.memberships["company_contact"]
    notifications.notify(
        recipients=[membership.user],
        kind=NotificationKind.DECLARATION_REFUSED,
        text="Déclaration d'heures de 03/2026 refusée : pas de contrat.",
        link="/heures/mes-clauses/",
    )
    login(client, membership)
    html = client.get("/").content.decode()
    assert 'id="notifications-en-attente"' in html
    assert "refusée : pas de contrat." in html
    assert 'id="cloche-notifications"' in html


def test_a_section_costs_one_query_when_its_rows_fit(world: World):
    """A home section reads its rows and their number in one query when they fit in the
    section; the count is asked only when there are more rows than shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clauses.accounts.models import Organisation
    from clauses.site.homes import SHOWN, _head

    organisations = Organisation.objects.order_by("pk")
    assert organisations.count() > SHOWN + 1
    few = organisations.filter(pk__in=list(organisations.values_list("pk", flat=True)[:3]))
    with CaptureQueriesContext(connection) as queries:
        rows, count = _head(few)
    assert (len(rows), count, len(queries)) == (3, 3, 1)
    with CaptureQueriesContext(connection) as queries:
        rows, count = _head(organisations)
    assert (len(rows), count, len(queries)) == (SHOWN, organisations.count(), 2)
