"""Fixtures of the desk tests: a small network on the real territories and skeleton.

Seine-Saint-Denis (93), on top of the real skeleton (national, regional, 8 departmental):

- "Structure Plaine Commune" covers Saint-Denis (93066) and Aubervilliers (93001);
- "Structure Est A" and "Structure Est B" both cover Montreuil (93048);
- "Coordination locale Bobigny" covers Bobigny (93008) and Drancy (93029), with
  "Structure Bobigny" attached to it, covering Bobigny only.

Helpers build actors for every role (`actor_for(...)`), and `request_data(...)` a valid
request body.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Organisation
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Commune
from tests.accounts.factories import MembershipFactory, OrganisationFactory, valid_siret
from tests.network.factories import CoordinationFactory, FacilitatorStructureFactory

PARIS = ZoneInfo("Europe/Paris")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def commune(insee: str) -> Commune:
    return Commune.objects.get(insee=insee)


def departmental(code: str) -> Coordination:
    return Coordination.objects.get(level=CoordinationLevel.DEPARTMENTAL, department__code=code)


def regional() -> Coordination:
    return Coordination.objects.get(level=CoordinationLevel.REGIONAL)


def national() -> Coordination:
    return Coordination.objects.get(level=CoordinationLevel.NATIONAL)


class Network:
    def __init__(self) -> None:
        self.plaine = FacilitatorStructureFactory(
            name="Structure Plaine Commune",
            email="plaine@demo.clauses.example",
            communes=[commune("93066"), commune("93001")],
        )
        montreuil = [commune("93048")]
        self.est_a = FacilitatorStructureFactory(name="Structure Est A", communes=montreuil)
        self.est_b = FacilitatorStructureFactory(name="Structure Est B", communes=montreuil)
        self.local = CoordinationFactory(
            name="Coordination locale Bobigny",
            email="bobigny@demo.clauses.example",
            communes=[commune("93008"), commune("93029")],
        )
        self.bobigny = FacilitatorStructureFactory(
            name="Structure Bobigny", coordination=self.local, communes=[commune("93008")]
        )
        self.dep93 = departmental("93")
        self.dep75 = departmental("75")
        self.regional = regional()
        self.national = national()


@pytest.fixture
def network(db) -> Network:
    return Network()


def _organisation_for(obj: object) -> Organisation:
    if isinstance(obj, FacilitatorStructure):
        organisation = Organisation.objects.filter(structure=obj).first()
        return organisation or OrganisationFactory(
            kind=OrganisationKind.FACILITATOR_STRUCTURE,
            name=obj.name,
            siret="",
            buyer_category="",
            structure=obj,
        )
    assert isinstance(obj, Coordination)
    organisation = Organisation.objects.filter(coordination=obj).first()
    return organisation or OrganisationFactory(
        kind=OrganisationKind.COORDINATION,
        name=obj.name,
        siret="",
        buyer_category="",
        coordination=obj,
    )


def actor_for(obj: object, *, role: str | None = None) -> Actor:
    """An actor member of the organisation of a structure, a coordination or a buyer
    Organisation (its user is `actor.user_id`)."""
    organisation = obj if isinstance(obj, Organisation) else _organisation_for(obj)
    kwargs = {"organisation": organisation}
    if role:
        kwargs["role"] = role
    membership = MembershipFactory(**kwargs)
    return actor_for_membership(membership)


def buyer_actor(organisation: Organisation | None = None) -> Actor:
    organisation = organisation or OrganisationFactory(as_buyer=True)
    return actor_for(organisation, role=Role.BUYER_AGENT)


def request_data(**overrides: object) -> dict:
    data = {
        "kind": "facilitator_contact",
        "buyer_name": "Ville de Saint-Denis",
        "buyer_siret": valid_siret(),
        "contact_name": "Camille Martin",
        "contact_email": "camille.martin@ville-test.fr",
        "contact_phone": "01 49 33 00 00",
        "execution_communes": ["93066"],
        "execution_departments": [],
        "region_wide": False,
        "market_subject": "Réhabilitation du groupe scolaire Pasteur",
        "market_cpv": "45000000",
        "market_estimated_amount": "1200000",
        "market_planned_publication_date": "2026-09-15",
        "market_duration_months": 18,
        "message": "Nous souhaitons insérer une clause d'insertion dans ce marché de travaux.",
    }
    data.update(overrides)
    return data
