"""Imports run at the same moment, with real threads against PostgreSQL (issue #14.1):
the same upload twice → one import, the other a French « déjà importé »; the same file
twice without an upload → one creates, the other finds everything there (the structure's
row is locked first) — never an IntegrityError, never a row written twice.

SQLite has no row locks and one writer at a time: these tests run on the PostgreSQL stage
of CI. Their rows are committed (each thread has its own connection) and deleted afterwards,
as in tests/hours/test_concurrency.py."""

import io

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import AutoField, BigAutoField

from clauses.followup.models import Participant
from clauses.history import services
from clauses.history.models import HistoryImport
from clauses.hours.models import HourDeclaration
from tests.followup import conftest as followup_conftest
from tests.history.engine_support import HistoryWorld, csv_bytes, row
from tests.markets import conftest as markets_conftest
from tests.support.threads import at_once

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serialises every writer): "
    "run on CI's PostgreSQL stage",
)
pytestmark = needs_postgresql


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
def committed_hw(django_db_setup, django_db_blocker) -> HistoryWorld:  # noqa: ANN001
    with django_db_blocker.unblock():
        models = _counted_models()
        last = {
            m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in models
        }
        try:
            world = markets_conftest.world.__wrapped__(None)
            yield HistoryWorld(followup_conftest.fw.__wrapped__(world))
        finally:
            connections.close_all()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for model in models:
                    table, pk = model._meta.db_table, model._meta.pk.column
                    cursor.execute(
                        f'DELETE FROM "{table}" WHERE "{pk}" > %s',  # noqa: S608 — model names
                        [last[model]],
                    )
            connections.close_all()


ROWS = [row(Mois=month) for month in ("03/2024", "04/2024", "05/2024")]


def test_the_same_upload_imported_twice_at_once(committed_hw):
    hw = committed_hw
    stream = io.BytesIO(csv_bytes(ROWS))
    stream.name = "export.csv"
    upload, table = services.store_upload(actor=hw.actor(), structure=hw.structure, file=stream)
    columns = hw.columns(table)
    actor = hw.actor()

    def call() -> object:
        return services.run_import(
            actor=actor, structure=hw.structure, table=table, columns=columns, upload=upload
        )

    results = at_once([call, call])
    imports = [r for r in results if isinstance(r, HistoryImport)]
    refused = [r for r in results if isinstance(r, services.ImportConflict)]
    assert len(imports) == 1 and len(refused) == 1, results
    assert "déjà été importé" in str(refused[0])
    assert HourDeclaration.objects.filter(assignment__participant__last_name="Dupont").count() == 3


def test_the_same_file_twice_at_once_creates_once(committed_hw):
    hw = committed_hw
    table = hw.table(ROWS)
    columns = hw.columns(table)
    actor = hw.actor()

    def call() -> object:
        return services.run_import(
            actor=actor, structure=hw.structure, table=table, columns=columns
        )

    results = at_once([call, call, call])
    assert all(isinstance(r, HistoryImport) for r in results), results
    created = sorted(r.counts["hours"]["created"] for r in results)
    assert created == [0, 0, 3]
    assert Participant.objects.filter(last_name="Dupont", structure=hw.structure).count() == 1
    assert HourDeclaration.objects.filter(assignment__participant__last_name="Dupont").count() == 3
