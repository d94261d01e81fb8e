"""Demo data of the follow-up, on the demo markets in execution (or closed) of the demo
buyers, in Seine-Saint-Denis (93) and in Paris, Hauts-de-Seine and Val-de-Marne: about forty
participants with clearly fictitious names, followed by the structure that follows their
market (varied gender, every age band, QPV residents, several eligibility criteria, some
hired through an ETTI, a GEIQ, an AI or a co-contracting SIAE), eligibility validations,
assignments within their market's execution, outcomes of the finished ones (every
category), a position with candidates, and one person followed by two contractors
(deduplicated). Deterministic (seeded random, dates relative to today) and idempotent:
demo rows (`is_demo`) are removed by `reset` (listed before the markets demo, since
assignments protect their lot) and built again by `seed`.
"""

import dataclasses
import random
from datetime import date, datetime, time, timedelta
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
from clauses.markets.demo import DEMO_BUYER_NAME, OTHER_BUYERS
from clauses.markets.enums import MarketStatus
from clauses.markets.models import LotContractor
from clauses.network.enums import PartnerKind
from clauses.network.models import FacilitatorStructure, Partner
from clauses.territories.models import Department

SEED = 2026
FIRST_NAMES = {
    "female": [
        "Maëlle", "Yasmine", "Fatou", "Léna", "Aminata", "Chloé", "Nour", "Jade", "Rose",
        "Mariam", "Zoé", "Awa", "Elsa", "Lina", "Salomé", "Anaïs", "Djeneba",
    ],
    "male": [
        "Karim", "Moussa", "Hugo", "Ilyes", "Théo", "Bakary", "Rayan", "Nathan", "Ousmane",
        "Yanis", "Lucas", "Samba", "Adam", "Malik", "Jules", "Mamadou", "Wassim",
    ],
    "unspecified": ["Charlie", "Alex", "Sasha", "Morgan"],
}  # fmt: skip
LAST_NAMES = [
    "Démo-Garnier", "Fictif-Diop", "Exemple-Roux", "Démo-Benali", "Fictif-Nguyen",
    "Exemple-Traoré", "Démo-Lopez", "Fictif-Haddad", "Exemple-Camara", "Démo-Faure",
    "Fictif-Sow", "Exemple-Mercier", "Démo-Cissé", "Fictif-Perrin", "Exemple-Kaci",
    "Démo-Colin", "Fictif-Mendy", "Exemple-Vidal",
]  # fmt: skip
# (criteria, modality, contract type, youngest, oldest): consistent profiles
PROFILES = [
    (["long_term_jobseeker"], "direct_cdd", "cdd", 27, 48),
    (["minimum_benefits"], "etti", "temporary", 30, 55),
    (["young_low_qualification"], "apprenticeship", "apprenticeship", 18, 24),
    (["qpv_resident"], "direct_cdi", "cdi", 22, 45),
    (["senior_jobseeker", "long_term_jobseeker"], "direct_cdd", "cdd", 50, 61),
    (["siae_employee"], "cocontract_siae", "cddi", 25, 55),
    (["geiq_employee"], "geiq", "professionalisation", 19, 29),
    (["young_low_qualification", "qpv_resident"], "professionalisation", "professionalisation",
     18, 25),
    (["minimum_benefits", "qpv_resident"], "ai", "secondment", 30, 58),
    (["disabled_worker"], "subcontract_ea_esat", "other", 28, 56),
    (["long_term_jobseeker"], "training", "training", 26, 45),
    (["epide_e2c"], "direct_cdd", "cdd", 18, 23),
    (["long_term_jobseeker", "qpv_resident"], "etti", "temporary", 35, 52),
]  # fmt: skip
# Situations at the end of the finished assignments: every outcome category (W12).
EXITS = [
    ("cdi", None), ("cdd", 8), ("qualifying_training", None), ("jobseeker", None),
    ("cdd", 3), ("other_siae", None), ("temporary", 2), ("inactive", None),
    ("business_creation", None), ("subsidised_contract", None),
]  # fmt: skip
TRADES = [
    "Ouvrier·e polyvalent·e du bâtiment", "Maçon·ne", "Peintre en bâtiment", "Manœuvre",
    "Agent·e de propreté", "Coffreur·se bancheur·se", "Plaquiste", "Électricien·ne",
]  # fmt: skip
INTERMEDIARY_KINDS = {
    "etti": [PartnerKind.ETTI],
    "ai": [PartnerKind.AI],
    "geiq": [PartnerKind.GEIQ],
    "cocontract_siae": [PartnerKind.EI, PartnerKind.ACI],
    "subcontract_ea_esat": [PartnerKind.EA, PartnerKind.ESAT],
}
PEOPLE_COUNT = 44
# Weight of a demo contractor's lot in the sharing out of participants, by its market's
# buyer (else 1): enough people for the reports (counts under 5 are masked) of the demo
# buyer, of the other demo buyers and of each département.
BUYER_WEIGHT = {
    DEMO_BUYER_NAME: 3,
    OTHER_BUYERS["department"][0]: 3,
    OTHER_BUYERS["state"][0]: 5,
    OTHER_BUYERS["paris"][0]: 2,
    OTHER_BUYERS["hauts"][0]: 3,
    OTHER_BUYERS["val"][0]: 3,
}


# (first name, last name, gender, age, criterion codes, modality, contract type, months
# ago, weeks or None, exit index or None): the first six are the historical demo people.
def _people() -> list[tuple]:
    people = [
        ("Alix", "Démo-Martin", "female", 54, ["long_term_jobseeker", "senior_jobseeker"],
         "direct_cdd", "cdd", 8, 30, 1),
        ("Sacha", "Fictif-Bernard", "male", 23, ["young_low_qualification"], "apprenticeship",
         "apprenticeship", 6, None, None),
        ("Noa", "Exemple-Petit", "unspecified", 38, ["minimum_benefits"], "etti", "temporary",
         10, 12, 2),
        ("Camille", "Démo-Durand", "female", 31, ["qpv_resident"], "direct_cdi", "cdi", 4,
         None, None),
        ("Eden", "Fictif-Leroy", "male", 46, ["disabled_worker"], "subcontract_ea_esat",
         "other", 5, 16, 3),
        ("Lou", "Exemple-Moreau", "female", 27, ["siae_employee"], "cocontract_siae", "cddi",
         3, None, None),
    ]  # fmt: skip
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    used = {(p[0], p[1]) for p in people}
    exits = 0
    for index in range(PEOPLE_COUNT - len(people)):
        codes, modality, contract, youngest, oldest = PROFILES[index % len(PROFILES)]
        gender = ("female", "male")[index % 2] if index % 9 != 8 else "unspecified"
        while True:
            first = rng.choice(FIRST_NAMES[gender])
            last = rng.choice(LAST_NAMES)
            if (first, last) not in used:
                used.add((first, last))
                break
        months = rng.randint(3, 14)
        weeks = None
        exit_index = None
        if index % 5 in (0, 2) and months >= 4:  # finished, at least two weeks ago
            weeks = min(rng.randint(12, 40), (months * 30 - 20) // 7)
            exit_index = exits % len(EXITS)
            exits += 1
        people.append(
            (first, last, gender, rng.randint(youngest, oldest), codes, modality, contract,
             months, weeks, exit_index)
        )  # fmt: skip
    return people


PEOPLE = _people()


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


def _links() -> list[LotContractor]:
    """The contractors of the demo lots whose market is in execution or closed (people work
    there), each lot's holder first, ordered by market reference."""
    return list(
        LotContractor.objects.filter(
            lot__market__is_demo=True,
            lot__market__following_structure__isnull=False,
            lot__market__start_date__isnull=False,
            lot__market__status__in=[MarketStatus.IN_EXECUTION, MarketStatus.CLOSED],
        )
        .select_related(
            "lot__market__following_structure__coordination__parent",
            "lot__market__buyer",
            "organisation",
        )
        .prefetch_related("lot__market__execution_communes")
        .order_by("lot__market__reference", "lot__number", "role", "pk")
    )


def _slots(links: list[LotContractor]) -> list[LotContractor]:
    """The links, each repeated by its buyer's weight, interleaved (one round per weight)."""
    weights = [BUYER_WEIGHT.get(link.lot.market.buyer.name, 1) for link in links]
    slots = []
    for round_ in range(max(weights)):
        slots.extend(link for link, weight in zip(links, weights, strict=True) if weight > round_)
    return slots


def _dates(
    link: LotContractor, months: int, weeks: int | None, today: date
) -> tuple[date, date | None]:
    """Start and end within the market's execution (a closed market's people left by its
    end; a finished assignment ended at least two weeks ago)."""
    market = link.lot.market
    start = max(today - timedelta(days=30 * months), market.start_date + timedelta(days=7))
    end = start + timedelta(weeks=weeks) if weeks else None
    if market.status == MarketStatus.CLOSED and market.end_date:
        start = min(start, market.end_date - timedelta(days=60))
        end = min(end or market.end_date, market.end_date)
    if end is not None:
        end = max(min(end, today - timedelta(days=14)), start)
    return start, end


class _Partners:
    """Partners of a département by kind (one query per pair), for prescribers and
    intermediaries."""

    def __init__(self) -> None:
        self.cache: dict = {}

    def get(self, department_id: int | None, kinds: list[str]) -> Partner | None:
        key = (department_id, tuple(kinds))
        if key not in self.cache:
            self.cache[key] = (
                Partner.objects.filter(department=department_id, kind__in=kinds)
                .order_by("name", "pk")
                .first()
            )
        return self.cache[key]


def _prescriber_kind(codes: list[str]) -> str:
    if "young_low_qualification" in codes or "epide_e2c" in codes:
        return PartnerKind.MISSION_LOCALE
    if "disabled_worker" in codes:
        return PartnerKind.CAP_EMPLOI
    return PartnerKind.FRANCE_TRAVAIL


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    services.load_national_criteria(wet_run=True)
    reset(stdout=stdout)
    links = _links()
    if not links:
        stdout.write("Suivi : aucun marché de démonstration en exécution.\n")
        return
    slots = _slots(links)
    criteria = {
        c.code: c
        for c in EligibilityCriterion.objects.filter(version=1, region=None, department=None)
    }
    today = timezone.localdate()
    validator = _any_user_id()
    partners = _Partners()
    fallback = Department.objects.filter(code="93").values_list("pk", flat=True).first()
    departments: dict[int, object] = {}
    participants, assignments, outcomes = [], [], 0
    for index, person in enumerate(PEOPLE):
        first, last, gender, age, codes, modality, contract, months, weeks, exit_ = person
        link = slots[index % len(slots)]
        market = link.lot.market
        structure = market.following_structure
        if structure.pk not in departments:
            departments[structure.pk] = structure_department(structure)
        department = departments[structure.pk]
        department_id = department.pk if department else None
        year = today.year - age
        start, end = _dates(link, months, weeks, today)
        prescriber_kind = _prescriber_kind(codes)
        communes = list(market.execution_communes.all())
        participant = Participant.objects.create(
            first_name=first,
            last_name=last,
            birth_year=year,
            gender=gender,
            identity_key=identity_key(last_name=last, first_name=first, birth_year=year),
            structure=structure,
            department=department,
            residence_commune=communes[0] if communes else None,
            prescriber=partners.get(department_id, [prescriber_kind]),
            prescriber_kind=prescriber_kind,
            qpv_resident="qpv_resident" in codes or index % 6 == 1,
            created_at=timezone.make_aware(datetime.combine(start, time(9))) - timedelta(days=25),
            is_demo=True,
        )
        intermediary = None
        if modality in INTERMEDIARY_KINDS:
            kinds = INTERMEDIARY_KINDS[modality]
            intermediary = partners.get(department_id, kinds) or partners.get(fallback, kinds)
        assignment = Assignment.objects.create(
            participant=participant,
            lot=link.lot,
            employer=link.organisation,
            intermediary=intermediary,
            modality=modality,
            contract_type=contract,
            trade=TRADES[index % len(TRADES)],
            start_date=start,
            end_date=end,
            weekly_hours=24 if modality == "training" else 35,
        )
        assignments.append(assignment)
        months_valid = validity_months_for(department.code if department else None)
        validation = EligibilityValidation.objects.create(
            participant=participant,
            proof_kind="france_travail_status",
            proof_date=start - timedelta(days=20),
            structure=structure,
            validated_by_id=validator,
            validated_at=timezone.make_aware(datetime.combine(start, time(10)))
            - timedelta(days=10),
            valid_from=start - timedelta(days=10),
            valid_until=rules.valid_until(start, months_valid),
            validity_months=months_valid,
        )
        validation.criteria.set([criteria[code] for code in codes if code in criteria])
        if exit_ is not None and end is not None and end < today:
            situation, contract_months = EXITS[exit_]
            recorded = timezone.make_aware(datetime.combine(end, time(11)))
            Outcome.objects.create(
                participant=participant,
                assignment=assignment,
                moment="end_of_assignment",
                situation=situation,
                contract_months=contract_months,
                category=rules.outcome_category(situation, contract_months),
                recorded_at=recorded,
            )
            outcomes += 1
            if end <= today - timedelta(days=183):  # six months after: still in work
                Outcome.objects.create(
                    participant=participant,
                    assignment=assignment,
                    moment="six_months",
                    situation=situation,
                    contract_months=contract_months,
                    category=rules.outcome_category(situation, contract_months),
                    recorded_at=recorded + timedelta(days=183),
                )
                outcomes += 1
        participants.append(participant)
    # the same person with a second contractor of the territory: one participant, two
    # assignments, each company seeing only its own
    followed_twice = participants[0]
    first_link = assignments[0]
    other = next(
        (
            lk
            for lk in links
            if lk.organisation_id != first_link.employer_id
            and lk.lot.market.following_structure_id == followed_twice.structure_id
            and lk.lot.market.status == MarketStatus.IN_EXECUTION
        ),
        None,
    )
    if other is not None:
        Assignment.objects.create(
            participant=followed_twice,
            lot=other.lot,
            employer=other.organisation,
            intermediary=partners.get(followed_twice.department_id, [PartnerKind.ETTI]),
            modality="etti",
            contract_type="temporary",
            trade="Manœuvre",
            start_date=max(today - timedelta(days=60), other.lot.market.start_date),
            weekly_hours=14,
        )
    position_link = next(
        (lk for lk in links if lk.lot.market.following_structure_id == followed_twice.structure_id),
        links[0],
    )
    partner = partners.get(followed_twice.department_id, [PartnerKind.MISSION_LOCALE])
    position = Position.objects.create(
        lot=position_link.lot,
        company=position_link.organisation,
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
        birth_year=today.year - 25,
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
        birth_year=today.year - 32,
        qualifications="Titre professionnel coffreur bancheur",
        is_demo=True,
    )
    codes = sorted({d.code for d in departments.values() if d is not None})
    stdout.write(
        f"Suivi : {len(participants)} participant·es (dont 1 suivi·e par deux entreprises) "
        f"dans les départements {', '.join(codes)}, {outcomes} sorties, "
        "1 poste avec 2 candidat·es.\n"
    )


def _any_user_id() -> int | None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    user = user or get_user_model().objects.order_by("pk").first()
    return user.pk if user else None


def seed_eligibility_cases(*, stdout: TextIO) -> None:
    """After the hours demo (they need counted hours): a validation withdrawn because the
    person is no longer eligible — its consequence on the person's page and the hours
    recounted, the hours worked before still counted (#12.2); and a mission that began
    before the person's eligibility — the warning on the person's page (#12.1; the hours
    demo makes one, else one is made here)."""
    from clauses.followup.enums import WithdrawalKind
    from clauses.followup.selectors import eligibility_warnings
    from clauses.followup.signals import eligibility_changed

    people = Participant.objects.filter(is_demo=True).order_by("pk")
    warned = [p for p in people if eligibility_warnings(p, p.assignments.all())]
    if not warned:
        assignment = Assignment.objects.filter(participant__is_demo=True).order_by("pk").first()
        if assignment is not None:
            EligibilityValidation.objects.filter(
                participant=assignment.participant, withdrawn_at__isnull=True
            ).update(valid_from=assignment.start_date + timedelta(days=30))
            eligibility_changed.send(sender=Participant, participant=assignment.participant)
            warned = [assignment.participant]
    validation = (
        EligibilityValidation.objects.filter(
            participant__is_demo=True,
            withdrawn_at__isnull=True,
            participant__assignments__end_date__isnull=True,
        )
        .exclude(participant__in=warned)
        .select_related("participant__structure")
        .order_by("-pk")
        .first()
    )
    if validation is not None:
        services.withdraw_validation(
            actor=dataclasses.replace(
                _system_actor(validation.participant.structure), user_id=_any_user_id()
            ),
            validation=validation,
            reason="La personne a trouvé un CDI hors clause (démonstration).",
            kind=WithdrawalKind.ENDED,
        )
        stdout.write(
            f"Suivi : validation retirée (fin d'éligibilité) pour le participant "
            f"n° {validation.participant_id} : heures d'avant le retrait toujours comptées.\n"
        )
    if warned:
        stdout.write(
            f"Suivi : mission commencée avant l'éligibilité (avertissement) pour le "
            f"participant n° {warned[0].pk}.\n"
        )
