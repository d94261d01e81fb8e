"""Who sees what, and who may do what: the ONE place that says it for organisations,
memberships, network structures, API tokens and the audit trail.

Every page, API call, export and admin page fetches these records through `visible_*`
(`get_object_or_404(visible_x(actor), pk=pk)`: a record you may not see answers 404, so an ID
swap never leaks one) and checks `can_*` before a change. The source of every rule is the
actors table of DESIGN.md ("Actors and what each may see"), summed up here:

| actor                           | organisations / memberships             | structures        |
|---------------------------------|-----------------------------------------|-------------------|
| anyone (anonymous)              | none (the public directory is elsewhere)| none              |
| buyer agent, company, partner   | its organisation                        | none              |
| facilitator                     | its organisation (its structure's)      | its structure     |
| local/departmental coordination | its own, the coordinations and          | its territory's   |
|                                 | structures of its territory, and (whole |                   |
|                                 | département) its buyers and partners    |                   |
| regional coordination           | the same for the whole region           | the region's      |
| national coordination           | its organisation only (aggregates)      | none              |
| platform administrator          | everything                              | everything        |

Later apps write their own `visible_markets(actor)`, `visible_participants(actor)`… in their
own policies.py from the actor's scope (`clauses.access.actors.Actor`), and call
`can_view_personal_data(actor, structure_or_territory)` before showing a participant.
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.access.models import ApiToken
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import AuditEvent, Membership, Organisation
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure, Partner
from clauses.territories.models import Department

# Kinds of organisation a coordination sees (and confirms) by département: the buyers who
# ask the desk and the employment partners it works with. Companies come with their markets.
_KINDS_SEEN_BY_DEPARTMENT = (OrganisationKind.BUYER, OrganisationKind.PARTNER)


def _territory_organisations(actor: Actor) -> Q:
    """Organisations in a territorial coordinator's territory (not its own)."""
    condition = Q(coordination__in=actor.coordination_ids) | Q(structure__in=actor.structure_ids)
    if actor.covers_whole_departments and actor.department_codes:
        condition |= Q(
            kind__in=_KINDS_SEEN_BY_DEPARTMENT, department__code__in=actor.department_codes
        )
    return condition


# -- organisations ------------------------------------------------------------------------


def visible_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Platform administrators: all. Territorial coordinators (local, departmental,
    regional): their own, the coordinations and facilitator structures of their territory,
    and — when they cover whole départements — the buyers and partners of those départements.
    Every other member (national coordination included) and every token: its own
    organisation. Anonymous: none (the public directory does not go through here)."""
    organisations = Organisation.objects.all()
    if actor.is_platform_admin:
        return organisations
    if actor.organisation_id is None:
        return organisations.none()
    own = Q(pk=actor.organisation_id)
    if actor.is_territorial_coordinator:
        return organisations.filter(own | _territory_organisations(actor))
    return organisations.filter(own)


def can_update_organisation(actor: Actor, organisation: Organisation) -> bool:
    """Its name, SIRET, département: platform administrators, and the organisation's own
    administrators in a session (never through a token)."""
    if actor.via_token or not actor.can_write:
        return False
    if actor.is_platform_admin:
        return True
    return actor.is_organisation_admin and organisation.pk == actor.organisation_id


def can_confirm_organisation(actor: Actor, organisation: Organisation) -> bool:
    """A buyer organisation created at sign-up waits for a coordination: platform
    administrators, and the territorial coordinators who see it (never their own
    organisation, never through a token)."""
    if actor.via_token or not actor.can_write:
        return False
    if actor.is_platform_admin:
        return True
    if not actor.is_territorial_coordinator or organisation.pk == actor.organisation_id:
        return False
    if organisation.structure_id and organisation.structure_id in actor.structure_ids:
        return True
    if organisation.coordination_id and organisation.coordination_id in actor.coordination_ids:
        return True
    return (
        actor.covers_whole_departments
        and organisation.kind in _KINDS_SEEN_BY_DEPARTMENT
        and organisation.department_id is not None
        and organisation.department.code in actor.department_codes
    )


# -- memberships --------------------------------------------------------------------------


def visible_memberships(actor: Actor) -> QuerySet[Membership]:
    """Platform administrators: all. Territorial coordinators: those of the organisations
    they see (to confirm people and help structures). Organisation administrators: every
    membership of their organisation, ended ones included. Other members and tokens: the
    memberships in force of their organisation (who their colleagues are). Anonymous: none."""
    memberships = Membership.objects.all()
    if actor.is_platform_admin:
        return memberships
    if actor.organisation_id is None:
        return memberships.none()
    if actor.is_territorial_coordinator:
        return memberships.filter(organisation__in=visible_organisations(actor).values("pk"))
    memberships = memberships.filter(organisation_id=actor.organisation_id)
    if actor.is_organisation_admin:
        return memberships
    return memberships.active()


def can_manage_members(actor: Actor, organisation: Organisation) -> bool:
    """Invite, change a role, end a membership, confirm a person: platform administrators;
    the organisation's administrators; territorial coordinators for the structures and
    local coordinations of their territory. Never through a token."""
    if actor.via_token or not actor.can_write:
        return False
    if actor.is_platform_admin:
        return True
    if organisation.pk == actor.organisation_id:
        return actor.is_organisation_admin
    if not actor.is_territorial_coordinator:
        return False
    if organisation.structure_id and organisation.structure_id in actor.structure_ids:
        return True
    return bool(
        organisation.coordination_id and organisation.coordination_id in actor.coordination_ids
    )


# -- the network (management, not the public directory) ---------------------------------


def visible_structures(actor: Actor) -> QuerySet[FacilitatorStructure]:
    """For management pages (the public directory stays public and does not come here):
    platform administrators all; territorial coordinators those of their territory; a
    facilitator its own structure; everyone else none."""
    structures = FacilitatorStructure.objects.all()
    if actor.is_platform_admin:
        return structures
    if actor.is_territorial_coordinator or actor.is_facilitator:
        return structures.filter(pk__in=actor.structure_ids)
    return structures.none()


def _in_network_scope(actor: Actor, obj: object) -> bool:
    if isinstance(obj, Coordination):
        return obj.pk in actor.coordination_ids
    if isinstance(obj, FacilitatorStructure):
        if obj.pk is None:  # a structure being created, under one of our coordinations
            return obj.coordination_id in actor.coordination_ids
        return obj.pk in actor.structure_ids
    if isinstance(obj, Facilitator):
        return obj.structure_id in actor.structure_ids
    if isinstance(obj, Partner):
        return obj.department_id is not None and obj.department.code in actor.department_codes
    return False


def can_edit_network(actor: Actor, obj: object) -> bool:
    """Create (pass the parent: the coordination of a new structure, or the new object),
    change or remove a coordination, a structure, a facilitator or a partner: platform
    administrators everywhere; the regional coordination everywhere in its region; a
    departmental coordination in its territory (itself, its local coordinations, their
    structures and facilitators, the partners of its département). Local and national
    coordinations, facilitators and everyone else: never. A read-only token: never."""
    if not actor.can_write:
        return False
    if actor.is_platform_admin:
        return True
    if not actor.is_coordinator or actor.coordination_level not in (
        CoordinationLevel.REGIONAL,
        CoordinationLevel.DEPARTMENTAL,
    ):
        return False
    return _in_network_scope(actor, obj)


# -- personal data (the hook for participants) --------------------------------------------


def can_view_personal_data(actor: Actor, target: object) -> bool:
    """Participants' personal data (eligibility may reveal health or social benefits) is
    seen by the facilitators and coordinations of that territory only (DESIGN.md). `target`
    is where the data belongs: a facilitator structure, an organisation of a structure, a
    coordination, a département or a département code. Never the national coordination,
    never a buyer, a company, a partner, a platform administrator or a token."""
    if not actor.can_see_personal_data:
        return False
    if isinstance(target, FacilitatorStructure):
        return target.pk in actor.structure_ids
    if isinstance(target, Organisation):
        return target.structure_id is not None and target.structure_id in actor.structure_ids
    if isinstance(target, Coordination):
        return actor.is_territorial_coordinator and target.pk in actor.coordination_ids
    code = target.code if isinstance(target, Department) else target
    if isinstance(code, str):
        return (
            actor.is_territorial_coordinator
            and actor.covers_whole_departments
            and code in actor.department_codes
        )
    return False


# -- API tokens ---------------------------------------------------------------------------


def visible_api_tokens(actor: Actor) -> QuerySet[ApiToken]:
    """Platform administrators: all (to revoke a leaked one). The administrators of an
    organisation: its tokens. Everyone else, and every token: none."""
    tokens = ApiToken.objects.select_related("organisation", "created_by", "revoked_by")
    if actor.via_token:
        return tokens.none()
    if actor.is_platform_admin:
        return tokens
    if actor.is_organisation_admin and actor.organisation_id is not None:
        return tokens.filter(organisation_id=actor.organisation_id)
    return tokens.none()


def can_create_token(actor: Actor, organisation: Organisation) -> bool:
    """The administrators of a confirmed organisation, for that organisation, in a session."""
    return (
        not actor.via_token
        and actor.is_organisation_admin
        and organisation.pk == actor.organisation_id
        and organisation.is_confirmed
    )


def can_revoke_token(actor: Actor, token: ApiToken) -> bool:
    """The administrators of the token's organisation, and platform administrators."""
    if actor.via_token:
        return False
    if actor.is_platform_admin:
        return True
    return actor.is_organisation_admin and token.organisation_id == actor.organisation_id


# -- the audit trail ----------------------------------------------------------------------


def can_view_audit_journal(actor: Actor) -> bool:
    return not actor.via_token and (actor.is_platform_admin or actor.is_territorial_coordinator)


def visible_audit_events(actor: Actor) -> QuerySet[AuditEvent]:
    """Platform administrators: all. Territorial coordinators: the events about, or made on
    behalf of, the organisations they see, and — when they cover whole départements — every
    event of those départements. Everyone else (national coordination included): none."""
    events = AuditEvent.objects.all()
    if actor.via_token:
        return events.none()
    if actor.is_platform_admin:
        return events
    if not actor.is_territorial_coordinator:
        return events.none()
    organisations = visible_organisations(actor).values("pk")
    condition = Q(organisation__in=organisations) | Q(actor_organisation__in=organisations)
    if actor.covers_whole_departments and actor.department_codes:
        condition |= Q(territory__in=actor.department_codes)
    return events.filter(condition)
