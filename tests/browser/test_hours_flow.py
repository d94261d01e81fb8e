"""Hours end to end on the demo site: the demo company declares a month of hours with the
spreadsheet (built here from the downloadable template's columns), the demo facilitator
(two-factor authentication) validates it on the control page, and the clause's progress
moves: declared hours after the upload, counted hours after the control. axe-core checks
the contractor page and the control page."""

import io
import re
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from clauses.accounts import demo as accounts_demo
from clauses.followup.models import Assignment
from clauses.hours import policies, rules
from clauses.hours.models import HourDeclaration
from clauses.markets.models import SocialConsideration

HOURS = Decimal(35)


def log_in(page, key: str) -> None:
    """The demo account's password, then its code when its role needs a second factor."""
    account = next(a for a in accounts_demo.DEMO_ACCOUNTS if a.key == key)
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(account.email)
    page.get_by_label("Mot de passe").fill(accounts_demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if account.needs_2fa:
        page.get_by_label("Code de vérification").fill(accounts_demo.current_demo_code())
        page.get_by_role("button", name="Vérifier").click()
        expect(page.get_by_role("button", name="Vérifier")).to_have_count(0)
    else:
        expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)


def free_month(today) -> tuple[Assignment, object]:  # noqa: ANN001
    """An assignment of the demo company and a whole month it worked but did not declare
    (the demo leaves one clause behind schedule: its hours stop early)."""
    company = accounts_demo.DEMO_COMPANY_NAME
    current = rules.first_of_month(today)
    for assignment in Assignment.objects.filter(employer__name=company).order_by("pk"):
        declared = set(assignment.hour_declarations.values_list("month", flat=True))
        month = rules.add_months(rules.first_of_month(assignment.start_date), 1)
        while month < current and (
            assignment.end_date is None or rules.last_of_month(month) <= assignment.end_date
        ):
            if month not in declared:
                return assignment, month
            month = rules.add_months(month, 1)
    raise AssertionError("Aucun mois libre dans la démo de l'entreprise.")


def hours_of(page, label: str) -> Decimal:
    """A number of hours on the clause page ("1 234,5 h" → 1234.5)."""
    text = page.locator(f"dt:text-is('{label}') + dd").inner_text()
    number = re.search(r"[\d\s\u202f\u00a0]+(?:,\d+)?", text).group(0)
    return Decimal(re.sub(r"[\s\u202f\u00a0]", "", number).replace(",", "."))


def figures(page, clause_id: int) -> tuple[Decimal, Decimal]:
    page.goto(f"/heures/clauses/{clause_id}/")
    return hours_of(page, "Heures déclarées"), hours_of(page, "Heures comptées")


def test_contractor_declares_by_spreadsheet_facilitator_validates(
    page, axe, browser, site_data, tmp_path
):
    from django.utils import timezone

    assignment, month = free_month(timezone.localdate())
    clause = SocialConsideration.objects.get(
        lot=assignment.lot, kind__in=policies.HOUR_CLAUSE_KINDS
    )

    # 1. The demo company: its clauses with progress, the template, the upload.
    log_in(page, "company")
    declared_before, counted_before = figures(page, clause.pk)
    page.goto("/heures/mes-clauses/")
    expect(page.locator("h1")).to_have_text("Mes clauses")
    expect(page.locator("progress").first).to_be_visible()
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Modèle Excel (XLSX)").click()
    assert download.value.suggested_filename == "declarations-heures.xlsx"
    template = load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
    headers = [cell.value for cell in template[1]]
    assert headers[:4] == ["N° de mission", "Participant·e", "Mois", "Heures"]
    filled = Workbook()
    sheet = filled.active
    sheet.append(headers)
    values = {
        "N° de mission": str(assignment.pk),
        "Participant·e": str(assignment.participant),
        "Mois": f"{month:%m/%Y}",
        "Heures": "35",
    }
    sheet.append([values.get(header, "") for header in headers])
    path = tmp_path / "declarations.xlsx"
    filled.save(path)
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.get_by_role("button", name="Importer le fichier").click()
    expect(page.locator("main")).to_contain_text("Import réussi : 1 déclaration(s) créée(s)")
    declaration = HourDeclaration.objects.get(assignment=assignment, month=month)
    assert declaration.declared_hours == HOURS
    declared_after, counted_after = figures(page, clause.pk)
    assert (declared_after, counted_after) == (declared_before + HOURS, counted_before)

    # 2. The demo facilitator finds it on the control page (filtered) and validates it.
    staff = browser.new_context(locale="fr-FR", base_url=site_data.url).new_page()
    log_in(staff, "facilitator")
    staff.goto("/heures/controle/")
    staff.get_by_label("Marché").select_option(str(assignment.lot.market_id))
    staff.get_by_label("Entreprise").select_option(str(assignment.employer_id))
    staff.get_by_role("button", name="Appliquer les filtres").click()
    row = staff.locator(f"tr[data-declaration='{declaration.pk}']")
    expect(row).to_be_visible()
    axe(staff)
    row.get_by_label("Décision").select_option("validate")
    row.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff.locator("main")).to_contain_text(f"Déclaration n° {declaration.pk} : validée")
    staff.context.close()

    # 3. The progress moved by the counted hours.
    declaration.refresh_from_db()
    assert declaration.counted_hours == HOURS
    assert figures(page, clause.pk) == (declared_before + HOURS, counted_before + HOURS)
