"""The pages of #11 and #12.8 in a real browser: French, accessible (axe-core), CSP-clean —
the lost follow link page and its answer, a wrong follow link, the 404 page."""

from playwright.sync_api import expect


def test_lost_follow_link_page_is_accessible(page, axe):
    response = page.goto("/guichet/suivi/nouveau-lien/")
    assert response is not None and response.ok
    expect(page.locator("h1")).to_have_text("Recevoir un nouveau lien de suivi")
    axe(page)
    page.get_by_label("Référence de la demande").fill("GRCS-2026-999999")
    page.get_by_label("Adresse électronique donnée dans la demande").fill("nom@exemple.fr")
    page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(page.locator("h1")).to_have_text("Demande de nouveau lien enregistrée")
    axe(page)


def test_wrong_follow_link_and_404_pages_are_accessible(page, axe, console):
    response = page.goto("/guichet/suivi/GRCS-2026-999999/?jeton=faux")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Ce lien de suivi ne fonctionne pas")
    axe(page)
    page.get_by_role("link", name="Recevoir un nouveau lien de suivi").click()
    expect(page.locator("h1")).to_have_text("Recevoir un nouveau lien de suivi")

    response = page.goto("/nulle-part/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")
    axe(page)
    # The browser logs the two 404 documents we asked for; any other error still fails.
    console.errors[:] = [e for e in console.errors if "status of 404 (Not Found)" not in e]
