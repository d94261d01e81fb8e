"""The demo buyer agent opens "Mes demandes", filters it, reads a request of its
organisation and answers the desk; axe-core checks both pages."""

import re

from playwright.sync_api import expect

from clauses.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from clauses.desk.enums import MessageKind
from clauses.desk.models import Message, Request
from tests.browser.test_invitation_flow import code, log_in

BUYER = "acheteur@demo.clauses.example"
ANSWER = "Merci, voici le calendrier prévisionnel de la consultation."


def test_buyer_lists_reads_and_answers_its_requests(page, axe):
    log_in(page, BUYER, DEMO_PASSWORD)
    if "/double-authentification/" in page.url:
        page.locator('input[name="token"]').fill(code(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Vérifier").click()

    page.goto("/guichet/mes-demandes/")
    expect(page.locator("h1")).to_have_text("Mes demandes au guichet")
    axe(page)

    page.get_by_label("Statut").select_option("open")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=open"))
    first = page.locator("#table-mes-demandes tbody tr a").first
    reference = first.inner_text()
    desk_request = Request.objects.get(reference=reference)
    assert (
        desk_request.is_open
        and desk_request.buyer_organisation.memberships.filter(user__email=BUYER).exists()
    )

    first.click()
    expect(page.locator("h1")).to_have_text(f"Demande {reference}")
    expect(page.get_by_text("Note interne")).to_have_count(0)
    axe(page)

    page.get_by_role("textbox", name=re.compile(r"^Votre message")).fill(ANSWER)
    page.get_by_role("button", name="Envoyer mon message").click()
    expect(page.get_by_text("Votre message a bien été envoyé au guichet.")).to_be_visible()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    assert Message.objects.filter(
        request=desk_request, kind=MessageKind.FROM_BUYER, body=ANSWER
    ).exists()
