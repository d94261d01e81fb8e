"""A small world for access tests: every kind of actor, at home in Seine-Saint-Denis (93),
and an "other" record of each kind in Paris (75), outside their territory.

    national coordination ─ regional (IDF) ─ departmental 93 ─ local 93 ─ structure s93
                                           └ departmental 75 ─ structure s75
"""

from dataclasses import dataclass, field

import pytest

from clauses.access.actors import Actor, actor_for_membership
from clauses.access.enums import AuditAction
from clauses.access.models import ApiToken
from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent, Membership, Organisation
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Department, Region
from tests.access.factories import make_api_token
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.network.factories import CoordinationFactory, FacilitatorStructureFactory

# Every kind of actor of the permission matrix; "anonymous" has no membership.
ROLES = [
    "anonymous",
    "buyer_agent",
    "buyer_org_admin",
    "company_contact",
    "facilitator",
    "local_coordinator",
    "departmental_coordinator",
    "regional_coordinator",
    "national_coordinator",
    "partner",
    "platform_admin",
]


def _coordination(level: str, **lookup: object) -> Coordination:
    existing = Coordination.objects.filter(level=level, **lookup).first()
    if existing:
        return existing
    region = Region.objects.get(code="11")
    if level == CoordinationLevel.NATIONAL:
        return Coordination.objects.create(
            level=level, name="Coordination nationale", carrier_name="AVE"
        )
    if level == CoordinationLevel.REGIONAL:
        return Coordination.objects.create(
            level=level,
            name="Coordination IDF",
            carrier_name="GIP",
            region=region,
            parent=_coordination(CoordinationLevel.NATIONAL),
        )
    department = Department.objects.get(code=lookup["department__code"])
    return Coordination.objects.create(
        level=level,
        name=f"Coordination {department.code}",
        carrier_name="Porteur",
        department=department,
        region=region,
        parent=_coordination(CoordinationLevel.REGIONAL),
    )


def _coordination_org(coordination: Coordination, code: str | None) -> Organisation:
    existing = Organisation.objects.filter(coordination=coordination).first()
    if existing:
        return existing
    return OrganisationFactory(
        as_coordination=True,
        coordination=coordination,
        name=f"Organisation de {coordination.name}",
        department=Department.objects.get(code=code) if code else None,
    )


@dataclass
class World:
    coordinations: dict[str, Coordination]
    structures: dict[str, FacilitatorStructure]
    organisations: dict[str, Organisation]
    memberships: dict[str, Membership]  # role name -> the actor's membership
    colleagues: dict[int, Membership]  # organisation pk -> another member of it
    tokens: dict[int, ApiToken]  # organisation pk -> a token of it
    events: dict[str, AuditEvent]
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, role: str) -> Actor:
        if role not in self.actors:
            membership = self.memberships.get(role)
            self.actors[role] = actor_for_membership(membership) if membership else Actor()
        return self.actors[role]

    def own_organisation(self, role: str) -> Organisation:
        membership = self.memberships.get(role)
        return membership.organisation if membership else self.organisations["buyer93"]

    def other_organisation(self, role: str) -> Organisation:
        """The organisation like the actor's, but in Paris (outside the 93 territory)."""
        return self.organisations[OTHER_ORGANISATION[role]]


OTHER_ORGANISATION = {
    "anonymous": "buyer75",
    "buyer_agent": "buyer75",
    "buyer_org_admin": "buyer75",
    "company_contact": "company75",
    "facilitator": "structure75",
    "local_coordinator": "coordination75",
    "departmental_coordinator": "coordination75",
    "regional_coordinator": "coordination75",
    "national_coordinator": "coordination75",
    "partner": "partner75",
    "platform_admin": "coordination75",
}


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    national = _coordination(CoordinationLevel.NATIONAL)
    regional = _coordination(CoordinationLevel.REGIONAL)
    dep93 = _coordination(CoordinationLevel.DEPARTMENTAL, department__code="93")
    dep75 = _coordination(CoordinationLevel.DEPARTMENTAL, department__code="75")
    local93 = CoordinationFactory(parent=dep93, name="Coordination locale Plaine Commune")
    s93 = FacilitatorStructureFactory(coordination=local93, name="Structure de Saint-Denis")
    s75 = FacilitatorStructureFactory(coordination=dep75, name="Structure de Paris")

    orgs = {
        "national": _coordination_org(national, None),
        "regional": _coordination_org(regional, None),
        "coordination93": _coordination_org(dep93, "93"),
        "coordination75": _coordination_org(dep75, "75"),
        "local93": _coordination_org(local93, "93"),
        "structure93": OrganisationFactory(
            as_structure=True, structure=s93, name="Org. Structure de Saint-Denis"
        ),
        "structure75": OrganisationFactory(
            as_structure=True,
            structure=s75,
            name="Org. Structure de Paris",
            department=Department.objects.get(code="75"),
        ),
    }
    for code in ("93", "75"):
        department = Department.objects.get(code=code)
        orgs[f"buyer{code}"] = OrganisationFactory(
            as_buyer=True, department=department, name=f"Ville acheteuse {code}"
        )
        orgs[f"company{code}"] = OrganisationFactory(
            as_company=True, department=department, name=f"Entreprise {code}"
        )
        orgs[f"partner{code}"] = OrganisationFactory(
            as_partner=True,
            department=department,
            partner__department=department,
            name=f"Partenaire {code}",
        )

    homes = {
        "buyer_agent": ("buyer93", Role.BUYER_AGENT, False),
        "buyer_org_admin": ("buyer93", Role.BUYER_AGENT, True),
        "company_contact": ("company93", Role.COMPANY_CONTACT, False),
        "facilitator": ("structure93", Role.FACILITATOR, False),
        "local_coordinator": ("local93", Role.COORDINATOR, False),
        "departmental_coordinator": ("coordination93", Role.COORDINATOR, False),
        "regional_coordinator": ("regional", Role.COORDINATOR, False),
        "national_coordinator": ("national", Role.COORDINATOR, False),
        "partner": ("partner93", Role.PARTNER, False),
        "platform_admin": ("regional", Role.ADMIN, False),
    }
    memberships = {
        role: MembershipFactory(
            user=UserFactory(email=f"{role.replace('_', '-')}@exemple.fr"),
            organisation=orgs[org_key],
            role=member_role,
            is_organisation_admin=is_admin,
        )
        for role, (org_key, member_role, is_admin) in homes.items()
    }
    colleagues = {
        organisation.pk: MembershipFactory(
            organisation=organisation, user=UserFactory(email=f"collegue-{key}@exemple.fr")
        )
        for key, organisation in orgs.items()
    }
    tokens = {
        organisation.pk: make_api_token(organisation, name=f"Jeton de {key}")[0]
        for key, organisation in orgs.items()
    }
    events = {
        "own": AuditEvent.objects.create(
            action=AuditAction.UPDATE,
            organisation=orgs["structure93"],
            territory="93",
            object_repr="Événement de Saint-Denis",
        ),
        "other": AuditEvent.objects.create(
            action=AuditAction.UPDATE,
            organisation=orgs["structure75"],
            territory="75",
            object_repr="Événement de Paris",
        ),
    }
    return World(
        coordinations={
            "national": national,
            "regional": regional,
            "dep93": dep93,
            "dep75": dep75,
            "local93": local93,
        },
        structures={"own": s93, "other": s75},
        organisations=orgs,
        memberships=memberships,
        colleagues=colleagues,
        tokens=tokens,
        events=events,
    )
