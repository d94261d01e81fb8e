"""The history import's demo (#14.1): two sample exports in two shapes with their profiles
for the demo facilitator's structure; the first imported by the seed (visible to the
facilitator and the 93 coordination), the second left for the visitor, clean with its
profile; idempotent."""

import io

import pytest

from clauses.access.actors import actor_for_membership
from clauses.accounts.models import Membership
from clauses.followup import services as followup_services
from clauses.history import demo, fields, policies, services
from clauses.history.models import HistoryImport, MappingProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, django_capture_on_commit_callbacks):  # noqa: ANN201
    from clauses.accounts import demo as accounts_demo
    from clauses.network import demo as network_demo

    settings.DEMO_MODE = True
    out = io.StringIO()
    followup_services.load_national_criteria(wet_run=True)
    with django_capture_on_commit_callbacks(execute=True):
        network_demo.seed(stdout=out)
        accounts_demo.seed(stdout=out)
        demo.seed(stdout=out)
    return out.getvalue()


def _actor(email: str):  # noqa: ANN202
    membership = Membership.objects.select_related("user").get(user__email=email)
    return actor_for_membership(membership, user=membership.user)


def test_the_first_export_is_imported_with_its_profile(seeded, django_capture_on_commit_callbacks):
    facilitator = _actor(demo.FACILITATOR_EMAIL)
    record = HistoryImport.objects.get()
    assert "export du logiciel A importé" in seeded, seeded
    assert record.profile.name == demo.PROFILE_A
    assert record.row_count == len(services.read_bytes(demo.logiciel_a(), name="a.xlsx").rows)
    profiles = MappingProfile.objects.filter(structure=record.structure)
    assert set(profiles.values_list("name", flat=True)) == {demo.PROFILE_A, demo.PROFILE_B}
    for email in (demo.FACILITATOR_EMAIL, "coordination93@demo.clauses.example"):
        assert policies.visible_imports(_actor(email)).filter(pk=record.pk).exists()
    assert not policies.visible_imports(_actor("acheteur@demo.clauses.example")).exists()
    assert policies.can_import(facilitator, record.structure)
    # Nadia (hired directly in CDD) was validated two months into her mission: those hours do not
    # count, and the report says so per clause and reason.
    assert record.uncounted, record.counts
    assert all(line["reason"] and line["clause"] for line in record.uncounted)

    # Idempotent: a second run imports nothing again and keeps the two profiles.
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(stdout=out)
    assert HistoryImport.objects.count() == 1
    assert profiles.count() == 2
    assert "déjà importé" in out.getvalue()


def test_the_second_export_is_left_for_the_visitor_and_checks_clean(seeded):
    facilitator = _actor(demo.FACILITATOR_EMAIL)
    record = HistoryImport.objects.get()
    table = services.read_bytes(demo.tableur_de_suivi(), name="tableur-de-suivi.csv")
    assert not HistoryImport.objects.filter(sha256=table.sha256).exists()
    profile_b = MappingProfile.objects.get(name=demo.PROFILE_B)
    result = services.preview(
        actor=facilitator,
        structure=record.structure,
        table=table,
        columns=profile_b.columns,
        values=profile_b.values,
    )
    assert result.problems == []


def test_the_two_shapes_differ_and_are_suggested():
    """Different headers, labels, separators, encodings and date forms; every header is
    suggested as its profile maps it; the second file has labels to map by hand."""
    a = services.read_bytes(demo.logiciel_a(), name="export-logiciel-A.xlsx")
    raw_b = demo.tableur_de_suivi()
    b = services.read_bytes(raw_b, name="tableur-de-suivi.csv")
    assert not set(a.headers) & set(b.headers)
    assert "Référence du marché" in a.headers and "NE(E) LE" in b.headers
    raw_b.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        raw_b.decode("utf-8")
    assert b";" in raw_b.splitlines()[0]
    assert any("/" in str(cell) for cell in b.rows[0][1])
    for table, columns in ((a, demo.PROFILE_A_COLUMNS), (b, demo.PROFILE_B_COLUMNS)):
        suggested = {k: v for k, v in fields.suggest_columns(table.headers).items() if v}
        assert suggested == columns
    unknown_b = {
        label
        for labels in services.distinct_values(b, demo.PROFILE_B_COLUMNS).values()
        for label, code, _ in labels
        if code is None
    }
    assert unknown_b == {"Demandeur d'emploi longue durée", "CDD d'insertion"}
    labels_a = {
        label
        for labels in services.distinct_values(a, demo.PROFILE_A_COLUMNS).values()
        for label, _, _ in labels
    }
    assert {"BRSA", "CDDI", "Intérim d'insertion"} <= labels_a


def test_the_second_export_imported_twice_creates_nothing_the_second_time(
    seeded, django_capture_on_commit_callbacks
):
    """The « tableur de suivi » names its companies without a SIRET: a second import of the
    same rows (not the same upload) recognises the people, companies, missions and months
    it created the first time (issue #14.1: re-importing creates nothing twice)."""
    facilitator = _actor(demo.FACILITATOR_EMAIL)
    structure = HistoryImport.objects.get().structure
    profile_b = MappingProfile.objects.get(name=demo.PROFILE_B)
    table = services.read_bytes(demo.tableur_de_suivi(), name="tableur-de-suivi.csv")
    options = {"columns": profile_b.columns, "values": profile_b.values, "profile": profile_b}
    with django_capture_on_commit_callbacks(execute=True):
        first = services.run_import(actor=facilitator, structure=structure, table=table, **options)
    assert any(c["created"] for c in first.counts.values()), first.counts
    again_table = services.read_bytes(
        demo.tableur_de_suivi() + b"\r\n", name="tableur-de-suivi-bis.csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.run_import(
            actor=facilitator, structure=structure, table=again_table, **options
        )
    assert all(c["created"] == 0 for c in again.counts.values()), again.counts
