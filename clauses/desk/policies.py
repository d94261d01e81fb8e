"""Who sees which desk requests, and who may act on them (DESIGN.md, "Actors and what each
may see"), built on the `Actor` of `clauses.access`:

| actor                          | sees                                                      |
|--------------------------------|-----------------------------------------------------------|
| facilitator                    | requests whose current target is its structure, and those |
|                                | it took charge of                                         |
| local coordination             | requests targeted at itself or at its structures          |
| departmental coordination      | its département's: itself, its local coordinations, the   |
|                                | structures attached to any of them                        |
| regional coordination          | the whole region (every coordination and structure below  |
|                                | it), plus the requests its desk sent to the national      |
|                                | coordination or to the guichet vert (it runs both desks)  |
| national coordination          | none individually: aggregated figures only                |
| buyer agent                    | its organisation's requests (read, and reply as the buyer)|
| platform administrator         | all                                                       |
| anyone else                    | none (a buyer without an account uses the private link)   |

Handling a request (take charge, reply, note, close) is for the desk side that sees it;
reassigning is for territorial coordinators whose territory holds the current target.
Nothing here runs a query: `can_*` reads the ids already in the actor.
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.desk.enums import TargetLevel
from clauses.desk.models import Request
from clauses.network.enums import CoordinationLevel

# Targets outside the region's network that the regional desk still follows.
_OUT_OF_NETWORK_LEVELS = (TargetLevel.NATIONAL, TargetLevel.GREEN_DESK)


def _desk_scope(actor: Actor) -> Q | None:
    """The condition on requests of the desk side (facilitators and territorial
    coordinators); None for an actor who is not on the desk side."""
    if actor.is_facilitator:
        condition = Q(target_structure__in=actor.structure_ids)
        if actor.user_id is not None:
            condition |= Q(taken_by=actor.user_id)
        return condition
    if actor.is_territorial_coordinator:
        condition = Q(target_coordination__in=actor.coordination_ids) | Q(
            target_structure__in=actor.structure_ids
        )
        if actor.coordination_level == CoordinationLevel.REGIONAL:
            condition |= Q(target_level__in=_OUT_OF_NETWORK_LEVELS)
        if actor.user_id is not None:
            condition |= Q(taken_by=actor.user_id)
        return condition
    return None


def visible_requests(actor: Actor) -> QuerySet[Request]:
    """The requests this actor may open (see the table above)."""
    requests = Request.objects.all()
    if actor.is_platform_admin:
        return requests
    condition = _desk_scope(actor)
    if condition is not None:
        return requests.filter(condition)
    if actor.is_buyer_agent:
        return requests.filter(buyer_organisation=actor.organisation_id)
    return requests.none()


def can_see_aggregates(actor: Actor) -> bool:
    """The desk's dashboard figures: the desk side, the national coordination, admins."""
    return (
        actor.is_platform_admin
        or actor.is_national
        or actor.is_territorial_coordinator
        or actor.is_facilitator
    )


def _target_in_scope(actor: Actor, desk_request: Request) -> bool:
    if desk_request.target_structure_id and desk_request.target_structure_id in actor.structure_ids:
        return True
    if (
        desk_request.target_coordination_id
        and desk_request.target_coordination_id in actor.coordination_ids
    ):
        return True
    return (
        actor.is_territorial_coordinator
        and actor.coordination_level == CoordinationLevel.REGIONAL
        and desk_request.target_level in _OUT_OF_NETWORK_LEVELS
    )


def can_handle(actor: Actor, desk_request: Request) -> bool:
    """The desk side of this request: the facilitators of the target structure, the
    coordinators whose territory holds the target, the person who took it; admins."""
    if not actor.can_write:
        return False
    if actor.is_platform_admin:
        return True
    if not (actor.is_facilitator or actor.is_territorial_coordinator):
        return False
    if desk_request.taken_by_id is not None and desk_request.taken_by_id == actor.user_id:
        return True
    return _target_in_scope(actor, desk_request)


def can_take_charge(actor: Actor, desk_request: Request) -> bool:
    """An open request not yet taken by this person, that the actor handles (a person, not
    a token: taking charge names who answers)."""
    if actor.user_id is None or not desk_request.is_open:
        return False
    if desk_request.taken_by_id == actor.user_id:
        return False
    return can_handle(actor, desk_request)


def can_reply(actor: Actor, desk_request: Request) -> bool:
    """Answer the buyer (the email leaves with the desk's name): open requests handled by
    the actor."""
    return desk_request.is_open and can_handle(actor, desk_request)


def can_add_note(actor: Actor, desk_request: Request) -> bool:
    """Internal notes are allowed on closed requests too (what happened afterwards)."""
    return can_handle(actor, desk_request)


def can_close(actor: Actor, desk_request: Request) -> bool:
    return desk_request.is_open and can_handle(actor, desk_request)


def can_reassign(actor: Actor, desk_request: Request) -> bool:
    """Coordinators of the territory that holds the current target (and admins); never a
    facilitator alone, never through a read-only token."""
    if not actor.can_write or not desk_request.is_open:
        return False
    if actor.is_platform_admin:
        return True
    return actor.is_territorial_coordinator and _target_in_scope(actor, desk_request)


def can_buyer_reply(actor: Actor, desk_request: Request) -> bool:
    """A buyer agent of the request's organisation answers the desk as the buyer."""
    return (
        actor.can_write
        and desk_request.is_open
        and actor.is_buyer_agent
        and desk_request.buyer_organisation_id == actor.organisation_id
    )


def can_view_internal_notes(actor: Actor, desk_request: Request) -> bool:
    """Internal notes are for the desk side only, never for the buyer."""
    if actor.is_platform_admin:
        return True
    if not (actor.is_facilitator or actor.is_territorial_coordinator):
        return False
    return (
        desk_request.taken_by_id is not None and desk_request.taken_by_id == actor.user_id
    ) or _target_in_scope(actor, desk_request)
