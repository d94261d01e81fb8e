"""Who sees which markets, clauses and meetings, and who may change them (DESIGN.md,
"Actors and what each may see"), built on the `Actor` of `clauses.access`:

| actor                          | sees                                                    |
|--------------------------------|---------------------------------------------------------|
| buyer agent                    | its organisation's markets                              |
| facilitator                    | the markets its structure follows                       |
| local coordination             | markets followed by its structures or executed in its   |
|                                | communes, EPCI or EPT                                   |
| departmental / regional coord. | markets followed by its structures or executed in its   |
|                                | départements                                            |
| company contact                | markets where its company holds, co-contracts or        |
|                                | subcontracts a lot (to read the clauses it must fulfil) |
| national coordination, partner | none individually (aggregated figures elsewhere)        |
| platform administrator         | all                                                     |

Changing a market, its lots, clauses and meetings: the buyer's agents, the facilitators of
the following structure, the territorial coordinators who see it; never a company, never a
read-only token; a closed market is read-only. Adjusting an hour target by hand is the
facilitator's call (and the coordinators'), with a reason. Presets and clause templates of
a territory: the coordinators of that département or region.
Nothing here runs a query except the `visible_*` querysets themselves.
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.markets.models import Market, Meeting, Operation, SocialConsideration
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination


def _territory_condition(actor: Actor, prefix: str = "") -> Q:
    """Markets in a territorial coordinator's territory (`prefix` to reach the market)."""
    condition = Q(**{f"{prefix}following_structure__in": actor.structure_ids})
    if actor.covers_whole_departments and actor.department_codes:
        condition |= Q(
            **{f"{prefix}execution_communes__department__code__in": actor.department_codes}
        )
    elif actor.coordination_ids:
        local = Coordination.objects.filter(
            pk__in=actor.coordination_ids, level=CoordinationLevel.LOCAL
        )
        condition |= Q(**{f"{prefix}execution_communes__in": local.values("communes")})
        condition |= Q(**{f"{prefix}execution_communes__epci__in": local.values("epcis")})
        condition |= Q(**{f"{prefix}execution_communes__ept__in": local.values("epts")})
    return condition


def _market_condition(actor: Actor) -> Q | None:
    """The condition on markets for this actor; None for no market at all."""
    if actor.is_buyer_agent:
        return Q(buyer=actor.organisation_id)
    if actor.is_facilitator:
        return Q(following_structure__in=actor.structure_ids)
    if actor.is_territorial_coordinator:
        return _territory_condition(actor)
    if actor.is_company_contact:
        return Q(lots__contractor_links__organisation=actor.organisation_id)
    return None


def visible_markets(actor: Actor) -> QuerySet[Market]:
    """The markets this actor may open (see the table above); no duplicates, composable."""
    markets = Market.objects.all()
    if actor.is_platform_admin:
        return markets
    condition = _market_condition(actor)
    if condition is None:
        return markets.none()
    return markets.filter(pk__in=Market.objects.filter(condition).values("pk"))


def _in_territory(actor: Actor, market: Market) -> bool:
    return visible_markets(actor).filter(pk=market.pk).exists()


def can_view_market(actor: Actor, market: Market) -> bool:
    return _in_territory(actor, market)


def can_create_market(actor: Actor, buyer: Organisation) -> bool:
    """A market for this buyer: its agents; the facilitators and territorial coordinators of
    the buyer's département (who often enter markets for buyers); admins."""
    if not actor.can_write or buyer.kind != OrganisationKind.BUYER:
        return False
    if actor.is_platform_admin:
        return True
    if actor.is_buyer_agent:
        return buyer.pk == actor.organisation_id
    if actor.is_facilitator or actor.is_territorial_coordinator:
        return buyer.department_id is not None and buyer.department.code in actor.department_codes
    return False


def can_edit_market(actor: Actor, market: Market) -> bool:
    """Change a market, its lots, contractors, status: the buyer's agents, the following
    structure's facilitators, the coordinators who see it; not once closed."""
    if not actor.can_write or market.is_closed:
        return False
    if actor.is_platform_admin:
        return True
    if actor.is_buyer_agent:
        return market.buyer_id == actor.organisation_id
    if actor.is_facilitator:
        return market.following_structure_id in actor.structure_ids
    if actor.is_territorial_coordinator:
        return _in_territory(actor, market)
    return False


def can_delete_market(actor: Actor, market: Market) -> bool:
    """Only a market still in preparation, by its buyer's agents or an admin (a market
    converted from a desk request keeps its link: close it instead)."""
    if not actor.can_write or market.status != "planned" or market.desk_request_id:
        return False
    if actor.is_platform_admin:
        return True
    return actor.is_buyer_agent and market.buyer_id == actor.organisation_id


def can_manage_clause(actor: Actor, market: Market) -> bool:
    """Add, change or remove the social considerations of a market's lots."""
    return can_edit_market(actor, market)


def can_override_hours(actor: Actor, market: Market) -> bool:
    """Adjust an hour target by hand (with a reason): facilitators of the following
    structure, territorial coordinators who see the market, admins; not the buyer."""
    if not can_edit_market(actor, market):
        return False
    return actor.is_platform_admin or actor.is_facilitator or actor.is_territorial_coordinator


def can_manage_meeting(actor: Actor, market: Market) -> bool:
    return can_edit_market(actor, market)


def visible_considerations(actor: Actor) -> QuerySet[SocialConsideration]:
    return SocialConsideration.objects.filter(lot__market__in=visible_markets(actor).values("pk"))


def visible_meetings(actor: Actor) -> QuerySet[Meeting]:
    return Meeting.objects.filter(market__in=visible_markets(actor).values("pk"))


def can_manage_territory_settings(
    actor: Actor, *, department_code: str | None = None, region_id: int | None = None
) -> bool:
    """Calculator presets and clause templates of a territory: the coordinators of that
    département (departmental or regional coordination), of that region (regional); admins."""
    if not actor.can_write or actor.via_token:
        return False
    if actor.is_platform_admin:
        return True
    if not actor.is_territorial_coordinator or not actor.covers_whole_departments:
        return False
    if department_code is not None:
        return department_code in actor.department_codes
    if region_id is not None:
        return actor.coordination_level == CoordinationLevel.REGIONAL and (
            Coordination.objects.filter(pk=actor.coordination_id, region_id=region_id).exists()
        )
    return False


def visible_operations(actor: Actor) -> QuerySet[Operation]:
    """The operations of the markets an actor sees; for facilitators and territorial
    coordinators, also those of their départements (an operation is created before its
    markets are attached to it). Administrators: all."""
    if actor.is_platform_admin:
        return Operation.objects.all()
    condition = Q(pk__in=visible_markets(actor).values("operation"))
    if (actor.is_facilitator or actor.is_territorial_coordinator) and actor.department_codes:
        condition |= Q(department__code__in=actor.department_codes)
    return Operation.objects.filter(condition)
