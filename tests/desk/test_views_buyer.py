"""Buyer agents' pages: "Mes demandes" (their organisation's requests) and a request's page
with the exchange and the reply form; the desk side and anonymous filers unaffected."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.accounts.models import User
from clauses.desk import services
from clauses.desk.enums import MessageKind, RequestOutcome, RequestStatus
from clauses.desk.models import Attachment, Message, Request
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.desk.conftest import actor_for, request_data
from tests.desk.test_views_helpers import login, login_member_of

MY_REQUESTS = "/guichet/mes-demandes/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def my_request_url(desk_request: Request) -> str:
    return reverse("desk:my_request", kwargs={"reference": desk_request.reference})


def file_for(organisation, *, days_ago: int = 0, **overrides: object) -> Request:  # noqa: ANN001
    now = timezone.now() - timedelta(days=days_ago)
    data = request_data(buyer_organisation=organisation, **overrides)
    return services.file_request(data=data, now=now).request


def references(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


@pytest.fixture
def buyers(network):
    """Two buyer organisations, each with an agent and a request (Saint-Denis → Plaine)."""
    ours = OrganisationFactory(as_buyer=True, name="Ville de Saint-Denis")
    theirs = OrganisationFactory(as_buyer=True, name="Ville de Montreuil")
    return {
        "ours": ours,
        "theirs": theirs,
        "agent": MembershipFactory(organisation=ours, role=Role.BUYER_AGENT),
        "other_agent": MembershipFactory(organisation=theirs, role=Role.BUYER_AGENT),
        "our_request": file_for(ours),
        "their_request": file_for(theirs),
    }


def test_the_list_url_is_named_for_the_menu():
    assert reverse("desk:my_requests") == MY_REQUESTS


# ---------------------------------------------------------------------------------------
# Who may open the pages


@pytest.mark.parametrize("name", ["list", "detail", "attachment"])
def test_anonymous_is_sent_to_login(client, buyers, name):
    reference = buyers["our_request"].reference
    url = {
        "list": MY_REQUESTS,
        "detail": my_request_url(buyers["our_request"]),
        "attachment": reverse(
            "desk:my_request_attachment", kwargs={"reference": reference, "pk": 1}
        ),
    }[name]

    response = client.get(url)

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_buyer_sees_only_its_organisation_requests(client, buyers):
    mine_too = file_for(buyers["ours"], days_ago=3)  # filed by a colleague, earlier
    login(client, buyers["agent"])

    response = client.get(MY_REQUESTS)

    html = response.content.decode()
    assert response.status_code == 200
    assert references(html) == [buyers["our_request"].reference, mine_too.reference]
    assert buyers["their_request"].reference not in html
    assert html.count("<h1") == 1
    assert "Mes demandes au guichet" in html
    assert reverse("desk:request_form") in html  # a new request, from the pre-filled form
    assert "Structure Plaine Commune" in html  # who handles it
    assert "Aucun message" in html


def test_another_organisation_request_is_a_404(client, buyers):
    login(client, buyers["other_agent"])

    assert client.get(my_request_url(buyers["our_request"])).status_code == 404
    response = client.post(my_request_url(buyers["our_request"]), {"body": "Bonjour"})
    assert response.status_code == 404
    assert not Message.objects.filter(request=buyers["our_request"]).exists()


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.COORDINATOR])
def test_desk_side_is_refused_the_buyer_pages_and_keeps_its_own(client, buyers, network, role):
    target = network.plaine if role == Role.FACILITATOR else network.dep93
    login_member_of(client, target, role=role)

    assert client.get(MY_REQUESTS).status_code == 403
    assert client.get(my_request_url(buyers["our_request"])).status_code == 403
    inbox = client.get(reverse("desk:inbox")).content.decode()
    assert buyers["our_request"].reference in references(inbox)
    detail = reverse("desk:detail", kwargs={"reference": buyers["our_request"].reference})
    assert client.get(detail).status_code == 200


def test_buyer_agent_still_refused_the_desk_inbox(client, buyers):
    login(client, buyers["agent"])

    assert client.get(reverse("desk:inbox")).status_code == 403
    detail = reverse("desk:detail", kwargs={"reference": buyers["our_request"].reference})
    assert client.get(detail).status_code == 403


# ---------------------------------------------------------------------------------------
# The list: filters, last message, pagination, query budget


def test_status_filter(client, buyers, network):
    closed = file_for(buyers["ours"], days_ago=1)
    services.close(
        actor=actor_for(network.plaine),
        desk_request=closed,
        outcome=RequestOutcome.ADVICE_GIVEN,
        notify_buyer=False,
    )
    login(client, buyers["agent"])

    open_ = references(client.get(MY_REQUESTS, {"status": "open"}).content.decode())
    closed_ = references(client.get(MY_REQUESTS, {"status": "closed"}).content.decode())
    new = references(client.get(MY_REQUESTS, {"status": RequestStatus.NEW}).content.decode())
    ignored = references(client.get(MY_REQUESTS, {"status": "n'importe quoi"}).content.decode())

    assert open_ == [buyers["our_request"].reference]
    assert closed_ == [closed.reference]
    assert new == [buyers["our_request"].reference]
    assert set(ignored) == {buyers["our_request"].reference, closed.reference}


def test_last_message_date_leaves_internal_notes_out(client, buyers, network):
    desk_request = buyers["our_request"]
    facilitator = actor_for(network.plaine)
    reply = services.reply(
        actor=facilitator, desk_request=desk_request, body="Bonjour", now=timezone.now()
    )
    services.add_internal_note(
        actor=facilitator,
        desk_request=desk_request,
        body="Note",
        now=timezone.now() + timedelta(days=2),
    )
    login(client, buyers["agent"])

    row = client.get(MY_REQUESTS).context["rows"][0]

    assert row.last_message_at == reply.created_at


def test_pagination_keeps_the_filter(client, buyers):
    for days in range(1, 22):
        file_for(buyers["ours"], days_ago=days)
    login(client, buyers["agent"])

    first = client.get(MY_REQUESTS, {"status": "open"})
    second = client.get(MY_REQUESTS, {"status": "open", "page": 2})

    assert first.context["page"].paginator.count == 22
    assert len(references(first.content.decode())) == 20
    assert "?status=open&amp;page=2" in first.content.decode()
    assert len(references(second.content.decode())) == 2


def test_list_query_budget_does_not_grow_with_rows(
    client, buyers, network, django_assert_max_num_queries
):
    facilitator = actor_for(network.plaine)
    for days in range(1, 15):
        desk_request = file_for(buyers["ours"], days_ago=days)
        services.reply(actor=facilitator, desk_request=desk_request, body="Bonjour")
    login(client, buyers["agent"])
    client.get(MY_REQUESTS)  # warm the session and the caches

    with django_assert_max_num_queries(8):
        response = client.get(MY_REQUESTS)

    assert len(references(response.content.decode())) == 15


def test_detail_query_budget(client, buyers, network, django_assert_max_num_queries):
    desk_request = buyers["our_request"]
    facilitator = actor_for(network.plaine)
    for n in range(6):
        services.reply(actor=facilitator, desk_request=desk_request, body=f"Réponse {n}")
        services.add_internal_note(actor=facilitator, desk_request=desk_request, body=f"Note {n}")
    login(client, buyers["agent"])
    client.get(my_request_url(desk_request))

    with django_assert_max_num_queries(10):
        response = client.get(my_request_url(desk_request))

    assert response.status_code == 200


# ---------------------------------------------------------------------------------------
# The request's page and the reply


def test_detail_shows_the_exchange_without_internal_notes(client, buyers, network):
    desk_request = buyers["our_request"]
    facilitator = actor_for(network.plaine)
    services.reply(actor=facilitator, desk_request=desk_request, body="Voici nos conseils.")
    services.add_internal_note(
        actor=facilitator, desk_request=desk_request, body="Secret du guichet"
    )
    login(client, buyers["agent"])

    response = client.get(my_request_url(desk_request))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Voici nos conseils." in html
    assert "Secret du guichet" not in html
    assert "Note interne" not in html
    assert desk_request.message.replace("'", "&#x27;") in html
    assert 'name="body"' in html and 'name="site_web"' not in html
    assert html.count("<h1") == 1


def test_buyer_replies_and_the_person_in_charge_is_emailed(
    client, buyers, network, django_capture_on_commit_callbacks
):
    desk_request = buyers["our_request"]
    facilitator = actor_for(network.plaine)
    services.take_charge(actor=facilitator, desk_request=desk_request)
    services.reply(actor=facilitator, desk_request=desk_request, body="Une précision ?")
    handler = User.objects.get(pk=facilitator.user_id)
    login(client, buyers["agent"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            my_request_url(desk_request),
            {
                "body": "Voici le calendrier du marché.",
                "attachments": [SimpleUploadedFile("calendrier.pdf", PDF, "application/pdf")],
            },
        )

    assert response.status_code == 302
    assert response.url == f"{my_request_url(desk_request)}#echanges"
    message = Message.objects.get(kind=MessageKind.FROM_BUYER)
    assert message.request == desk_request
    assert message.author == buyers["agent"].user
    assert message.body == "Voici le calendrier du marché."
    assert message.attachments.get().original_name == "calendrier.pdf"
    desk_request.refresh_from_db()
    assert desk_request.status == RequestStatus.IN_PROGRESS
    assert [m.to for m in mail.outbox] == [[handler.email]]
    assert desk_request.reference in mail.outbox[0].subject

    page = client.get(response.url).content.decode()
    assert "Votre message a bien été envoyé au guichet." in page
    link = reverse(
        "desk:my_request_attachment",
        kwargs={"reference": desk_request.reference, "pk": message.attachments.get().pk},
    )
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_an_empty_reply_is_refused_with_the_error_summary(client, buyers):
    login(client, buyers["agent"])

    response = client.post(my_request_url(buyers["our_request"]), {"body": "  "})

    assert response.status_code == 400
    assert "Écrivez votre message avant de l&#x27;envoyer." in response.content.decode()
    assert 'id="resume-erreurs"' in response.content.decode()
    assert not Message.objects.exists()


def test_a_closed_request_takes_no_reply(client, buyers, network):
    desk_request = buyers["our_request"]
    services.close(
        actor=actor_for(network.plaine),
        desk_request=desk_request,
        outcome=RequestOutcome.ADVICE_GIVEN,
        notify_buyer=False,
    )
    login(client, buyers["agent"])

    page = client.get(my_request_url(desk_request)).content.decode()
    response = client.post(my_request_url(desk_request), {"body": "Encore une question"})

    assert 'name="body"' not in page and "Cette demande est clôturée" in page
    assert response.status_code == 400
    assert not Message.objects.filter(kind=MessageKind.FROM_BUYER).exists()


def test_files_of_notes_and_of_other_organisations_are_404(client, buyers, network):
    desk_request = buyers["our_request"]
    theirs = services.file_request(
        data=request_data(buyer_organisation=buyers["theirs"]),
        attachments=[("leur-programme.pdf", PDF)],
    ).request
    their_file = theirs.attachments.get()
    note = services.add_internal_note(
        actor=actor_for(network.plaine), desk_request=desk_request, body="Pièce interne"
    )
    note_file = Attachment.objects.create(
        request=desk_request,
        message=note,
        file=ContentFile(PDF, name="interne.pdf"),
        original_name="interne.pdf",
        detected_type="pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    login(client, buyers["agent"])

    def download(reference: str, pk: int) -> int:
        url = reverse("desk:my_request_attachment", kwargs={"reference": reference, "pk": pk})
        return client.get(url).status_code

    assert download(theirs.reference, their_file.pk) == 404
    assert download(desk_request.reference, their_file.pk) == 404
    assert download(desk_request.reference, note_file.pk) == 404


# ---------------------------------------------------------------------------------------
# Filing: the confirmation, for anonymous filers and buyer agents


def test_confirmation_links_a_buyer_agent_to_its_request(
    client, buyers, django_capture_on_commit_callbacks
):
    from tests.desk.test_views import form_data

    login(client, buyers["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("desk:request_form"), form_data(siret=buyers["ours"].siret))

    filed = Request.objects.latest("pk")
    page = client.get(response.url).content.decode()
    assert filed.buyer_organisation == buyers["ours"]
    assert my_request_url(filed) in page
    assert "/guichet/suivi/" in page  # the private link is still given
    assert any(filed.reference in m.subject for m in mail.outbox)
    assert filed.reference in references(client.get(MY_REQUESTS).content.decode())


def test_confirmation_for_an_anonymous_filer_is_unchanged(
    client, network, django_capture_on_commit_callbacks
):
    from tests.desk.test_views import form_data

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("desk:request_form"), form_data())

    filed = Request.objects.get()
    page = client.get(response.url).content.decode()
    assert response.status_code == 302
    assert "/guichet/suivi/" in page
    assert MY_REQUESTS not in page
    assert any("camille.martin@ville-test.fr" in m.to for m in mail.outbox)
    assert filed.buyer_organisation is None


def test_reply_email_points_an_organisation_request_to_mes_demandes(
    buyers, network, django_capture_on_commit_callbacks
):
    facilitator = actor_for(network.plaine)
    anonymous = services.file_request(data=request_data()).request
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=facilitator, desk_request=buyers["our_request"], body="Bonjour")
        services.reply(actor=facilitator, desk_request=anonymous, body="Bonjour")

    ours, theirs = mail.outbox
    assert my_request_url(buyers["our_request"]) in ours.body
    assert "Mes demandes" not in theirs.body
    assert "lien personnel" in ours.body and "lien personnel" in theirs.body
