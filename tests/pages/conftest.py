import pytest

from clauses.network.models import Coordination
from clauses.territories.models import Commune, Ept
from tests.network.factories import (
    CoordinationFactory,
    FacilitatorFactory,
    FacilitatorStructureFactory,
    PartnerFactory,
)


@pytest.fixture
def seine_saint_denis_network(db):
    """A small network in Seine-Saint-Denis: a local coordination on Plaine Commune, a
    structure on that EPT with two facilitators, a structure on a few communes with one,
    and a few partners."""
    plaine_commune = Ept.objects.get(name="Plaine Commune")
    local = CoordinationFactory(name="Coordination locale Plaine Commune", epts=[plaine_commune])
    on_ept = FacilitatorStructureFactory(
        name="Maison de l'emploi Plaine Commune", coordination=local, epts=[plaine_commune]
    )
    on_communes = FacilitatorStructureFactory(
        name="PLIE Est Ensemble",
        communes=list(Commune.objects.filter(insee__in=["93008", "93048", "93055"])),
    )
    facilitators = [
        FacilitatorFactory(
            structure=on_ept, first_name="Nadia", last_name="Benali", job_title="Facilitatrice"
        ),
        FacilitatorFactory(structure=on_ept, first_name="Julien", last_name="Martin"),
        FacilitatorFactory(structure=on_communes, first_name="Awa", last_name="Diallo"),
    ]
    partners = [PartnerFactory(name=f"Régie de quartier {n}") for n in range(3)]
    partners.append(PartnerFactory(name="GEIQ BTP 93", geiq=True))
    return {
        "local": local,
        "structures": [on_ept, on_communes],
        "facilitators": facilitators,
        "partners": partners,
        "departmental": Coordination.objects.departmental().get(department__code="93"),
    }
