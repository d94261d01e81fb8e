"""Who sees which participants, validations, assignments, outcomes, positions and candidates
(DESIGN.md, "Actors and what each may see"), built on `clauses.access.actors.Actor`:

| actor                      | participants, validations               | assignments, outcomes |
|----------------------------|-----------------------------------------|-----------------------|
| facilitator                | those of its structure, and those on    | of the participants   |
|                            | markets its structure follows           | it sees               |
| local coordination         | those of its structures                 | idem                  |
| departmental / regional    | those of its structures and départements| idem                  |
| company contact            | names of the participants of ITS OWN    | its own assignments   |
|                            | assignments; never a validation         | (no outcome)          |
| buyer agent                | none: counts only (`selectors`)         | none                  |
| partner                    | none (the candidates it proposed)       | none                  |
| national coord., admin     | none (aggregated figures elsewhere)     | none                  |
| any API token              | no personal data (no 2FA)               | a company's own       |

Eligibility criteria that reveal health or social benefits (RQTH, AAH, RSA, ASS…) are shown
to the facilitators and coordinations of the territory only (`can_view_eligibility`).
Every page or API detail of a participant writes an audit event (action "view").
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.followup.enums import PositionStatus
from clauses.followup.models import (
    Assignment,
    Candidate,
    EligibilityValidation,
    Outcome,
    Participant,
    Position,
)
from clauses.markets.models import Lot, LotContractor
from clauses.markets.policies import visible_markets


def _territory_condition(actor: Actor, prefix: str = "") -> Q | None:
    """Participants (reached through `prefix`) a facilitator or territorial coordinator may
    see; None when the actor sees no personal data."""
    if not actor.can_see_personal_data:
        return None
    condition = Q(**{f"{prefix}structure__in": actor.structure_ids})
    if actor.is_facilitator:
        condition |= Q(
            **{f"{prefix}assignments__lot__market__following_structure__in": actor.structure_ids}
        )
        condition |= Q(**{f"{prefix}validations__structure__in": actor.structure_ids})
    elif actor.covers_whole_departments and actor.department_codes:
        condition |= Q(**{f"{prefix}department__code__in": actor.department_codes})
    return condition


def visible_participants(actor: Actor) -> QuerySet[Participant]:
    """The participants this actor may open (see the table above); no duplicates."""
    participants = Participant.objects.all()
    condition = _territory_condition(actor)
    if condition is None:
        if actor.is_company_contact and not actor.via_token:
            condition = Q(assignments__employer=actor.organisation_id)
        else:
            return participants.none()
    return participants.filter(pk__in=Participant.objects.filter(condition).values("pk"))


def can_see_personal_data_of(actor: Actor, participant: Participant) -> bool:
    """Facilitators and coordinations of the participant's territory (identity, validations,
    criteria — including sensitive ones — and outcomes)."""
    condition = _territory_condition(actor)
    if condition is None:
        return False
    return Participant.objects.filter(condition, pk=participant.pk).exists()


can_view_eligibility = can_see_personal_data_of


def can_manage_participants(actor: Actor, structure_id: int | None = None) -> bool:
    """Create a participant (for a structure): its facilitators and the coordinators above
    it; never a token (personal data), never read-only."""
    if not actor.can_write or not actor.can_see_personal_data:
        return False
    return structure_id is None or structure_id in actor.structure_ids


def can_validate_eligibility(actor: Actor, participant: Participant) -> bool:
    """The facilitator decides: a facilitator who sees the participant (its territory)."""
    return actor.can_write and actor.is_facilitator and can_see_personal_data_of(actor, participant)


def can_record_outcome(actor: Actor, participant: Participant) -> bool:
    return actor.can_write and can_see_personal_data_of(actor, participant)


def visible_validations(actor: Actor) -> QuerySet[EligibilityValidation]:
    """Never a company, a buyer, a partner or a token: the facilitators and coordinations of
    the territory only."""
    if not actor.can_see_personal_data:
        return EligibilityValidation.objects.none()
    return EligibilityValidation.objects.filter(
        participant__in=visible_participants(actor).values("pk")
    )


def visible_assignments(actor: Actor) -> QuerySet[Assignment]:
    """Facilitators and coordinations: the assignments of the participants they see. A
    company (in a session or through a token): its own assignments only. Others: none."""
    if actor.can_see_personal_data:
        return Assignment.objects.filter(participant__in=visible_participants(actor).values("pk"))
    if actor.is_company_contact:
        return Assignment.objects.filter(employer=actor.organisation_id)
    return Assignment.objects.none()


def visible_outcomes(actor: Actor) -> QuerySet[Outcome]:
    if not actor.can_see_personal_data:
        return Outcome.objects.none()
    return Outcome.objects.filter(participant__in=visible_participants(actor).values("pk"))


def can_create_assignment(actor: Actor, lot: Lot, employer_id: int) -> bool:
    """Declare a participant on a lot: the facilitators and coordinators who see its market,
    or the company itself when it executes the lot."""
    if not actor.can_write:
        return False
    if not LotContractor.objects.filter(lot=lot, organisation_id=employer_id).exists():
        return False
    if actor.can_see_personal_data:
        return visible_markets(actor).filter(pk=lot.market_id).exists()
    return actor.is_company_contact and actor.organisation_id == employer_id and not actor.via_token


# -- positions and candidates -------------------------------------------------------------


def visible_positions(actor: Actor) -> QuerySet[Position]:
    """A company: its own. Facilitators and coordinators: those on the markets they see.
    A partner: the published positions of its département. Others: none."""
    positions = Position.objects.all()
    if actor.is_platform_admin:
        return positions
    if actor.is_company_contact:
        return positions.filter(company=actor.organisation_id)
    if actor.is_facilitator or actor.is_territorial_coordinator:
        return positions.filter(lot__market__in=visible_markets(actor).values("pk"))
    if actor.is_partner:
        return positions.filter(
            status=PositionStatus.PUBLISHED,
            lot__market__execution_communes__department__organisations=actor.organisation_id,
        ).distinct()
    return positions.none()


def can_post_position(actor: Actor, lot: Lot, company_id: int) -> bool:
    if not actor.can_write:
        return False
    if not LotContractor.objects.filter(lot=lot, organisation_id=company_id).exists():
        return False
    if actor.is_company_contact:
        return actor.organisation_id == company_id
    if actor.is_facilitator or actor.is_territorial_coordinator:
        return visible_markets(actor).filter(pk=lot.market_id).exists()
    return False


def can_publish_position(actor: Actor, position: Position) -> bool:
    """The facilitator (or coordinator) who follows the market publishes to partners."""
    return (
        actor.can_write
        and (actor.is_facilitator or actor.is_territorial_coordinator)
        and visible_markets(actor).filter(pk=position.lot.market_id).exists()
    )


def can_propose_candidate(actor: Actor, position: Position) -> bool:
    if not actor.can_write or actor.via_token:
        return False
    if position.status != PositionStatus.PUBLISHED:
        return False
    return visible_positions(actor).filter(pk=position.pk).exists() and (
        actor.is_partner or actor.is_facilitator or actor.is_territorial_coordinator
    )


def can_precheck_candidate(actor: Actor, candidate: Candidate) -> bool:
    return can_publish_position(actor, candidate.position) and actor.can_see_personal_data


def can_hire_candidate(actor: Actor, candidate: Candidate) -> bool:
    """The company of the position, or the facilitator who follows the market."""
    if not actor.can_write or actor.via_token:
        return False
    if actor.is_company_contact:
        return candidate.position.company_id == actor.organisation_id
    return can_publish_position(actor, candidate.position)


def visible_candidates(actor: Actor) -> QuerySet[Candidate]:
    """Company: the candidates of its positions (name and qualifications shown only).
    Facilitators, coordinators: those of the positions they see. A partner: those it
    proposed (its organisation's)."""
    candidates = Candidate.objects.all()
    if actor.via_token:
        return candidates.none()
    if actor.is_partner:
        return candidates.filter(
            Q(proposed_by__memberships__organisation=actor.organisation_id)
            | Q(proposed_by_partner__organisations=actor.organisation_id)
        ).distinct()
    if actor.is_company_contact or actor.is_facilitator or actor.is_territorial_coordinator:
        return candidates.filter(position__in=visible_positions(actor).values("pk"))
    return candidates.none()


# -- choices offered by the pages ---------------------------------------------------------


def lot_contractors_for_assignment(actor: Actor) -> QuerySet[LotContractor]:
    """The (lot, company) pairs a facilitator or coordinator may put a participant on: the
    lots of the markets its structures follow. Nothing for anyone else."""
    if not actor.can_write or not actor.can_see_personal_data or not actor.structure_ids:
        return LotContractor.objects.none()
    return LotContractor.objects.filter(
        lot__market__following_structure__in=actor.structure_ids,
        organisation__kind=OrganisationKind.COMPANY,
    ).select_related("lot__market", "organisation")


def lot_contractors_for_position(actor: Actor) -> QuerySet[LotContractor]:
    """Where a position may be posted: a company, on the lots it holds (any contractor
    role); a facilitator or coordinator, on the lots of the markets its structures follow."""
    rows = LotContractor.objects.select_related("lot__market", "organisation")
    if not actor.can_write or actor.via_token:
        return rows.none()
    if actor.is_company_contact:
        return rows.filter(organisation=actor.organisation_id)
    if (actor.is_facilitator or actor.is_territorial_coordinator) and actor.structure_ids:
        return rows.filter(
            lot__market__following_structure__in=actor.structure_ids,
            organisation__kind=OrganisationKind.COMPANY,
        )
    return rows.none()


def position_actions(actor: Actor, positions: list[Position]) -> dict[int, dict[str, bool]]:
    """What the actor may do on each position of a page, in one query (the same answers as
    `can_publish_position`, `can_propose_candidate`, `can_hire_candidate` and
    `can_precheck_candidate`, for positions already fetched through `visible_positions`)."""
    market_ids = {position.lot.market_id for position in positions}
    follows: set[int] = set()
    if actor.can_write and (actor.is_facilitator or actor.is_territorial_coordinator):
        follows = set(visible_markets(actor).filter(pk__in=market_ids).values_list("pk", flat=True))
    actions = {}
    for position in positions:
        facilitates = position.lot.market_id in follows
        published = position.status == PositionStatus.PUBLISHED
        actions[position.pk] = {
            "publish": facilitates and position.status == PositionStatus.DRAFT,
            "propose": published
            and actor.can_write
            and not actor.via_token
            and (actor.is_partner or facilitates),
            "precheck": facilitates and actor.can_see_personal_data,
            "hire": actor.can_write
            and not actor.via_token
            and (
                (actor.is_company_contact and position.company_id == actor.organisation_id)
                or facilitates
            ),
        }
    return actions
