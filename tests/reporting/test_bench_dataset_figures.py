"""The per territory × year figures against the live computation on the benchmark's own
generated dataset (`bench.dataset`, tiny scale: every département of Île-de-France, ten
years of markets, people and declarations through the project's rules), for every
département and region and every closed year; and the reviews benchmark returns figures
(first computation and kept) on it — never timings."""

from datetime import date

import pytest

from bench import dataset
from clauses.access.actors import Actor
from clauses.reporting import aggregates, figures, periods, queries
from clauses.reporting import territory_figures as tf
from clauses.reporting.policies import department_scope, region_scope
from clauses.territories.models import Department, Region

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)
ADMIN = Actor(user_id=1, is_superuser=True, role="admin", label="Administration")


@pytest.fixture
def generated():
    generator = dataset.Generator(dataset.SCALES["tiny"], seed=3, today=TODAY, use_copy=False)
    return generator.run()


def test_every_territory_agrees_with_the_live_computation(generated):
    later = date(2027, 2, 1)  # the generated months (12/2025–11/2026) then lie in closed years
    done = aggregates.refresh(today=later)
    scopes = [
        department_scope(ADMIN, code) for code in Department.objects.values_list("code", flat=True)
    ]
    scopes += [region_scope(ADMIN, code) for code in Region.objects.values_list("code", flat=True)]
    checked = 0
    years = aggregates.closed_years(later)
    assert 2026 in years
    for year in years:
        period = periods.year(year)
        for scope in scopes:
            kept = tf.read(*scope.territory, period, done.refreshed_at)
            live = figures.collect_review(scope, period, queries)
            for family in tf.FAMILIES:
                assert kept[family] == live[family], (scope.key, year, family)
            checked += bool(live["profile"]["total"])
    assert checked >= 2  # people to count, not only empty territories


def test_the_reviews_benchmark_returns_figures(generated):
    from bench import reviews

    results = reviews.run(runs=1, duck=None, log=lambda message: None)
    names = [r.name for r in results]
    assert names[0] == "aggregates: full rebuild"
    assert len(results) == 1 + 4 * 2
    assert all(r.median_ms is not None and r.median_ms >= 0 for r in results)
