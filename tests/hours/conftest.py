"""Fixtures of the hours tests, on top of the markets world (93 buyer, structure s93, a
company; Paris outside): a works market running from a year ago to a year ahead with one
lot and its insertion clause (1 000 h, 50 €/missing hour), a participant validated as
eligible, and a direct-hire assignment of the company on that lot.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from clauses.access.actors import Actor
from clauses.accounts.enums import Role
from clauses.accounts.models import Organisation
from clauses.followup.models import Assignment, EligibilityValidation, Participant
from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.markets.conftest import World as MarketWorld
from tests.markets.conftest import member
from tests.markets.conftest import world as market_world  # noqa: F401 — fixture

TODAY = date(2026, 6, 15)


@dataclass
class HoursWorld:
    base: MarketWorld
    market: Market
    lot: Lot
    clause: SocialConsideration
    participant: Participant
    validation: EligibilityValidation
    assignment: Assignment
    other_company: Organisation

    @property
    def company(self) -> Organisation:
        return self.base.company

    def actor(self, who: str) -> Actor:
        if who == "other_company":
            return member(self.other_company, Role.COMPANY_CONTACT)
        return self.base.actor(who)

    def new_market(self, **overrides: object) -> tuple[Market, Lot, SocialConsideration]:
        target = overrides.pop("target", 1000)
        company = overrides.pop("company", self.company)
        penalty = overrides.pop("penalty", Decimal(50))
        overrides.setdefault("start_date", TODAY - timedelta(days=365))
        overrides.setdefault("end_date", TODAY + timedelta(days=365))
        overrides.setdefault("status", "in_execution")
        market = self.base.market(**overrides)
        lot = market.lots.first() or Lot.objects.create(market=market, number=1, title="Lot")
        LotContractor.objects.get_or_create(lot=lot, organisation=company, role="holder")
        clause = SocialConsideration.objects.create(
            lot=lot,
            kind="execution_condition",
            calculated_hours=target,
            penalty_per_missing_hour=penalty,
        )
        return market, lot, clause

    def new_participant(self, name: str = "Alex Martin", *, key: str = "") -> Participant:
        first, last = name.split(" ", 1)
        participant = Participant.objects.create(
            first_name=first, last_name=last, structure=self.base.s93, identity_key=key
        )
        return participant

    def validate(
        self, participant: Participant, start: date, until: date | None = None
    ) -> EligibilityValidation:
        return EligibilityValidation.objects.create(
            participant=participant,
            structure=self.base.s93,
            validated_by=UserFactory(),
            valid_from=start,
            valid_until=until,
        )

    def assign(
        self,
        participant: Participant,
        lot: Lot,
        *,
        modality: str = "direct_cdd",
        company: Organisation | None = None,
        start: date = date(2025, 9, 1),
        end: date | None = None,
    ) -> Assignment:
        return Assignment.objects.create(
            participant=participant,
            lot=lot,
            employer=company or self.company,
            modality=modality,
            start_date=start,
            end_date=end,
        )


@pytest.fixture
def hw(market_world: MarketWorld) -> HoursWorld:  # noqa: F811
    world = HoursWorld.__new__(HoursWorld)
    world.base = market_world
    world.other_company = OrganisationFactory(as_company=True, name="Autre entreprise")
    market, lot, clause = world.new_market()
    participant = world.new_participant(key="k-alex")
    validation = world.validate(participant, date(2025, 9, 1))
    assignment = world.assign(participant, lot)
    world.market, world.lot, world.clause = market, lot, clause
    world.participant, world.validation, world.assignment = participant, validation, assignment
    return world
