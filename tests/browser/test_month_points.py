"""Points of the month of #12 that the other walks did not assert in a browser (« Done
when »: a browser test asserts the points), on the demo data, axe-core on every page:

- 12.2 the withdrawal page says, before confirming, what each choice changes (hours per
  market and month, the reports concerned), then the choice made is confirmed;
- 12.4 a correction reads as such on the facilitator's control page (before, who, why);
- 12.3 a review explains its masking marks under its tables."""

import re

from django.db.models import Exists, OuterRef
from playwright.sync_api import expect

from clauses.accounts import demo as accounts_demo
from clauses.accounts.models import Membership
from clauses.followup.models import EligibilityValidation, Participant
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration
from tests.browser.test_hours_flow import log_in
from tests.browser.test_month_walk import assert_visible_words


def _demo_facilitator_structure_id() -> int:
    email = next(a.email for a in accounts_demo.DEMO_ACCOUNTS if a.key == "facilitator")
    membership = Membership.objects.filter(user__email=email).select_related("organisation")
    return membership.first().organisation.structure_id


def _person_with_counted_hours() -> tuple[Participant, EligibilityValidation]:
    """A demo person of the demo facilitator's structure, eligibility in force, with
    validated hours that count today."""
    counted = HourDeclaration.objects.filter(
        assignment__participant=OuterRef("pk"),
        status=DeclarationStatus.VALIDATED,
        counted_hours__gt=0,
    )
    participant = (
        Participant.objects.filter(structure_id=_demo_facilitator_structure_id())
        .filter(Exists(counted), validations__withdrawn_at__isnull=True)
        .order_by("pk")
        .first()
    )
    assert participant is not None, "the demo has counted hours for the facilitator's people"
    validation = participant.validations.filter(withdrawn_at__isnull=True).order_by("pk").first()
    return participant, validation


def test_withdrawal_page_lists_what_changes_before_confirming(page, axe):
    participant, validation = _person_with_counted_hours()
    log_in(page, "facilitator")
    page.goto(f"/suivi/participants/{participant.pk}/")
    expect(page.locator("h1")).to_have_text(str(participant))
    page.get_by_role("link", name=re.compile("Retirer cette validation")).first.click()

    expect(page.locator("h1")).to_contain_text("Retirer")
    ended = page.locator("#consequence-ended")
    error = page.locator("#consequence-error")
    # « no longer eligible »: nothing already counted changes; « error or fraud »: the hours
    # counted today that will no longer count, by market and month, and the reports.
    expect(ended).to_contain_text("Aucune heure déjà comptée ne change")
    expect(error).to_contain_text("comptées aujourd'hui ne le seront plus")
    expect(error.locator("tbody tr").first).to_be_visible()
    expect(error).to_contain_text("Bilans modifiés")
    assert_visible_words(page)
    axe(page)

    page.get_by_role("button", name="Confirmer le retrait").click()  # nothing chosen yet
    expect(page.locator("main")).to_contain_text("Ce champ est obligatoire.")
    axe(page)
    page.locator("label[for=id_kind_0]").click()  # « n'est plus éligible » (DSFR label)
    expect(page.locator("#id_kind_0")).to_be_checked()
    page.get_by_label("Motif du retrait").fill("Fin de l'inscription à France Travail.")
    page.get_by_role("button", name="Confirmer le retrait").click()
    expect(page.locator("h1")).to_have_text(str(participant))
    expect(page.locator("main")).to_contain_text("les heures faites jusqu'à hier restent comptées")
    expect(page.locator("main")).to_contain_text("Retirée le")
    axe(page)
    validation.refresh_from_db()
    assert validation.withdrawn_at is not None and validation.withdrawal_kind == "ended"


def test_a_correction_reads_as_such_on_the_control_page(page, axe):
    corrected = (
        HourDeclaration.objects.filter(events__kind="corrected", status=DeclarationStatus.SUBMITTED)
        .select_related("assignment__lot__market")
        .first()
    )
    assert corrected is not None, "the demo keeps a correction waiting for control"
    log_in(page, "facilitator")
    page.goto("/heures/controle/")
    note = page.locator(f'[data-correction="{corrected.pk}"]')
    expect(note).to_be_visible()
    expect(note).to_contain_text("Avant :")
    expect(note).to_contain_text("Motif :")
    expect(page.locator("main .fr-badge", has_text="Correction").first).to_be_visible()
    assert_visible_words(page)
    axe(page)


def test_a_review_explains_its_masking_marks_under_its_tables(page, axe):
    """Every table showing a mask mark has the words of that mark under it: « < 5 » (fewer
    than five people), « s » (masked so that the total does not reveal a small cell)."""
    log_in(page, "departmental")
    page.goto("/bilans/departement/93/")
    expect(page.locator("h1")).to_contain_text("Bilan départemental — 93")
    marks = page.evaluate(
        """() => [...document.querySelectorAll('main .fr-table')].map(t => ({
            cells: [...t.querySelectorAll('td')].map(c => c.innerText.trim()),
            after: (t.parentElement ? t.parentElement.innerText : '')}))"""
    )
    masked = [t for t in marks if any(c == "s" or c.startswith("< ") for c in t["cells"])]
    assert masked, "the demo review masks at least one small count"
    for table in masked:
        if "s" in table["cells"]:
            assert "secret secondaire" in table["after"]
        if any(c.startswith("< ") for c in table["cells"]):
            assert "secret statistique" in table["after"]
    axe(page)
