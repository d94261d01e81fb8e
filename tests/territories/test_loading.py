"""The generic loader machinery (clauses/core/loading.py), on small hand-made rows."""

import pytest

from clauses.core.loading import Diff, LoadError, read_csv, sync_table
from clauses.territories.models import NafCode, Region

pytestmark = pytest.mark.django_db

NAF = {"parent": "code"}


def _rows(**labels: str) -> list[dict]:
    rows = [
        {"code": "Z", "level": "section", "label": "Section Z", "parent": None},
        {"code": "Z1", "level": "division", "label": "Division Z1", "parent": "Z"},
        {"code": "Z1.1", "level": "groupe", "label": "Groupe Z1.1", "parent": "Z1"},
    ]
    for row in rows:
        row["label"] = labels.get(row["code"], row["label"])
    return rows


def test_dry_run_reports_without_writing():
    before = NafCode.objects.count()
    diff = sync_table(NafCode, "code", _rows(), wet_run=False, references=NAF, delete_missing=False)
    assert diff.added == ["Z", "Z1", "Z1.1"]
    assert diff.final_count == before + 3
    assert NafCode.objects.count() == before


def test_children_before_parents_and_idempotence():
    rows = list(reversed(_rows()))
    sync_table(NafCode, "code", rows, wet_run=True, references=NAF, delete_missing=False)
    assert NafCode.objects.get(code="Z1.1").parent.parent.code == "Z"
    again = sync_table(NafCode, "code", rows, wet_run=True, references=NAF, delete_missing=False)
    assert not again.has_changes
    assert again.unchanged == 3


def test_changes_only_the_changed_rows_and_repoints_parents():
    sync_table(NafCode, "code", _rows(), wet_run=True, references=NAF, delete_missing=False)
    rows = _rows(Z1="Division renommée")
    rows[2]["parent"] = "Z"
    diff = sync_table(NafCode, "code", rows, wet_run=True, references=NAF, delete_missing=False)
    assert sorted(diff.changed) == ["Z1", "Z1.1"]
    assert NafCode.objects.get(code="Z1").label == "Division renommée"
    assert NafCode.objects.get(code="Z1.1").parent.code == "Z"


def test_removes_missing_rows_even_a_parent_with_its_child():
    sync_table(NafCode, "code", _rows(), wet_run=True, references=NAF, delete_missing=False)
    kept = [
        {"code": code, "level": level, "label": label, "parent": parent}
        for code, level, label, parent in NafCode.objects.exclude(code__startswith="Z").values_list(
            "code", "level", "label", "parent__code"
        )
    ]
    diff = sync_table(NafCode, "code", kept, wet_run=True, references=NAF)
    assert sorted(diff.removed) == ["Z", "Z1", "Z1.1"]
    assert not NafCode.objects.filter(code__startswith="Z").exists()


def test_duplicate_keys_and_unknown_references_are_refused():
    with pytest.raises(LoadError, match="clé en double « 1 »"):
        sync_table(
            Region,
            "code",
            [{"code": "1", "name": "A"}, {"code": "1", "name": "B"}],
            wet_run=False,
        )
    orphan = [{"code": "Y1", "level": "division", "label": "Orpheline", "parent": "Y"}]
    with pytest.raises(LoadError, match="« Y » inconnu pour le champ parent"):
        sync_table(NafCode, "code", orphan, wet_run=True, references=NAF, delete_missing=False)


def test_diff_summary_is_french():
    diff = Diff(table="régions", added=["1"], unchanged=2, final_count=3)
    assert diff.summary() == (
        "régions : 1 ajout(s), 0 modification(s), 0 suppression(s), 2 inchangé(s) — 3 au total"
    )
    assert diff.details() == ["  ajout : 1"]


def test_read_csv_names_missing_columns_and_files(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1, 2 \n", encoding="utf-8")
    assert read_csv(path, ["a", "b"]) == [{"a": "1", "b": "2"}]
    with pytest.raises(LoadError, match="colonne\\(s\\) manquante\\(s\\) : c"):
        read_csv(path, ["a", "c"])
    with pytest.raises(LoadError, match="Fichier introuvable"):
        read_csv(tmp_path / "absent.csv", ["a"])
