"""A facilitator converts a desk request into a market, adds a lot whose insertion clause
the calculator computes, and downloads the clause text; axe-core checks the calculator and
the market's pages, and the calculator updates its result in place (htmx)."""

import io
import re

from django.core import mail
from docx import Document
from playwright.sync_api import expect

from clauses.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from clauses.desk import services as desk_services
from clauses.desk.models import Request
from clauses.network.models import FacilitatorStructure
from tests.accounts.factories import valid_siret
from tests.browser.test_invitation_flow import code, log_in

FACILITATOR = "facilitateur@demo.clauses.example"


def demo_request_for(structure: FacilitatorStructure) -> Request:
    """A fresh request handled by the demo facilitator's structure."""
    filed = desk_services.file_request(
        data={
            "kind": "social_advice",
            "buyer_name": "Ville de démonstration",
            "buyer_siret": valid_siret(),
            "contact_name": "Camille Martin",
            "contact_email": "camille.martin@ville-demo.fr",
            "execution_communes": ["93066"],
            "execution_departments": [],
            "region_wide": False,
            "market_subject": "Rénovation du gymnase Maurice-Baquet",
            "market_cpv": "45210000",
            "market_estimated_amount": "1500000",
            "market_planned_publication_date": "2026-12-01",
            "market_duration_months": 12,
            "message": "Nous souhaitons une clause d'insertion pour ces travaux.",
        }
    ).request
    if filed.target_structure_id != structure.pk:  # routed elsewhere: hand it over
        Request.objects.filter(pk=filed.pk).update(
            target_structure=structure, target_coordination=None, target_level="structure"
        )
    return filed


# Every link and button of the page's main content, visible, with no readable words or
# with words cut by its box (DSFR icon-only rendering of a button group without
# fr-btns-group--icon-left clips the text to the icon's width).
_SILENT_ACTIONS = """
() => [...document.querySelectorAll("main a, main button")]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
  .filter((el) => !el.innerText.trim() || el.scrollWidth > el.clientWidth + 2)
  .map((el) => el.outerHTML.slice(0, 160))
"""


def assert_every_action_shows_its_words(page) -> None:  # noqa: ANN001
    assert page.evaluate(_SILENT_ACTIONS) == []


def test_facilitator_converts_a_request_adds_a_clause_and_downloads_it(page, axe):
    mail.outbox.clear()
    structure = FacilitatorStructure.objects.get(organisation__memberships__user__email=FACILITATOR)
    desk_request = demo_request_for(structure)

    log_in(page, FACILITATOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/double-authentification/verifier/"))
    page.locator('input[name="token"]').fill(code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Vérifier").click()

    # The desk request becomes a market once the facilitator confirmed what will be created.
    page.goto(f"/guichet/demandes/{desk_request.reference}/")
    page.get_by_role("button", name="Convertir en marché").click()
    expect(page.locator("h1")).to_contain_text("Créer un marché à partir de la demande")
    expect(page.locator("#marche-prevu")).to_contain_text("Rénovation du gymnase Maurice-Baquet")
    expect(page.locator("#acheteur-prevu")).to_contain_text("Ville de démonstration")
    axe(page)
    page.get_by_role("button", name="Créer le marché").click()
    expect(page).to_have_url(re.compile(r"/marches/\d+/$"))
    expect(page.locator("main")).to_contain_text("est devenue un marché")
    expect(page.locator("h1")).to_contain_text("Rénovation du gymnase Maurice-Baquet")
    axe(page)
    market_url = page.url

    # A lot with its insertion clause, computed by the calculator inside the lot form.
    page.get_by_role("link", name="Ajouter un lot").click()
    axe(page)
    page.locator('input[name="title"]').fill("Peinture intérieure")
    page.locator('input[name="lot_amount"]').fill("1 000 000")
    page.get_by_text("Ajouter une clause d'insertion à ce lot").click()
    page.locator('select[name="preset"]').select_option("batiment")
    page.get_by_role("button", name="Enregistrer le lot").click()
    expect(page).to_have_url(re.compile(re.escape(market_url) + r"#lot-\d+$"))
    expect(page.locator("main")).to_contain_text("833 heures d'insertion")
    axe(page)
    assert_every_action_shows_its_words(page)

    # The status changes with the real date of the step.
    page.locator("#statut_to").select_option("in_consultation")
    page.locator("#statut_on").fill("2026-01-05")
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.locator("main")).to_contain_text("Consultation lancée le 5 janvier 2026")

    # The clause text, and its Word file.
    page.get_by_role("link", name="Texte de la clause du lot 2").click()
    expect(page.locator("#texte-clause")).to_contain_text("au moins 833 heures")
    expect(page.get_by_role("button", name="Copier")).to_be_visible()
    axe(page)
    assert_every_action_shows_its_words(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger au format Word (DOCX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-lot-2.docx")
    with open(download.path(), "rb") as handle:
        paragraphs = [p.text for p in Document(io.BytesIO(handle.read())).paragraphs]
    assert any("833 heures" in p for p in paragraphs)

    # The list of markets: every action labelled too.
    page.goto("/marches/")
    assert_every_action_shows_its_words(page)


def test_calculator_updates_its_result_in_place(page, axe):
    page.goto("/marches/calculateur/")
    axe(page)
    page.locator('select[name="preset"]').select_option("batiment")
    page.locator('input[name="amount_ht"]').fill("1 000 000,50")
    page.locator('input[name="amount_ht"]').dispatch_event("change")
    expect(page.locator("[data-hours]")).to_have_attribute("data-hours", "833")
    expect(page.locator("#resultat")).to_contain_text("833 heures d'insertion")
    axe(page)
    # Without htmx, the same GET form gives the same result.
    page.goto("/marches/calculateur/?preset=batiment&amount_ht=1000000")
    expect(page.locator("[data-hours]")).to_have_attribute("data-hours", "833")
