"""Who covers a commune: the coverage rules of the network, as database conditions.

A coordination, a structure or a facilitator states its coverage with the territories people
use: communes, EPCI, EPT and (structures only) départements. A commune is covered when one of
those holds it. Rules:

- a Paris arrondissement (75101–75120) is covered by whatever covers Paris (75056), and also by
  whatever is attached to the arrondissement itself;
- Paris (75056) is also covered by what is attached to one of its arrondissements: a structure
  or a facilitator working in the 19th arrondissement works in Paris;
- the territories of an arrondissement (département, EPCI, EPT) are those of its parent commune.

Every condition is an `Exists` subquery on the M2M tables: no join fan-out, no DISTINCT, and
composable with any other filter. Computing the key needs the commune's parent when it is an
arrondissement: pass a commune fetched with `select_related("parent")` to avoid a query.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q

from clauses.territories.models import Commune


@dataclass(frozen=True)
class CoverageKey:
    """The territories a commune belongs to, as ids, for the coverage conditions."""

    commune_ids: tuple[int, ...]  # the commune itself, and its parent for an arrondissement
    main_commune_id: int  # the commune (or its parent for an arrondissement)
    department_id: int
    epci_id: int | None
    ept_id: int | None
    # True for a commune (Paris): what is attached to one of its arrondissements counts too.
    with_arrondissements: bool


def coverage_key(commune: Commune) -> CoverageKey:
    """Build the coverage key of a commune (one query if an arrondissement's parent is not
    already loaded)."""
    main = commune.parent if commune.parent_id else commune
    ids = (commune.pk,) if main.pk == commune.pk else (commune.pk, main.pk)
    return CoverageKey(
        commune_ids=ids,
        main_commune_id=main.pk,
        department_id=main.department_id,
        epci_id=main.epci_id,
        ept_id=main.ept_id,
        with_arrondissements=not commune.parent_id,
    )


def _m2m_exists(model: type[models.Model], field_name: str, condition: Q) -> Exists:
    """`EXISTS (SELECT 1 FROM <m2m table> WHERE owner = outer.pk AND condition)`.

    `condition` is written on the target side with the prefix ``target__`` replaced by the
    name of the target's foreign key in the through table.
    """
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    owner = field.m2m_field_name()
    return Exists(through.objects.filter(Q(**{owner: OuterRef("pk")}) & condition))


def _target(field_name: str, model: type[models.Model], lookup: str, value: object) -> Q:
    field = model._meta.get_field(field_name)
    return Q(**{f"{field.m2m_reverse_field_name()}{lookup}": value})


def covers(model: type[models.Model], key: CoverageKey, *, departments: bool = False) -> Q:
    """Condition on `model` (Coordination, FacilitatorStructure or Facilitator): its stated
    coverage holds the commune of `key`."""
    # The commune test and the arrondissement test are two EXISTS, not one with an OR inside:
    # together, PostgreSQL hashes the whole through table against every commune (no index,
    # and a plan costly enough to trigger JIT); apart, each uses an index
    # (docs/performance.md, suggestion 1: facilitation_for 42.8 → 12.2 ms nationally).
    condition = Q(
        _m2m_exists(model, "communes", _target("communes", model, "__in", key.commune_ids))
    )
    if key.with_arrondissements:
        condition |= Q(
            _m2m_exists(
                model, "communes", _target("communes", model, "__parent_id", key.main_commune_id)
            )
        )
    if key.epci_id:
        condition |= Q(_m2m_exists(model, "epcis", _target("epcis", model, "", key.epci_id)))
    if key.ept_id:
        condition |= Q(_m2m_exists(model, "epts", _target("epts", model, "", key.ept_id)))
    if departments:
        condition |= Q(
            _m2m_exists(model, "departments", _target("departments", model, "", key.department_id))
        )
    return condition


def has_own_coverage(model: type[models.Model]) -> Q:
    """Condition: the record states a coverage of its own (communes, EPCI or EPT)."""
    condition = Q()
    for name in ("communes", "epcis", "epts"):
        condition |= Q(_m2m_exists(model, name, Q()))
    return condition
