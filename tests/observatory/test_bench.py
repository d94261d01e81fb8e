"""Smoke test of the observatory benchmark (bench/observatory.py), tiny: it generates,
imports, summarises next to DuckDB and cleans up — figures, never timings."""

import pytest

from bench import observatory
from clauses.observatory.models import PublishedContract

pytestmark = pytest.mark.django_db


def test_the_benchmark_returns_its_two_figures(tmp_path):
    path = tmp_path / "decp.csv"
    distinct = observatory.generate(path, 500)
    assert 400 < distinct <= 500
    results = observatory.run(2_000, runs=2)
    assert [r.name for r in results] == [
        "observatory: DECP import (tabular CSV)",
        "observatory: territory summary (93, one year)",
    ]
    assert results[0].rps > 0 and results[0].reference_ms > 0
    assert results[1].median_ms is not None and results[1].reference_ms is not None
    assert not PublishedContract.objects.exists()  # cleaned up
