"""Reports end to end, on the demo site: the demo buyer opens its clause report and downloads
the PDF; the demo departmental coordinator of Seine-Saint-Denis (two-factor authentication)
opens the département's review and exports it to XLSX; the demo regional coordinator's dashboard
shows the map. axe-core checks the three pages."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from clauses.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.browser.test_invitation_flow import code, log_in

BUYER_NAME = "Ville de Démo-sur-Seine (démo)"


def _email(key: str) -> str:
    return next(a.email for a in DEMO_ACCOUNTS if a.key == key)


def _log_in(page, key: str) -> None:  # noqa: ANN001
    """Password, then the code when the role asks for a second factor."""
    log_in(page, _email(key), DEMO_PASSWORD)
    if re.search(r"/double-authentification/verifier/", page.url):
        page.locator('input[name="token"]').fill(code(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("button", name="Se connecter", exact=True)).to_have_count(0)


def test_buyer_opens_its_clause_report_and_downloads_the_pdf(page, axe):
    _log_in(page, "buyer")
    page.goto("/bilans/")
    expect(page.locator("h1")).to_have_text("Bilans")
    page.get_by_role("link", name="rapport de clause").click()
    expect(page).to_have_url(re.compile(r"/bilans/acheteur/\d+/rapport/$"))
    expect(page.locator("h1")).to_have_text(f"Rapport de clause — {BUYER_NAME}")
    expect(page.locator("main")).to_contain_text("Heures comptées sur la période")
    axe(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert BUYER_NAME in text and "Heures comptées" in text


def test_coordinator_exports_the_department_review(page, axe):
    _log_in(page, "departmental")
    page.goto("/bilans/")
    page.get_by_role(
        "link", name=re.compile(r"Bilan départemental — 93 — Seine-Saint-Denis")
    ).click()
    expect(page).to_have_url(re.compile(r"/bilans/departement/93/$"))
    expect(page.locator("h1")).to_contain_text("Bilan départemental — 93 — Seine-Saint-Denis")
    axe(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter tout le bilan (XLSX)").click()
    assert re.fullmatch(
        r"bilan-departement-93-\d{8}-\d{8}\.xlsx", download.value.suggested_filename
    )
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    assert summary["Heures comptées sur la période"] > 0  # a number cell (#12.12)
    hours = next(name for name in workbook.sheetnames if name.startswith("Heures comptées par dép"))
    rows = {row[0]: row[1] for row in workbook[hours].iter_rows(values_only=True)}
    assert rows["93 — Seine-Saint-Denis"] > 0


def test_regional_dashboard_and_map_are_accessible(page, axe):
    _log_in(page, "regional")
    page.goto("/bilans/tableau-de-bord/")
    expect(page.locator("h1")).to_contain_text("Tableau de bord régional")
    expect(
        page.get_by_role("img", name="Carte des départements selon les heures comptées")
    ).to_be_visible()
    axe(page)
