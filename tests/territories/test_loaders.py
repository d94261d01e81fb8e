"""load_territories, load_cpv, load_naf on the real files (already loaded by tests/conftest.py)."""

import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from clauses.territories.enums import CommuneKind, MarketKind
from clauses.territories.models import (
    Commune,
    CommuneShape,
    CpvCode,
    Department,
    Epci,
    Ept,
    NafCode,
    PostalCode,
    Region,
)

pytestmark = pytest.mark.django_db


def run(name: str, *, wet_run: bool = False) -> str:
    out = StringIO()
    call_command(name, wet_run=wet_run, stdout=out)
    return out.getvalue()


def test_territory_counts():
    assert list(Region.objects.values_list("code", "name")) == [("11", "Île-de-France")]
    assert Department.objects.count() == 8
    assert Epci.objects.count() == 52
    assert Ept.objects.count() == 11
    assert Commune.objects.count() == 1286
    assert PostalCode.objects.count() == 1318
    assert CommuneShape.objects.count() == 1266
    arrondissements = Commune.objects.filter(kind=CommuneKind.MUNICIPAL_ARRONDISSEMENT)
    assert arrondissements.count() == 20
    assert set(arrondissements.values_list("parent__insee", flat=True)) == {"75056"}
    assert not arrondissements.filter(shape__isnull=False).exists()


def test_territory_sample_rows():
    seine_saint_denis = Department.objects.get(code="93")
    assert seine_saint_denis.prefecture_name == "Bobigny"
    assert seine_saint_denis.geometry["type"] in {"Polygon", "MultiPolygon"}
    assert not Department.objects.filter(geometry__isnull=True).exists()
    assert not Ept.objects.filter(geometry__isnull=True).exists()

    saint_denis = Commune.objects.select_related("epci", "ept", "department").get(insee="93066")
    assert saint_denis.name == "Saint-Denis"
    assert saint_denis.search_name == "saint denis"
    assert saint_denis.department.code == "93"
    assert saint_denis.epci.siren == "200054781"
    assert saint_denis.ept.name == "Plaine Commune"
    assert saint_denis.population > 140_000
    assert saint_denis.shape.geometry["type"] in {"Polygon", "MultiPolygon"}

    paris_13 = Commune.objects.get(insee="75113")
    assert paris_13.postcode_list == ["75013"]
    assert paris_13.is_arrondissement
    assert len(Commune.objects.get(insee="75056").postcode_list) == 21
    assert Commune.objects.get(insee="94038").search_name == "l hay les roses"
    assert Ept.objects.get(name="Plaine Commune").communes.count() == 8
    assert Commune.objects.filter(ept__isnull=False).count() == 129


def test_cpv():
    assert CpvCode.objects.count() == 9454
    assert CpvCode.objects.filter(parent__isnull=True).count() == 45
    code = CpvCode.objects.select_related("parent").get(code8="45214200")
    assert code.code == "45214200-2"
    assert code.parent.code8 == "45214000"
    assert code.market_kind == MarketKind.WORKS
    assert code.search_label == code.search_label.lower()
    kinds = dict(CpvCode.objects.values_list("market_kind").annotate(n=Count("id")))
    assert set(kinds) == {MarketKind.WORKS, MarketKind.SUPPLIES, MarketKind.SERVICES}
    assert kinds[MarketKind.WORKS] == CpvCode.objects.filter(division="45").count()
    assert CpvCode.objects.get(code8="90910000").market_kind == MarketKind.SERVICES
    assert CpvCode.objects.get(code8="39000000").market_kind == MarketKind.SUPPLIES


def test_naf():
    assert NafCode.objects.count() == 1728
    levels = dict(NafCode.objects.values_list("level").annotate(n=Count("id")))
    assert levels == {
        "section": 21,
        "division": 88,
        "groupe": 272,
        "classe": 615,
        "sous-classe": 732,
    }
    cleaning = NafCode.objects.get(code="81.21Z")
    chain = [cleaning.parent, cleaning.parent.parent, cleaning.parent.parent.parent]
    assert [n.code for n in chain] == ["81.21", "81.2", "81"]
    assert chain[-1].parent.code == "N"
    assert NafCode.objects.filter(parent__isnull=True).count() == 21


@pytest.mark.parametrize("name", ["load_territories", "load_cpv", "load_naf"])
def test_second_run_changes_nothing(name, django_assert_max_num_queries):
    sample = list(Commune.objects.filter(insee="93066").values())
    counts = (Commune.objects.count(), CpvCode.objects.count(), NafCode.objects.count())
    with django_assert_max_num_queries(20):
        output = run(name, wet_run=True)
    assert "Aucun changement." in output
    assert " 0 ajout(s), 0 modification(s), 0 suppression(s)" in output
    assert list(Commune.objects.filter(insee="93066").values()) == sample
    assert (Commune.objects.count(), CpvCode.objects.count(), NafCode.objects.count()) == counts


def test_changed_rows_are_reported_by_a_dry_run_and_fixed_by_a_wet_run():
    Commune.objects.filter(insee="93066").update(name="Saint-Denys", population=1)
    PostalCode.objects.filter(code="93200").delete()
    Epci.objects.create(siren="999999999", name="EPCI fantôme", kind="CC")

    dry = run("load_territories")
    assert "communes : 0 ajout(s), 1 modification(s)" in dry
    assert "codes postaux : 1 ajout(s)" in dry
    assert "EPCI : 0 ajout(s), 0 modification(s), 1 suppression(s), 52 inchangé(s)" in dry
    assert "Simulation : rien n'a été écrit" in dry
    assert Commune.objects.get(insee="93066").name == "Saint-Denys"
    assert not PostalCode.objects.filter(code="93200").exists()
    assert Epci.objects.filter(siren="999999999").exists()

    wet = run("load_territories", wet_run=True)
    assert "Modifications enregistrées." in wet
    saint_denis = Commune.objects.get(insee="93066")
    assert (saint_denis.name, saint_denis.search_name) == ("Saint-Denis", "saint denis")
    assert saint_denis.population > 140_000
    assert PostalCode.objects.filter(code="93200", commune=saint_denis).exists()
    assert not Epci.objects.filter(siren="999999999").exists()
    assert "Aucun changement." in run("load_territories")


def test_changed_parents_are_fixed():
    CpvCode.objects.filter(code8="45214200").update(
        parent=CpvCode.objects.get(code8="03000000"), label="?"
    )
    NafCode.objects.filter(code="81.21Z").update(parent=None)
    assert "1 modification(s)" in run("load_cpv", wet_run=True)
    assert "1 modification(s)" in run("load_naf", wet_run=True)
    assert CpvCode.objects.get(code8="45214200").parent.code8 == "45214000"
    assert NafCode.objects.get(code="81.21Z").parent.code == "81.21"


def test_verbosity_zero_is_silent():
    out = StringIO()
    call_command("load_naf", stdout=out, verbosity=0)
    assert out.getvalue() == ""


def _broken_geo(tmp_path, settings, old: str, new: str) -> int:
    """A copy of data/geo/ with `old` replaced by `new` on the line of Saint-Denis (93066)."""
    shutil.copytree(settings.DATA_DIR / "geo", tmp_path / "geo")
    communes = tmp_path / "geo" / "communes_idf.csv"
    lines = communes.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("93066,"))
    lines[index] = lines[index].replace(old, new, 1)
    communes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings.DATA_DIR = tmp_path
    return index + 1


def test_bad_value_is_named_and_nothing_is_written(tmp_path, settings):
    line = _broken_geo(tmp_path, settings, ",commune,", ",village,")
    Department.objects.filter(code="93").update(name="Seine-Saint-Denys")
    with pytest.raises(CommandError, match=f"communes_idf.csv, ligne {line}, colonne type"):
        run("load_territories", wet_run=True)
    assert Department.objects.get(code="93").name == "Seine-Saint-Denys"


def test_error_while_writing_rolls_everything_back(tmp_path, settings):
    """The départements are fixed before the communes fail: the transaction undoes it."""
    _broken_geo(tmp_path, settings, "200054781", "123456789")
    Commune.objects.filter(insee="93066").update(epci=None)
    Department.objects.filter(code="93").update(name="Seine-Saint-Denys")
    with pytest.raises(CommandError, match="« 123456789 » inconnu pour le champ epci"):
        run("load_territories", wet_run=True)
    assert Department.objects.get(code="93").name == "Seine-Saint-Denys"


def test_bad_cpv_kind_is_named(tmp_path, settings):
    (tmp_path / "cpv").mkdir()
    source = (settings.DATA_DIR / "cpv" / "cpv_2008.csv").read_text(encoding="utf-8")
    header, first, *_ = source.splitlines()
    (tmp_path / "cpv" / "cpv_2008.csv").write_text(
        f"{header}\n{first.replace('Fournitures', 'Achats')}\n", encoding="utf-8"
    )
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="ligne 2, colonne type_marche : « Achats »"):
        run("load_cpv", wet_run=True)
    assert CpvCode.objects.count() == 9454


def test_data_files_are_in_the_repository():
    assert str(settings.DATA_DIR).endswith("data")
    assert (settings.DATA_DIR / "README.md").exists()
