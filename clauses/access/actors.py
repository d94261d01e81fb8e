"""Who is asking: one frozen value built once per request (or per API call).

An `Actor` is made from a logged-in user and their current membership, or from an API token
(which acts as a member of its organisation with the token's role), or is anonymous. Its
territorial scope is derived here, once, from the network (DESIGN.md, "Actors and what each
may see"):

- platform administrator: everything (policies check `is_platform_admin` first);
- coordinator of a **regional** coordination: every coordination below it and every structure
  attached to them, every département of its region;
- coordinator of a **departmental** coordination: itself, its local coordinations, the
  structures attached to any of them, its département;
- coordinator of a **local** coordination: itself and the structures attached to it (its
  département is recorded, but it does not cover the whole département);
- coordinator of the **national** coordination: no structure, no personal data — aggregated
  figures only (`is_national`);
- facilitator: its structure;
- buyer agent, company contact, partner: their organisation only.

Later apps build their own `visible_<things>(actor)` from `actor.structure_ids`,
`actor.coordination_ids`, `actor.department_codes`, `actor.organisation_id`,
`actor.is_national`, `actor.can_see_personal_data` — never from the request.
"""

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.http import HttpRequest

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation
from clauses.core.http import client_ip
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.network.selectors import departments_under

if TYPE_CHECKING:
    from clauses.access.models import ApiToken

_EMPTY: frozenset = frozenset()


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    token_id: int | None = None
    membership_id: int | None = None
    role: str | None = None
    organisation_id: int | None = None
    organisation_kind: str | None = None
    is_organisation_admin: bool = False
    is_superuser: bool = False
    read_only: bool = False
    coordination_id: int | None = None
    coordination_level: str | None = None
    coordination_ids: frozenset[int] = field(default=_EMPTY)
    structure_ids: frozenset[int] = field(default=_EMPTY)
    department_codes: frozenset[str] = field(default=_EMPTY)
    covers_whole_departments: bool = False
    label: str = "Anonyme"
    ip: str | None = None  # the client's address, for the journals (`core.http.client_ip`)

    # -- who ---------------------------------------------------------------------------
    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.token_id is None

    @property
    def is_authenticated(self) -> bool:
        return not self.is_anonymous

    @property
    def via_token(self) -> bool:
        return self.token_id is not None

    @property
    def is_platform_admin(self) -> bool:
        """A member with the administrator role, or a Django superuser (never a token)."""
        return not self.via_token and (self.role == Role.ADMIN or self.is_superuser)

    # -- roles: the one way to ask them (never compare `role` and `organisation_kind`) --
    @property
    def is_buyer_agent(self) -> bool:
        """An agent of a buyer organisation."""
        return (
            self.role == Role.BUYER_AGENT
            and self.organisation_kind == OrganisationKind.BUYER
            and self.organisation_id is not None
        )

    @property
    def is_company_contact(self) -> bool:
        """A contact of a company (a contractor): declares participants and hours."""
        return (
            self.role == Role.COMPANY_CONTACT
            and self.organisation_kind == OrganisationKind.COMPANY
            and self.organisation_id is not None
        )

    @property
    def is_partner(self) -> bool:
        """A member of an employment or insertion partner (France Travail, mission locale…)."""
        return (
            self.role == Role.PARTNER
            and self.organisation_kind == OrganisationKind.PARTNER
            and self.organisation_id is not None
        )

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR and self.coordination_id is not None

    @property
    def is_territorial_coordinator(self) -> bool:
        """A coordinator with a territory (local, departmental or regional)."""
        return self.is_coordinator and self.coordination_level != CoordinationLevel.NATIONAL

    @property
    def is_national(self) -> bool:
        return self.is_coordinator and self.coordination_level == CoordinationLevel.NATIONAL

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR and bool(self.structure_ids)

    @property
    def can_see_personal_data(self) -> bool:
        """Facilitators and territorial coordinators, in a session only: participants'
        personal data (which may reveal health or social benefits) never goes out through an
        API token, which skips two-factor authentication. Policies still check the
        territory: see `policies.can_view_personal_data`."""
        if self.via_token:
            return False
        return self.is_facilitator or self.is_territorial_coordinator

    @property
    def can_write(self) -> bool:
        return self.is_authenticated and not self.read_only


ANONYMOUS = Actor()


def _coordination_scope(coordination: Coordination) -> dict:
    """The coordinations, structures and départements under a coordination, in 3 queries.
    The network app holds the definitions (`below`, `under`, `departments_under`)."""
    if coordination.level == CoordinationLevel.NATIONAL:
        return {}
    coordination_ids = frozenset(
        Coordination.objects.below(coordination).values_list("pk", flat=True)
    )
    structure_ids = frozenset(
        FacilitatorStructure.objects.under(coordination).values_list("pk", flat=True)
    )
    codes = frozenset(departments_under(coordination).values_list("code", flat=True))
    whole = coordination.level in (CoordinationLevel.REGIONAL, CoordinationLevel.DEPARTMENTAL)
    return {
        "coordination_ids": coordination_ids,
        "structure_ids": structure_ids,
        "department_codes": codes,
        "covers_whole_departments": whole,
    }


def _structure_scope(structure: FacilitatorStructure) -> dict:
    coordination = structure.coordination
    code = coordination.department.code if coordination.department_id else None
    if code is None and coordination.parent_id and coordination.parent.department_id:
        code = coordination.parent.department.code
    return {
        "structure_ids": frozenset({structure.pk}),
        "department_codes": frozenset({code}) if code else _EMPTY,
    }


def _scope(role: str, organisation: Organisation) -> dict:
    """The territorial scope of a role in an organisation (same for a member and a token)."""
    scope: dict = {
        "role": role,
        "organisation_id": organisation.pk,
        "organisation_kind": organisation.kind,
    }
    if role == Role.COORDINATOR and organisation.kind == OrganisationKind.COORDINATION:
        coordination = organisation.coordination
        if coordination is not None:
            scope["coordination_id"] = coordination.pk
            scope["coordination_level"] = coordination.level
            scope.update(_coordination_scope(coordination))
    elif role == Role.FACILITATOR and organisation.kind == OrganisationKind.FACILITATOR_STRUCTURE:
        if organisation.structure is not None:
            scope.update(_structure_scope(organisation.structure))
    return scope


def _membership_is_in_force(membership: Membership) -> bool:
    return (
        membership.is_active
        and membership.is_confirmed
        and membership.user.is_active
        and membership.organisation.is_confirmed
        and membership.role in membership.organisation.allowed_roles
    )


def actor_for_membership(membership: Membership | None, *, user: object = None) -> Actor:
    """The actor of a user acting through one membership. A membership not in force
    (ended, unconfirmed, of an unconfirmed organisation) gives an actor with no role."""
    if membership is None:
        if user is None or not getattr(user, "is_authenticated", False):
            return ANONYMOUS
        return Actor(
            user_id=user.pk,  # type: ignore[attr-defined]
            is_superuser=bool(getattr(user, "is_superuser", False)),
            label=str(user),
        )
    user = membership.user
    base = {
        "user_id": user.pk,
        "is_superuser": bool(user.is_superuser) and user.is_active,
        "label": str(user),
    }
    if not _membership_is_in_force(membership):
        return Actor(**base)
    return Actor(
        **base,
        membership_id=membership.pk,
        is_organisation_admin=membership.is_organisation_admin,
        **_scope(membership.role, membership.organisation),
    )


def _current_membership(request: HttpRequest) -> Membership | None:
    """`request.membership` as set by the accounts middleware; without it (a request built
    by hand, a page outside the middleware), the user's oldest membership in force."""
    if hasattr(request, "membership"):
        membership = request.membership
        if membership is not None and membership.user_id != request.user.pk:
            return None  # never trust a membership of someone else
        return membership
    return (
        Membership.objects.active()
        .confirmed()
        .filter(user=request.user)
        .select_related("user", "organisation")
        .order_by("created_at", "pk")
        .first()
    )


def actor_for_request(request: HttpRequest) -> Actor:
    """The actor of a page request, computed once and kept on the request."""
    cached = getattr(request, "_clauses_actor", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        actor = ANONYMOUS
    else:
        actor = actor_for_membership(_current_membership(request), user=user)
        actor = replace(actor, ip=client_ip(request))
    request._clauses_actor = actor  # type: ignore[attr-defined]
    return actor


def actor_for_token(token: "ApiToken", *, ip: str | None = None) -> Actor:
    """The actor of an API call: a member of the token's organisation with the token's
    role, never an organisation administrator, read-only if the token is."""
    from clauses.access.enums import TokenScope

    organisation = token.organisation
    if not token.is_usable or not organisation.is_confirmed:
        return ANONYMOUS
    if token.role not in organisation.allowed_roles or token.role == Role.ADMIN:
        return ANONYMOUS
    return Actor(
        token_id=token.pk,
        read_only=token.scope != TokenScope.READ_WRITE,
        label=f"Jeton d'API « {token.name} » (clauses_{token.prefix}…)",
        ip=ip,
        **_scope(token.role, organisation),
    )
