"""The follow-up end to end: the demo facilitator (two-factor authentication) opens a demo
participant, looks at the criteria the facts support, validates the eligibility; axe-core
checks the participant page and the eligibility page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_desk_flow import log_in_as_demo_facilitator

CRITERION = "Demandeur·se d'emploi de longue durée (12 mois ou plus d'inscription)"


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


def test_facilitator_opens_a_participant_and_validates_eligibility(demo_mode, page, axe):
    log_in_as_demo_facilitator(page)
    page.goto("/suivi/participants/")
    expect(page.locator("h1")).to_have_text("Participants")
    page.get_by_label("Rechercher par nom").fill("Démo-Durand")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Camille Démo-Durand").click()

    expect(page.locator("h1")).to_have_text("Camille Démo-Durand")
    expect(page.get_by_role("heading", name="Validations d'éligibilité")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Valider l'éligibilité").click()
    expect(page.locator("h1")).to_contain_text("Valider l'éligibilité de Camille Démo-Durand")
    axe(page)
    page.get_by_label("Durée d'inscription à France Travail (mois)").fill("14")
    page.get_by_role("button", name="Voir les critères").click()
    callout = page.get_by_role("status").filter(has_text="Critères permis par les faits")
    expect(callout).to_contain_text("Demandeur·se d'emploi de longue durée")
    axe(page)

    page.locator("label", has_text=CRITERION).click()  # the DSFR label covers the box
    expect(page.get_by_role("checkbox", name=CRITERION, exact=True)).to_be_checked()
    page.get_by_label("Type de justificatif vu").select_option(
        label="Avis de situation France Travail"
    )
    page.locator("#id_proof_date").fill(
        timezone.localdate().isoformat()
    )  # its label is also words of the start date's hint
    page.get_by_role("button", name="Valider l'éligibilité").click()

    expect(page.locator("h1")).to_have_text("Camille Démo-Durand")
    expect(page.locator("main")).to_contain_text("Éligibilité validée.")
    expect(page.locator("main")).to_contain_text(CRITERION)
    axe(page)


def test_follow_up_forms_are_accessible(demo_mode, page, axe):
    """The facilitator's other screens, errors included, pass axe-core."""
    log_in_as_demo_facilitator(page)
    page.goto("/suivi/participants/")
    page.get_by_role("link", name="Enregistrer un·e participant·e").click()
    expect(page.locator("h1")).to_have_text("Enregistrer un·e participant·e")
    page.get_by_role("button", name="Enregistrer").click()  # nothing typed: errors shown
    expect(page.locator("main")).to_contain_text("Ce champ est obligatoire.")
    axe(page)

    page.goto("/suivi/participants/")
    page.get_by_label("Rechercher par nom").fill("Démo-Martin")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Alix Démo-Martin").click()
    page.get_by_role("link", name="Enregistrer une sortie").click()
    expect(page.locator("h1")).to_contain_text("Enregistrer la sortie")
    axe(page)
    page.go_back()
    page.get_by_role("link", name="Ajouter une mission").click()
    expect(page.locator("h1")).to_contain_text("Ajouter une mission")
    axe(page)

    page.goto("/suivi/postes/")
    expect(page.locator("h1")).to_have_text("Postes à pourvoir sous clause")
    axe(page)
    page.get_by_role("link", name="Pré-vérifier").first.click()
    expect(page.locator("h1")).to_contain_text("Pré-vérifier l'éligibilité")
    axe(page)
