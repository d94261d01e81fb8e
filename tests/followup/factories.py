"""Participants and assignments built directly, for tests that need rows in a given state
(the flow tests go through `followup.services`, which check eligibility and identity).
Participant traits: `woman`, `qpv`, `anonymised`. Assignment traits: `ended`,
`subcontracted`."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clauses.followup.enums import ContractType, FulfilmentModality, Gender
from clauses.followup.models import Assignment, Participant
from tests.accounts.factories import OrganisationFactory
from tests.markets.factories import LotFactory
from tests.network.factories import FacilitatorStructureFactory


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Martin"
    birth_year = 1990
    gender = Gender.MALE
    structure = factory.SubFactory(FacilitatorStructureFactory)

    class Params:
        woman = factory.Trait(gender=Gender.FEMALE, first_name="Camille")
        qpv = factory.Trait(qpv_resident=True)
        anonymised = factory.Trait(
            first_name="Anonymisé",
            last_name="Anonymisé",
            anonymised_at=factory.LazyFunction(timezone.now),
        )


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    participant = factory.SubFactory(ParticipantFactory)
    lot = factory.SubFactory(LotFactory)
    employer = factory.SubFactory(OrganisationFactory, as_company=True)
    modality = FulfilmentModality.DIRECT_CDD
    contract_type = ContractType.CDD
    trade = "Maçon·ne"
    start_date = factory.LazyFunction(
        lambda: timezone.localdate().replace(day=1) - timedelta(days=90)
    )
    weekly_hours = 35

    class Params:
        ended = factory.Trait(
            end_date=factory.LazyAttribute(lambda o: o.start_date + timedelta(days=59))
        )
        subcontracted = factory.Trait(
            modality=FulfilmentModality.SUBCONTRACT_SIAE, contract_type=""
        )
