"""The desk end to end: a buyer files a request (no account), the demo facilitator (two-factor
authentication) finds it in the inbox and answers, the buyer reads the answer on the private
link. axe-core checks the form and the inbox."""

import re

import pytest
from playwright.sync_api import expect

from clauses.accounts import demo as accounts_demo

REPLY = "Bonjour, je vous propose un rendez-vous mardi pour préparer la clause."


@pytest.fixture
def demo_mode(settings):
    """Demo accounts are only created in demo mode (their secrets are public)."""
    settings.DEMO_MODE = True


def log_in_as_demo_facilitator(page) -> None:
    facilitator = next(a for a in accounts_demo.DEMO_ACCOUNTS if a.key == "facilitator")
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(facilitator.email)
    page.get_by_label("Mot de passe").fill(accounts_demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de vérification").fill(accounts_demo.current_demo_code())
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("button", name="Vérifier")).to_have_count(0)


def test_request_form_is_accessible(demo_mode, page, axe):
    response = page.goto("/guichet/demande/")

    assert response is not None and response.ok
    expect(page.locator("h1")).to_have_count(1)
    axe(page)


def test_buyer_files_facilitator_answers_buyer_reads(demo_mode, page, axe, browser, site_data):
    # 1. The buyer (no account) fills in the form; the commune comes from the htmx chips.
    page.goto("/guichet/demande/")
    page.get_by_label("Nom de votre organisme").fill("Ville de Démo-sur-Seine")
    page.get_by_label("SIRET de votre organisme").fill(accounts_demo.demo_siret(1))
    page.get_by_label("Vos prénom et nom").fill("Camille Martin")
    page.get_by_label("Votre adresse électronique").fill("camille.martin@demo-sur-seine.fr")
    page.get_by_text("Mise en relation avec le facilitateur de mon territoire").click()
    expect(page.get_by_role("radio", name=re.compile("Mise en relation"))).to_be_checked()
    page.get_by_label("Objet du marché").fill("Rénovation de l'école Jules-Ferry")
    page.get_by_label("Ajouter des communes").press_sequentially("bobign", delay=40)
    page.get_by_role("button", name=re.compile(r"Bobigny \(93\)")).click()
    expect(page.get_by_role("checkbox", name="Bobigny (93)")).to_be_checked()
    expect(page.get_by_label("Ajouter des communes")).to_have_value("")
    page.get_by_role("textbox", name=re.compile(r"^Votre message")).fill(
        "Nous préparons un marché de travaux et souhaitons une clause d'insertion."
    )
    page.get_by_role("button", name="Envoyer ma demande").click()

    expect(page.locator("h1")).to_have_text("Votre demande est bien enregistrée")
    reference = re.search(r"GRCS-\d{4}-\d{6}", page.locator("main").inner_text()).group(0)
    follow_link = page.get_by_role("link", name=re.compile("Suivre ma demande")).get_attribute(
        "href"
    )
    axe(page)

    # 2. The demo facilitator logs in (password + code), finds it in the inbox, answers.
    staff = browser.new_context(locale="fr-FR", base_url=site_data.url).new_page()
    log_in_as_demo_facilitator(staff)
    staff.goto("/guichet/boite/")
    staff.get_by_label("Rechercher").fill(reference)
    staff.get_by_role("button", name="Appliquer les filtres").click()
    row_link = staff.get_by_role("link", name=reference)
    expect(row_link).to_be_visible()
    axe(staff)
    row_link.click()
    expect(staff.locator("h1")).to_contain_text(reference)
    staff.get_by_label("Réponse à l'acheteur").fill(REPLY)
    staff.get_by_role("button", name="Envoyer la réponse").click()
    expect(staff.locator("main")).to_contain_text("Votre réponse a été envoyée")
    staff.context.close()

    # 3. The buyer reads the answer on the private link.
    page.goto(follow_link)
    expect(page.locator("main")).to_contain_text(REPLY)
    expect(page.locator("main")).to_contain_text("En attente de l'acheteur")
