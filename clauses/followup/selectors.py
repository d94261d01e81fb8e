"""Shared reads of the follow-up app (pages, API, the hours app and reporting use them).

Counts for actors who may not see participants (buyers: "counts only") are computed here
in the database, never from participant rows sent to a page.
"""

import datetime

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet

from clauses.access.actors import Actor
from clauses.followup.models import (
    Assignment,
    EligibilityCriterion,
    EligibilityValidation,
    Participant,
)
from clauses.markets.policies import visible_markets
from clauses.network.models import FacilitatorStructure
from clauses.territories.models import Department


def structure_department(structure: FacilitatorStructure) -> Department | None:
    """The département a structure works in: its coordination's, else its parent's."""
    coordination = structure.coordination
    if coordination.department_id:
        return coordination.department
    if coordination.parent_id and coordination.parent.department_id:
        return coordination.parent.department
    return None


def validity_months_for(department_code: str | None) -> int:
    """The territory's eligibility validity (§3.2, unverified: a setting, default 24)."""
    for item in getattr(settings, "CLAUSES_FOLLOWUP_VALIDITY_MONTHS_BY_DEPARTMENT", []):
        code, _, months = item.partition(":")
        if code.strip() == department_code and months.strip().isdigit():
            return int(months)
    return settings.CLAUSES_FOLLOWUP_VALIDITY_MONTHS


def criteria_in_force(
    department: Department | None, on: datetime.date
) -> dict[str, EligibilityCriterion]:
    """The referential of a territory on a date, by code: for each code, the most specific
    row in force (département, else region, else national), latest version first."""
    region_id = department.region_id if department else None
    rows = EligibilityCriterion.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on), valid_from__lte=on
    ).filter(
        Q(region__isnull=True, department__isnull=True)
        | Q(department=department)
        | Q(region_id=region_id, department__isnull=True)
    )
    chosen: dict[str, tuple[tuple[int, int], EligibilityCriterion]] = {}
    for row in rows:
        if department is None and (row.department_id or row.region_id):
            continue
        rank = (2 if row.department_id else 1 if row.region_id else 0, row.version)
        if row.code not in chosen or rank > chosen[row.code][0]:
            chosen[row.code] = (rank, row)
    ordered = sorted(chosen.values(), key=lambda item: (item[1].group, item[1].order))
    return {row.code: row for _, row in ordered}


def first_contract_start(participant: Participant) -> datetime.date | None:
    return participant.assignments.aggregate(first=Min("start_date"))["first"]


def last_assignment_end(participant: Participant) -> datetime.date | None:
    """None if an assignment is still running or there is none."""
    data = participant.assignments.aggregate(
        last=Max("end_date"), running=Count("pk", filter=Q(end_date__isnull=True))
    )
    return None if data["running"] else data["last"]


def current_validation(participant: Participant, on: datetime.date) -> EligibilityValidation | None:
    """The validation in force on `on` (the hours app counts hours only then)."""
    for validation in participant.validations.filter(withdrawn_at__isnull=True):
        if validation.is_valid_on(on):
            return validation
    return None


def participants_page(actor: Actor, queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """The participants list with what a row shows, in a bounded number of queries."""
    return (
        queryset.select_related("structure", "residence_commune")
        .order_by("last_name", "first_name", "pk")
        .annotate(
            assignment_count=Count("assignments", distinct=True),
            last_validation_until=Max("validations__valid_until"),
        )
    )


def participant_counts(actor: Actor) -> dict[str, int]:
    """For actors who may not see participants (a buyer): how many people and assignments
    work on the markets it sees — numbers only, never a row."""
    assignments = Assignment.objects.filter(lot__market__in=visible_markets(actor).values("pk"))
    data = assignments.aggregate(
        participants=Count("participant", distinct=True), assignments=Count("pk")
    )
    return {"participants": data["participants"], "assignments": data["assignments"]}


def counts_by_lot(actor: Actor) -> dict[int, dict[str, int]]:
    """Participants and assignments per lot of the markets the actor sees."""
    rows = (
        Assignment.objects.filter(lot__market__in=visible_markets(actor).values("pk"))
        .values("lot")
        .annotate(participants=Count("participant", distinct=True), assignments=Count("pk"))
    )
    return {
        row["lot"]: {"participants": row["participants"], "assignments": row["assignments"]}
        for row in rows
    }
