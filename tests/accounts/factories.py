"""Factories of accounts: users, organisations (one trait per kind) and memberships.

OrganisationFactory(as_buyer=True)          a confirmed buyer (commune) with a valid SIRET
OrganisationFactory(as_coordination=True)   a departmental coordination's organisation
OrganisationFactory(as_structure=True)      a facilitator structure's organisation
OrganisationFactory(as_company=True)
OrganisationFactory(as_partner=True)
MembershipFactory(role=Role.COORDINATOR, organisation=…)   the role fits the kind
"""

import itertools

import factory
from factory.django import DjangoModelFactory

from clauses.accounts.enums import BuyerCategory, OrganisationKind, Role
from clauses.accounts.models import Invitation, Membership, Organisation, User
from clauses.accounts.validators import luhn_complete
from clauses.core.tokens import make_token
from clauses.network.enums import CarrierKind, CoordinationLevel, PartnerKind
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure, Partner
from clauses.territories.models import Department, Region

PASSWORD = "mot-de-passe-de-test-42"

_siren_counter = itertools.count(100_000)


def valid_siret() -> str:
    """A fresh SIRET with a valid Luhn key (SIREN key, then SIRET key)."""
    siren = luhn_complete(f"9{next(_siren_counter):07d}")
    return luhn_complete(siren + "0001")


def _department(code: str = "93") -> Department:
    return Department.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


class CoordinationFactory(DjangoModelFactory):
    class Meta:
        model = Coordination
        skip_postgeneration_save = True

    level = CoordinationLevel.DEPARTMENTAL
    name = factory.Sequence(lambda n: f"Coordination de test {n}")
    carrier_name = "Structure porteuse de test"
    department = None
    is_demo = True

    class Params:
        regional = factory.Trait(
            level=CoordinationLevel.REGIONAL,
            department=None,
            region=factory.LazyFunction(lambda: Region.objects.get(code="11")),
        )


class FacilitatorStructureFactory(DjangoModelFactory):
    class Meta:
        model = FacilitatorStructure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Structure facilitatrice de test {n}")
    carrier_kind = CarrierKind.EMPLOYMENT_HOUSE
    coordination = factory.LazyFunction(
        lambda: (
            Coordination.objects.filter(level=CoordinationLevel.DEPARTMENTAL).first()
            or CoordinationFactory(department=_department())
        )
    )
    is_demo = True


class FacilitatorFactory(DjangoModelFactory):
    class Meta:
        model = Facilitator
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    structure = factory.SubFactory(FacilitatorStructureFactory)
    is_demo = True


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partenaire de test {n}")
    kind = PartnerKind.MISSION_LOCALE
    department = factory.LazyFunction(_department)
    is_demo = True


def _departmental_coordination(code: str = "93") -> Coordination:
    """The departmental coordination of `code` without an organisation yet (the reference
    skeleton's if free, else a test one — the link is one-to-one)."""
    existing = Coordination.objects.filter(
        level=CoordinationLevel.DEPARTMENTAL, department__code=code, organisation__isnull=True
    ).first()
    return existing or CoordinationFactory(
        level=CoordinationLevel.LOCAL, department=_department(code)
    )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = OrganisationKind.BUYER
    name = factory.Sequence(lambda n: f"Ville de Test-{n}")
    siret = factory.LazyFunction(valid_siret)
    buyer_category = BuyerCategory.COMMUNE
    department = factory.LazyFunction(_department)
    is_confirmed = True

    class Params:
        as_buyer = factory.Trait(kind=OrganisationKind.BUYER)
        unconfirmed = factory.Trait(is_confirmed=False)
        as_company = factory.Trait(
            kind=OrganisationKind.COMPANY,
            name=factory.Sequence(lambda n: f"Entreprise de test {n}"),
            buyer_category="",
        )
        as_coordination = factory.Trait(
            kind=OrganisationKind.COORDINATION,
            name=factory.Sequence(lambda n: f"Coordination {n}"),
            buyer_category="",
            siret="",
            coordination=factory.LazyAttribute(
                lambda o: _departmental_coordination(o.department.code if o.department else "93")
            ),
        )
        as_structure = factory.Trait(
            kind=OrganisationKind.FACILITATOR_STRUCTURE,
            name=factory.Sequence(lambda n: f"Maison de l'emploi de test {n}"),
            buyer_category="",
            structure=factory.SubFactory(FacilitatorStructureFactory),
        )
        as_partner = factory.Trait(
            kind=OrganisationKind.PARTNER,
            name=factory.Sequence(lambda n: f"Mission locale de test {n}"),
            buyer_category="",
            partner=factory.SubFactory(PartnerFactory),
        )


_DEFAULT_ROLE = {
    OrganisationKind.BUYER: Role.BUYER_AGENT,
    OrganisationKind.COMPANY: Role.COMPANY_CONTACT,
    OrganisationKind.FACILITATOR_STRUCTURE: Role.FACILITATOR,
    OrganisationKind.COORDINATION: Role.COORDINATOR,
    OrganisationKind.PARTNER: Role.PARTNER,
}


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = factory.LazyAttribute(lambda m: _DEFAULT_ROLE[OrganisationKind(m.organisation.kind)])
    is_organisation_admin = False

    class Params:
        admin = factory.Trait(is_organisation_admin=True)


class InvitationFactory(DjangoModelFactory):
    """`invitation.raw_token` holds the token of the link (only its hash is stored)."""

    class Meta:
        model = Invitation
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, as_coordination=True)
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = factory.LazyAttribute(lambda i: _DEFAULT_ROLE[OrganisationKind(i.organisation.kind)])
    invited_by = factory.SubFactory(UserFactory)
    token_hash = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        raw, digest = make_token()
        kwargs["token_hash"] = digest
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.raw_token = raw
        return invitation
