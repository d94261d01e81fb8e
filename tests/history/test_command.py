"""`manage.py import_history`: dry run by default, French output, the same engine."""

import pytest
from django.core.management import CommandError, call_command

from clauses.accounts.models import User
from clauses.followup.models import Participant
from clauses.history import fields, services
from clauses.history.models import HistoryImport
from tests.history.engine_support import HEADERS, csv_bytes, row
from tests.history.engine_support import fw as fw  # noqa: F401
from tests.history.engine_support import hw as hw  # noqa: F401
from tests.history.engine_support import world as world  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(hw, tmp_path):
    actor = hw.actor()
    profile = services.save_profile(
        actor=actor,
        structure=hw.structure,
        name="Logiciel A",
        columns={k: v for k, v in fields.suggest_columns(HEADERS).items() if v},
        values={"assignment.modality": {"CDDI": "subcontract_siae"}},
    )
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row(Mois="03/2024"), row(Mois="04/2024")]))
    email = User.objects.get(pk=actor.user_id).email
    return hw, profile, path, email


def run(capsys, *args):
    call_command("import_history", *args)
    return capsys.readouterr()


def test_dry_run_writes_nothing_and_says_what_it_would_do(setup, capsys):
    hw, profile, path, email = setup
    out = run(
        capsys, "--structure", str(hw.structure.pk), "--profile", "Logiciel A", "--file", str(path)
    )
    assert "Simulation — Personnes : 1 créé(s)" in out.out
    assert "Heures mensuelles : 2 créé(s)" in out.out
    assert not Participant.objects.filter(last_name="Dupont").exists()
    assert not HistoryImport.objects.exists()


def test_wet_run_imports_with_the_profile_then_matches(setup, capsys):
    hw, profile, path, email = setup
    args = [
        "--structure",
        str(hw.structure.pk),
        "--profile",
        "Logiciel A",
        "--file",
        str(path),
        "--user",
        email,
        "--wet-run",
    ]
    out = run(capsys, *args)
    assert "Importé — Heures mensuelles : 2 créé(s)" in out.out
    record = HistoryImport.objects.get()
    assert record.profile == profile
    out = run(capsys, *args)
    assert "Importé — Heures mensuelles : 0 créé(s), 2 déjà présent(s)" in out.out


def test_problems_are_listed_by_line_and_column(setup, capsys, tmp_path):
    hw, profile, path, email = setup
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(Mois="03/2024"), row(Mois="mars", Heures="1e308")]))
    with pytest.raises(CommandError, match="Rien ne serait importé"):
        call_command(
            "import_history",
            "--structure",
            str(hw.structure.pk),
            "--profile",
            "Logiciel A",
            "--file",
            str(bad),
        )
    err = capsys.readouterr().err
    assert "ligne 3, colonne « Mois »" in err
    assert "ligne 3, colonne « Heures »" in err


def test_someone_outside_the_structure_cannot_import(setup, capsys):
    hw, profile, path, email = setup
    other = User.objects.get(pk=hw.actor("facilitator75").user_id).email
    with pytest.raises(CommandError, match="ne peut pas importer"):
        call_command(
            "import_history",
            "--structure",
            str(hw.structure.pk),
            "--profile",
            "Logiciel A",
            "--file",
            str(path),
            "--user",
            other,
        )


def test_unknown_structure_profile_and_file(setup, tmp_path):
    hw, profile, path, email = setup
    with pytest.raises(CommandError, match="Structure introuvable"):
        call_command(
            "import_history",
            "--structure",
            "999999",
            "--profile",
            "Logiciel A",
            "--file",
            str(path),
        )
    with pytest.raises(CommandError, match="Profil introuvable"):
        call_command(
            "import_history",
            "--structure",
            str(hw.structure.pk),
            "--profile",
            "Autre",
            "--file",
            str(path),
        )
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command(
            "import_history",
            "--structure",
            str(hw.structure.pk),
            "--profile",
            "Logiciel A",
            "--file",
            str(tmp_path / "absent.csv"),
        )


def test_expired_uploads_are_purged(hw, capsys):
    import datetime
    import io

    from django.utils import timezone

    from clauses.history.models import HistoryUpload

    stream = io.BytesIO(csv_bytes([row()]))
    stream.name = "export.csv"
    upload, _ = services.store_upload(actor=hw.actor(), structure=hw.structure, file=stream)
    name = upload.file.name
    HistoryUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    call_command("purge_history_uploads")
    assert "1 fichier(s) d'historique de plus de 24 heures à supprimer" in capsys.readouterr().out
    assert HistoryUpload.objects.exists()
    call_command("purge_history_uploads", "--wet-run")
    assert "1 fichier(s) d'historique de plus de 24 heures supprimé(s)" in capsys.readouterr().out
    assert not HistoryUpload.objects.exists()
    assert not upload.file.storage.exists(name)
