"""Declarations sent at the same moment (issue 11, item 1), with real threads against
PostgreSQL: the monthly ceiling holds across two assignments of one person, identical
declarations are answered "déjà enregistrée", the same file imported twenty times at once
is recorded once — and no IntegrityError ever reaches the caller.

SQLite has no row or advisory locks and one writer at a time: these tests run on the
PostgreSQL stage of CI (`DATABASE_URL=postgres://…`). Their rows are committed (each thread
has its own connection) and deleted afterwards; no `transaction=True`, whose flush would
also empty the session's reference data (see tests/accounts/test_single_use_tokens.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import AutoField, BigAutoField

from clauses.hours import imports, services
from clauses.hours.models import HourDeclaration, ImportBatch
from tests.hours import conftest as hours_conftest
from tests.hours.conftest import TODAY, HoursWorld
from tests.markets import conftest as markets_conftest
from tests.support.threads import at_once

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serialises every writer): "
    "run on CI's PostgreSQL stage",
)
MONTH = date(2026, 3, 1)


def _counted_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and isinstance(model._meta.pk, AutoField | BigAutoField)
        and model._meta.app_label != "territories"
    ]


@pytest.fixture
def committed_hw(django_db_setup, django_db_blocker) -> HoursWorld:  # noqa: ANN001
    """The hours world (tests/hours/conftest.py), committed; every row created during the
    test (by the world or the threads) is deleted afterwards, journals included (plain SQL
    in one transaction: the foreign keys are checked at its end)."""
    with django_db_blocker.unblock():
        models = _counted_models()
        last = {
            m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in models
        }
        try:
            world = markets_conftest.world.__wrapped__(None)
            yield hours_conftest.hw.__wrapped__(world)
        finally:
            connections.close_all()
            with transaction.atomic(), connection.cursor() as cursor:
                for model in models:
                    table, pk = model._meta.db_table, model._meta.pk.column
                    cursor.execute(
                        f'DELETE FROM "{table}" WHERE "{pk}" > %s',  # noqa: S608 — model names
                        [last[model]],
                    )
            connections.close_all()


@needs_postgresql
def test_two_assignments_of_one_person_cannot_pass_the_ceiling_together(committed_hw: HoursWorld):
    hw = committed_hw
    _, lot2, _ = hw.new_market()
    second = hw.assign(hw.participant, lot2)
    actor = hw.actor("company")

    def declare(assignment, hours, month):  # noqa: ANN001, ANN202
        return lambda: services.save_entries(
            actor=actor,
            entries=[services.Entry(1, assignment.pk, month, Decimal(hours))],
            source="api",
            today=TODAY,
        )

    for month in (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)):  # three rounds
        outcomes = at_once([declare(hw.assignment, 150, month), declare(second, 97, month)])
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        accepted = [o for o in outcomes if o.ok]
        assert len(accepted) == 1
        refused = next(o for o in outcomes if not o.ok)
        assert "maximum légal" in refused.problems[0].message
        total = sum(d.declared_hours for d in HourDeclaration.objects.filter(month=month))
        assert total <= 208


@needs_postgresql
def test_twenty_identical_declarations_at_once_give_one(committed_hw: HoursWorld):
    hw = committed_hw
    actor = hw.actor("company")

    def call():  # noqa: ANN202
        return services.declare(
            actor=actor, assignment=hw.assignment, month=MONTH, hours=Decimal(120), today=TODAY
        )

    results = at_once([call] * 20)
    assert not any(isinstance(r, Exception) for r in results), results
    kinds = sorted(result for _, result in results)  # type: ignore[misc]
    assert kinds == ["created"] + ["unchanged"] * 19
    assert HourDeclaration.objects.count() == 1
    assert HourDeclaration.objects.get().events.count() == 1


@needs_postgresql
def test_the_same_file_imported_twenty_times_at_once_is_recorded_once(committed_hw: HoursWorld):
    hw = committed_hw
    actor = hw.actor("company")
    raw = (
        "N° de mission;Mois;Heures\n"
        f"{hw.assignment.pk};03/2026;120\n"
        f"{hw.assignment.pk};04/2026;80\n"
    ).encode()

    def call():  # noqa: ANN202
        return imports.import_declarations(actor=actor, file=raw, name="h.csv", today=TODAY)

    outcomes = at_once([call] * 20)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert all(o.ok for o in outcomes)
    assert sum(o.created for o in outcomes) == 2
    assert sum(1 for o in outcomes if o.already_imported is not None) == 19
    assert ImportBatch.objects.count() == 1
    assert HourDeclaration.objects.count() == 2


@pytest.mark.django_db
def test_sent_twice_in_a_row_is_answered_already_recorded(hw: HoursWorld):
    """The same answer without threads (and a database-marked test in this module, so
    that running it alone sets the test database up)."""
    actor = hw.actor("company")
    first = services.declare(
        actor=actor, assignment=hw.assignment, month=MONTH, hours=Decimal(120), today=TODAY
    )
    again = services.declare(
        actor=actor, assignment=hw.assignment, month=MONTH, hours=Decimal(120), today=TODAY
    )
    assert (first[1], again[1]) == ("created", "unchanged")
    assert "déjà enregistrée" in services.RESULT_MESSAGES["unchanged"]


@needs_postgresql
def test_the_api_answers_parallel_identical_calls_without_a_server_error(committed_hw):
    """Ten identical API calls at once: one creates, the nine others answer 200 « déjà
    enregistrée » — never a 500."""
    import json

    from django.test import Client

    from clauses.access.enums import TokenScope
    from tests.access.factories import make_api_token

    hw = committed_hw
    _, raw = make_api_token(hw.company, role="company_contact", scope=TokenScope.READ_WRITE)
    body = json.dumps(
        {"declarations": [{"assignment": hw.assignment.pk, "month": "2026-03", "hours": "120"}]}
    )

    def call():  # noqa: ANN202
        return Client().post(
            "/api/v1/contractor/declarations",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    responses = at_once([call] * 10)
    assert not any(isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200] * 10  # type: ignore[union-attr]
    results = sorted(r.json()["declarations"][0]["result"] for r in responses)  # type: ignore[union-attr]
    assert results == ["created"] + ["unchanged"] * 9
    assert HourDeclaration.objects.filter(assignment=hw.assignment).count() == 1
