"""The reviews benchmark (#15): each review of a closed year timed twice — its first
computation (no kept review: the aggregates, the per territory × year figures and the live
desk and network) and its kept read (`reporting.snapshots`) — next to the same
aggregations in DuckDB on the same rows (`bench/duck.py`), in one run.

    python -m bench.reviews [--runs 3] [--no-duckdb]      # on DATABASE_URL

It builds the aggregates first when the database has none (a row gives the rebuild's
time); it then writes the kept reviews (`ReviewSnapshot`) as the pages would.
`inprocess.reports` is the previous benchmark (live reviews), kept for `python -m bench`.
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from bench.core import Result, summarise

ROOT = Path(__file__).resolve().parent.parent
# The goals (#15): median, this machine, national dataset.
GOALS_MS = {"regional": 500, "national": 300, "buyer": 50, "department": 1000}
RATIO = 3  # and within 3× DuckDB on the same rows


def _cases(year: int):  # noqa: ANN202
    from django.db.models import Count

    from bench.inprocess import _admin
    from clauses.markets.models import Market
    from clauses.reporting import exports, policies, reports
    from clauses.reporting.periods import year as year_period

    admin = _admin()
    period = year_period(year)
    buyer_id = (
        Market.objects.order_by()
        .values("buyer")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("buyer", flat=True)
        .first()
    )
    region = policies.region_scope(admin, "11")
    department = policies.department_scope(admin, "93")
    buyer = policies.buyer_scope(admin, buyer_id)
    return buyer_id, [
        ("regional annual review (IDF)", "regional", lambda: reports.review(region, period)),
        ("national annual review (by region)", "national", lambda: reports.national_rows(year)),
        (
            "buyer clause report (largest buyer)",
            "buyer",
            lambda: reports.clause_report(buyer, period),
        ),
        (
            "département export (93, review + XLSX)",
            "department",
            lambda: exports.report_xlsx(reports.review(department, period)),
        ),
    ]


def _timed(function) -> float:  # noqa: ANN001
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def run(*, runs: int = 3, duck: object | None = None, log=print) -> list[Result]:  # noqa: ANN001
    from bench.inprocess import _volume, report_year
    from clauses.reporting import aggregates
    from clauses.reporting.models import ReviewSnapshot, TerritoryYear

    results = []
    if aggregates.last_refresh() is None:
        log("  building the aggregates (full rebuild)…")
        done = aggregates.refresh()
        results.append(
            Result(
                "aggregates: full rebuild",
                f"{done.rows:,} rows (market × month, territory × year)",
                1,
                median_ms=done.duration_ms,
                note="background task: nightly, and partial after each batch of declarations",
            )
        )
    year = report_year()
    volume = _volume() + f"; year {year}"
    buyer_id, cases = _cases(year)
    log(f"  territory × year rows: {TerritoryYear.objects.count():,}")
    for name, key, function in cases:
        first = []
        for _ in range(runs):
            ReviewSnapshot.objects.all().delete()
            first.append(_timed(function))
        kept = [_timed(function) for _ in range(max(runs, 5))]
        ref = None
        if duck is not None:
            ref = duck.measure(key, year=year, buyer_id=buyer_id, department="93", region="11")
        goal_ms = GOALS_MS[key]
        for label, durations in (("first computation", first), ("kept", kept)):
            result = summarise(f"{name}, {label}", volume, durations)
            result.goal = f"< {goal_ms:,} ms, ≤ {RATIO}× DuckDB"
            if ref is not None:
                result.reference, result.reference_ms = "DuckDB on Parquet", ref
            ratio_ok = result.ratio is None or result.ratio <= RATIO
            result.met = result.median_ms is not None and result.median_ms < goal_ms and ratio_ok
            results.append(result)
        reference = f", DuckDB {ref:,.0f} ms" if ref else ""
        log(
            f"  {name}: first {statistics.median(first):,.0f} ms, "
            f"kept {statistics.median(kept):,.1f} ms{reference}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-duckdb", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses.settings.base")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.__main__ import table

    duck = None
    if not args.no_duckdb:
        from bench.duck import Reference

        print("export to Parquet for DuckDB…", file=sys.stderr)
        duck = Reference()
    results = run(runs=args.runs, duck=duck, log=lambda m: print(m, file=sys.stderr))
    print(table(results))
    out = ROOT / "bench" / "results" / f"reviews-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([r.as_dict() for r in results], indent=1, default=str))
    print(f"saved {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
