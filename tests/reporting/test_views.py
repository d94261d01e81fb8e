"""Pages, PDF, exports, audit, permissions and query budgets of the reports."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent
from clauses.reporting import exports, pdf, reports
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import departmental, organisation_of
from tests.reporting.conftest import Dataset
from tests.reporting.test_query_budgets import BUDGETS

pytestmark = pytest.mark.django_db
YEAR = "periode=year&annee=2025"


def _as(client, organisation, role):  # noqa: ANN001, ANN202
    login(client, MembershipFactory(organisation=organisation, role=role))
    return client


def test_formula_injection_is_neutralised():
    rows = [["=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx", "ok", -3]]
    data = exports.to_csv(rows).decode("utf-8")
    assert data.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(data[1:]), delimiter=";")) == [
        "'=1+1", "'+33", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok", "-3",
    ]  # fmt: skip
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([("T", rows)]))).active
    values = [c.value for c in sheet[1]]
    assert values[0] == "'=1+1" and values[-1] == -3


def test_weasyprint_and_pango_are_installed():
    """Never skipped: a machine without Pango fails here with the install hint."""
    try:
        pdf.load_weasyprint()
    except pdf.PdfUnavailable as error:  # pragma: no cover - only without Pango
        pytest.fail(str(error))


def test_buyer_clause_report_page_pdf_and_budget(
    dataset: Dataset, client, django_assert_max_num_queries
):
    buyer = dataset.buyers[0]
    _as(client, buyer, Role.BUYER_AGENT)
    url = reverse("reporting:clause_report", args=[buyer.pk])
    with django_assert_max_num_queries(BUDGETS["clause_report"]):
        response = client.get(f"{url}?{YEAR}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Part de l&#x27;objectif réalisée" in page or "Part de l'objectif réalisée" in page
    assert "Généré" not in page  # no name ever
    assert escape(reports.AGE_NOTE) in page  # how the age is computed
    response = client.get(reverse("reporting:clause_report_pdf", args=[buyer.pk]) + f"?{YEAR}")
    assert response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rapport de clause" in text and "Heures comptées" in text
    assert "Participants par genre" in text
    assert AuditEvent.objects.filter(action="export", organisation=buyer).exists()
    # Another buyer's report: 404.
    other = dataset.buyers[1]
    assert client.get(reverse("reporting:clause_report", args=[other.pk])).status_code == 404


def test_coordinator_exports_the_department_review(
    dataset: Dataset, client, django_assert_max_num_queries
):
    _as(client, organisation_of(departmental("93")), Role.COORDINATOR)
    url = reverse("reporting:review", args=["departement", "93"])
    with django_assert_max_num_queries(BUDGETS["department_review"]):
        response = client.get(f"{url}?{YEAR}")
    assert response.status_code == 200
    # Hours by département: the buyer's, said under the table.
    assert escape(reports.HOURS_BY_DEPARTMENT_NOTE) in response.content.decode()
    export = reverse("reporting:review_export", args=["departement", "93", "xlsx"])
    response = client.get(f"{export}?{YEAR}")
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Synthèse" in workbook.sheetnames
    assert len(workbook.sheetnames) > 10
    csv_url = reverse("reporting:review_export", args=["departement", "93", "csv"])
    response = client.get(f"{csv_url}?{YEAR}&tableau=genre&separateur=virgule")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Genre", "Personnes"] and rows[-1][0] == "Total"
    assert AuditEvent.objects.filter(action="export", territory="93").count() == 2
    # The Paris département is not its territory.
    assert client.get(reverse("reporting:review", args=["departement", "75"])).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("buyer75", 404), ("facilitator75", 404), ("company", 404), ("coordinator93", 200)],
)
def test_buyer_review_permissions(dataset: Dataset, client, who, status):  # noqa: ANN001
    world = dataset.world
    organisations = {
        "buyer75": (world.buyer75, Role.BUYER_AGENT),
        "facilitator75": (organisation_of(world.s75), Role.FACILITATOR),
        "company": (world.company, Role.COMPANY_CONTACT),
        "coordinator93": (organisation_of(departmental("93")), Role.COORDINATOR),
    }
    _as(client, *organisations[who])
    url = reverse("reporting:review", args=["acheteur", world.buyer.pk])
    assert client.get(url).status_code == status


def test_index_lists_the_reviews(dataset: Dataset, client):
    _as(client, organisation_of(dataset.world.s93), Role.FACILITATOR)
    page = client.get(reverse("reporting:index")).content.decode()
    assert "Structure Saint-Denis" in page and "rapport de clause" in page
