"""Smoke tests of the dataset generator and of every benchmark, at the tiny scale: they check
that the data holds the project's invariants and that each benchmark returns figures —
never timings."""

import asyncio
import json
import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from bench import core, dataset, http, inprocess
from bench.__main__ import table

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


@pytest.fixture
def generated():
    generator = dataset.Generator(dataset.SCALES["tiny"], seed=3, today=TODAY, use_copy=False)
    return generator.run()


def test_dry_run_writes_nothing(capsys):
    from bench.dataset.cli import main
    from clauses.markets.models import Market

    assert main(["--scale", "national"]) == 0
    assert "Essai à blanc" in capsys.readouterr().out
    assert not Market.objects.exists()


def test_generated_counts_and_hours(generated):
    counts = generated.counts
    for label in (
        "markets.Market",
        "markets.SocialConsideration",
        "followup.Participant",
        "followup.Assignment",
        "hours.HourDeclaration",
        "desk.Request",
        "territories.Region",
    ):
        assert counts[label] > 0, label
    assert counts["territories.Region"] == 1  # the tiny scale's synthetic region
    assert counts["network.FacilitatorStructure"] == 48 + 2 * 2  # IDF table + synthetic
    assert 0 < generated.hours_counted <= generated.hours_declared
    assert generated.as_dict()["scale"] == "tiny"


def test_the_data_holds_the_rules(generated):
    from clauses.desk import services as desk_services
    from clauses.desk.models import Request
    from clauses.followup import rules as followup_rules
    from clauses.followup.models import Assignment, EligibilityValidation
    from clauses.hours import rules as hour_rules
    from clauses.hours import services as hour_services
    from clauses.hours.models import HourDeclaration
    from clauses.markets import rules as market_rules
    from clauses.markets.models import SocialConsideration

    # Hour targets: the calculator's result for the stored inputs.
    for clause in SocialConsideration.objects.all():
        estimate = market_rules.estimate_hours(
            amount_ht=clause.amount_ht,
            labour_share=clause.labour_share,
            hourly_cost=clause.hourly_cost,
            insertion_rate=clause.insertion_rate,
        )
        assert clause.calculated_hours == estimate.hours
    # Counted hours: what the hours service computes from the stored facts.
    assert hour_services.recount() == 0
    # Declarations: within the assignment's months, none in the future, monthly ceiling
    # per person across assignments.
    per_person = defaultdict(Decimal)
    for d in HourDeclaration.objects.select_related("assignment"):
        a = d.assignment
        assert date(a.start_date.year, a.start_date.month, 1) <= d.month <= a.end_date
        assert d.month < date(TODAY.year, TODAY.month, 1)
        per_person[(a.participant_id, d.month)] += d.base_hours
    assert max(per_person.values()) <= hour_rules.MONTHLY_CEILING_HOURS
    # Eligibility: valid for 24 months from the person's first clause contract.
    for validation in EligibilityValidation.objects.select_related("participant"):
        first = (
            Assignment.objects.filter(participant=validation.participant)
            .order_by("start_date")
            .first()
        )
        assert validation.valid_until == followup_rules.valid_until(first.start_date, 24)
        assert validation.valid_from <= first.start_date
    # Routing: the desk's service sends each request where the generator stored it.
    for request in Request.objects.prefetch_related("execution_communes"):
        decision = desk_services.route_request(
            kind=request.kind,
            buyer_siret=request.buyer_siret,
            execution_communes=[c.insee for c in request.execution_communes.all()],
            on=TODAY,
        )
        assert str(decision.rule) == request.routing_rule
        assert decision.target.id == (request.target_structure_id or request.target_coordination_id)


def test_the_generator_is_deterministic(generated):
    from clauses.hours.models import HourDeclaration

    totals = HourDeclaration.objects.aggregate(h=Sum("base_hours"), c=Sum("counted_hours"))
    assert float(totals["h"]) == pytest.approx(generated.hours_declared)
    # Same seed, same draws: the generator's random stream does not depend on the database.
    first = dataset.Generator(dataset.SCALES["tiny"], seed=3, today=TODAY).rng.random()
    assert first == dataset.Generator(dataset.SCALES["tiny"], seed=3, today=TODAY).rng.random()


def test_in_process_benchmarks_return_figures(generated):
    results = (
        inprocess.routing(runs=5)
        + inprocess.commune_search(runs=5)
        + inprocess.facilitation(runs=5)
    )
    assert [r.name for r in results][:2] == ["routing: rule only", "routing: facts + rule"]
    for result in results:
        assert result.samples >= 5
        assert result.median_ms is not None and result.median_ms >= 0
        assert result.p99_ms >= result.median_ms
    assert results[2].extra["non_empty_share"] > 0.5


def test_reports_with_their_duckdb_reference(generated, tmp_path):
    from bench.duck import Reference

    duck = Reference(tmp_path, runs=1)
    assert duck.rows["decl"] == generated.counts["hours.HourDeclaration"]
    results = inprocess.reports(runs=1, duck=duck)
    assert len(results) == 4
    for result in results:
        assert result.median_ms is not None, result.note
        assert result.reference_ms is not None and result.ratio is not None
    # DuckDB's regional hours agree with the database's.
    year = inprocess.report_year()
    hours = duck.run("regional", year=year, buyer_id=None, department="93", region="11")[0][0]
    assert all(v is None or v >= 0 for v in hours)


def test_declaration_import_and_its_reference(generated):
    from bench import imports
    from clauses.hours.models import HourDeclaration

    before = HourDeclaration.objects.count()
    (result,) = imports.run(rows=40)
    assert result.extra["created"] == 40
    assert result.median_ms > 0 and result.reference_ms > 0
    assert set(result.extra["phases_ms"]) >= {"read", "check", "write new rows"}
    assert HourDeclaration.objects.count() == before  # rolled back


def _drive(coroutine):
    """Run a coroutine that never suspends, outside any event loop (so that Django keeps
    this thread's database connection, the test's transaction)."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the scenario suspended")


def test_http_scenarios_through_the_django_client(generated, settings):
    """The load test's scenarios on Django's test client (the real run sends them to
    gunicorn on 127.0.0.1)."""
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 10**6
    client = Client(enforce_csrf_checks=True)

    async def send(method, path, *, body=b"", headers=None):
        headers = dict(headers or {})
        content_type = headers.pop("Content-Type", "application/octet-stream")
        headers.pop("Cookie", None)  # the test client keeps its own cookies
        response = client.generic(method, path, body, content_type=content_type, headers=headers)
        cookies = [f"{k}={v.value}" for k, v in response.cookies.items()]
        return response.status_code, {"set-cookie": cookies}, response.content

    communes = inprocess.sample_communes(10)
    runs = http.scenarios([c.insee for c in communes], [c.name for c in communes])
    assert set(runs) == set(http.GOALS)
    rng = random.Random(1)
    for name, scenario in runs.items():
        statuses = [_drive(scenario(send, rng)) for _ in range(3)]
        assert all(status < 400 for status in statuses), (name, statuses)
    from clauses.desk.models import Request

    assert Request.objects.filter(buyer_name="Ville de Bench").count() == 3


def test_load_loop_is_bounded():
    async def fake(send, rng):
        await asyncio.sleep(0)
        return 200

    load = asyncio.run(http._load(None, fake, 4, 5.0, 10))
    assert len(load.latencies) == 10 and load.statuses == {200: 10}


def test_server_command_and_table():
    server = http.Server(http.ROOT / "var", workers=2, threads=2)
    assert "clauses.wsgi:application" in server.command
    assert f"127.0.0.1:{server.port}" in server.command
    env = http.server_env(http.ROOT / "var")
    assert env["DJANGO_SETTINGS_MODULE"] == "clauses.settings.base"
    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "0"
    result = core.summarise("x", "y", [1.0, 2.0, 3.0], goal="< 5 ms")
    assert result.median_ms == 2.0 and result.p99_ms == 3.0
    text = table([result])
    assert "benchmark" in text and "< 5 ms" in text
    assert json.dumps(result.as_dict())
