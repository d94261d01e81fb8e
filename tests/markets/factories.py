"""Markets and lots built directly, for tests that need rows in a given state (the flow
tests go through `markets.services`). Market traits: `in_execution`, `closed`, `services`,
`followed` (a structure follows it). Lot traits: `second`."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clauses.markets.enums import MarketStatus
from clauses.markets.models import Lot, Market
from tests.accounts.factories import OrganisationFactory
from tests.network.factories import FacilitatorStructureFactory


class MarketFactory(DjangoModelFactory):
    class Meta:
        model = Market

    buyer = factory.SubFactory(OrganisationFactory, as_buyer=True)
    reference = factory.Sequence(lambda n: f"M-TEST-{n:05d}")
    subject = factory.Sequence(lambda n: f"Travaux de réhabilitation n° {n}")
    kind = "works"
    estimated_amount_ht = Decimal(1_000_000)
    status = MarketStatus.PLANNED

    class Params:
        in_execution = factory.Trait(
            status=MarketStatus.IN_EXECUTION,
            awarded_amount_ht=Decimal(950_000),
            notification_date=factory.LazyFunction(
                lambda: timezone.localdate() - timedelta(days=60)
            ),
            start_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30)),
            duration_months=18,
        )
        closed = factory.Trait(
            status=MarketStatus.CLOSED,
            start_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400)),
            end_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10)),
        )
        services = factory.Trait(kind="services", subject="Nettoyage des locaux")
        followed = factory.Trait(
            following_structure=factory.SubFactory(FacilitatorStructureFactory)
        )


class LotFactory(DjangoModelFactory):
    class Meta:
        model = Lot

    market = factory.SubFactory(MarketFactory)
    number = 1
    title = "Lot unique"
    estimated_amount_ht = factory.SelfAttribute("market.estimated_amount_ht")

    class Params:
        second = factory.Trait(number=2, title="Lot 2")
