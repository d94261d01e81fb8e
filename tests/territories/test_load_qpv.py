"""load_qpv: an optional CSV, checked entirely before anything is written."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clauses.territories.models import Qpv

pytestmark = pytest.mark.django_db

GOOD = (
    "code,nom,communes_insee\n"
    "QN09301M,Franc-Moisin Bel-Air,93066\n"
    "QN09302M,Quartier intercommunal,93066|93001\n"
    "QN07501M,Porte de Clichy,75117\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "qpv.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *, wet_run: bool = False) -> str:
    out = StringIO()
    call_command("load_qpv", file=str(path), wet_run=wet_run, stdout=out)
    return out.getvalue()


def test_dry_run_then_wet_run_then_nothing_to_do(tmp_path):
    path = write(tmp_path, GOOD)
    dry = run(path)
    assert "QPV : 3 ajout(s)" in dry
    assert "communes des QPV : 4 ajout(s)" in dry
    assert not Qpv.objects.exists()

    run(path, wet_run=True)
    shared = Qpv.objects.get(code="QN09302M")
    assert sorted(shared.communes.values_list("insee", flat=True)) == ["93001", "93066"]
    assert Qpv.objects.get(code="QN07501M").communes.get().name == "Paris 17e Arrondissement"

    assert "Aucun changement." in run(path, wet_run=True)


def test_changes_and_removals(tmp_path):
    run(write(tmp_path, GOOD), wet_run=True)
    output = run(
        write(tmp_path, "code,nom,communes_insee\nQN09302M,Quartier renommé,93001\n"),
        wet_run=True,
    )
    assert "QPV : 0 ajout(s), 1 modification(s), 2 suppression(s)" in output
    assert "communes des QPV : 0 ajout(s), 0 modification(s), 3 suppression(s)" in output
    qpv = Qpv.objects.get()
    assert qpv.name == "Quartier renommé"
    assert list(qpv.communes.values_list("insee", flat=True)) == ["93001"]


def test_every_bad_cell_is_reported_and_nothing_written(tmp_path):
    path = write(
        tmp_path,
        "code,nom,communes_insee\n"
        "QN09301M,Franc-Moisin,93066\n"
        ",Sans code,93066\n"
        "QN09301M,Doublon,99999|93001\n"
        "QN09303M,,\n",
    )
    with pytest.raises(CommandError) as error:
        run(path, wet_run=True)
    message = str(error.value)
    assert "qpv.csv : 5 erreur(s), rien n'a été écrit." in message
    assert "ligne 3, colonne code : valeur vide." in message
    assert "ligne 4, colonne code : « QN09301M » déjà vu ligne 2." in message
    assert "ligne 4, colonne communes_insee : commune inconnue « 99999 »." in message
    assert "ligne 5, colonne nom : valeur vide." in message
    assert "ligne 5, colonne communes_insee : aucune commune." in message
    assert not Qpv.objects.exists()


def test_missing_file_column_or_option(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.csv")
    with pytest.raises(CommandError, match="colonne\\(s\\) manquante\\(s\\) : communes_insee"):
        run(write(tmp_path, "code,nom\nQN1,A\n"))
    with pytest.raises(CommandError, match="--file"):
        call_command("load_qpv", stdout=StringIO())


def test_not_part_of_load_reference():
    from clauses.site.management.commands.load_reference import REFERENCE_COMMANDS

    assert "load_qpv" not in REFERENCE_COMMANDS
