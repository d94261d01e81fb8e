from django.db import models
from django.db.models import Q

from clauses.network.enums import CoordinationLevel


class CoordinationQuerySet(models.QuerySet):
    def national(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.NATIONAL)

    def regional(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.REGIONAL)

    def departmental(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.DEPARTMENTAL)

    def local(self) -> "CoordinationQuerySet":
        return self.filter(level=CoordinationLevel.LOCAL)

    def covering(self, commune) -> "CoordinationQuerySet":  # noqa: ANN001 - Commune
        """Local coordinations whose territory holds the commune (or its parent for Paris)."""
        target = commune.parent if commune.parent_id else commune
        return self.local().filter(
            Q(communes=target)
            | Q(epcis__isnull=False, epcis=target.epci_id)
            | Q(epts__isnull=False, epts=target.ept_id)
        ).distinct()


class FacilitatorStructureQuerySet(models.QuerySet):
    def active(self) -> "FacilitatorStructureQuerySet":
        return self.filter(is_active=True)

    def covering(self, commune) -> "FacilitatorStructureQuerySet":  # noqa: ANN001 - Commune
        """Structures whose coverage holds the commune: directly, or by its EPCI, EPT or
        département. A Paris arrondissement is covered by whatever covers Paris (75056)."""
        target = commune.parent if commune.parent_id else commune
        condition = Q(communes=target) | Q(departments=target.department_id)
        if target.epci_id:
            condition |= Q(epcis=target.epci_id)
        if target.ept_id:
            condition |= Q(epts=target.ept_id)
        if commune.parent_id:
            condition |= Q(communes=commune)
        return self.active().filter(condition).distinct()


class FacilitatorQuerySet(models.QuerySet):
    def active(self) -> "FacilitatorQuerySet":
        return self.filter(is_active=True, structure__is_active=True)


class PartnerQuerySet(models.QuerySet):
    def in_department(self, code: str) -> "PartnerQuerySet":
        return self.filter(department__code=code)
