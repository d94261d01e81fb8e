"""The reviews' aggregates (#15): on the reporting figures tests' generated dataset, the
hours read from the aggregates agree with the live computation for every scope shape, a
closed period's review says « chiffres arrêtés au … » and, once computed, sends no SQL to
the declarations table; the current period stays live."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from clauses.accounts.enums import Role
from clauses.desk.models import Request
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Market
from clauses.reporting import aggregates, periods, queries, reports, tasks
from clauses.reporting.models import MarketMonthHours
from clauses.reporting.policies import BUYER, Scope
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import departmental, organisation_of
from tests.reporting.conftest import Dataset
from tests.reporting.test_uncounted import _leave_uncounted

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
DECLARATIONS = HourDeclaration._meta.db_table


def _scope(markets) -> Scope:  # noqa: ANN001
    return Scope(kind=BUYER, key="x", label="Jeu", markets=markets, requests=Request.objects.none())


@pytest.mark.parametrize(
    "period",
    [
        periods.year(2025),
        periods.quarter(2025, 2),
        periods.Period(date(2025, 3, 15), date(2025, 9, 14)),
        periods.year(2024),
    ],
    ids=["year", "quarter", "custom", "empty"],
)
def test_aggregates_agree_with_the_live_computation(dataset: Dataset, period: periods.Period):
    _leave_uncounted(dataset)
    tasks.refresh_aggregates.enqueue()  # the immediate backend in tests
    assert MarketMonthHours.objects.exists()
    every = Market.objects.filter(pk__in=[m.pk for m in dataset.markets])
    one_buyer = every.filter(buyer=dataset.buyers[1])
    one_market = every.filter(pk=dataset.markets[3].pk)
    for markets in (every, one_buyer, one_market, Market.objects.all()):
        assert aggregates.hours(markets, period) == queries.hours(markets, period)
        assert aggregates.hours_by_month(markets, period) == queries.hours_by_month(markets, period)
        assert aggregates.hours_by_department(markets, period) == queries.hours_by_department(
            markets, period
        )
        assert aggregates.uncounted(markets, period) == queries.uncounted(markets, period)
        for group in ("buyer__department__region__code", "buyer__department__code"):
            assert aggregates.grouped_hours(markets, period, group) == queries.grouped_hours(
                markets, period, group
            )


def test_a_closed_year_is_read_from_the_aggregates_without_the_declarations(dataset: Dataset):
    _leave_uncounted(dataset)
    scope = _scope(Market.objects.filter(pk__in=[m.pk for m in dataset.markets]))
    year = periods.year(2025)
    live = reports.clause_report(scope, year, today=TODAY)  # no aggregates yet: live
    assert live.frozen_at is None
    out = io.StringIO()
    call_command("refresh_report_aggregates", stdout=out)
    assert "Agrégats reconstruits" in out.getvalue()
    with CaptureQueriesContext(connection) as context:
        kept = reports.clause_report(scope, year, today=TODAY)
    assert kept.frozen_at == aggregates.last_refresh()
    assert not [q["sql"] for q in context.captured_queries if DECLARATIONS in q["sql"]]
    assert kept.figures == live.figures
    assert kept.table("heures_non_comptees").rows == live.table("heures_non_comptees").rows
    # The current period stays live.
    current = reports.clause_report(scope, periods.year(2026), today=TODAY)
    assert current.frozen_at is None


def test_the_review_page_of_a_closed_year_says_when_its_figures_were_set(dataset: Dataset, client):
    aggregates.refresh()
    login(
        client,
        MembershipFactory(organisation=organisation_of(departmental("93")), role=Role.COORDINATOR),
    )
    url = reverse("reporting:review", args=["departement", "93"]) + "?periode=year&annee=2025"
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chiffres arrêtés au" in html
    assert not [q["sql"] for q in context.captured_queries if DECLARATIONS in q["sql"]]
    export = reverse("reporting:review_export", args=["departement", "93", "csv"])
    csv = client.get(export + "?periode=year&annee=2025").content.decode("utf-8-sig")
    assert "Chiffres arrêtés au" not in csv  # a CSV holds one table, no heading
    export = export.replace(".csv", ".xlsx") + "?periode=year&annee=2025"
    book = load_workbook(io.BytesIO(client.get(export).content))
    heading = [c.value for row in book["Synthèse"].iter_rows(max_row=3) for c in row]
    assert any(str(value).startswith("Chiffres arrêtés au") for value in heading)
