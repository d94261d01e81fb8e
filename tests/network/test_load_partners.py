"""load_partners: SIAE, GEIQ and EA of Île-de-France from the two SIAE files."""

from io import StringIO

import pytest
from django.core.management import call_command

from clauses.network.enums import PartnerKind
from clauses.network.management.commands.load_partners import CommunePlacer
from clauses.network.models import Partner
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# 373 rows of Le marché de l'inclusion (1 not placeable: a CEDEX postcode) + the 15 (SIRET,
# mesure) pairs of the ASP list that Le marché lacks (1 outside the region).
EXPECTED = 387


def run(*, wet_run: bool) -> str:
    out = StringIO()
    call_command("load_partners", wet_run=wet_run, stdout=out)
    return out.getvalue()


def test_partners_are_loaded_with_exact_counts():
    assert Partner.objects.count() == EXPECTED
    counts = {kind: Partner.objects.filter(kind=kind).count() for kind in PartnerKind.values}
    assert counts["geiq"] == 5
    assert counts["ea"] == 1
    assert counts["etti"] == 28
    assert Partner.objects.filter(commune__isnull=True).count() == 0
    assert not Partner.objects.filter(is_demo=True).exists()


def test_a_partner_is_placed_on_its_commune_with_coordinates():
    partner = Partner.objects.get(siret="38512400300018", kind=PartnerKind.EI)
    assert partner.commune.insee == "75102"  # 75002 → Paris 2e arrondissement
    assert partner.department.code == "75"
    assert partner.naf == "88.10C"
    assert partner.lat == pytest.approx(48.865592)
    assert partner.source.startswith("Le marché de l'inclusion")


def test_commune_placement_rules():
    placer = CommunePlacer()
    assert placer.place("75019", "PARIS 19", "75") == "75119"
    assert placer.place("95310", "ST OUEN L AUMONE", "95") == "95572"
    assert placer.place("93200", "Saint-Denis", "93") == "93066"
    assert placer.place("95725", "ROISSY CDG Cedex", "95") is None
    assert placer.place("59810", "LESQUIN", "75") is None


def test_unplaceable_rows_are_reported_in_french_with_line_numbers():
    out = run(wet_run=False)
    assert "siae_idf_lemarche_fixture.csv, ligne 373 : commune introuvable" in out
    assert "siae_idf_asp_2019.csv, ligne 239 : commune introuvable" in out
    assert "2 ligne(s) ignorée(s)" in out


def test_dry_run_writes_nothing_and_wet_run_is_idempotent():
    Partner.objects.all().delete()
    out = run(wet_run=False)
    assert f"{EXPECTED} ajout(s)" in out
    assert Partner.objects.count() == 0
    run(wet_run=True)
    assert Partner.objects.count() == EXPECTED
    assert "Aucun changement" in run(wet_run=True)


def test_only_owned_rows_are_removed_and_demo_rows_are_kept():
    demo = PartnerFactory(demo=True, source="Le marché de l'inclusion (ASP)")
    by_hand = PartnerFactory(source="")
    stale = PartnerFactory(source="Le marché de l'inclusion (ASP)")
    changed = Partner.objects.get(siret="38512400300018", kind=PartnerKind.EI)
    Partner.objects.filter(pk=changed.pk).update(name="Nom modifié")

    out = run(wet_run=True)
    assert "1 modification(s), 1 suppression(s)" in out
    assert Partner.objects.filter(pk__in=[demo.pk, by_hand.pk]).count() == 2
    assert not Partner.objects.filter(pk=stale.pk).exists()
    changed.refresh_from_db()
    assert changed.name == "ASSOC BAT IRE"
    assert changed.history.first().history_type == "~"
