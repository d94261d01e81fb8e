"""Desk side pages: inbox (permissions, filters, htmx partial, query budget), request
detail and its actions, attachment downloads, dashboard."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.desk import services
from clauses.desk.enums import MessageKind, RequestKind, RequestStatus
from clauses.desk.models import Message, Request
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.desk.conftest import actor_for, request_data
from tests.desk.test_views_helpers import login, login_member_of

INBOX = "/guichet/boite/"
DASHBOARD = "/guichet/tableau-de-bord/"


def file(*, days_ago: int = 0, **overrides: object) -> Request:
    now = timezone.now() - timedelta(days=days_ago)
    return services.file_request(data=request_data(**overrides), now=now).request


def references(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


@pytest.fixture
def requests_(network):
    """Saint-Denis → Plaine Commune; Montreuil → coordination 93; Paris + 93 → regional."""
    return {
        "plaine": file(execution_communes=["93066"]),
        "dep93": file(execution_communes=["93048"], kind=RequestKind.SOCIAL_ADVICE),
        "regional": file(execution_communes=[], execution_departments=["75", "93"], days_ago=100),
    }


# ---------------------------------------------------------------------------------------
# Inbox: who may open it


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_buyer_agent_is_refused(client, db):
    login(client, MembershipFactory(organisation=OrganisationFactory(as_buyer=True)))
    assert client.get(INBOX).status_code == 403


def test_facilitator_sees_only_its_structure_requests(client, requests_, network):
    login_member_of(client, network.plaine)

    html = client.get(INBOX).content.decode()

    assert references(html) == [requests_["plaine"].reference]
    assert html.count("<h1") == 1


def test_departmental_coordinator_sees_its_departement(client, requests_, network):
    login_member_of(client, network.dep93, role=Role.COORDINATOR)

    seen = set(references(client.get(INBOX).content.decode()))

    assert requests_["plaine"].reference in seen and requests_["dep93"].reference in seen
    assert requests_["regional"].reference not in seen


def test_regional_coordinator_sees_everything(client, requests_, network):
    login_member_of(client, network.regional, role=Role.COORDINATOR)

    seen = set(references(client.get(INBOX).content.decode()))

    assert seen == {r.reference for r in requests_.values()}


# ---------------------------------------------------------------------------------------
# Inbox: filters, htmx, overdue, budget


@pytest.fixture
def regional_client(client, requests_, network):
    login_member_of(client, network.regional, role=Role.COORDINATOR)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": RequestKind.SOCIAL_ADVICE}, {"dep93"}),
        ({"department": "75"}, {"regional"}),
        ({"department": "93"}, {"plaine", "dep93", "regional"}),
        ({"age": "7"}, {"plaine", "dep93"}),
        ({"age": "old"}, {"regional"}),
        ({"overdue": "on"}, {"regional"}),
        ({"status": "open"}, {"plaine", "dep93", "regional"}),
        ({"status": RequestStatus.CLOSED}, set()),
        ({"timing": "after_publication"}, {"plaine", "dep93"}),
        ({"timing": "before_publication"}, {"regional"}),
        ({"kind": "pas-un-objet"}, {"plaine", "dep93", "regional"}),  # ignored, not an error
    ],
)
def test_filters(regional_client, requests_, query, expected):
    html = regional_client.get(INBOX, query).content.decode()
    assert set(references(html)) == {requests_[key].reference for key in expected}


def test_htmx_partial_has_the_same_rows_as_the_full_page(regional_client):
    query = {"department": "93"}
    full = regional_client.get(INBOX, query).content.decode()
    partial = regional_client.get(INBOX, query, HTTP_HX_REQUEST="true").content.decode()

    assert references(partial) == references(full)
    assert "<html" not in partial and "<h1" not in partial
    start = full.index('<div id="resultats">') + len('<div id="resultats">')
    assert full[start:].lstrip().startswith(partial.strip()[:200])


def test_filter_form_works_without_javascript_and_with_htmx(regional_client):
    html = regional_client.get(INBOX).content.decode()

    assert 'method="get"' in html and f'action="{INBOX}"' in html
    assert 'hx-get="/guichet/boite/"' in html and 'hx-push-url="true"' in html


def test_overdue_rows_stand_out_with_text(regional_client, requests_):
    html = regional_client.get(INBOX).content.decode()

    row = html[html.index(f'data-reference="{requests_["regional"].reference}"') :]
    row = row[: row.index("</tr>")]
    assert "En retard" in row and "desk-row--overdue" in html


def test_inbox_query_budget_does_not_grow_with_rows(client, network, django_assert_max_num_queries):
    for _ in range(25):
        file(execution_communes=["93066"])
    login_member_of(client, network.plaine)
    client.get(INBOX)  # warm the session

    with django_assert_max_num_queries(14):
        response = client.get(INBOX, {"status": "open"})
    assert len(references(response.content.decode())) == 20  # first page
    assert "Page 1 sur 2" in response.content.decode()


# ---------------------------------------------------------------------------------------
# Detail and actions


def detail_url(desk_request: Request, action: str = "") -> str:
    if not action:
        return reverse("desk:detail", args=[desk_request.reference])
    return reverse(f"desk:{action}", args=[desk_request.reference])


def test_detail_shows_facts_routing_history_and_notes(client, requests_, network):
    desk_request = requests_["plaine"]
    services.add_internal_note(
        actor=actor_for(network.plaine), desk_request=desk_request, body="Déjà accompagné en 2025."
    )
    login_member_of(client, network.plaine)

    html = client.get(detail_url(desk_request)).content.decode()

    assert desk_request.reference in html
    assert "Réhabilitation du groupe scolaire Pasteur" in html
    assert "45000000" in html
    assert "Saint-Denis (93066)" in html
    assert "Structure Plaine Commune" in html
    assert "Historique des orientations" in html and "Demande déposée" in html
    assert "Déjà accompagné en 2025." in html and "Note interne" in html
    assert html.count("<h1") == 1


def test_detail_of_a_request_of_another_territory_is_404(client, requests_, network):
    login_member_of(client, network.plaine)
    assert client.get(detail_url(requests_["dep93"])).status_code == 404


def test_take_charge(client, requests_, network):
    membership = login_member_of(client, network.plaine)
    desk_request = requests_["plaine"]

    response = client.post(detail_url(desk_request, "take_charge"))

    assert response.status_code == 302
    desk_request.refresh_from_db()
    assert desk_request.taken_by == membership.user
    assert desk_request.status == RequestStatus.ASSIGNED


def test_reply_reaches_the_buyer(client, requests_, network, django_capture_on_commit_callbacks):
    login_member_of(client, network.plaine)
    desk_request = requests_["plaine"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail_url(desk_request, "reply"), {"reponse-body": "Bonjour, parlons-en mardi."}
        )

    assert response.status_code == 302
    message = Message.objects.get(request=desk_request)
    assert message.kind == MessageKind.REPLY_TO_BUYER
    assert any(desk_request.contact_email in m.to for m in mail.outbox)


def test_empty_reply_rerenders_with_the_error(client, requests_, network):
    login_member_of(client, network.plaine)

    response = client.post(detail_url(requests_["plaine"], "reply"), {"reponse-body": ""})

    assert response.status_code == 400
    assert "Écrivez la réponse avant de l&#x27;envoyer." in response.content.decode()
    assert 'id="resume-erreurs"' in response.content.decode()


def test_internal_note(client, requests_, network):
    login_member_of(client, network.plaine)
    desk_request = requests_["plaine"]

    client.post(detail_url(desk_request, "add_note"), {"note-body": "À rappeler."})

    assert Message.objects.get(request=desk_request).kind == MessageKind.INTERNAL_NOTE


def test_close_with_an_outcome(client, requests_, network):
    login_member_of(client, network.plaine)
    desk_request = requests_["plaine"]

    response = client.post(
        detail_url(desk_request, "close"),
        {"cloture-outcome": "advice_given", "cloture-comment": ""},
    )

    assert response.status_code == 302
    desk_request.refresh_from_db()
    assert desk_request.status == RequestStatus.CLOSED and desk_request.outcome == "advice_given"


def test_facilitator_may_not_reassign(client, requests_, network):
    login_member_of(client, network.plaine)
    desk_request = requests_["plaine"]

    assert "Réaffecter la demande" not in client.get(detail_url(desk_request)).content.decode()
    response = client.post(
        detail_url(desk_request, "reassign"),
        {"reaffectation-target": f"structure:{network.est_a.pk}", "reaffectation-comment": "x"},
    )
    assert response.status_code == 403


def test_coordinator_reassigns_with_a_comment(client, requests_, network):
    login_member_of(client, network.dep93, role=Role.COORDINATOR)
    desk_request = requests_["dep93"]
    page = client.get(detail_url(desk_request)).content.decode()
    assert f'value="structure:{network.est_a.pk}"' in page
    assert f'value="structure:{network.plaine.pk}"' in page

    missing = client.post(
        detail_url(desk_request, "reassign"),
        {"reaffectation-target": f"structure:{network.est_a.pk}", "reaffectation-comment": ""},
    )
    assert missing.status_code == 400
    assert "Expliquez pourquoi" in missing.content.decode()

    done = client.post(
        detail_url(desk_request, "reassign"),
        {
            "reaffectation-target": f"structure:{network.est_a.pk}",
            "reaffectation-comment": "Est A suit déjà ce bailleur.",
        },
    )
    assert done.status_code == 302
    desk_request.refresh_from_db()
    assert desk_request.target_structure == network.est_a
    assert desk_request.assignments.last().comment == "Est A suit déjà ce bailleur."


def test_coordinator_cannot_reassign_outside_its_territory(client, requests_, network):
    outside = network.dep75
    login_member_of(client, network.dep93, role=Role.COORDINATOR)

    response = client.post(
        detail_url(requests_["dep93"], "reassign"),
        {"reaffectation-target": f"coordination:{outside.pk}", "reaffectation-comment": "Paris"},
    )

    assert response.status_code == 400  # not one of the choices offered
    assert requests_["dep93"].assignments.count() == 1


def test_staff_attachment_download_goes_through_visibility(client, network):
    filed = services.file_request(
        data=request_data(execution_communes=["93066"]),
        attachments=[("plan.pdf", b"%PDF-1.4 plan")],
    )
    attachment = filed.request.attachments.get()
    url = reverse("desk:attachment", args=[attachment.pk])

    login_member_of(client, network.est_a)
    assert client.get(url).status_code == 404
    login_member_of(client, network.plaine)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="plan.pdf"')


# ---------------------------------------------------------------------------------------
# Dashboard


def test_dashboard_numbers_on_a_known_dataset(
    client, requests_, network, django_assert_max_num_queries
):
    services.reply(
        actor=actor_for(network.plaine), desk_request=requests_["plaine"], body="Bonjour."
    )
    login_member_of(client, network.regional, role=Role.COORDINATOR)
    client.get(DASHBOARD)

    with django_assert_max_num_queries(20):
        response = client.get(DASHBOARD)

    figures = response.context["figures"]
    assert figures.total == 3
    assert figures.routed_automatically == 3
    assert {row.key: row.count for row in figures.per_kind}[RequestKind.SOCIAL_ADVICE] == 1
    per_department = {row.key: row.count for row in figures.per_department}
    assert per_department["93"] == 3 and per_department["75"] == 1
    assert sum(row.count for row in figures.per_week) == 2  # the 100-day-old one is outside
    assert [r.reference for r in figures.overdue] == [requests_["regional"].reference]
    html = response.content.decode()
    assert html.count('role="img"') == 3
    assert html.count("<caption>") >= 3 and 'scope="row"' in html
    assert "100 %" in html  # share routed automatically


def test_dashboard_is_refused_to_a_buyer(client, db):
    login(client, MembershipFactory(organisation=OrganisationFactory(as_buyer=True)))
    assert client.get(DASHBOARD).status_code == 403
