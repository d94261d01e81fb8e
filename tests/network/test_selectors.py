"""Read side: who facilitates a commune, and the table of the network by département."""

import pytest

from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.network.selectors import department_table, facilitation_for
from clauses.territories.models import Commune, Department, Epci, Ept
from tests.network.factories import (
    CoordinationFactory,
    FacilitatorFactory,
    FacilitatorStructureFactory,
)

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 8


def commune(insee: str) -> Commune:
    return Commune.objects.get(insee=insee)


@pytest.fixture
def no_demo_network():
    """Tests below count exactly: start from the real skeleton only."""
    Facilitator.objects.all().delete()
    FacilitatorStructure.objects.all().delete()
    Coordination.objects.local().delete()


def test_chain_of_a_commune_is_national_regional_departmental(
    no_demo_network, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERY_BUDGET):
        result = facilitation_for(commune("77288"))  # Melun
    assert [c.level for c in result.chain] == [
        CoordinationLevel.NATIONAL,
        CoordinationLevel.REGIONAL,
        CoordinationLevel.DEPARTMENTAL,
    ]
    assert result.chain[0].name == "Alliance Villes Emploi"
    assert result.departmental.carrier_name == "Initiatives 77"
    assert result.local == []
    assert result.structures == [] and result.facilitators == []


def test_structure_by_epci_ept_department_and_commune(no_demo_network):
    melun = commune("77288")
    by_epci = FacilitatorStructureFactory(epcis=[melun.epci])
    by_department = FacilitatorStructureFactory(departments=[Department.objects.get(code="77")])
    by_commune = FacilitatorStructureFactory(communes=[melun])
    plaine_commune = Ept.objects.get(name="Plaine Commune")
    by_ept = FacilitatorStructureFactory(epts=[plaine_commune])
    elsewhere = FacilitatorStructureFactory(communes=[commune("77001")])

    assert set(facilitation_for(melun).structures) == {by_epci, by_department, by_commune}
    saint_denis = facilitation_for(commune("93066"))
    assert saint_denis.structures == [by_ept]
    assert elsewhere not in saint_denis.structures


def test_inactive_structure_and_facilitator_are_excluded(no_demo_network):
    melun = commune("77288")
    active = FacilitatorStructureFactory(communes=[melun])
    inactive = FacilitatorStructureFactory(communes=[melun], inactive=True)
    present = FacilitatorFactory(structure=active)
    FacilitatorFactory(structure=active, inactive=True)
    FacilitatorFactory(structure=inactive)

    result = facilitation_for(melun)
    assert result.structures == [active]
    assert result.facilitators == [present]


def test_facilitator_with_narrower_coverage(no_demo_network, django_assert_max_num_queries):
    plaine_commune = Ept.objects.get(name="Plaine Commune")
    structure = FacilitatorStructureFactory(epts=[plaine_commune])
    everywhere = FacilitatorFactory(structure=structure)
    saint_denis_only = FacilitatorFactory(structure=structure, communes=[commune("93066")])
    aubervilliers_only = FacilitatorFactory(structure=structure, communes=[commune("93001")])

    with django_assert_max_num_queries(QUERY_BUDGET):
        result = facilitation_for(commune("93066"))
        names = [f.structure.name for f in result.facilitators]  # structure is loaded
    assert set(result.facilitators) == {everywhere, saint_denis_only}
    assert aubervilliers_only not in result.facilitators
    assert names == [structure.name] * 2


def test_paris_arrondissement_resolves_like_paris_and_its_own(no_demo_network):
    paris, paris_19 = commune("75056"), commune("75119")
    city_wide = FacilitatorStructureFactory(
        communes=[paris], coordination=Coordination.objects.get(department__code="75")
    )
    only_19 = FacilitatorStructureFactory(communes=[paris_19])
    for_19 = FacilitatorFactory(structure=city_wide, communes=[paris_19])
    for_1 = FacilitatorFactory(structure=city_wide, communes=[commune("75101")])

    result = facilitation_for(paris_19)
    assert result.departmental.department.code == "75"
    assert set(result.structures) == {city_wide, only_19}
    assert result.facilitators == [for_19]
    # Paris itself: what covers it, and what works in one of its arrondissements.
    assert set(facilitation_for(paris).facilitators) == {for_19, for_1}
    assert set(facilitation_for(commune("75101")).structures) == {city_wide}


def test_local_coordination_by_ept_and_commune(no_demo_network, django_assert_max_num_queries):
    plaine_commune = Ept.objects.get(name="Plaine Commune")
    by_ept = CoordinationFactory(epts=[plaine_commune])
    by_commune = CoordinationFactory(communes=[commune("75119")], department=None)
    by_epci = CoordinationFactory(epcis=[Epci.objects.get(siren=commune("77288").epci.siren)])

    with django_assert_max_num_queries(QUERY_BUDGET):
        saint_denis = facilitation_for(commune("93066"))
    assert saint_denis.local == [by_ept]
    assert saint_denis.chain[-1] == by_ept
    assert facilitation_for(commune("75119")).local == [by_commune]
    assert facilitation_for(commune("75056")).local == [by_commune]
    assert facilitation_for(commune("77288")).local == [by_epci]
    assert facilitation_for(commune("93001")).local == [by_ept]


def test_facilitation_has_no_n_plus_one(no_demo_network, django_assert_max_num_queries):
    plaine_commune = Ept.objects.get(name="Plaine Commune")
    for _ in range(5):
        structure = FacilitatorStructureFactory(epts=[plaine_commune])
        FacilitatorFactory.create_batch(4, structure=structure)
        FacilitatorFactory(structure=structure, communes=[commune("93066")])
    CoordinationFactory.create_batch(3, epts=[plaine_commune])
    with django_assert_max_num_queries(QUERY_BUDGET):
        result = facilitation_for(commune("93066"))
        rendered = [(f.full_name, f.structure.name) for f in result.facilitators]
        chain = [(c.level, c.name) for c in result.chain]
    assert len(result.structures) == 5
    assert len(rendered) == 25
    assert len(chain) == 6


def test_department_table_counts_active_rows_in_the_database(
    no_demo_network, django_assert_max_num_queries
):
    coordination_93 = Coordination.objects.get(department__code="93")
    local = CoordinationFactory(parent=coordination_93)
    s1 = FacilitatorStructureFactory(coordination=coordination_93)
    s2 = FacilitatorStructureFactory(coordination=local)  # counted in 93 through its parent
    FacilitatorStructureFactory(coordination=coordination_93, inactive=True)
    FacilitatorFactory.create_batch(2, structure=s1)
    FacilitatorFactory(structure=s2)
    FacilitatorFactory(structure=s2, inactive=True)

    with django_assert_max_num_queries(1):
        table = department_table()
    assert [row.code for row in table.rows] == ["75", "77", "78", "91", "92", "93", "94", "95"]
    row_93 = table.rows[5]
    assert row_93.name == "Seine-Saint-Denis"
    assert row_93.coordination == "Conseil départemental Seine-Saint-Denis"
    assert (row_93.structures, row_93.facilitators) == (2, 3)
    assert table.total_structures == 2
    assert table.total_facilitators == 3
    assert table.rows[0].carrier == "Association EPEC"
