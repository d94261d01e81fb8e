"""Per territory × year figures and kept reviews (#15), on the reporting figures tests'
generated dataset: every family of a département's and a region's closed year read from
`TerritoryYear` equals the live computation (people counted distinct, contracts, outcomes,
markets, clauses, hours); such a review is computed without reading the declarations,
assignments or markets, then kept (`ReviewSnapshot`) and read back in two queries; a
reader whose policies select other rows never shares a kept review; a rebuild makes the
kept reviews stale."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clauses.access.actors import Actor
from clauses.reporting import aggregates, figures, periods, queries, reports, snapshots
from clauses.reporting import territory_figures as tf
from clauses.reporting.models import ReviewSnapshot, TerritoryYear
from clauses.reporting.policies import department_scope, region_scope
from tests.reporting.conftest import Dataset
from tests.reporting.test_uncounted import _leave_uncounted

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
ADMIN = Actor(user_id=1, is_superuser=True, role="admin", label="Administration")
NATIONAL = Actor(
    user_id=2, role="coordinator", organisation_kind="coordination", coordination_id=1,
    coordination_level="national", label="Coordination nationale",
)  # fmt: skip
SCANNED = ("hours_hourdeclaration", "followup_assignment", "markets_market")


def _scopes(actor: Actor) -> list:
    return [department_scope(actor, "93"), region_scope(actor, "11"), department_scope(actor, "75")]


@pytest.mark.parametrize("year", [2024, 2025])
def test_territory_figures_agree_with_the_live_computation(dataset: Dataset, year: int):
    _leave_uncounted(dataset)
    done = aggregates.refresh(today=TODAY)
    assert TerritoryYear.objects.filter(year=year).exists()
    period = periods.year(year)
    for scope in _scopes(ADMIN):
        assert scope.territory is not None
        kept = tf.read(*scope.territory, period, done.refreshed_at)
        live = figures.collect_review(scope, period, queries)
        for family in tf.FAMILIES:
            assert kept[family] == live[family], (scope.key, family)
        assert kept["profile"]["total"] or scope.key == "75" or year == 2024


def test_a_territory_year_is_computed_without_the_big_tables_then_kept(dataset: Dataset):
    scope = department_scope(ADMIN, "93")
    year = periods.year(2025)
    live = reports.review(scope, year, today=TODAY)  # no aggregates yet: live
    assert live.frozen_at is None
    aggregates.refresh(today=TODAY)
    with CaptureQueriesContext(connection) as first:
        computed = reports.review(scope, year, today=TODAY)
    assert computed.frozen_at == aggregates.last_refresh()
    scanned = [q["sql"] for q in first.captured_queries if any(t in q["sql"] for t in SCANNED)]
    assert scanned == []
    assert ReviewSnapshot.objects.count() == 1
    with CaptureQueriesContext(connection) as again:
        kept = reports.review(scope, year, today=TODAY)
    assert len(again.captured_queries) == 2  # the last rebuild, the kept figures
    for report in (computed, kept):
        assert report.figures == live.figures
        assert [(t.key, t.rows, t.total) for t in report.tables] == [
            (t.key, t.rows, t.total) for t in live.tables
        ]


def test_kept_figures_read_back_exactly(dataset: Dataset):
    _leave_uncounted(dataset)
    for scope in _scopes(ADMIN)[:2]:
        found = figures.collect_review(scope, periods.year(2025), queries)
        assert figures.decode(json.loads(json.dumps(figures.encode(found)))) == found


def test_readers_share_a_kept_review_only_when_their_policies_select_the_same_rows(
    dataset: Dataset,
):
    year = periods.year(2025)
    admin, national = department_scope(ADMIN, "93"), department_scope(NATIONAL, "93")
    assert snapshots.key_for("review", admin, year) == snapshots.key_for("review", national, year)
    # A narrower reader (the markets followed by one structure) gets its own.
    narrower = admin.__class__(**{**admin.__dict__, "markets": admin.markets.filter(pk=0)})
    assert snapshots.key_for("review", narrower, year) != snapshots.key_for("review", admin, year)
    assert snapshots.key_for("review", admin, periods.quarter(2025, 1)) != snapshots.key_for(
        "review", admin, year
    )


def test_a_rebuild_makes_the_kept_reviews_stale(dataset: Dataset):
    aggregates.refresh(today=TODAY)
    scope = region_scope(ADMIN, "11")
    reports.review(scope, periods.year(2025), today=TODAY)
    reports.review(scope, periods.quarter(2025, 4), today=TODAY)
    assert ReviewSnapshot.objects.count() == 2
    aggregates.refresh(today=TODAY)
    assert ReviewSnapshot.objects.count() == 0
    again = reports.review(scope, periods.year(2025), today=TODAY)
    assert again.frozen_at == aggregates.last_refresh()
    assert ReviewSnapshot.objects.get().refreshed_at == again.frozen_at


def test_the_kept_consolidation_equals_the_live_one(dataset: Dataset):
    _leave_uncounted(dataset)
    live = reports.national_rows(2025)  # no aggregates yet
    aggregates.refresh(today=TODAY)
    with CaptureQueriesContext(connection) as context:
        computed = reports.national_rows(2025)  # the rebuild's row of 2025
    scanned = [q["sql"] for q in context.captured_queries if any(t in q["sql"] for t in SCANNED)]
    assert scanned == []
    assert computed == live
    # A narrower set of markets is not the nation's: computed, then kept.
    one_buyer = reports.Market.objects.filter(buyer=dataset.buyers[0])
    assert reports.consolidation(one_buyer, "region", 2025) == reports.consolidation(
        one_buyer, "region", 2025
    )
    assert ReviewSnapshot.objects.filter(kind="consolidation").count() == 1


def test_a_batch_of_declarations_refreshes_its_markets_and_closed_years(
    dataset: Dataset, django_capture_on_commit_callbacks
):
    from clauses.hours.models import HourDeclaration
    from clauses.hours.services import declarations_arrived

    aggregates.refresh(today=TODAY)
    scope = department_scope(ADMIN, "93")
    year = periods.year(2025)
    declaration = HourDeclaration.objects.filter(status="validated", month__year=2025).first()
    HourDeclaration.objects.filter(pk=declaration.pk).update(
        counted_hours=declaration.counted_hours + 100, base_hours=declaration.base_hours + 100
    )
    declaration.refresh_from_db()
    before = aggregates.last_refresh()
    # The hours service's one signal per batch, received by reporting: a task once committed.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        declarations_arrived(actor=dataset.world.admin, declarations=[declaration])
    assert callbacks
    after = aggregates.last_refresh()
    assert after > before
    kept = tf.read("department", "93", year, after)
    live = figures.collect_review(scope, year, queries)
    for family in tf.FAMILIES:
        assert kept[family] == live[family], family
    assert aggregates.hours(scope.markets, year) == queries.hours(scope.markets, year)


def test_a_batch_summary_is_read_without_building_the_declarations(
    dataset: Dataset, django_capture_on_commit_callbacks
):
    from clauses.hours.models import HourDeclaration
    from clauses.reporting.receivers import refresh_on_declarations

    class Unread:
        def __iter__(self):
            raise AssertionError("an import's declarations are not built one by one")

    aggregates.refresh(today=TODAY)
    declaration = HourDeclaration.objects.filter(status="validated", month__year=2025).first()
    market = declaration.assignment.lot.market_id
    HourDeclaration.objects.filter(pk=declaration.pk).update(counted_hours=0)
    before = aggregates.last_refresh()
    summary = {(market, declaration.assignment.employer_id, declaration.month, "validate"): 1}
    with django_capture_on_commit_callbacks(execute=True):
        refresh_on_declarations(HourDeclaration, declarations=Unread(), summary=summary)
    assert aggregates.last_refresh() > before
    scope = department_scope(ADMIN, "93")
    year = periods.year(2025)
    assert aggregates.hours(scope.markets, year) == queries.hours(scope.markets, year)
    kept = tf.read("department", "93", year, aggregates.last_refresh())
    assert kept["hours"] == queries.hours(scope.markets, year)
