"""A departmental coordinator invites a facilitator, who accepts, enrols two-factor
authentication (the code is computed from the secret shown on the page) and logs in."""

import base64
import re

from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import expect

from clauses.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from clauses.network.models import FacilitatorStructure

COORDINATOR = "coordination93@demo.clauses.example"
INVITED = "nouvelle.facilitatrice@exemple.fr"
PASSWORD = "un-mot-de-passe-solide-2026"


def code(secret: str, drift: int = 0) -> str:
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8)), drift=drift):06d}"


def log_in(page, email: str, password: str) -> None:
    page.goto("/compte/connexion/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def log_out(page) -> None:
    page.locator("header").get_by_role("button", name="Se déconnecter").first.click()


def test_coordinator_invites_facilitator_who_enrols_2fa_and_logs_in(page, axe):
    mail.outbox.clear()
    structure = (
        FacilitatorStructure.objects.filter(is_demo=True, coordination__department__code="93")
        .exclude(organisation__isnull=False)
        .order_by("name")
        .first()
    )
    assert structure is not None

    # The coordinator logs in, with the demo TOTP code.
    log_in(page, COORDINATOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/double-authentification/verifier/"))
    page.locator('input[name="token"]').fill(code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Vérifier").click()

    # … and invites a facilitator into a structure of the département.
    page.goto("/compte/organisation/inviter/")
    axe(page)
    page.locator('select[name="structure"]').select_option(str(structure.pk))
    page.locator('input[name="email"]').fill(INVITED)
    page.locator('select[name="role"]').select_option("facilitator")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator("main")).to_contain_text(f"Invitation envoyée à {INVITED}")
    log_out(page)

    # The facilitator opens the link of the email and creates the account.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [INVITED]
    link = re.search(r"https?://\S+/compte/invitation/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_contain_text(structure.name)
    axe(page)
    page.locator('input[name="first_name"]').fill("Inès")
    page.locator('input[name="last_name"]').fill("Martin")
    page.locator('input[name="password1"]').fill(PASSWORD)
    page.locator('input[name="password2"]').fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Créer mon compte")).click()

    # Facilitators must enrol: scan the QR code, or type the secret shown as text.
    expect(page).to_have_url(re.compile(r"/double-authentification/activer/"))
    expect(page.locator(".clauses-qr svg")).to_be_visible()
    axe(page)
    secret = page.locator("#secret-totp").get_attribute("data-secret")
    page.locator('input[name="token"]').fill(code(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.locator("h1")).to_have_text("Vos codes de secours")
    assert page.locator(".clauses-recovery-codes code").count() == 10
    page.get_by_role("link", name=re.compile("J'ai noté mes codes")).click()
    log_out(page)

    # Next login: password, then the code of the next time step (the current one is used).
    log_in(page, INVITED, PASSWORD)
    expect(page).to_have_url(re.compile(r"/double-authentification/verifier/"))
    page.locator('input[name="token"]').fill(code(secret, drift=1))
    page.get_by_role("button", name="Vérifier").click()
    page.goto("/compte/organisations/")
    expect(page.locator("main")).to_contain_text(structure.name)
    expect(page.locator("main")).to_contain_text("Facilitateur·rice")
