"""Who sees and does what with hour declarations and clause progress.

| actor                          | declarations (participant named)         | progress of clauses |
|--------------------------------|-------------------------------------------|---------------------|
| company contact                | its own assignments (it is the employer); | its clauses         |
|                                | declares them, in a session or by token   |                     |
| facilitator                    | markets its structure follows; controls   | those markets       |
| local/departmental/regional    | markets of its territory; controls        | those markets       |
| coordination                   |                                           |                     |
| buyer agent                    | none (never a participant)                | its markets, counts |
| national, partner, admin       | none (no personal data)                   | admin: all counts   |

Declarations name a participant: outside the company that employs them, they are seen in a
session only (`Actor.can_see_personal_data`), never through an API token. Control (validate,
refuse, ask for a fix) needs a session too.
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.followup.models import Assignment
from clauses.hours.models import GlobalisationAgreement, HourDeclaration
from clauses.markets import policies as market_policies
from clauses.markets.models import Market, SocialConsideration

# The kinds of social consideration that carry an hour target to fulfil.
HOUR_CLAUSE_KINDS = ("execution_condition", "insertion_market")


def _controls(actor: Actor) -> bool:
    return actor.can_see_personal_data and (
        actor.is_facilitator or actor.is_territorial_coordinator
    )


def declarable_assignments(actor: Actor) -> QuerySet[Assignment]:
    """Assignments a company may declare hours for: those it employs."""
    if not actor.is_company_contact:
        return Assignment.objects.none()
    return Assignment.objects.filter(employer=actor.organisation_id)


def visible_declarations(actor: Actor) -> QuerySet[HourDeclaration]:
    declarations = HourDeclaration.objects.all()
    if actor.is_company_contact:
        return declarations.filter(assignment__employer=actor.organisation_id)
    if _controls(actor):
        markets = market_policies.visible_markets(actor).values("pk")
        return declarations.filter(assignment__lot__market__in=markets)
    return declarations.none()


def can_declare(actor: Actor, assignment: Assignment) -> bool:
    return (
        actor.can_write
        and actor.is_company_contact
        and assignment.employer_id == actor.organisation_id
    )


def can_control(actor: Actor, declaration: HourDeclaration) -> bool:
    """Validate, refuse or ask for a fix: facilitators of the structure that follows the
    market, coordinators of its territory; in a session only."""
    if not actor.can_write or not _controls(actor):
        return False
    return (
        market_policies.visible_markets(actor)
        .filter(pk=declaration.assignment.lot.market_id)
        .exists()
    )


def visible_clauses(actor: Actor) -> QuerySet[SocialConsideration]:
    """Clauses with an hour target whose progress (counts only) this actor may read."""
    if actor.is_national:
        return SocialConsideration.objects.none()
    clauses = market_policies.visible_considerations(actor).filter(kind__in=HOUR_CLAUSE_KINDS)
    if actor.is_company_contact:
        # A company reads the clauses of the lots it executes (not every lot of a market).
        clauses = clauses.filter(lot__contractor_links__organisation=actor.organisation_id)
    return clauses.filter(Q(calculated_hours__isnull=False) | Q(hours_override__isnull=False))


def can_read_people_hours(actor: Actor, clause: SocialConsideration) -> bool:
    """A clause's hours by person and month (personal data): the facilitators and the
    coordinators who follow its market, in a session; a buyer reads the counts only."""
    return _controls(actor) and visible_clauses(actor).filter(pk=clause.pk).exists()


def visible_markets(actor: Actor) -> QuerySet[Market]:
    return market_policies.visible_markets(actor)


def can_manage_agreements(actor: Actor, market: Market) -> bool:
    """Globalisation agreements: the facilitators and coordinators who follow the market."""
    return (
        actor.can_write
        and not actor.via_token
        and (actor.is_facilitator or actor.is_territorial_coordinator)
        and market_policies.visible_markets(actor).filter(pk=market.pk).exists()
    )


def agreement_markets(actor: Actor) -> QuerySet[Market]:
    """Markets whose globalisation agreements this actor manages (see below)."""
    if actor.via_token or not (actor.is_facilitator or actor.is_territorial_coordinator):
        return Market.objects.none()
    return market_policies.visible_markets(actor)


def visible_agreements(actor: Actor) -> QuerySet[GlobalisationAgreement]:
    """Agreements linking a clause of a market this actor manages agreements for; a company
    reads its own."""
    if actor.is_company_contact:
        return GlobalisationAgreement.objects.filter(company=actor.organisation_id)
    markets = agreement_markets(actor).values("pk")
    return GlobalisationAgreement.objects.filter(
        pk__in=GlobalisationAgreement.objects.filter(clauses__lot__market__in=markets).values("pk")
    )
