"""Convert a desk request into a market in one step, keeping the link both ways."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clauses.desk import services as desk_services
from clauses.desk.enums import EventKind
from clauses.markets import services
from clauses.markets.enums import MarketEventKind
from tests.accounts.factories import valid_siret


def file_request(world, **overrides):  # noqa: ANN001, ANN201
    data = {
        "kind": "facilitator_contact",
        "buyer_name": "Ville de Saint-Denis",
        "buyer_siret": valid_siret(),
        "contact_name": "Camille Martin",
        "contact_email": "camille.martin@ville-test.fr",
        "execution_communes": ["93066"],
        "execution_departments": [],
        "region_wide": False,
        "market_subject": "Réhabilitation du groupe scolaire Pasteur",
        "market_cpv": "45210000",
        "market_estimated_amount": "1200000",
        "market_planned_publication_date": "2026-09-15",
        "market_duration_months": 18,
        "message": "Nous souhaitons insérer une clause d'insertion dans ce marché de travaux.",
        **overrides,
    }
    return desk_services.file_request(data=data).request


def test_the_desk_side_converts_a_request_into_a_market(world):
    request = file_request(world)
    assert request.target_structure == world.s93  # routed to the structure covering 93066
    facilitator = world.actor("facilitator")
    market = services.create_market_from_request(desk_request=request, actor=facilitator)
    request.refresh_from_db()
    assert market.desk_request == request
    assert request.converted_market_id == market.pk
    assert request.events.filter(kind=EventKind.CONVERTED).exists()
    assert market.reference == request.reference
    assert market.subject == "Réhabilitation du groupe scolaire Pasteur"
    assert market.kind == "works" and market.cpv.code8 == "45210000"
    assert str(market.estimated_amount_ht) == "1200000.00"
    assert str(market.planned_publication_date) == "2026-09-15"
    assert market.duration_months == 18
    assert market.following_structure == world.s93
    assert list(market.execution_communes.values_list("insee", flat=True)) == ["93066"]
    assert market.buyer.kind == "buyer" and market.buyer.siret == request.buyer_siret
    assert not market.buyer.is_confirmed  # a buyer with no account yet
    assert market.lots.count() == 1
    assert market.events.get().kind == MarketEventKind.CONVERTED
    with pytest.raises(ValidationError):
        services.create_market_from_request(desk_request=request, actor=facilitator)


def test_an_existing_buyer_organisation_is_reused(world):
    request = file_request(world, buyer_siret=world.buyer.siret)
    market = services.create_market_from_request(desk_request=request, actor=world.admin)
    assert market.buyer == world.buyer


def test_only_the_desk_side_of_the_request_converts_it(world):
    request = file_request(world)
    for who in ("facilitator75", "coordinator75", "company", "buyer"):
        with pytest.raises(PermissionDenied):
            services.create_market_from_request(desk_request=request, actor=world.actor(who))
    request.refresh_from_db()
    assert request.converted_market_id is None
