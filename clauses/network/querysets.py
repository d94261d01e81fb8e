"""Shared reads of the network. Coverage conditions come from `clauses.network.coverage`."""

from django.db import models

from clauses.network.coverage import coverage_key, covers, has_own_coverage
from clauses.network.enums import CoordinationLevel
from clauses.territories.models import Commune


class CoordinationQuerySet(models.QuerySet):
    def national(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.NATIONAL)

    def regional(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.REGIONAL)

    def departmental(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.DEPARTMENTAL)

    def local(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.LOCAL)

    def below(self, coordination: models.Model) -> "CoordinationQuerySet":
        """The coordination and every coordination under it, by the parent links (the
        network has four levels: national → regional → departmental → local)."""
        pk = coordination.pk
        return self.filter(
            models.Q(pk=pk)
            | models.Q(parent=pk)
            | models.Q(parent__parent=pk)
            | models.Q(parent__parent__parent=pk)
        )

    def covering(self, commune: Commune) -> "CoordinationQuerySet":
        """Local coordinations whose territory holds the commune (see `coverage.py` for
        Paris and its arrondissements)."""
        return self.local().filter(covers(self.model, coverage_key(commune)))

    def chain_for(self, commune: Commune) -> "CoordinationQuerySet":
        """Every coordination above a commune, in one query: the national ones, the regional
        one of its region, the departmental one of its département, the local ones covering
        it. Unordered: sort with `enums.LEVEL_ORDER`."""
        key = coverage_key(commune)
        main = commune.parent if commune.parent_id else commune
        return self.filter(
            models.Q(level=CoordinationLevel.NATIONAL)
            | models.Q(level=CoordinationLevel.REGIONAL, region_id=main.department.region_id)
            | models.Q(level=CoordinationLevel.DEPARTMENTAL, department_id=key.department_id)
            | (models.Q(level=CoordinationLevel.LOCAL) & covers(self.model, key))
        )


class FacilitatorStructureQuerySet(models.QuerySet):
    def active(self) -> "FacilitatorStructureQuerySet":
        return self.filter(is_active=True)

    def under(self, coordination: models.Model) -> "FacilitatorStructureQuerySet":
        """Structures attached to the coordination or to a coordination under it: the one
        definition of "the structures of a coordination's territory"."""
        coordinations = type(coordination).objects.below(coordination)
        return self.filter(coordination__in=coordinations)

    def covering(self, commune: Commune) -> "FacilitatorStructureQuerySet":
        """Active structures whose coverage holds the commune: directly, or by its EPCI, EPT
        or département (see `coverage.py` for Paris and its arrondissements)."""
        key = coverage_key(commune)
        return self.active().filter(covers(self.model, key, departments=True))


class FacilitatorQuerySet(models.QuerySet):
    def active(self) -> "FacilitatorQuerySet":
        return self.filter(is_active=True, structure__is_active=True)

    def covering(
        self, commune: Commune, *, structures: list[int] | None = None
    ) -> "FacilitatorQuerySet":
        """Active facilitators of the structures covering the commune whose own coverage
        (empty = the structure's) holds it. Pass the ids of the covering structures when they
        are already known, to save a subquery."""
        from clauses.network.models import FacilitatorStructure

        key = coverage_key(commune)
        if structures is None:
            structure_filter = models.Q(
                structure__in=FacilitatorStructure.objects.covering(commune).values("pk")
            )
        else:
            structure_filter = models.Q(structure__in=structures)
        return (
            self.active()
            .filter(structure_filter)
            .filter(~has_own_coverage(self.model) | covers(self.model, key))
        )


class PartnerQuerySet(models.QuerySet):
    def in_department(self, code: str) -> "PartnerQuerySet":
        return self.filter(department__code=code)
