"""Demo data of the follow-up, on the demo markets of Seine-Saint-Denis (93): participants
with clearly fictitious names, eligibility validations, assignments, outcomes, a position
with candidates, and one person followed by two contractors (deduplicated). Idempotent:
demo rows (`is_demo`) are removed by `reset` (listed before the markets demo, since
assignments protect their lot) and built again by `seed`.
"""

from datetime import timedelta
from typing import TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.followup import rules, services
from clauses.followup.enums import CandidateStatus, PositionStatus, PrecheckResult
from clauses.followup.identity import identity_key
from clauses.followup.models import (
    Assignment,
    Candidate,
    EligibilityCriterion,
    EligibilityValidation,
    Outcome,
    Participant,
    Position,
)
from clauses.followup.selectors import structure_department, validity_months_for
from clauses.markets.models import LotContractor
from clauses.network.models import FacilitatorStructure, Partner

# (first name, last name, birth year, criterion codes, modality, months ago, weeks, outcome)
PEOPLE = [
    (
        "Alix",
        "Démo-Martin",
        1972,
        ["long_term_jobseeker", "senior_jobseeker"],
        "direct_cdd",
        8,
        30,
        "cdd",
    ),
    ("Sacha", "Fictif-Bernard", 2003, ["young_low_qualification"], "apprenticeship", 6, None, None),
    ("Noa", "Exemple-Petit", 1988, ["minimum_benefits"], "etti", 10, 12, "qualifying_training"),
    ("Camille", "Démo-Durand", 1995, ["qpv_resident"], "direct_cdi", 4, None, None),
    ("Eden", "Fictif-Leroy", 1980, ["disabled_worker"], "subcontract_ea_esat", 5, 16, "jobseeker"),
    ("Lou", "Exemple-Moreau", 1999, ["siae_employee"], "cocontract_siae", 3, None, None),
]


def reset(*, stdout: TextIO) -> None:
    """Remove the demo rows of this app (and what depends on demo assignments)."""
    assignments = Assignment.objects.filter(participant__is_demo=True)
    for relation in Assignment._meta.related_objects:  # e.g. hour declarations
        if relation.related_model in (Outcome, Candidate):
            continue
        relation.related_model.objects.filter(
            **{f"{relation.field.name}__in": assignments}
        ).delete()
    Candidate.objects.filter(Q(is_demo=True) | Q(position__is_demo=True)).delete()
    Position.objects.filter(is_demo=True).delete()
    Outcome.objects.filter(participant__is_demo=True).delete()
    assignments.delete()
    EligibilityValidation.objects.filter(participant__is_demo=True).delete()
    Participant.objects.filter(is_demo=True).delete()


def _system_actor(structure: FacilitatorStructure) -> Actor:
    return Actor(
        role="facilitator",
        organisation_kind=OrganisationKind.FACILITATOR_STRUCTURE,
        structure_ids=frozenset({structure.pk}),
        label="Données de démonstration",
    )


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    services.load_national_criteria(wet_run=True)
    reset(stdout=stdout)
    links = list(
        LotContractor.objects.filter(
            lot__market__is_demo=True,
            lot__market__following_structure__isnull=False,
            lot__market__execution_communes__department__code="93",
        )
        .select_related("lot__market__following_structure", "organisation")
        .distinct()
        .order_by("lot__market__reference", "lot__number", "pk")
    )
    if not links:
        stdout.write("Suivi : aucun marché de démonstration en Seine-Saint-Denis.\n")
        return
    structure = links[0].lot.market.following_structure
    department = structure_department(structure)
    criteria = {c.code: c for c in EligibilityCriterion.objects.filter(version=1)}
    today = timezone.localdate()
    partner = Partner.objects.filter(department__code="93").order_by("pk").first()
    participants = []
    for index, (first, last, year, codes, modality, months, weeks, exit_) in enumerate(PEOPLE):
        link = links[index % len(links)]
        participant = Participant.objects.create(
            first_name=first,
            last_name=last,
            birth_year=year,
            identity_key=identity_key(last_name=last, first_name=first, birth_year=year),
            structure=structure,
            department=department,
            prescriber=partner,
            prescriber_kind="mission_locale" if partner else "",
            qpv_resident="qpv_resident" in codes,
            is_demo=True,
        )
        start = today - timedelta(days=30 * months)
        end = start + timedelta(weeks=weeks) if weeks else None
        assignment = Assignment.objects.create(
            participant=participant,
            lot=link.lot,
            employer=link.organisation,
            modality=modality,
            contract_type="cdi" if modality == "direct_cdi" else "cdd",
            trade="Ouvrier·e polyvalent·e du bâtiment",
            start_date=start,
            end_date=end,
            weekly_hours=35,
        )
        months_valid = validity_months_for(department.code if department else None)
        validation = EligibilityValidation.objects.create(
            participant=participant,
            proof_kind="france_travail_status",
            proof_date=start - timedelta(days=20),
            structure=structure,
            validated_by_id=_any_user_id(),
            valid_from=start - timedelta(days=10),
            valid_until=rules.valid_until(start, months_valid),
            validity_months=months_valid,
        )
        validation.criteria.set([criteria[code] for code in codes if code in criteria])
        if exit_ and end:
            Outcome.objects.create(
                participant=participant,
                assignment=assignment,
                moment="end_of_assignment",
                situation=exit_,
                contract_months=7 if exit_ == "cdd" else None,
                category=rules.outcome_category(exit_, 7 if exit_ == "cdd" else None),
            )
        participants.append(participant)
    # the same person with a second contractor of the territory: one participant, two
    # assignments, each company seeing only its own
    followed_twice = participants[0]
    other = next((lk for lk in links if lk.organisation_id != links[0].organisation_id), None)
    if other is not None:
        Assignment.objects.create(
            participant=followed_twice,
            lot=other.lot,
            employer=other.organisation,
            modality="etti",
            contract_type="temporary",
            trade="Manœuvre",
            start_date=today - timedelta(days=60),
            weekly_hours=35,
        )
    position = Position.objects.create(
        lot=links[0].lot,
        company=links[0].organisation,
        trade="Maçon·ne VRD",
        description="Chantier de réhabilitation, équipe de 6 personnes.",
        start_date=today + timedelta(days=21),
        weekly_hours=35,
        required_qualification="CAP maçon ou expérience équivalente",
        status=PositionStatus.PUBLISHED,
        published_at=timezone.now(),
        is_demo=True,
    )
    Candidate.objects.create(
        position=position,
        proposed_by_partner=partner,
        prescriber_kind="mission_locale",
        first_name="Jo",
        last_name="Candidat-Démo",
        birth_year=2001,
        qualifications="CAP maçon, 1 an d'expérience en gros œuvre",
        precheck_result=PrecheckResult.LIKELY_ELIGIBLE,
        status=CandidateStatus.PRECHECKED,
        is_demo=True,
    )
    Candidate.objects.create(
        position=position,
        prescriber_kind="facilitator",
        first_name="Ali",
        last_name="Fictif-Candidat",
        birth_year=1994,
        qualifications="Titre professionnel coffreur bancheur",
        is_demo=True,
    )
    stdout.write(
        f"Suivi : {len(participants)} participant·es (dont 1 suivi·e par deux entreprises), "
        "1 poste avec 2 candidat·es.\n"
    )


def _any_user_id() -> int | None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    user = user or get_user_model().objects.order_by("pk").first()
    return user.pk if user else None
