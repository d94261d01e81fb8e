"""The observatory end to end, on the demo site: the demo facilitator opens the figures of
Seine-Saint-Denis (chart + table), downloads the XLSX, goes to the opportunities, a buyer's
page and the discrepancies; the demo departmental coordinator sees the same. axe-core checks
every page."""

import io
import re

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_reporting_flow import _log_in


def _year() -> int:
    return timezone.localdate().year - 1


def test_facilitator_reads_the_observatory(page, axe):
    _log_in(page, "facilitator")
    page.goto(f"/observatoire/?territoire=93&annee={_year()}")
    expect(page.locator("h1")).to_have_text("Observatoire de la commande publique")
    expect(
        page.get_by_role("img", name=re.compile("Part des contrats avec une considération"))
    ).to_have_count(4)
    expect(page.locator("#tableau-acheteurs")).to_contain_text("Ville de Démo-sur-Seine")
    axe(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter tout (XLSX)").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert workbook.sheetnames[0] == "Synthèse"

    page.get_by_role("link", name="Opportunités").click()
    expect(page.locator("h1")).to_have_text("Opportunités : qui rencontrer ?")
    expect(page.locator("main")).to_contain_text("Démo Habitat")
    axe(page)

    page.get_by_role("link", name=re.compile("Ville de Démo-sur-Seine")).first.click()
    expect(page.locator("h1")).to_contain_text("Ville de Démo-sur-Seine")
    expect(page.locator("main")).to_contain_text("DEMO-2026-005")
    axe(page)


def test_coordinator_sees_the_discrepancies_both_ways(page, axe):
    _log_in(page, "departmental")
    page.goto(f"/observatoire/ecarts/?territoire=93&annee={_year()}")
    expect(page.locator("h1")).to_have_text("Écarts entre les publications et les marchés suivis")
    expect(page.locator("main")).to_contain_text("DEMO-2026-005")
    expect(page.locator("main")).to_contain_text("DSS0103")
    axe(page)
