"""Demo hour declarations, on the follow-up's demo assignments (participants `is_demo`).

Monthly declarations over the past months (at most 14) of every demo assignment, within its
dates: hours from its weekly hours and the share of the month worked (`rules.eligible_share`),
never above the monthly ceiling of one person across assignments (`rules.check_hours`),
subcontracting as an amount. Mixed statuses: older months validated, the last month awaiting
control, some corrections asked, some refusals. Counted hours are computed by the hours
rules (`services.recount`). One clause is left behind schedule (its hours stop well short of
the time elapsed) and one closed market ends short of its target (its clause has a penalty
per missing hour). The demo company gets a globalisation agreement linking two running
clauses, and three stories told through the services (issue 12): a person whose
eligibility was validated six weeks after the mission began (its first months did not
count, and the pages say why), a correction of a validated month with its reason and
history (back to control), and a refusal with its reason. Idempotent: all of it is rebuilt.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from django.db.models import Q
from django.utils import timezone

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.demo import DEMO_COMPANY_NAME
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation
from clauses.followup.models import Assignment, EligibilityValidation
from clauses.hours import policies, rules, services
from clauses.hours.enums import DeclarationSource, DeclarationStatus
from clauses.hours.models import DeclarationEvent, GlobalisationAgreement, HourDeclaration
from clauses.markets.demo import BEHIND_REFERENCE, ENDED_SHORT_REFERENCE
from clauses.markets.models import SocialConsideration

MONTHS_BACK = 14
AGREEMENT_REFERENCE = "CG-DEMO-93-001"
FIX_REASON = "Merci de joindre le relevé d'heures signé du mois."
REJECT_REASON = "Heures déjà déclarées sur une autre mission (doublon)."
ENDED_SHORT_SHARE = Decimal("0.7")  # the closed market stops at 70 % of its target
LATE_VALIDATION_DAYS = 45  # the late story: eligibility validated 45 days into the mission
CORRECTION_REASON = "Deux jours d'intempéries comptés par erreur : relevé rectifié joint."
REFUSAL_REASON = "Le relevé d'heures joint est celui d'un autre chantier : merci de le renvoyer."


def _months(assignment: Assignment, today: date) -> list[date]:
    last = rules.add_months(rules.first_of_month(today), -1)
    first = max(
        rules.first_of_month(assignment.start_date), rules.add_months(last, -MONTHS_BACK + 1)
    )
    end = rules.first_of_month(assignment.end_date) if assignment.end_date else last
    months, month = [], first
    while month <= min(last, end):
        months.append(month)
        month = rules.add_months(month, 1)
    return months


def _hours(assignment: Assignment, month: date, variation: int) -> Decimal:
    """The month's hours: weekly hours × 52 ÷ 12, times the share of the month within the
    assignment's dates, less a little (absences, bad weather) for variety."""
    weekly = assignment.weekly_hours or Decimal(35)
    worked = rules.eligible_share(
        month,
        ((date.min, date.max),),
        assignment_start=assignment.start_date,
        assignment_end=assignment.end_date,
    )
    factor = Decimal(100 - variation % 18) / 100
    return (weekly * 52 / 12 * worked * factor).quantize(Decimal(1), ROUND_HALF_UP)


def _status(index: int, position: int, count: int) -> tuple[str, str]:
    if position == count - 1:
        return DeclarationStatus.SUBMITTED, ""
    if index % 7 == 3 and position == count - 2:
        return DeclarationStatus.FIX_REQUESTED, FIX_REASON
    if index % 9 == 4 and position == count - 3:
        return DeclarationStatus.REJECTED, REJECT_REASON
    return DeclarationStatus.VALIDATED, ""


def _caps(assignments: list[Assignment], today: date) -> dict[int, Decimal]:
    """Hours the lots of the behind-schedule clause and of the market ending short may
    reach: half the hours the time elapsed calls for, less the tolerance, and 70 % of the
    target."""
    caps = {}
    clauses = SocialConsideration.objects.filter(
        lot__in={a.lot_id for a in assignments},
        kind__in=policies.HOUR_CLAUSE_KINDS,
        lot__market__reference__in=[BEHIND_REFERENCE, ENDED_SHORT_REFERENCE],
    ).select_related("lot__market__buyer__department")
    for clause in clauses:
        market, target = clause.lot.market, Decimal(clause.hours_target or 0)
        if market.reference == ENDED_SHORT_REFERENCE:
            caps[clause.lot_id] = target * ENDED_SHORT_SHARE
            continue
        elapsed = rules.elapsed_share(market.start_date, market.end_date, today) or Decimal(0)
        tolerance = services.settings_for_market(market).schedule_tolerance
        caps[clause.lot_id] = max(elapsed - tolerance, Decimal(0)) * target / 2
    return caps


def seed(*, stdout: TextIO) -> None:
    HourDeclaration.objects.filter(is_demo=True).delete()
    assignments = list(
        Assignment.objects.filter(participant__is_demo=True)
        .select_related("lot__market", "participant", "employer")
        .order_by("lot__market__reference", "start_date", "pk")
    )
    if not assignments:
        stdout.write("Heures : aucune mission de démonstration (suivi) : rien à déclarer.\n")
        return
    today = timezone.localdate()
    caps = _caps(assignments, today)
    planned = []  # (month, assignment index, position, count)
    for index, assignment in enumerate(assignments):
        months = _months(assignment, today)
        planned.extend(
            (month, index, position, len(months)) for position, month in enumerate(months)
        )
    planned.sort(key=lambda item: (item[0], item[1]))  # month by month: caps stop the end
    per_person: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    per_lot: dict[int, Decimal] = defaultdict(Decimal)
    created = []
    for month, index, position, count in planned:
        assignment = assignments[index]
        hours = _hours(assignment, month, index * 7 + position * 5)
        person = assignment.participant.identity_key or str(assignment.participant_id)
        # the monthly ceiling of one person, all assignments together
        hours = min(hours, rules.MONTHLY_CEILING_HOURS - per_person[(person, month)])
        if hours <= 0:
            continue
        rules.check_hours(hours, already_declared=per_person[(person, month)])
        cap = caps.get(assignment.lot_id)
        if cap is not None and per_lot[assignment.lot_id] + hours > cap:
            continue  # hours stopped on this clause
        per_person[(person, month)] += hours
        per_lot[assignment.lot_id] += hours
        status, reason = _status(index, position, count)
        subcontracting = assignment.modality in rules.SUBCONTRACTING_MODALITIES
        created.append(
            HourDeclaration(
                assignment=assignment,
                month=month,
                declared_hours=None if subcontracting else hours,
                # amount × labour share (0.5) ÷ hourly cost (30 €) gives the hours back
                declared_amount_ht=hours * 60 if subcontracting else None,
                is_training=assignment.modality == rules.TRAINING,
                status=status,
                rejection_reason=reason,
                declared_by_repr="Démonstration",
                controlled_at=None if status == DeclarationStatus.SUBMITTED else timezone.now(),
                source=DeclarationSource.SPREADSHEET if position % 2 else DeclarationSource.FORM,
                is_demo=True,
            )
        )
    HourDeclaration.objects.bulk_create(created)
    declarations = HourDeclaration.objects.filter(is_demo=True)
    DeclarationEvent.objects.bulk_create(
        DeclarationEvent(declaration=d, kind="declared", to_status=d.status, actor_repr="Démo")
        for d in declarations.only("pk", "status")
    )
    services.recount(declarations)
    # The clauses of ended markets carry a penalty per missing hour, so they end short.
    ended = SocialConsideration.objects.filter(
        Q(lot__market__end_date__lt=today) | Q(lot__market__status="closed"),
        lot__assignments__in=[a.pk for a in assignments],
        penalty_per_missing_hour__isnull=True,
    )
    ended.update(penalty_per_missing_hour=Decimal(50))
    agreement = _agreement(assignments, today)
    stories = _stories(assignments, today)
    stdout.write(
        f"Heures : {len(created)} déclarations mensuelles sur {len(assignments)} missions"
        + (f", convention de globalisation {agreement.reference}" if agreement else "")
        + "".join(f", {story}" for story in stories)
        + ".\n"
    )


def _agreement(assignments: list[Assignment], today: date) -> GlobalisationAgreement | None:
    """One globalisation agreement of the company with the most demo clauses, linking two
    of its running clauses (rebuilt on each run, by its reference)."""
    GlobalisationAgreement.objects.filter(reference=AGREEMENT_REFERENCE).delete()
    lots_by_company: dict[int, list[int]] = {}
    for assignment in assignments:
        lots = lots_by_company.setdefault(assignment.employer_id, [])
        if assignment.lot_id not in lots:
            lots.append(assignment.lot_id)
    demo_company = next(
        (a.employer_id for a in assignments if a.employer.name == DEMO_COMPANY_NAME), None
    )
    if demo_company is not None:  # the demo company account sees it
        company_id, lots = demo_company, lots_by_company[demo_company]
    else:
        company_id, lots = max(lots_by_company.items(), key=lambda item: len(item[1]))
    clauses = list(
        SocialConsideration.objects.filter(
            lot__in=lots,
            kind__in=policies.HOUR_CLAUSE_KINDS,
            lot__market__status="in_execution",
        ).order_by("pk")[:2]
    )
    if len(clauses) < 2:
        return None
    agreement = GlobalisationAgreement.objects.create(
        company_id=company_id,
        reference=AGREEMENT_REFERENCE,
        signed_on=today - timedelta(days=90),
        notes="Convention de démonstration : les heures réalisées au-delà de l'objectif "
        "d'un lot complètent l'autre.",
    )
    agreement.clauses.set(clauses)
    return agreement


# -- stories of issue 12: late eligibility, a correction, a refusal -------------------------


def _any_user_id() -> int | None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    user = users.filter(is_superuser=True).order_by("pk").first() or users.order_by("pk").first()
    return user.pk if user else None


def _actor(organisation: Organisation | None, role: str, **scope: object) -> Actor | None:
    """The demo account of that organisation and role when there is one (demo mode), else
    a system actor with the same scope."""
    membership = (
        Membership.objects.filter(organisation=organisation, role=role)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
        if organisation is not None
        else None
    )
    if membership is not None:
        actor = actor_for_membership(membership)
        if actor.role == role:
            return actor
    user_id = _any_user_id()
    if user_id is None:
        return None
    return Actor(
        user_id=user_id,
        role=role,
        organisation_id=organisation.pk if organisation is not None else None,
        label="Données de démonstration",
        **scope,  # type: ignore[arg-type]
    )


def _stories(assignments: list[Assignment], today: date) -> list[str]:
    company = next((a.employer for a in assignments if a.employer.name == DEMO_COMPANY_NAME), None)
    if company is None:
        return []
    mine = [a for a in assignments if a.employer_id == company.pk]
    validated = {
        a.pk: list(
            HourDeclaration.objects.filter(
                assignment=a, status=DeclarationStatus.VALIDATED, declared_hours__isnull=False
            ).order_by("month")
        )
        for a in mine
    }
    # Missions with a few validated months, those of running markets first.
    running = sorted(
        (a for a in mine if len(validated[a.pk]) >= 3),
        key=lambda a: (a.lot.market.status != "in_execution", a.start_date, a.pk),
    )
    stories = []
    company_actor = _actor(
        company, Role.COMPANY_CONTACT, organisation_kind=OrganisationKind.COMPANY
    )
    if running:
        stories.append(_late_eligibility(running[0]))
    if company_actor is not None and len(running) > 1:
        stories.append(_correction(company_actor, validated[running[1].pk][-1], today))
    waiting = (
        HourDeclaration.objects.filter(
            assignment__in=mine, status=DeclarationStatus.SUBMITTED, is_demo=True
        )
        .select_related("assignment__lot__market__following_structure", "assignment__employer")
        .exclude(events__kind="corrected")
        .order_by("-month", "pk")
        .first()
    )
    if waiting is not None:
        refused = _refusal(waiting)
        if refused:
            stories.append(refused)
    return stories


def _late_eligibility(assignment: Assignment) -> str:
    """The person's eligibility was validated 45 days after the mission began: the hours
    of the days before did not count (whole months out, the month it began pro rata)."""
    start = assignment.start_date + timedelta(days=LATE_VALIDATION_DAYS)
    EligibilityValidation.objects.filter(
        participant=assignment.participant, withdrawn_at__isnull=True
    ).update(valid_from=start)
    services.recount_participant(assignment.participant)
    return (
        f"éligibilité validée {LATE_VALIDATION_DAYS} jours après le début de la mission "
        f"n° {assignment.pk} (heures non comptées expliquées)"
    )


def _correction(actor: Actor, declaration: HourDeclaration, today: date) -> str:
    """The company corrects a validated month (fewer hours), with its reason: kept in the
    history, back to control."""
    hours = max((declaration.declared_hours or Decimal(0)) - Decimal(14), Decimal(1))
    services.declare(
        actor=actor,
        assignment=declaration.assignment,
        month=declaration.month,
        hours=hours,
        reason=CORRECTION_REASON,
        today=today,
    )
    return f"correction de la déclaration n° {declaration.pk} (motif et historique)"


def _refusal(declaration: HourDeclaration) -> str:
    """The facilitator who follows the market refuses a declaration, with its reason."""
    structure = declaration.assignment.lot.market.following_structure
    if structure is None:
        return ""
    organisation = Organisation.objects.filter(structure=structure).first()
    actor = _actor(
        organisation,
        Role.FACILITATOR,
        organisation_kind=OrganisationKind.FACILITATOR_STRUCTURE,
        structure_ids=frozenset({structure.pk}),
    )
    if actor is None or not policies.can_control(actor, declaration):
        return ""
    services.control_declaration(
        actor=actor, declaration=declaration, decision="reject", reason=REFUSAL_REASON
    )
    return f"déclaration n° {declaration.pk} refusée avec son motif"
