"""Desk requests built directly, for tests that need many rows or a given state (the
services build them in the flow tests). Traits: `taken`, `closed`, `to_structure`,
`environmental`, `from_member` (a buyer organisation on the platform), `overdue`."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clauses.core.tokens import hash_token, new_token
from clauses.desk.enums import (
    RequestKind,
    RequestOutcome,
    RequestStatus,
    TargetLevel,
)
from clauses.desk.models import Request
from clauses.desk.rules import add_working_days
from clauses.network.models import Coordination
from tests.accounts.factories import OrganisationFactory, UserFactory, valid_siret
from tests.network.factories import FacilitatorStructureFactory


def _departmental_93() -> Coordination:
    return Coordination.objects.get(level="departmental", department__code="93")


def _regional() -> Coordination:
    return Coordination.objects.regional().order_by("pk").first()


class RequestFactory(DjangoModelFactory):
    class Meta:
        model = Request

    reference = factory.Sequence(lambda n: f"GRCS-2026-9{n:05d}")
    kind = RequestKind.SOCIAL_ADVICE
    status = RequestStatus.NEW
    buyer_name = factory.Sequence(lambda n: f"Ville acheteuse {n}")
    buyer_siret = factory.LazyFunction(valid_siret)
    contact_name = "Camille Martin"
    contact_email = factory.Sequence(lambda n: f"acheteur-{n}@ville-test.fr")
    market_subject = "Réhabilitation du groupe scolaire"
    message = "Nous souhaitons insérer une clause d'insertion."
    target_level = TargetLevel.DEPARTMENTAL
    target_coordination = factory.LazyFunction(_departmental_93)
    routing_reason = "Demande de test : coordination départementale."
    routed_at = factory.LazyFunction(timezone.now)
    follow_token_hash = factory.LazyFunction(lambda: hash_token(new_token()))
    first_response_due = factory.LazyFunction(lambda: add_working_days(timezone.localdate(), 3))

    class Params:
        taken = factory.Trait(
            status=RequestStatus.ASSIGNED,
            taken_by=factory.SubFactory(UserFactory),
            taken_at=factory.LazyFunction(timezone.now),
        )
        closed = factory.Trait(
            status=RequestStatus.CLOSED,
            outcome=RequestOutcome.ADVICE_GIVEN,
            closed_at=factory.LazyFunction(timezone.now),
        )
        to_structure = factory.Trait(
            target_level=TargetLevel.STRUCTURE,
            target_coordination=None,
            target_structure=factory.SubFactory(FacilitatorStructureFactory),
        )
        environmental = factory.Trait(
            kind=RequestKind.ENVIRONMENTAL,
            target_level=TargetLevel.GREEN_DESK,
            target_coordination=factory.LazyFunction(_regional),
        )
        from_member = factory.Trait(
            buyer_organisation=factory.SubFactory(OrganisationFactory, as_buyer=True),
            buyer_siret=factory.SelfAttribute("buyer_organisation.siret"),
            buyer_name=factory.SelfAttribute("buyer_organisation.name"),
        )
        overdue = factory.Trait(
            routed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=15)),
            first_response_due=factory.LazyFunction(
                lambda: timezone.localdate() - timedelta(days=5)
            ),
        )
