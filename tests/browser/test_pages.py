"""The public pages in a real browser: French, accessible (axe-core), CSP-clean."""

import re

from playwright.sync_api import expect


def test_home_page_in_french_and_accessible(page, axe):
    response = page.goto("/")

    assert response is not None and response.ok
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).not_to_be_empty()
    csp = response.headers.get("content-security-policy", "")
    assert re.search(r"script-src 'self'", csp), csp
    assert "unsafe-inline" not in csp, csp
    axe(page)


def test_department_page_is_accessible(page, axe):
    response = page.goto("/reseau/departements/93/")

    assert response is not None and response.ok, response and response.status
    expect(page.locator("h1")).to_contain_text("Seine-Saint-Denis")
    axe(page)
