"""Demo hour declarations, on the follow-up's demo assignments (participants `is_demo`).

Monthly declarations over the past months (at most 8) of every demo assignment, with mixed
statuses: older months validated, the last month awaiting control, one correction asked,
one refusal. One clause is left behind schedule (its hours stop after two months) and, when
a demo assignment sits on a market whose execution has ended, that market ends short (its
clause has a penalty per missing hour). The company with the most demo lots gets a
globalisation agreement linking two running clauses. Idempotent: all of it is rebuilt.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from clauses.followup.models import Assignment
from clauses.hours import policies, rules, services
from clauses.hours.enums import DeclarationSource, DeclarationStatus
from clauses.hours.models import DeclarationEvent, GlobalisationAgreement, HourDeclaration
from clauses.markets.models import SocialConsideration

MONTHS_BACK = 8
AGREEMENT_REFERENCE = "CG-DEMO-93-001"


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


def seed(*, stdout: TextIO) -> None:
    HourDeclaration.objects.filter(is_demo=True).delete()
    assignments = list(
        Assignment.objects.filter(participant__is_demo=True)
        .select_related("lot__market", "participant")
        .order_by("lot__market__reference", "pk")
    )
    if not assignments:
        stdout.write("Heures : aucune mission de démonstration (suivi) : rien à déclarer.\n")
        return
    today = timezone.localdate()
    lots = {a.lot_id for a in assignments}
    behind_lot = (
        next((a.lot_id for a in assignments if a.lot.market.status == "in_execution"), None)
        if len(lots) > 1
        else None
    )
    created = []
    special = 0
    for index, assignment in enumerate(assignments):
        months = _months(assignment, today)
        if assignment.lot_id == behind_lot:
            months = months[:3]  # hours stopped: behind schedule
        subcontracting = assignment.modality in rules.SUBCONTRACTING_MODALITIES
        for position, month in enumerate(months):
            last = position == len(months) - 1
            status = DeclarationStatus.SUBMITTED if last else DeclarationStatus.VALIDATED
            reason = ""
            if not last and special < 2 and position == len(months) - 2:
                status = (DeclarationStatus.FIX_REQUESTED, DeclarationStatus.REJECTED)[special]
                reason = (
                    "Merci de joindre le relevé d'heures signé du mois.",
                    "Heures déjà déclarées sur une autre mission (doublon).",
                )[special]
                special += 1
            hours = Decimal(100 + (index * 17 + position * 11) % 60)
            created.append(
                HourDeclaration(
                    assignment=assignment,
                    month=month,
                    declared_hours=None if subcontracting else hours,
                    declared_amount_ht=hours * 60 if subcontracting else None,
                    is_training=assignment.modality == rules.TRAINING,
                    status=status,
                    rejection_reason=reason,
                    declared_by_repr="Démonstration",
                    controlled_at=None if status == DeclarationStatus.SUBMITTED else timezone.now(),
                    source=DeclarationSource.SPREADSHEET
                    if position % 2
                    else DeclarationSource.FORM,
                    is_demo=True,
                )
            )
    HourDeclaration.objects.bulk_create(created)
    declarations = list(HourDeclaration.objects.filter(is_demo=True))
    DeclarationEvent.objects.bulk_create(
        DeclarationEvent(declaration=d, kind="declared", to_status=d.status, actor_repr="Démo")
        for d in declarations
    )
    services.recount(declarations)
    # The clauses of ended markets carry a penalty per missing hour, so they end short.
    ended = SocialConsideration.objects.filter(
        lot__assignments__in=[a.pk for a in assignments],
        lot__market__end_date__lt=today,
        penalty_per_missing_hour__isnull=True,
    )
    ended.update(penalty_per_missing_hour=Decimal(50))
    agreement = _agreement(assignments, today)
    stdout.write(
        f"Heures : {len(created)} déclarations mensuelles sur {len(assignments)} missions"
        + (f", convention de globalisation {agreement.reference}" if agreement else "")
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
