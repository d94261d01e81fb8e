"""Trouver mon facilitateur, as a buyer uses it: type, pick a suggestion, read the chain."""

import re

from playwright.sync_api import expect

from clauses.network.forms import RESULTS_ID
from clauses.network.selectors import facilitation_for
from clauses.territories.models import Commune

EVRY = "91228"  # Évry-Courcouronnes (INSEE)


def test_search_page_is_accessible(page, axe):
    response = page.goto("/reseau/trouver-mon-facilitateur/")

    assert response is not None and response.ok, response and response.status
    expect(page.locator("h1")).to_have_count(1)
    axe(page)


def test_type_pick_a_suggestion_and_see_the_facilitators(page, axe):
    page.goto("/reseau/trouver-mon-facilitateur/")

    page.get_by_label("Commune ou code postal").press_sequentially("evry", delay=40)
    suggestions = page.locator(f"#{RESULTS_ID}")
    choice = suggestions.get_by_role("link", name=re.compile(r"Évry-Courcouronnes"))
    expect(choice).to_be_visible()  # the htmx suggestions arrived, accents and case ignored
    choice.click()

    main = page.locator("main")
    expect(main).to_contain_text("Évry-Courcouronnes")
    expect(main).to_contain_text("Coordination départementale")
    facilitators = facilitation_for(Commune.objects.get(insee=EVRY)).facilitators
    emails = [f.email for f in facilitators if f.email]
    assert emails, "la démo doit donner au moins un facilitateur joignable à Évry-Courcouronnes"
    expect(main.locator(f'a[href^="mailto:{emails[0]}"]').first).to_be_visible()
    axe(page)
