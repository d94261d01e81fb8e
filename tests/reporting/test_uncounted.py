"""Hours that did not count, and why, wherever counted hours appear in the reports (#12.1):
the buyer's clause report (page and PDF template), the reviews, and their XLSX/CSV
exports — summed by reason, in the hours app's French (`hours.rules`)."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from clauses.accounts.enums import Role
from clauses.desk.models import Request
from clauses.hours import rules
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Market
from clauses.reporting import exports, periods, queries, reports
from clauses.reporting.policies import BUYER, Scope
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import departmental, organisation_of
from tests.reporting.conftest import Dataset

pytestmark = pytest.mark.django_db
YEAR = "periode=year&annee=2025"


def _leave_uncounted(dataset: Dataset) -> dict[str, Decimal]:
    """Some validated declarations of 2025 left partly or wholly uncounted, as the hours
    app stores them; returns the reference sums by rule (plain Python)."""
    validated = list(
        HourDeclaration.objects.filter(
            status="validated", assignment__lot__market__in=dataset.markets
        ).order_by("pk")
    )
    for index, declaration in enumerate(validated):
        if index % 7 == 0:
            declaration.counted_hours = Decimal(0)
            declaration.counting_rule = rules.RULE_OUT_OF_ELIGIBILITY
        elif index % 11 == 0:
            declaration.counted_hours = (declaration.base_hours / 2).quantize(Decimal("0.01"))
            declaration.counting_rule = rules.RULE_PARTLY_ELIGIBLE
        elif index % 13 == 0:
            declaration.counting_rule = rules.RULE_BONUS  # counted ≥ base: nothing left out
            declaration.counted_hours = declaration.base_hours + 5
    HourDeclaration.objects.bulk_update(validated, ["counted_hours", "counting_rule"])
    reference: dict[str, Decimal] = defaultdict(Decimal)
    for d in HourDeclaration.objects.filter(
        status="validated", month__year=2025, assignment__lot__market__in=dataset.markets
    ):
        if d.counted_hours < d.base_hours:
            reference[d.counting_rule] += d.base_hours - d.counted_hours
    return dict(reference)


def _scope(dataset: Dataset) -> Scope:
    ids = [m.pk for m in dataset.markets]
    return Scope(
        kind=BUYER, key="x", label="Jeu", markets=Market.objects.filter(pk__in=ids),
        requests=Request.objects.none(),
    )  # fmt: skip


def test_uncounted_hours_are_summed_by_reason_like_plain_python(dataset: Dataset):
    reference = _leave_uncounted(dataset)
    assert set(reference) == {rules.RULE_OUT_OF_ELIGIBILITY, rules.RULE_PARTLY_ELIGIBLE}
    period = periods.year(2025)
    scope = _scope(dataset)
    found = queries.uncounted(scope.markets, period)
    assert {u.rule: u.hours for u in found} == reference
    assert [u.hours for u in found] == sorted(reference.values(), reverse=True)
    # Validated − counted = the sum by reason, once the bonus (counted above base) is set
    # apart: the table explains every hour that did not count.
    h = queries.hours(scope.markets, period)
    bonus = sum(
        d.counted_hours - d.base_hours
        for d in HourDeclaration.objects.filter(
            status="validated", month__year=2025, counting_rule=rules.RULE_BONUS
        )
    )
    assert h.validated - h.counted + bonus == sum(reference.values())

    report = reports.clause_report(scope, period)
    table = report.table("heures_non_comptees")
    assert {r.key: r.value for r in table.rows} == reference
    assert table.total.value == sum(reference.values())
    assert any(
        rules.uncounted_reason(rules.RULE_OUT_OF_ELIGIBILITY) in reason for reason in table.reasons
    )
    assert "Hors de la période d'éligibilité de la personne" in [r.label for r in table.rows]
    figures = dict(report.figures)
    left = figures["Heures validées non comptées (motifs : tableau dédié)"]
    assert left == reports.hours_text(sum(reference.values())) + " h"


def test_nothing_left_out_says_so(dataset: Dataset):
    report = reports.clause_report(_scope(dataset), periods.year(2025))
    table = report.table("heures_non_comptees")
    assert table.rows == [] and table.reasons == []
    assert table.note == reports.UNCOUNTED_NONE


def test_buyer_report_review_and_exports_show_why(dataset: Dataset, client):
    _leave_uncounted(dataset)
    reason = rules.uncounted_reason(rules.RULE_PARTLY_ELIGIBLE)
    buyer = dataset.buyers[0]
    login(client, MembershipFactory(organisation=buyer, role=Role.BUYER_AGENT))
    page = client.get(reverse("reporting:clause_report", args=[buyer.pk]) + f"?{YEAR}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Heures validées non comptées, par motif" in html
    assert escape("Hors de la période d'éligibilité de la personne") in html

    client.logout()
    login(
        client,
        MembershipFactory(organisation=organisation_of(departmental("93")), role=Role.COORDINATOR),
    )
    base = reverse("reporting:review", args=["departement", "93"])
    html = client.get(f"{base}?{YEAR}").content.decode()
    export = reverse("reporting:review_export", args=["departement", "93", "csv"])
    assert escape(reason) in html
    csv = client.get(f"{export}?{YEAR}&tableau=heures_non_comptees")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "Hors de la période d'éligibilité de la personne" in text and reason in text
    xlsx = client.get(export.replace(".csv", ".xlsx") + f"?{YEAR}")
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row]
    assert any(reason in c for c in cells)
    assert any(c.startswith("Heures validées non comptées") for c in cells)


def test_pdf_template_carries_the_reasons(dataset: Dataset):
    _leave_uncounted(dataset)
    report = reports.clause_report(_scope(dataset), periods.year(2025))
    html = render_to_string("reporting/report_pdf.html", {"report": report})
    assert escape(rules.uncounted_reason(rules.RULE_OUT_OF_ELIGIBILITY)) in html
    rows = exports.table_rows(report.table("heures_non_comptees"))
    assert [reports.UNCOUNTED_NOTE] in rows
