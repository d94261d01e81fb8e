"""The HTTP rows' helpers (#15): slices combined into one row, the workers' CPU time read
from /proc, the row list covering every public page and lookup API of the issue."""

import os

from bench import http
from bench.core import Result


def test_slices_are_combined_conservatively():
    parts = [
        Result("x", "wrk 32 conn, 2 s, 1 URLs", 2000, median_ms=10, p99_ms=50, rps=1000),
        Result("x", "wrk 32 conn, 2 s, 1 URLs", 1000, median_ms=30, p99_ms=90, rps=500),
    ]
    for part in parts:
        part.extra = {"errors": 0, "non_2xx_3xx": 0}
    row = http._combined("HTTP x", parts, goal="g")
    assert row.samples == 3000
    assert row.rps == 3000 / 4  # requests over the summed duration
    assert row.median_ms == 20 and row.p99_ms == 90  # the worst slice's p99
    assert row.volume == "wrk 32 conn, 4 s in 2 slices, 1 URLs"
    assert row.extra["failed_share"] == 0


def test_cpu_seconds_of_this_process_grows():
    before = http.cpu_seconds([os.getpid()])
    sum(i * i for i in range(2_000_000))
    assert http.cpu_seconds([os.getpid()]) > before
    assert http.cpu_seconds([999_999_999]) == 0  # a process that ended counts nothing


def test_rows_cover_every_public_page_and_lookup(monkeypatch):
    monkeypatch.setattr(http, "_served_insees", lambda insees: insees)
    rows = http.row_calls(["93066", "75056"])
    assert set(rows) == {
        "ceiling: /sante/ (no database)",
        "home",
        "network page",
        "département pages",
        "find my facilitator",
        "facilitation API",
        "commune search API",
        "routing dry run API",
    }
    assert {c.path for c in rows["département pages"]} == {
        "/reseau/departements/93/",
        "/reseau/departements/75/",
    }
    assert all(c.method == "POST" and c.body for c in rows["routing dry run API"])
