"""The demo network: exactly the seed document's numbers, and every commune is served."""

import re
from io import StringIO

import pytest

from clauses.network import demo
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.network.selectors import department_table, facilitation_for
from clauses.territories.models import Commune

pytestmark = pytest.mark.django_db

SEED_TABLE = {  # département: (structures, facilitators), from the seed document
    "75": (1, 23),
    "77": (5, 9),
    "78": (1, 10),
    "91": (3, 9),
    "92": (12, 21),
    "93": (13, 29),
    "94": (6, 14),
    "95": (7, 8),
}


@pytest.fixture
def seeded():
    out = StringIO()
    demo.seed(stdout=out)
    return out.getvalue()


def test_exact_counts_per_department(seeded, django_assert_max_num_queries):
    assert "48 structures, 123 facilitateurs" in seeded
    assert FacilitatorStructure.objects.filter(is_demo=True).count() == 48
    assert Facilitator.objects.filter(is_demo=True).count() == 123
    with django_assert_max_num_queries(1):
        table = department_table()
    assert {r.code: (r.structures, r.facilitators) for r in table.rows} == SEED_TABLE
    assert (table.total_structures, table.total_facilitators) == (48, 123)


def test_demo_rows_are_marked(seeded):
    structures = FacilitatorStructure.objects.filter(is_demo=True)
    assert all(s.name.endswith("(démo)") for s in structures)
    assert all(s.email.endswith("@demo.clauses.example") for s in structures)
    facilitators = Facilitator.objects.filter(is_demo=True)
    assert all(f.email.endswith("@demo.clauses.example") for f in facilitators)
    assert len({f.email for f in facilitators}) == 123
    assert all(re.fullmatch(r"01 99 00 \d\d \d\d", f.phone) for f in facilitators)
    # The real skeleton is untouched and not marked.
    assert not Coordination.objects.exclude(level=CoordinationLevel.LOCAL).filter(is_demo=True)


def test_coverage_follows_real_boundaries(seeded):
    plaine_commune = FacilitatorStructure.objects.get(name__contains="— Plaine Commune")
    assert [e.name for e in plaine_commune.epts.all()] == ["Plaine Commune"]
    assert plaine_commune.coordination.level == CoordinationLevel.LOCAL
    assert plaine_commune.coordination.parent.department.code == "93"
    paris = FacilitatorStructure.objects.get(coordination__department__code="75")
    assert [c.insee for c in paris.communes.all()] == ["75056"]
    split = Facilitator.objects.filter(structure=paris, communes__parent__insee="75056")
    assert split.distinct().count() == 22
    assert Facilitator.objects.filter(is_demo=True, communes__isnull=False).exists()
    locals_ = Coordination.objects.local().filter(is_demo=True)
    assert locals_.count() == 3
    assert all(c.parent.level == CoordinationLevel.DEPARTMENTAL for c in locals_)


def test_every_commune_resolves_to_coordination_structure_and_facilitator(seeded):
    """All 1,286 communes, efficiently: coverage depends only on a commune's identity, its
    parent and children, its département, EPCI and EPT. Communes named in some coverage
    (or whose parent or child is) are resolved one by one; the others share their result
    with every commune of the same (département, EPCI, EPT), resolved once."""
    communes = list(Commune.objects.select_related("department", "parent__department"))
    assert len(communes) == 1286
    named = set()
    for model in (Coordination, FacilitatorStructure, Facilitator):
        named |= set(model.communes.through.objects.values_list("commune_id", flat=True))
    parents = {c.parent_id for c in communes if c.parent_id}
    checked, classes = [], {}
    for commune in communes:
        if {commune.pk, commune.parent_id} & named or commune.pk in parents:
            checked.append(commune)
        else:
            key = (commune.department_id, commune.epci_id, commune.ept_id, commune.parent_id)
            classes.setdefault(key, commune)
    checked += classes.values()
    assert len(checked) < 300, len(checked)  # the point of the classes
    for commune in checked:
        result = facilitation_for(commune)
        assert result.departmental is not None, commune.insee
        assert result.departmental.department_id == (commune.parent or commune).department_id
        assert result.structures, commune.insee
        assert result.facilitators, commune.insee


def test_seed_is_deterministic_and_idempotent(seeded):
    before = {
        (f.email, f.structure.name, tuple(f.communes.values_list("insee", flat=True)))
        for f in Facilitator.objects.filter(is_demo=True).select_related("structure")
    }
    history = Facilitator.history.count()
    demo.seed(stdout=StringIO())
    after = {
        (f.email, f.structure.name, tuple(f.communes.values_list("insee", flat=True)))
        for f in Facilitator.objects.filter(is_demo=True).select_related("structure")
    }
    assert before == after
    assert Facilitator.objects.filter(is_demo=True).count() == 123
    assert FacilitatorStructure.objects.filter(is_demo=True).count() == 48
    assert Coordination.objects.local().filter(is_demo=True).count() == 3
    assert Facilitator.history.count() == history  # nothing changed, nothing recorded
