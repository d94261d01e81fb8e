"""Fixtures of the markets tests, on the real territories and network skeleton.

Seine-Saint-Denis (93): "Structure Saint-Denis" (attached to the departmental coordination,
covering 93066) with facilitator Camille Facile; a buyer (Ville de Saint-Denis test), a
company, and actors for each role (`world.actor(...)`). Paris (75): another buyer and
structure, outside the 93 territory.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.enums import BuyerCategory, OrganisationKind, Role
from clauses.accounts.models import Organisation
from clauses.markets import services
from clauses.markets.models import Market
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode, Department
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.network.factories import FacilitatorStructureFactory


def commune(insee: str) -> Commune:
    return Commune.objects.get(insee=insee)


def departmental(code: str) -> Coordination:
    return Coordination.objects.get(level=CoordinationLevel.DEPARTMENTAL, department__code=code)


def organisation_of(obj: FacilitatorStructure | Coordination) -> Organisation:
    if isinstance(obj, FacilitatorStructure):
        return Organisation.objects.filter(structure=obj).first() or OrganisationFactory(
            kind=OrganisationKind.FACILITATOR_STRUCTURE,
            name=obj.name,
            siret="",
            buyer_category="",
            structure=obj,
        )
    return Organisation.objects.filter(coordination=obj).first() or OrganisationFactory(
        kind=OrganisationKind.COORDINATION,
        name=obj.name,
        siret="",
        buyer_category="",
        coordination=obj,
    )


def member(organisation: Organisation, role: str) -> Actor:
    return actor_for_membership(MembershipFactory(organisation=organisation, role=role))


@dataclass
class World:
    s93: FacilitatorStructure
    s75: FacilitatorStructure
    facilitator: Facilitator
    buyer: Organisation
    buyer75: Organisation
    state_buyer: Organisation
    company: Organisation
    admin: Actor

    def actor(self, who: str) -> Actor:
        if who == "buyer":
            return member(self.buyer, Role.BUYER_AGENT)
        if who == "buyer75":
            return member(self.buyer75, Role.BUYER_AGENT)
        if who == "facilitator":
            return member(organisation_of(self.s93), Role.FACILITATOR)
        if who == "facilitator75":
            return member(organisation_of(self.s75), Role.FACILITATOR)
        if who == "coordinator93":
            return member(organisation_of(departmental("93")), Role.COORDINATOR)
        if who == "coordinator75":
            return member(organisation_of(departmental("75")), Role.COORDINATOR)
        if who == "company":
            return member(self.company, Role.COMPANY_CONTACT)
        raise KeyError(who)

    def market(self, **overrides: object) -> Market:
        """A works market of the 93 buyer in Saint-Denis followed by s93 (one lot)."""
        communes = overrides.pop("communes", [commune("93066")])
        buyer = overrides.pop("buyer", self.buyer)
        lots = overrides.pop("lots", None)
        data = {
            "reference": overrides.pop("reference", f"M-{Market.objects.count() + 1}"),
            "subject": "Réhabilitation du groupe scolaire Pasteur",
            "kind": "works",
            "cpv": CpvCode.objects.get(code8="45210000"),
            "estimated_amount_ht": Decimal(1_000_000),
            "following_structure": self.s93,
            "facilitator": self.facilitator,
            **overrides,
        }
        return services.create_market(
            actor=self.admin, buyer=buyer, data=data, execution_communes=communes, lots=lots
        )


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    s93 = FacilitatorStructureFactory(
        name="Structure Saint-Denis",
        email="structure-sd@exemple.fr",
        coordination=departmental("93"),
        communes=[commune("93066")],
    )
    s75 = FacilitatorStructureFactory(name="Structure Paris", coordination=departmental("75"))
    facilitator = Facilitator.objects.create(
        first_name="Camille",
        last_name="Facile",
        email="camille.facile@exemple.fr",
        phone="01 23 45 67 89",
        structure=s93,
    )
    admin_user = UserFactory(is_superuser=True, is_staff=True)
    return World(
        s93=s93,
        s75=s75,
        facilitator=facilitator,
        buyer=OrganisationFactory(
            as_buyer=True,
            name="Ville de Saint-Denis (test)",
            department=Department.objects.get(code="93"),
        ),
        buyer75=OrganisationFactory(
            as_buyer=True,
            name="Ville de Paris (test)",
            department=Department.objects.get(code="75"),
        ),
        state_buyer=OrganisationFactory(
            as_buyer=True,
            name="Préfecture (test)",
            buyer_category=BuyerCategory.STATE,
            department=Department.objects.get(code="93"),
        ),
        company=OrganisationFactory(as_company=True, name="Entreprise Test BTP"),
        admin=Actor(user_id=admin_user.pk, is_superuser=True, label="Admin de test"),
    )
