"""Markets, clauses and meetings in the permission matrix (tests/access): the records of
the access `World` — its own market in Saint-Denis (93), bought by `buyer93`, followed by
the 93 structure, held by `company93`; the other one in Paris (75) — built once per world.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Model

from clauses.access.actors import Actor
from clauses.markets import policies, services
from clauses.markets.enums import ConsiderationKind
from clauses.markets.models import Market, Meeting, SocialConsideration
from clauses.territories.models import Commune


def _build(world: object, side: str) -> dict[str, Model]:
    orgs = world.organisations  # type: ignore[attr-defined]
    user_id = world.memberships["platform_admin"].user_id  # type: ignore[attr-defined]
    admin = Actor(user_id=user_id, is_superuser=True, label="Admin")
    code = "93" if side == "own" else "75"
    insee = "93066" if side == "own" else "75056"
    market = services.create_market(
        actor=admin,
        buyer=orgs[f"buyer{code}"],
        data={
            "reference": f"MATRICE-{code}",
            "subject": f"Marché de la matrice {code}",
            "kind": "works",
            "estimated_amount_ht": Decimal(500_000),
            "following_structure": world.structures[side],  # type: ignore[attr-defined]
        },
        execution_communes=[Commune.objects.get(insee=insee)],
    )
    lot = market.lots.get()
    services.add_contractor(actor=admin, lot=lot, siret=orgs[f"company{code}"].siret, role="holder")
    clause = services.set_consideration(
        actor=admin,
        lot=lot,
        kind=ConsiderationKind.EXECUTION_CONDITION,
        calculation={"preset": "batiment"},
    )
    meeting = services.schedule_meeting(
        actor=admin,
        market=market,
        kind="launch",
        when=datetime(2026, 10, 1, 10, tzinfo=ZoneInfo("Europe/Paris")),
        invite_facilitator=False,
    )
    return {"market": market, "clause": clause, "meeting": meeting}


def record(world: object, side: str, name: str) -> Model:
    cache = world.__dict__.setdefault("_procurement", {})
    if side not in cache:
        cache[side] = _build(world, side)
    return cache[side][name]


def _market_of(obj: Model) -> Market:
    if isinstance(obj, Market):
        return obj
    if isinstance(obj, SocialConsideration):
        return obj.lot.market
    assert isinstance(obj, Meeting)
    return obj.market


def can_create(actor: Actor, obj: Model) -> bool:
    market = _market_of(obj)
    if isinstance(obj, Market):
        return policies.can_create_market(actor, market.buyer)
    if isinstance(obj, SocialConsideration):
        return policies.can_manage_clause(actor, market)
    return policies.can_manage_meeting(actor, market)


def can_change(actor: Actor, obj: Model) -> bool:
    market = _market_of(obj)
    if isinstance(obj, Market):
        return policies.can_edit_market(actor, market)
    if isinstance(obj, SocialConsideration):
        return policies.can_manage_clause(actor, market)
    return policies.can_manage_meeting(actor, market)


def can_delete(actor: Actor, obj: Model) -> bool:
    if isinstance(obj, Market):
        return policies.can_delete_market(actor, obj)
    return can_change(actor, obj)
