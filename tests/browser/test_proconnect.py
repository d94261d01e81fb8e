"""ProConnect in a real browser, against the local OpenID Connect provider of the demo
(tests/support/proconnect_provider, its demo identities): the login page shows the official
« S’identifier avec ProConnect » button beside the email login (axe-core), a buyer agent of
the confirmed demo organisation signs in end to end and out again (through the provider's
end_session_endpoint), and an agent of an unknown organisation proposes it.

Skipped, with the reason, only when node or `npm ci` is missing and
CLAUSES_TEST_PROCONNECT_REQUIRED is not set; CI sets it, and then a missing provider fails."""

import json
import re

import pytest
from playwright.sync_api import expect

from clauses.accounts.models import Membership, ProConnectIdentity, User
from tests.accounts.proconnect_provider import PROVIDER, running_provider

DEMO_BUYER_AGENT = "acheteur@demo.clauses.example"
UNKNOWN_AGENT = "agent@mairie-inconnue.example"


@pytest.fixture
def proconnect(site_data, settings):
    """The local provider with the demo identities, and the site configured for it exactly
    as the README's optional demo setup says (client id and secret of the demo)."""
    identities = json.loads((PROVIDER / "demo-identities.json").read_text())
    with running_provider(
        site=site_data.url.rstrip("/"),
        client_id="clauses-demo",
        client_secret="clauses-demo-secret",
        identities=identities,
    ) as issuer:
        settings.CLAUSES_PROCONNECT_ISSUER = issuer
        settings.CLAUSES_PROCONNECT_CLIENT_ID = "clauses-demo"
        settings.CLAUSES_PROCONNECT_CLIENT_SECRET = "clauses-demo-secret"
        yield issuer


def _at_provider(page, email: str) -> None:
    expect(page.locator("h1")).to_have_text("Fournisseur d'identité de test (ProConnect local)")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_role("button", name="Se connecter").click()


def test_buyer_agent_of_the_demo_signs_in_and_out_with_proconnect(page, axe, proconnect, site_data):
    page.goto("/compte/connexion/")
    button = page.get_by_role("button", name="S’identifier avec ProConnect")
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name="Qu’est-ce que ProConnect ?")).to_be_visible()
    # Beside the email login, which stays.
    expect(page.get_by_label("Adresse électronique")).to_be_visible()
    expect(page.get_by_role("button", name="Se connecter", exact=True)).to_be_visible()
    axe(page)

    button.click()
    _at_provider(page, DEMO_BUYER_AGENT)
    expect(page).to_have_url(re.compile("^" + re.escape(site_data.url)))  # back on Clauses
    expect(page.locator("header")).to_contain_text("Se déconnecter")
    page.goto("/compte/")
    expect(page.locator("main")).to_contain_text("Ville de Démo-sur-Seine (démo)")
    axe(page)
    user = User.objects.get(email=DEMO_BUYER_AGENT)
    assert ProConnectIdentity.objects.get(user=user).siret == "99000001000019"

    # Logout ends the ProConnect session too, and comes back here.
    page.locator("header").get_by_role("button", name="Se déconnecter").first.click()
    expect(page.locator("main")).to_contain_text(
        "Vous êtes déconnecté·e de Clauses et de ProConnect."
    )
    expect(page.locator("header")).not_to_contain_text("Se déconnecter")


def test_agent_of_an_unknown_organisation_proposes_it(page, axe, proconnect):
    page.goto("/compte/connexion/")
    page.get_by_role("button", name="S’identifier avec ProConnect").click()
    _at_provider(page, UNKNOWN_AGENT)
    expect(page.locator("h1")).to_have_text("Inscrire votre organisation")
    expect(page.locator("main")).to_contain_text("99000099400014")
    axe(page)
    page.get_by_role("button", name="Inscrire mon organisation").click()
    expect(page.locator("#resume-erreurs")).to_contain_text("1 point à corriger")  # French
    expect(page.locator("#resume-erreurs")).to_be_focused()
    axe(page)
    page.get_by_label("Nom de votre organisation").fill("Mairie inconnue")
    page.get_by_label("Catégorie d'acheteur").select_option("commune")
    page.get_by_role("button", name="Inscrire mon organisation").click()
    expect(page.locator("main")).to_contain_text("Votre compte est créé")
    membership = Membership.objects.get(user__email=UNKNOWN_AGENT)
    assert membership.organisation.name == "Mairie inconnue"
    assert not membership.organisation.is_confirmed
