"""A generated dataset for the reports (deterministic, seed 7), on the markets test world
(tests/markets/conftest.py): 3 buyers of Seine-Saint-Denis × 5 markets × 2 lots with an
insertion clause, 20 participants per market with assignments, 12 months of hour
declarations in every status, eligibility validations and outcomes."""

import random
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from clauses.accounts.models import Organisation
from clauses.followup import services as followup_services
from clauses.followup.enums import ContractType, FulfilmentModality, Gender, OutcomeCategory
from clauses.followup.models import (
    Assignment,
    EligibilityCriterion,
    EligibilityValidation,
    Outcome,
    Participant,
)
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration
from clauses.territories.models import Department
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.markets.conftest import World
from tests.markets.conftest import world as world  # noqa: F401 - the fixture

STATUSES = ["submitted", "validated", "validated", "validated", "rejected", "fix_requested"]
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Dataset:
    world: World
    buyers: list[Organisation]
    markets: list[Market]


@pytest.fixture
def dataset(world: World) -> Dataset:  # noqa: F811
    return build_dataset(world)


def build_dataset(
    world: World,  # noqa: F811
    *,
    buyers_count: int = 3,
    markets_per_buyer: int = 5,
    people_per_market: int = 20,
    tag: str = "gen",
    with_world_buyer: bool | None = None,
) -> Dataset:
    """The dataset; other sizes (and another `tag`, to add a second one to the same world)
    serve the query budget tests, which check the counts do not grow with the data."""
    rng = random.Random(7)
    followup_services.load_national_criteria(wet_run=True)
    criteria = list(EligibilityCriterion.objects.all()[:6])
    dep93 = Department.objects.get(code="93")
    suffix = "test" if tag == "gen" else tag
    if with_world_buyer is None:
        with_world_buyer = tag == "gen"
    buyers = ([world.buyer] if with_world_buyer else []) + [
        OrganisationFactory(as_buyer=True, name=f"Acheteur {n} ({suffix})", department=dep93)
        for n in range(2 if with_world_buyer else 1, buyers_count + 1)
    ]
    validator = UserFactory()
    markets: list[Market] = []
    participants: list[Participant] = []
    for b, buyer in enumerate(buyers):
        for m in range(markets_per_buyer):
            start = date(2024 + (m % 2), rng.choice([1, 3, 7]), 1)
            market = world.market(
                buyer=buyer,
                reference=f"{tag.upper()}-{b}-{m}",
                estimated_amount_ht=Decimal(rng.choice([50_000, 150_000, 900_000, 6_000_000])),
                start_date=start,
                end_date=date(start.year + 2, start.month, 1),
                status="in_execution",
            )
            markets.append(market)
            lot1 = market.lots.get()
            lot2 = Lot.objects.create(market=market, number=2, title="Lot 2")
            for lot in (lot1, lot2):
                LotContractor.objects.get_or_create(
                    lot=lot, organisation=world.company, role="holder"
                )
                SocialConsideration.objects.create(
                    lot=lot, kind="execution_condition", calculated_hours=rng.randint(200, 3000)
                )
            for p in range(people_per_market):
                participants.append(
                    Participant(
                        first_name=f"P{b}{m}{p}",
                        last_name="Généré",
                        structure=world.s93,
                        department=dep93,
                        gender=rng.choice(Gender.values),
                        birth_year=rng.choice([None, 1960, 1975, 1990, 2000, 2003]),
                        qpv_resident=rng.choice([True, False, None]),
                        identity_key=f"{tag}-{b}-{m}-{p}",
                    )
                )
    Participant.objects.bulk_create(participants)
    participants = list(
        Participant.objects.filter(identity_key__startswith=f"{tag}-").order_by("pk")
    )
    assignments = []
    for index, participant in enumerate(participants):
        market = markets[index // people_per_market]
        lot = market.lots.order_by("number")[index % 2]
        start = date(2025, rng.randint(1, 12), 1)
        end = rng.choice([None, date(2025, 12, 31), date(2026, 3, 31)])
        assignments.append(
            Assignment(
                participant=participant,
                lot=lot,
                employer=world.company,
                modality=rng.choice(FulfilmentModality.values),
                contract_type=rng.choice(ContractType.values + [""]),
                start_date=start,
                end_date=end if end is None or end >= start else None,
            )
        )
    Assignment.objects.bulk_create(assignments)
    assignments = list(Assignment.objects.filter(participant__identity_key__startswith=f"{tag}-"))
    declarations, outcomes = [], []
    for assignment in assignments:
        for month in range(1, 13):
            if rng.random() < 0.3:
                continue
            hours = Decimal(rng.randint(10, 150))
            status = rng.choice(STATUSES)
            declarations.append(
                HourDeclaration(
                    assignment=assignment,
                    month=date(2025, month, 1),
                    declared_hours=hours,
                    base_hours=hours,
                    counted_hours=hours if status == "validated" else Decimal(0),
                    status=status,
                )
            )
        if rng.random() < 0.4:
            outcomes.append(
                Outcome(
                    participant=assignment.participant,
                    assignment=assignment,
                    moment="end_of_assignment",
                    category=rng.choice(OutcomeCategory.values),
                    recorded_at=datetime(2025, rng.randint(1, 12), 15, tzinfo=PARIS),
                )
            )
    HourDeclaration.objects.bulk_create(declarations)
    Outcome.objects.bulk_create(outcomes)
    for participant in participants[::2]:
        validation = EligibilityValidation.objects.create(
            participant=participant,
            structure=world.s93,
            validated_by=validator,
            withdrawn_at=datetime(2025, 1, 1, tzinfo=PARIS) if rng.random() < 0.1 else None,
        )
        validation.criteria.set(rng.sample(criteria, rng.randint(1, 2)))
    return Dataset(world=world, buyers=buyers, markets=markets)
