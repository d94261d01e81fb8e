"""Read side of the network, shared by the pages, the API and the desk.

`services.py` is kept for write workflows (conventions); the reads several callers need live
here, each one a bounded number of queries whatever the size of the network:

- `facilitation_for(commune)`: who facilitates the clauses of a commune (4 queries);
- `department_table()`: one row per département with its coordination and counts (1 query).
"""

from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from clauses.network.enums import LEVEL_ORDER, CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, Department


@dataclass(frozen=True)
class Facilitation:
    """Who to turn to for the social clauses of a commune."""

    commune: Commune
    # National first, then regional, departmental, and the local coordination(s).
    chain: list[Coordination] = field(default_factory=list)
    # Active structures covering the commune, by name.
    structures: list[FacilitatorStructure] = field(default_factory=list)
    # Active facilitators of those structures whose own coverage holds the commune, with
    # `structure` loaded.
    facilitators: list[Facilitator] = field(default_factory=list)

    @property
    def departmental(self) -> Coordination | None:
        """The departmental coordination of the commune, if the network has one."""
        return next((c for c in self.chain if c.level == CoordinationLevel.DEPARTMENTAL), None)

    @property
    def local(self) -> list[Coordination]:
        """The local coordinations covering the commune (often none)."""
        return [c for c in self.chain if c.level == CoordinationLevel.LOCAL]


def facilitation_for(commune: Commune) -> Facilitation:
    """The coordinations, structures and facilitators of a commune, in 4 queries.

    A Paris arrondissement resolves like Paris (75056) plus what is attached to the
    arrondissement itself; Paris also gets what is attached to one of its arrondissements
    (rules in `coverage.py`). Demo rows are included: they only exist in demo databases.
    """
    commune = Commune.objects.select_related("department", "parent__department").get(pk=commune.pk)
    chain = sorted(
        Coordination.objects.chain_for(commune),
        key=lambda c: (LEVEL_ORDER[CoordinationLevel(c.level)], c.name),
    )
    structures = list(FacilitatorStructure.objects.covering(commune).order_by("name"))
    facilitators = list(
        Facilitator.objects.covering(commune, structures=[s.pk for s in structures])
        .select_related("structure")
        .order_by("last_name", "first_name", "pk")
    )
    return Facilitation(
        commune=commune, chain=chain, structures=structures, facilitators=facilitators
    )


@dataclass(frozen=True)
class DepartmentRow:
    """One line of the network table: a département, its coordination and its counts."""

    code: str
    name: str
    coordination: str  # name of the departmental coordination ("" if none)
    carrier: str  # organisation that carries it (as in the seed document's table)
    facilitators: int  # active facilitators of active structures
    structures: int  # active structures


@dataclass(frozen=True)
class DepartmentTable:
    rows: list[DepartmentRow]
    total_facilitators: int
    total_structures: int


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated `(SELECT COUNT(*) …)` subquery, 0 when nothing matches."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _in_department() -> Q:
    """A structure belongs to the département of its coordination (departmental, or the
    département of the departmental coordination above a local one)."""
    return Q(coordination__department=OuterRef("pk")) | Q(
        coordination__department__isnull=True, coordination__parent__department=OuterRef("pk")
    )


def department_rows() -> QuerySet:
    """Départements annotated with `coordination_name`, `carrier_name`, `structure_count`
    and `facilitator_count` (active only), ordered by code: one query."""
    departmental = Coordination.objects.departmental().filter(department=OuterRef("pk"))
    structures = FacilitatorStructure.objects.active().filter(_in_department())
    facilitators = Facilitator.objects.active().filter(
        Q(structure__coordination__department=OuterRef("pk"))
        | Q(
            structure__coordination__department__isnull=True,
            structure__coordination__parent__department=OuterRef("pk"),
        )
    )
    return Department.objects.annotate(
        coordination_name=Coalesce(Subquery(departmental.values("name")[:1]), Value("")),
        carrier_name=Coalesce(Subquery(departmental.values("carrier_name")[:1]), Value("")),
        structure_count=_count(structures),
        facilitator_count=_count(facilitators),
    ).order_by("code")


def department_table() -> DepartmentTable:
    """One row per département (ordered by code) with totals, counted in the database."""
    rows = [
        DepartmentRow(
            code=d.code,
            name=d.name,
            coordination=d.coordination_name,
            carrier=d.carrier_name,
            facilitators=d.facilitator_count,
            structures=d.structure_count,
        )
        for d in department_rows()
    ]
    return DepartmentTable(
        rows=rows,
        total_facilitators=sum(r.facilitators for r in rows),
        total_structures=sum(r.structures for r in rows),
    )


def departments_under(coordination: Coordination) -> QuerySet[Department]:
    """The départements a coordination answers for: all of its region (regional), its own
    (departmental), its own or its parent's (local), every one (national)."""
    departments = Department.objects.all()
    if coordination.level == CoordinationLevel.NATIONAL:
        return departments
    if coordination.level == CoordinationLevel.REGIONAL:
        return departments.filter(region=coordination.region_id)
    if coordination.department_id:
        return departments.filter(pk=coordination.department_id)
    if coordination.parent_id:
        return departments.filter(coordinations__pk=coordination.parent_id)
    return departments.none()
