"""Fixtures of the follow-up tests, on the markets test world (tests/markets/conftest.py):
the 93 market followed by "Structure Saint-Denis", with two companies on its lot (holder A,
co-contractor B); a 75 market followed by "Structure Paris" with company C; the national
eligibility referential loaded; actors for each role (`fw.actor(...)`)."""

import datetime
from dataclasses import dataclass, field

import pytest

from clauses.access.actors import Actor
from clauses.accounts.enums import Role
from clauses.accounts.models import Organisation
from clauses.followup import services
from clauses.followup.models import Assignment, Participant
from clauses.markets import services as market_services
from clauses.markets.models import Lot
from clauses.territories.models import Department
from tests.accounts.factories import OrganisationFactory, PartnerFactory
from tests.markets.conftest import World, commune, member, organisation_of
from tests.markets.conftest import world as world  # noqa: F401 - the fixture

D = datetime.date


@dataclass
class FollowupWorld:
    base: World
    lot: Lot
    lot75: Lot
    company_a: Organisation
    company_b: Organisation
    company_c: Organisation
    partner93: Organisation
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, who: str) -> Actor:
        if who not in self.actors:
            if who == "company_a":
                actor = member(self.company_a, Role.COMPANY_CONTACT)
            elif who == "company_b":
                actor = member(self.company_b, Role.COMPANY_CONTACT)
            elif who == "company_c":
                actor = member(self.company_c, Role.COMPANY_CONTACT)
            elif who == "partner93":
                actor = member(self.partner93, Role.PARTNER)
            else:
                actor = self.base.actor(who)
            self.actors[who] = actor
        return self.actors[who]

    def participant(self, first: str = "Alix", last: str = "Exemple", **kwargs: object):
        kwargs.setdefault("birth_date", D(1990, 4, 2))
        participant, _ = services.create_participant(
            actor=self.actor("facilitator"),
            structure=self.base.s93,
            first_name=first,
            last_name=last,
            **kwargs,  # type: ignore[arg-type]
        )
        return participant

    def assign(
        self, participant: Participant, company: str = "company_a", **kwargs: object
    ) -> Assignment:
        employer = {"company_a": self.company_a, "company_b": self.company_b}[company]
        return services.create_assignment(
            actor=self.actor("facilitator"),
            participant=participant,
            lot=self.lot,
            employer=employer,
            modality=kwargs.pop("modality", "direct_cdd"),
            start_date=kwargs.pop("start_date", D(2026, 3, 1)),
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture
def fw(world: World) -> FollowupWorld:  # noqa: F811
    services.load_national_criteria(wet_run=True)
    market = world.market(reference="SUIVI-93")
    lot = market.lots.get()
    company_b = OrganisationFactory(as_company=True, name="Entreprise B Cotraitante")
    market_services.add_contractor(
        actor=world.admin, lot=lot, siret=world.company.siret, role="holder"
    )
    market_services.add_contractor(
        actor=world.admin, lot=lot, siret=company_b.siret, role="co_contractor"
    )
    market75 = world.market(
        reference="SUIVI-75",
        buyer=world.buyer75,
        following_structure=world.s75,
        facilitator=None,
        communes=[commune("75056")],
    )
    lot75 = market75.lots.get()
    company_c = OrganisationFactory(as_company=True, name="Entreprise C Paris")
    market_services.add_contractor(
        actor=world.admin, lot=lot75, siret=company_c.siret, role="holder"
    )
    dep93 = Department.objects.get(code="93")
    partner93 = OrganisationFactory(
        as_partner=True,
        department=dep93,
        partner=PartnerFactory(department=dep93, email="ml93@exemple.fr", name="Mission locale 93"),
    )
    return FollowupWorld(
        base=world,
        lot=lot,
        lot75=lot75,
        company_a=world.company,
        company_b=company_b,
        company_c=company_c,
        partner93=partner93,
    )


__all__ = ["D", "FollowupWorld", "commune", "organisation_of"]
