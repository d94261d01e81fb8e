"""load_network: the real skeleton of the network from the seed document."""

from io import StringIO

import pytest
from django.core.management import call_command

from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination
from tests.network.factories import CoordinationFactory

pytestmark = pytest.mark.django_db


def run(*, wet_run: bool) -> str:
    out = StringIO()
    call_command("load_network", wet_run=wet_run, stdout=out)
    return out.getvalue()


def empty_skeleton() -> None:
    for level in ("local", "departmental", "regional", "national"):
        Coordination.objects.filter(level=level).delete()


def test_skeleton_is_loaded_with_exact_counts():
    assert Coordination.objects.national().count() == 1
    assert Coordination.objects.regional().count() == 1
    assert Coordination.objects.departmental().count() == 8
    national = Coordination.objects.national().get()
    regional = Coordination.objects.regional().get()
    assert national.name == "Alliance Villes Emploi"
    assert "PNAD" in national.description
    assert regional.parent == national
    assert regional.carrier_name == "GIP Maximilien"
    assert regional.mission == "Mission d'appui au développement des clauses sociales (MACS)"
    assert regional.since_year == 2016
    assert "DRIETS Île-de-France" in regional.funders
    assert "Fonds social européen" in regional.funders
    assert regional.desk_email == "macs@maximilien.fr"
    assert regional.green_desk_email == "guichetvert@maximilien.fr"
    assert regional.region.code == "11"
    departmental = {
        c.department.code: c for c in Coordination.objects.departmental().select_related()
    }
    assert sorted(departmental) == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert departmental["75"].carrier_name == "Association EPEC"
    assert departmental["77"].carrier_name == "Initiatives 77"
    assert departmental["95"].carrier_name == "Association AVEC"
    assert all(c.parent == regional for c in departmental.values())
    # No invented address for a real body.
    assert not any(c.email or c.desk_email for c in departmental.values())
    assert not Coordination.objects.filter(is_demo=False, level="local").exists()


def test_dry_run_writes_nothing_then_wet_run_then_idempotent():
    empty_skeleton()
    out = run(wet_run=False)
    assert "10 ajout(s)" in out
    assert "Simulation" in out
    assert Coordination.objects.count() == 0

    run(wet_run=True)
    assert Coordination.objects.count() == 10
    assert Coordination.history.filter(history_type="+").count() >= 10

    out = run(wet_run=True)
    assert "Aucun changement" in out
    assert Coordination.objects.count() == 10


def test_a_change_is_reported_and_restored_with_history():
    regional = Coordination.objects.regional().get()
    Coordination.objects.filter(pk=regional.pk).update(since_year=2015)
    out = run(wet_run=False)
    assert "1 modification(s)" in out
    run(wet_run=True)
    regional.refresh_from_db()
    assert regional.since_year == 2016
    last = regional.history.first()
    assert last.history_type == "~"
    assert "load_network" in last.history_change_reason


def test_demo_and_local_rows_are_left_alone():
    local = CoordinationFactory(demo=True, name="Coordination locale (démo)")
    out = run(wet_run=True)
    assert "Aucun changement" in out
    assert Coordination.objects.filter(pk=local.pk, level=CoordinationLevel.LOCAL).exists()
