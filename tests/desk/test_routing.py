"""Routing facts gathered on the real territories and skeleton, and every branch of the rule
end to end through `route_request` (the API's dry run)."""

from datetime import date

import pytest

from clauses.desk import services
from clauses.desk.enums import RoutingRule, TargetLevel
from clauses.desk.models import BuyerAgreement
from clauses.territories.models import Commune
from tests.accounts.factories import OrganisationFactory, valid_siret
from tests.desk.conftest import commune

pytestmark = pytest.mark.django_db


def route(**kwargs):
    kwargs.setdefault("kind", "facilitator_contact")
    return services.route_request(**kwargs)


def test_environmental_goes_to_the_green_desk(network):
    decision = route(kind="environmental", execution_communes=["93066"])
    assert decision.rule == RoutingRule.ENVIRONMENTAL
    assert decision.target.level == TargetLevel.GREEN_DESK
    assert decision.target.name == "Guichet vert"
    assert decision.target.id == network.regional.pk
    assert decision.target.email == "guichetvert@maximilien.fr"


def test_places_outside_the_region_go_to_the_national_coordination(network):
    # 69123 is Lyon: a well-formed INSEE code of another département, absent from the
    # territories table, which holds Île-de-France only.
    decision = route(execution_communes=["69123"], execution_departments=["13"])
    assert decision.rule == RoutingRule.OUTSIDE_REGION
    assert decision.target.level == TargetLevel.NATIONAL
    assert decision.target.id == network.national.pk
    assert "13, 69123" in decision.reason


def test_no_place_goes_to_the_regional_coordination(network):
    decision = route()
    assert decision.rule == RoutingRule.NO_PLACE
    assert decision.target.id == network.regional.pk
    assert decision.target.email == "macs@maximilien.fr"


def test_agreement_by_siret_wins_over_coverage(network):
    siret = valid_siret()
    BuyerAgreement.objects.create(
        buyer_siret=siret, structure=network.est_a, valid_from=date(2020, 1, 1)
    )
    decision = route(buyer_siret=siret, execution_communes=["93066"])
    assert decision.rule == RoutingRule.AGREEMENT
    assert decision.target.id == network.est_a.pk
    assert decision.target.level == TargetLevel.STRUCTURE


def test_agreement_of_the_organisation_with_that_siret(network):
    buyer = OrganisationFactory(as_buyer=True)
    BuyerAgreement.objects.create(
        buyer_organisation=buyer, structure=network.est_b, valid_from=date(2020, 1, 1)
    )
    decision = route(buyer_siret=buyer.siret, execution_departments=["93"])
    assert decision.target.id == network.est_b.pk


def test_expired_or_inactive_agreement_is_ignored(network):
    siret = valid_siret()
    BuyerAgreement.objects.create(
        buyer_siret=siret,
        structure=network.est_a,
        valid_from=date(2020, 1, 1),
        valid_until=date(2021, 1, 1),
    )
    network.est_b.is_active = False
    network.est_b.save()
    BuyerAgreement.objects.create(
        buyer_siret=siret, structure=network.est_b, valid_from=date(2020, 1, 1)
    )
    decision = route(buyer_siret=siret, execution_communes=["93066"])
    assert decision.rule == RoutingRule.SINGLE_STRUCTURE
    assert decision.target.id == network.plaine.pk


def test_communes_all_covered_by_one_structure(network):
    decision = route(execution_communes=["93066", "93001"])
    assert decision.rule == RoutingRule.SINGLE_STRUCTURE
    assert decision.target.id == network.plaine.pk
    assert "2 communes" in decision.reason


def test_two_structures_covering_goes_to_the_departmental_coordination(network):
    decision = route(execution_communes=["93048"])
    assert decision.rule == RoutingRule.SINGLE_DEPARTMENT
    assert decision.target.id == network.dep93.pk
    assert "plusieurs structures" in decision.reason


def test_no_single_structure_goes_to_the_departmental_coordination(network):
    decision = route(execution_communes=["93066", "93048"])
    assert decision.target.id == network.dep93.pk
    assert "aucune structure ne couvre à elle seule" in decision.reason


def test_local_coordination_covering_every_commune(network):
    # Structure Bobigny covers Bobigny only; the local coordination covers both.
    decision = route(execution_communes=["93008", "93029"])
    assert decision.rule == RoutingRule.SINGLE_DEPARTMENT
    assert decision.target.level == TargetLevel.LOCAL
    assert decision.target.id == network.local.pk


def test_whole_department(network):
    decision = route(execution_departments=["93"])
    assert decision.target.id == network.dep93.pk
    assert "tout le département" in decision.reason


def test_several_departments_go_to_the_regional_coordination(network):
    decision = route(execution_communes=["93066", "75056"])
    assert decision.rule == RoutingRule.SEVERAL_DEPARTMENTS
    assert decision.target.id == network.regional.pk
    assert "75, 93" in decision.reason


def test_region_wide_and_partly_outside(network):
    assert route(region_wide=True).target.id == network.regional.pk
    decision = route(execution_communes=["93066", "69123"])
    assert decision.rule == RoutingRule.SEVERAL_DEPARTMENTS
    assert "hors de la région" in decision.reason


def test_paris_arrondissement_is_covered_by_what_covers_paris(network):
    from tests.network.factories import FacilitatorStructureFactory

    paris = FacilitatorStructureFactory(
        name="Structure Paris", communes=[commune("75056")], coordination=network.dep75
    )
    decision = route(execution_communes=["75119"])
    assert decision.target.id == paris.pk


def test_routing_facts_in_a_bounded_number_of_queries(network, django_assert_max_num_queries):
    communes = list(
        Commune.objects.filter(insee__in=["93008", "93029", "93066", "93001"]).select_related(
            "department", "parent"
        )
    )
    with django_assert_max_num_queries(4):
        facts = services.routing_facts(
            kind="facilitator_contact", communes=communes, buyer_siret=valid_siret()
        )
    assert set(facts.communes) == {"93008", "93029", "93066", "93001"}
    assert facts.structures_covering_all == ()
    assert len(facts.departmental) == 8
    assert facts.regional.id == network.regional.pk


def test_routing_facts_lists_every_structure_covering_all(network):
    communes = [commune("93048")]
    facts = services.routing_facts(kind="social_advice", communes=communes)
    assert {t.id for t in facts.structures_covering_all} == {network.est_a.pk, network.est_b.pk}
    assert facts.local_covering_all == ()
