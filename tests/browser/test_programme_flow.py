"""Programme review in a browser: the demo buyer uploads its programme (XLSX) and confirms
the suggested columns; the demo facilitator reviews a line of the demo programme and turns
a line into a planned market; axe-core checks the list, upload, mapping, programme and
review pages."""

import re

from playwright.sync_api import expect

from clauses.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from clauses.programme.demo import TITLE
from clauses.programme.models import Programme, ProgrammeLine
from tests.browser.test_invitation_flow import code, log_in, log_out
from tests.programme.helpers import xlsx

BUYER = "acheteur@demo.clauses.example"
FACILITATOR = "facilitateur@demo.clauses.example"


def sign_in(page, email: str) -> None:  # noqa: ANN001
    log_in(page, email, DEMO_PASSWORD)
    if "/double-authentification/" in page.url:
        page.locator('input[name="token"]').fill(code(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Vérifier").click()


def test_buyer_uploads_and_facilitator_reviews_and_converts(page, axe, tmp_path):
    sign_in(page, BUYER)
    page.goto("/programmation/")
    expect(page.locator("h1")).to_have_text("Ma programmation achat")
    expect(page.locator("#table-programmations")).to_contain_text(TITLE)
    axe(page)

    page.get_by_role("link", name="Importer une programmation").click()
    expect(page.locator("h1")).to_have_text("Importer une programmation achat")
    axe(page)
    path = tmp_path / "programmation-2027.xlsx"
    path.write_bytes(xlsx())
    page.get_by_label("Intitulé").fill("Programmation 2027")
    page.get_by_label("Fichier de la programmation").set_input_files(str(path))
    page.get_by_role("button", name="Continuer").click()

    expect(page.locator("h1")).to_have_text("Quelle colonne contient quoi ?")
    expect(page.get_by_label("Montant estimé HT")).to_have_value("4")
    axe(page)
    page.get_by_role("button", name="Vérifier et importer").click()
    expect(page.locator("h1")).to_have_text("Programmation 2027")
    expect(page.locator("#table-lignes tbody tr")).to_have_count(4)
    axe(page)
    log_out(page)

    demo = Programme.objects.get(title=TITLE)
    sign_in(page, FACILITATOR)
    page.goto(f"/programmation/{demo.pk}/?filtre=a_discuter")
    expect(page.locator("#table-lignes")).to_contain_text("À discuter")
    axe(page)
    line = ProgrammeLine.objects.get(programme=demo, number=5)
    page.goto(f"/programmation/ligne/{line.pk}/revue/")
    expect(page.locator("h1")).to_contain_text("Ligne 5")
    axe(page)
    page.locator("label[for=revue_decision_0]").click()
    page.get_by_label("Commentaire pour l'acheteur").fill("Clause de 370 heures, à confirmer.")
    page.locator("label[for=revue_to_discuss]").click()
    page.get_by_role("button", name="Enregistrer la revue").click()
    expect(page).to_have_url(re.compile(rf"/programmation/{demo.pk}/#ligne-5"))
    expect(page.locator("#ligne-5")).to_contain_text("Clause de 370 heures, à confirmer.")

    page.locator("#ligne-5").get_by_role("button", name="Créer le marché prévu").click()
    expect(page).to_have_url(re.compile(r"/marches/\d+/"))
    line.refresh_from_db()
    assert line.market is not None and line.publication_timing == "before_publication"
    assert line.to_discuss and line.decision == "kept"
