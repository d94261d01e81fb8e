"""Who sees which procurement programmes and who may do what with them.

- buyer agent: its organisation's programmes; uploads them, turns a line into a market;
- facilitator: the programmes of the buyers it follows (a market its structure follows, an
  agreement at the desk) or of its territory (the buyer's département); uploads, reviews,
  turns a line into a market;
- territorial coordinator: the programmes of its départements' buyers and of the buyers
  its structures follow; reviews, turns a line into a market;
- company contact, partner, national coordination: nothing;
- platform administrator: everything.

Read-only tokens and anonymous visitors write nothing; nothing here runs a query except the
`visible_*` querysets themselves.
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.desk.models import BuyerAgreement
from clauses.markets import policies as market_policies
from clauses.markets.models import Market
from clauses.programme.models import Programme, ProgrammeLine


def _followed_buyers(actor: Actor) -> Q:
    """Buyers whose market a structure of the actor follows, or bound to one of its
    structures by an agreement at the desk."""
    if not actor.structure_ids:
        return Q(pk__in=[])
    followed = Market.objects.filter(following_structure__in=actor.structure_ids).values("buyer")
    agreed = BuyerAgreement.objects.filter(
        structure__in=actor.structure_ids, buyer_organisation__isnull=False
    ).values("buyer_organisation")
    return Q(pk__in=followed) | Q(pk__in=agreed)


def visible_buyers(actor: Actor) -> QuerySet[Organisation]:
    """The buyers whose programmes this actor sees (and, for uploads, chooses among)."""
    buyers = Organisation.objects.filter(kind=OrganisationKind.BUYER)
    if actor.is_platform_admin:
        return buyers
    if actor.is_buyer_agent:
        return buyers.filter(pk=actor.organisation_id)
    if actor.is_facilitator or actor.is_territorial_coordinator:
        condition = _followed_buyers(actor)
        if actor.department_codes and (actor.is_facilitator or actor.covers_whole_departments):
            condition |= Q(department__code__in=actor.department_codes)
        return buyers.filter(condition)
    return buyers.none()


def visible_programmes(actor: Actor) -> QuerySet[Programme]:
    if actor.is_platform_admin:
        return Programme.objects.all()
    if not (actor.is_buyer_agent or actor.is_facilitator or actor.is_territorial_coordinator):
        return Programme.objects.none()
    return Programme.objects.filter(buyer__in=visible_buyers(actor).values("pk"))


def visible_lines(actor: Actor) -> QuerySet[ProgrammeLine]:
    return ProgrammeLine.objects.filter(programme__in=visible_programmes(actor).values("pk"))


def can_view_programme(actor: Actor, programme: Programme) -> bool:
    return visible_programmes(actor).filter(pk=programme.pk).exists()


def can_upload(actor: Actor, buyer: Organisation) -> bool:
    """A buyer's agents for their organisation; the facilitators of buyers they follow or
    of their territory; admins. Never through a read-only token."""
    if not actor.can_write or buyer.kind != OrganisationKind.BUYER:
        return False
    if actor.is_platform_admin:
        return True
    if actor.is_buyer_agent:
        return buyer.pk == actor.organisation_id
    if actor.is_facilitator:
        return visible_buyers(actor).filter(pk=buyer.pk).exists()
    return False


def can_review(actor: Actor, programme: Programme) -> bool:
    """Keep or change a recommendation, comment, mark "à discuter": the network
    (facilitators, territorial coordinators) who sees the programme; admins."""
    if not actor.can_write:
        return False
    if actor.is_platform_admin:
        return True
    if not (actor.is_facilitator or actor.is_territorial_coordinator):
        return False
    return can_view_programme(actor, programme)


def can_delete_programme(actor: Actor, programme: Programme) -> bool:
    """Whoever may upload for the buyer, while no line became a market."""
    return (
        can_upload(actor, programme.buyer)
        and not programme.lines.filter(market__isnull=False).exists()
    )


def can_convert_lines(actor: Actor, programme: Programme) -> bool:
    """Turn this programme's lines into planned markets (each line once, `can_convert`)."""
    return can_view_programme(actor, programme) and market_policies.can_create_market(
        actor, programme.buyer
    )


def can_convert(actor: Actor, line: ProgrammeLine) -> bool:
    """Turn a line into a planned market: whoever sees the programme and may create a market
    for the buyer (markets' rule), once."""
    if line.market_id is not None:
        return False
    buyer = line.programme.buyer
    return can_view_programme(actor, line.programme) and market_policies.can_create_market(
        actor, buyer
    )
