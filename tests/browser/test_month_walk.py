"""The month of #12 walked by every demo role (« Done when »): each lands on its home after
login (the organisation and role in the header), finds a notification waiting under the
bell, opens it and marks everything read; the desk's inbox shows status and deadline on a
phone; the desk dashboard reads at 1280 px and 390 px; every button and link of these
pages shows its words. axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from clauses.accounts import demo as accounts_demo
from tests.browser.test_hours_flow import log_in

HOMES = {
    "buyer": "Mes demandes au guichet en cours",
    "company": "Déclarations refusées ou à corriger",
    "facilitator": "Déclarations d'heures à contrôler",
    "departmental": "Demandes remontées faute de prise en charge",
    "regional": "Demandes du guichet à traiter",
    "national": "Bilans des régions",
}


def assert_visible_words(page) -> None:
    """Every button and link in the main content shows text (not an icon alone)."""
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('main a, main button')]
            .filter(el => el.offsetParent !== null && !el.innerText.trim())
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert unlabelled == [], unlabelled


@pytest.mark.parametrize("key", [*HOMES, "partner"])
def test_each_role_lands_home_and_reads_its_notifications(page, axe, site_data, key):
    account = next(a for a in accounts_demo.DEMO_ACCOUNTS if a.key == key)
    log_in(page, key)
    page.goto("/")
    bell = page.locator("#cloche-notifications")
    expect(bell).to_be_visible()
    expect(bell.locator(".fr-badge")).to_be_visible()  # something waits for every role
    if key in HOMES:
        expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
        expect(page.locator("main")).to_contain_text(HOMES[key])
        expect(page.locator("#identite-courante")).to_contain_text(
            page.locator("#espace-identite").inner_text().split(" — ")[0]
        )
        assert_visible_words(page)
    axe(page)

    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator('#liste-notifications [data-unread="1"]').first).to_be_visible()
    assert_visible_words(page)
    axe(page)
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.locator('#liste-notifications [data-unread="1"]')).to_have_count(0)
    expect(page.locator("#cloche-notifications .fr-badge")).to_have_count(0)
    assert account.email  # the walk used the demo account of this role


def test_desk_inbox_on_a_phone_and_dashboard_at_two_widths(browser, axe, site_data):
    context = browser.new_context(
        locale="fr-FR", base_url=site_data.url, viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    log_in(phone, "regional")
    phone.goto("/guichet/boite/")
    table = phone.locator("#table-demandes")
    expect(table).to_be_visible()
    first = table.locator("tbody tr").first.locator("td").first
    summary = first.locator(".desk-phone-only")
    expect(summary).to_be_visible()  # status and deadline under the reference
    expect(summary.locator(".fr-badge")).to_be_visible()
    expect(summary).to_contain_text(re.compile("attendue|répondu"))
    box = summary.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 + 1, box
    axe(phone)
    for width in (390, 1280):
        phone.set_viewport_size({"width": width, "height": 900})
        phone.goto("/guichet/tableau-de-bord/")
        labels = phone.locator("svg .clauses-chart__label")
        boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
        rows: dict[float, list] = {}
        for box in boxes:
            if box:
                rows.setdefault(round(box["y"]), []).append(box)
        for same_line in rows.values():
            same_line.sort(key=lambda b: b["x"])
            for left, right in zip(same_line, same_line[1:], strict=False):
                assert left["x"] + left["width"] <= right["x"] + 0.5, (width, left, right)
        heights = [b["height"] for b in boxes if b]
        assert heights and min(heights) >= 9, (width, min(heights))  # legible text
        axe(phone)
    context.close()
