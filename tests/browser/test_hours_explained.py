"""Hours that explain themselves, on the demo site (#12.1, #12.4, #12.11): the demo
facilitator reads on a clause's page the validated hours that did not count and why, and
the hours by person and month; a corrected declaration's history (before → after, reason);
the demo company reads why its hours did not count and the refusal's reason. axe-core on
every page."""

from django.db.models import F
from playwright.sync_api import expect

from clauses.accounts import demo as accounts_demo
from clauses.accounts.models import Membership
from clauses.hours import demo as hours_demo
from clauses.hours import policies
from clauses.hours.models import HourDeclaration
from clauses.markets.models import SocialConsideration
from tests.browser.test_hours_flow import log_in


def test_facilitator_and_company_read_why_hours_did_not_count(page, axe, browser, site_data):
    # The demo company's own hours (the history import's demo adds other companies' ones).
    company_email = next(a.email for a in accounts_demo.DEMO_ACCOUNTS if a.key == "company")
    company = Membership.objects.get(user__email=company_email).organisation_id
    uncounted = (
        HourDeclaration.objects.filter(
            status="validated",
            counted_hours__lt=F("base_hours"),
            assignment__employer_id=company,
        )
        .select_related("assignment")
        .order_by("pk")
        .first()
    )
    assert uncounted is not None, "la démo doit montrer des heures non comptées"
    clause = SocialConsideration.objects.get(
        lot=uncounted.assignment.lot_id, kind__in=policies.HOUR_CLAUSE_KINDS
    )
    corrected = HourDeclaration.objects.get(events__kind="corrected")

    staff = browser.new_context(locale="fr-FR", base_url=site_data.url).new_page()
    log_in(staff, "facilitator")
    staff.goto(f"/heures/clauses/{clause.pk}/")
    expect(staff.locator("#table-non-comptees")).to_contain_text("éligibilité")
    expect(staff.locator("#table-par-personne")).to_be_visible()
    axe(staff)
    staff.goto(f"/heures/declarations/{corrected.pk}/")
    expect(staff.locator("#historique")).to_contain_text("Corrigée")
    expect(staff.locator("#historique")).to_contain_text(hours_demo.CORRECTION_REASON)
    axe(staff)
    staff.context.close()

    log_in(page, "company")
    page.goto(f"/heures/clauses/{clause.pk}/")
    expect(page.locator("#heures-non-comptees")).not_to_contain_text("toutes les heures")
    page.goto("/heures/mes-clauses/")
    expect(page.locator("main")).to_contain_text("Validées mais non comptées")
    axe(page)
