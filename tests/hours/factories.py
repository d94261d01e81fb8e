"""Hour declarations built directly, for tests that need many rows or a given state (the
flow tests go through `hours.services`, which check and count them). Traits: `validated`
(counted as declared), `rejected`, `fix_requested`, `subcontracted` (an amount, no hours)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration
from tests.followup.factories import AssignmentFactory


class HourDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = HourDeclaration

    assignment = factory.SubFactory(AssignmentFactory)
    month = factory.LazyAttribute(lambda o: o.assignment.start_date.replace(day=1))
    declared_hours = Decimal(120)
    status = DeclarationStatus.SUBMITTED
    declared_by_repr = factory.LazyAttribute(lambda o: o.assignment.employer.name)
    declared_at = factory.LazyFunction(timezone.now)

    class Params:
        validated = factory.Trait(
            status=DeclarationStatus.VALIDATED,
            controlled_at=factory.LazyFunction(timezone.now),
            base_hours=factory.SelfAttribute("declared_hours"),
            counted_hours=factory.SelfAttribute("declared_hours"),
            counted_at=factory.LazyFunction(timezone.now),
        )
        rejected = factory.Trait(
            status=DeclarationStatus.REJECTED,
            rejection_reason="Heures non justifiées.",
            controlled_at=factory.LazyFunction(timezone.now),
        )
        fix_requested = factory.Trait(
            status=DeclarationStatus.FIX_REQUESTED,
            rejection_reason="Merci de corriger le nombre d'heures.",
            controlled_at=factory.LazyFunction(timezone.now),
        )
        subcontracted = factory.Trait(
            assignment=factory.SubFactory(AssignmentFactory, subcontracted=True),
            declared_hours=None,
            declared_amount_ht=Decimal(3600),
        )


def next_month(declaration: HourDeclaration) -> HourDeclaration:
    """Another declaration of the same assignment, the month after."""
    month = (declaration.month + timedelta(days=32)).replace(day=1)
    return HourDeclarationFactory(assignment=declaration.assignment, month=month)
