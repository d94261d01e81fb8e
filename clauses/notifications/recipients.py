"""Who is told: the people behind an organisation of the network, a desk target, a market.

A structure or coordination is reached through its members (the people holding an active
membership of its organisation). One with no member passes to the level above: a
structure to its coordination, a coordination to its parent — so that a request routed to
a coordination without an email address or anybody behind it still reaches someone.
"""

from collections.abc import Iterable

from clauses.accounts.enums import Role
from clauses.accounts.models import Membership, Organisation, User
from clauses.desk.enums import TargetLevel
from clauses.desk.models import Request
from clauses.markets.models import Market
from clauses.network.models import Coordination, FacilitatorStructure

MAX_LEVELS = 5  # structure → local → departmental → regional → national


def _users(memberships: Iterable[Membership] | object) -> list[User]:
    ids = list(
        Membership.objects.active()
        .filter(pk__in=memberships)  # type: ignore[arg-type]
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def coordination_members(coordination: Coordination | None) -> list[User]:
    """The coordinators of this coordination, else of the level above (and so on)."""
    for _ in range(MAX_LEVELS):
        if coordination is None:
            return []
        users = _users(
            Membership.objects.filter(
                organisation__coordination=coordination,
                role__in=[Role.COORDINATOR, Role.ADMIN],
            ).values("pk")
        )
        if users:
            return users
        coordination = coordination.parent
    return []


def structure_members(structure: FacilitatorStructure | None) -> list[User]:
    """The facilitators of this structure, else the coordinators above it."""
    if structure is None:
        return []
    users = _users(
        Membership.objects.filter(organisation__structure=structure, role=Role.FACILITATOR).values(
            "pk"
        )
    )
    return users or coordination_members(structure.coordination)


def request_target_members(desk_request: Request) -> list[User]:
    if desk_request.target_level == TargetLevel.STRUCTURE:
        return structure_members(desk_request.target_structure)
    return coordination_members(desk_request.target_coordination)


def request_target_address(desk_request: Request) -> str:
    """The address the desk itself emails for this target (empty when it has none)."""
    if desk_request.target_level == TargetLevel.STRUCTURE:
        return getattr(desk_request.target_structure, "email", "") or ""
    coordination = desk_request.target_coordination
    if coordination is None:
        return ""
    if desk_request.target_level == TargetLevel.GREEN_DESK:
        return coordination.green_desk_email or coordination.desk_email or ""
    return coordination.desk_email or coordination.email or ""


def request_handlers(desk_request: Request) -> list[User]:
    """The person in charge if any (and still active), else the target's members."""
    if desk_request.taken_by_id and desk_request.taken_by.is_active:
        return [desk_request.taken_by]
    return request_target_members(desk_request)


def market_controllers(market: Market) -> list[User]:
    """Who controls a market's declarations: its facilitator (their account), else the
    facilitators of the structure that follows it (else the coordinators above)."""
    if market.facilitator_id:
        users = _users(Membership.objects.filter(facilitator=market.facilitator_id).values("pk"))
        if users:
            return users
    return structure_members(market.following_structure)


def company_contacts(organisation: Organisation | int) -> list[User]:
    return _users(
        Membership.objects.filter(organisation=organisation, role=Role.COMPANY_CONTACT).values("pk")
    )
