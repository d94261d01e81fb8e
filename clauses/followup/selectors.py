"""Shared reads of the follow-up app (pages, API, the hours app and reporting use them).

Counts for actors who may not see participants (buyers: "counts only") are computed here
in the database, never from participant rows sent to a page.
"""

import datetime

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.core.numbers import french
from clauses.followup import rules
from clauses.followup.enums import CandidateStatus
from clauses.followup.models import (
    Assignment,
    Candidate,
    EligibilityCriterion,
    EligibilityValidation,
    Participant,
    Position,
)
from clauses.markets.policies import visible_markets
from clauses.network.models import FacilitatorStructure, Partner
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


# -- positions, retention and rights ------------------------------------------------------

ANONYMISED_NAME = "Anonymisé"


def find_same_person(
    *,
    department_id: int | None,
    key: str,
    year_key: str,
    among: QuerySet[Participant] | None = None,
    structure_id: int | None = None,
) -> Participant | None:
    """The record of the same person (identity key, else the year-only key) in the
    département, looked for only `among` the records the actor may see and those of
    `structure_id` (the structure the record is made for): a record outside both is
    never matched, so never written through nor revealed (#11.7). The exact key first, then
    the structure's own record, then the oldest."""
    keys = [k for k in (key, year_key) if k]
    if not keys:
        return None
    scope = Q(pk__in=among.values("pk")) if among is not None else Q()
    if among is not None and structure_id is not None:
        scope |= Q(structure_id=structure_id)
    rows = Participant.objects.filter(scope, department_id=department_id, identity_key__in=keys)
    return min(
        rows,
        key=lambda row: (row.identity_key != key, row.structure_id != structure_id, row.pk),
        default=None,
    )


def partners_for(position: Position) -> list[Partner]:
    """The employment and insertion partners of the position's territory (network
    directory): the départements of the market's execution communes, else of the place."""
    market = position.lot.market
    codes = set(market.execution_communes.values_list("department__code", flat=True))
    if position.place_id:
        codes.add(position.place.department.code)
    return list(Partner.objects.filter(department__code__in=codes).exclude(email=""))


def participants_due_for_anonymisation(
    today: datetime.date, retention_months: int
) -> list[Participant]:
    """Not yet anonymised, no assignment running, and the last assignment ended (or, with no
    assignment, the record was created) `retention_months` ago or more."""
    rows = (
        Participant.objects.filter(anonymised_at__isnull=True)
        .annotate(
            last_end=Max("assignments__end_date"),
            running=Count("assignments", filter=Q(assignments__end_date__isnull=True)),
            assignment_count=Count("assignments"),
        )
        .filter(running=0)
    )
    due = []
    for participant in rows:
        last = participant.last_end
        if participant.assignment_count == 0:
            last = timezone.localdate(participant.created_at)
        if rules.anonymisation_due(last, retention_months, today):
            due.append(participant)
    return due


def candidates_due_for_anonymisation(
    today: datetime.date, retention_months: int
) -> list[Candidate]:
    """Candidates never hired (no participant): proposed `retention_months` ago or more,
    not yet anonymised. A hired candidate follows its participant instead."""
    rows = (
        Candidate.objects.filter(participant__isnull=True)
        .select_related("position__company")
        .exclude(status=CandidateStatus.HIRED)
        .exclude(first_name=ANONYMISED_NAME, last_name=ANONYMISED_NAME)
    )
    return [
        candidate
        for candidate in rows
        if rules.anonymisation_due(
            timezone.localdate(candidate.created_at), retention_months, today
        )
    ]


def personal_data(participant: Participant) -> dict:
    """Everything held on the person (RGPD art. 15), French keys, for the right-of-access
    export (`services.right_of_access_export` checks the permission and writes the audit
    event)."""
    p = participant
    data = {
        "document": "Données personnelles détenues par la plateforme Clauses",
        "généré_le": timezone.now(),
        "identité": {
            "prénom": p.first_name,
            "nom": p.last_name,
            "année_de_naissance": p.birth_year,
            "date_de_naissance": p.birth_date,
            "genre": p.get_gender_display(),
            "commune_de_résidence": str(p.residence_commune) if p.residence_commune else None,
            "réside_en_qpv": p.qpv_resident,
            "prescripteur": str(p.prescriber) if p.prescriber else None,
            "type_de_prescripteur": p.get_prescriber_kind_display() if p.prescriber_kind else None,
            "structure_facilitatrice": str(p.structure),
            "enregistré·e_le": p.created_at,
            "anonymisé·e_le": p.anonymised_at,
        },
        "validations_d_éligibilité": [
            {
                "validée_le": v.validated_at,
                "par_la_structure": str(v.structure),
                "critères": [c.label for c in v.criteria.all()],
                "type_de_justificatif": v.get_proof_kind_display() if v.proof_kind else None,
                "date_du_justificatif": v.proof_date,
                "dérogation": v.derogation,
                "avis_motivé": v.prescriber_opinion,
                "pass_iae": v.pass_iae_number,
                "pass_iae_valable_jusqu_au": v.pass_iae_valid_until,
                "valable_du": v.valid_from,
                "valable_jusqu_au": v.valid_until,
                "observations": v.notes,
                "retirée_le": v.withdrawn_at,
                "motif_du_retrait": v.withdrawal_reason,
                "nature_du_retrait": v.get_withdrawal_kind_display() or None,
                "motif_du_début_antérieur": v.backdating_reason,
            }
            for v in p.validations.select_related("structure").prefetch_related("criteria")
        ],
        "missions": [
            {
                "marché": a.lot.market.reference,
                "lot": str(a.lot),
                "entreprise": a.employer.name,
                "modalité": a.get_modality_display(),
                "type_de_contrat": a.get_contract_type_display() if a.contract_type else None,
                "métier": a.trade,
                "début": a.start_date,
                "fin": a.end_date,
                "heures_hebdomadaires": a.weekly_hours,
            }
            for a in p.assignments.select_related("lot__market", "employer")
        ],
        "sorties": [
            {
                "moment": o.get_moment_display(),
                "situation": o.get_situation_display(),
                "catégorie": o.get_category_display(),
                "durée_du_contrat_mois": o.contract_months,
                "précisions": o.detail,
                "enregistrée_le": o.recorded_at,
            }
            for o in p.outcomes.all()
        ],
        "candidatures": [
            {
                "poste": c.position.trade,
                "qualifications": c.qualifications,
                "statut": c.get_status_display(),
                "proposée_le": c.created_at,
            }
            for c in p.candidacies.select_related("position")
        ],
    }
    return data


# -- hours that will not count: warnings (#12.1) -------------------------------------------


def validation_spans(
    validations: list[EligibilityValidation],
) -> list[tuple[datetime.date, datetime.date | None]]:
    """The days each validation covers (`covers_hours`): from its start to its end, open
    while no clause contract fixed the end."""
    return [
        (v.valid_from or timezone.localdate(v.validated_at), v.valid_until)
        for v in validations
        if v.covers_hours
    ]


def _day(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def mission_warning(
    assignment: Assignment,
    spans: list[tuple[datetime.date, datetime.date | None]],
    *,
    label: str = "",
) -> str:
    """One French sentence when the first days of a mission fall outside the person's
    eligibility (their hours will not count), with the days and an order of magnitude of
    the hours; "" otherwise."""
    gap = rules.uncovered_start(assignment.start_date, assignment.end_date, spans)
    if gap is None:
        return ""
    what = f"La mission {label}".rstrip() + f" commence le {_day(assignment.start_date)}"
    if gap[1] is None or not any(
        start == gap[1] + datetime.timedelta(days=1) for start, _ in spans
    ):
        return (
            f"{what} et aucune éligibilité validée ne la couvre : ses heures ne compteront "
            "pas tant qu'une validation n'est pas enregistrée."
        )
    hours = rules.estimated_hours((gap[0], gap[1]), assignment.weekly_hours)
    amount = (
        f" (environ {french(hours)} h à {french(assignment.weekly_hours)} h par semaine)"
        if hours is not None
        else ""
    )
    return (
        f"{what}, avant l'éligibilité de la personne (validée à partir du "
        f"{_day(gap[1] + datetime.timedelta(days=1))}) : les heures faites du "
        f"{_day(gap[0])} au {_day(gap[1])} ne compteront pas{amount}."
    )


def eligibility_warnings(participant: Participant, assignments: QuerySet[Assignment]) -> list[str]:
    """For the participant's page: each of these missions (those the actor sees) whose
    first days no eligibility covers. Two queries."""
    return eligibility_warnings_for(
        participant, assignments, validation_spans(list(participant.validations.all()))
    )


def eligibility_warnings_for(
    participant: Participant,
    assignments: QuerySet[Assignment],
    spans: list[tuple[datetime.date, datetime.date | None]],
) -> list[str]:
    """The same, against given eligibility spans (a validation about to be recorded)."""
    warnings = []
    assignments = assignments.filter(participant=participant)
    for assignment in assignments.select_related("employer", "lot__market").order_by("start_date"):
        label = f"chez {assignment.employer} ({assignment.lot.market.reference})"
        text = mission_warning(assignment, spans, label=label)
        if text:
            warnings.append(text)
    return warnings
