"""Write workflows of the follow-up app: keyword-only, in a transaction, each writing an
audit event (`clauses.access.audit.record`) that names fields, never personal values.

Permission failures raise `PermissionDenied`; business refusals raise `ValidationError`
with a French message. Views and the API call these, never the ORM directly. The reads they
rely on (same person, partners of a position, who is due for anonymisation, the personal
data of the right of access) are in `selectors.py`.
"""

import datetime
import json
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent, Organisation
from clauses.followup import policies, rules
from clauses.followup.enums import (
    CandidateStatus,
    ContractType,
    FulfilmentModality,
    PositionStatus,
    PrecheckResult,
    PrescriberKind,
)
from clauses.followup.identity import identity_key
from clauses.followup.models import (
    Assignment,
    Candidate,
    EligibilityValidation,
    Outcome,
    Participant,
    Position,
)
from clauses.followup.referential import (  # noqa: F401 — importable here for the tests
    ReferentialDiff,
    load_national_criteria,
)
from clauses.followup.selectors import (
    ANONYMISED_NAME,
    candidates_due_for_anonymisation,
    criteria_in_force,
    find_same_person,
    first_contract_start,
    participants_due_for_anonymisation,
    partners_for,
    personal_data,
    structure_department,
    validity_months_for,
)
from clauses.followup.signals import eligibility_changed
from clauses.followup.waiting import tell_if_eligibility_undecided
from clauses.followup.withdrawals import preview_withdrawal, withdraw_validation  # noqa: F401
from clauses.markets.models import Lot
from clauses.network.models import FacilitatorStructure, Partner
from clauses.territories.models import Commune

logger = logging.getLogger(__name__)


def _today() -> datetime.date:
    return timezone.localdate()


# -- participants -------------------------------------------------------------------------


def _create_or_reuse(
    *,
    actor: Actor | object,
    structure: FacilitatorStructure,
    first_name: str,
    last_name: str,
    birth_year: int | None,
    birth_date: datetime.date | None,
    gender: str,
    residence_commune: Commune | None,
    qpv_resident: bool | None,
    prescriber: Partner | None,
    prescriber_kind: str,
    created_by_id: int | None,
    is_demo: bool,
) -> tuple[Participant, bool]:
    if birth_date is not None:
        birth_year = birth_date.year
    if birth_year is not None and not (1900 <= birth_year <= _today().year):
        raise ValidationError("L'année de naissance n'est pas plausible.")
    department = structure_department(structure)
    names = {"last_name": last_name, "first_name": first_name}
    key = identity_key(**names, birth_date=birth_date, birth_year=birth_year)
    year_key = identity_key(**names, birth_year=birth_year) if birth_date else ""
    # Only a record the actor sees, or one of the structure the record is made for, is a
    # match (#11.7): another structure's record stays untouched and unmentioned, and the
    # actor gets a record of its own (the same key: one person for the hours ceiling).
    visible = policies.visible_participants(actor) if isinstance(actor, Actor) else None
    existing = find_same_person(
        department_id=department.pk if department else None,
        key=key,
        year_key=year_key,
        among=visible,
        structure_id=structure.pk,
    )
    if existing is not None:
        changed = []
        may_complete = visible is None or visible.filter(pk=existing.pk).exists()
        if (
            may_complete
            and birth_date
            and existing.birth_date is None
            and existing.identity_key == year_key
            and not Participant.objects.filter(
                structure_id=existing.structure_id, identity_key=key
            ).exists()
        ):
            # the same person, now with a full birth date (needed by an age criterion)
            existing.birth_date = birth_date
            existing.identity_key = key
            changed.append("birth_date")
        for name, value in (
            ("residence_commune", residence_commune),
            ("qpv_resident", qpv_resident),
            ("prescriber", prescriber),
        ):
            if may_complete and value is not None and getattr(existing, name) is None:
                setattr(existing, name, value)
                changed.append(name)
        if changed:
            existing.save()
        audit.record(
            actor,
            AuditAction.UPDATE,
            existing,
            changes={"reused_by_identity_key": True, "fields": changed},
        )
        return existing, False
    participant = Participant.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_year=birth_year,
        birth_date=birth_date,
        gender=gender,
        residence_commune=residence_commune,
        qpv_resident=qpv_resident,
        prescriber=prescriber,
        prescriber_kind=prescriber_kind,
        identity_key=key,
        structure=structure,
        department=department,
        created_by_id=created_by_id,
        is_demo=is_demo,
    )
    audit.record(actor, AuditAction.CREATE, participant)
    return participant, True


def create_participant(
    *,
    actor: Actor,
    structure: FacilitatorStructure,
    first_name: str,
    last_name: str,
    birth_year: int | None = None,
    birth_date: datetime.date | None = None,
    gender: str = "unspecified",
    residence_commune: Commune | None = None,
    qpv_resident: bool | None = None,
    prescriber: Partner | None = None,
    prescriber_kind: str = "",
    is_demo: bool = False,
) -> tuple[Participant, bool]:
    """Record a person for a structure, or reuse the same person already known in the
    territory (same identity key in the same département) that the actor sees: returns
    (participant, created). A record of another structure the actor does not see is never
    reused nor completed, and nothing tells it exists: the actor gets a new record, as for
    a person nobody knows (#11.7). Reuse reveals nothing either: the caller sees that person
    through its own policies only (a company never sees another company's assignments)."""
    if not policies.can_manage_participants(actor, structure.pk):
        raise PermissionDenied("Vous ne pouvez pas enregistrer de participant·e ici.")
    if birth_date is None and birth_year is None:
        raise ValidationError("Indiquez au moins l'année de naissance.")
    with transaction.atomic():
        return _create_or_reuse(
            actor=actor,
            structure=structure,
            first_name=first_name,
            last_name=last_name,
            birth_year=birth_year,
            birth_date=birth_date,
            gender=gender,
            residence_commune=residence_commune,
            qpv_resident=qpv_resident,
            prescriber=prescriber,
            prescriber_kind=prescriber_kind,
            created_by_id=actor.user_id,
            is_demo=is_demo,
        )


def log_participant_view(*, actor: Actor, participant: Participant, via: str = "") -> None:
    """Every view of a participant page or API detail is an audit event (action view)."""
    audit.record(
        actor,
        AuditAction.VIEW,
        participant,
        changes={"via": via} if via else None,
        territory=participant.department.code if participant.department_id else None,
    )


# -- eligibility --------------------------------------------------------------------------


def _refresh_validity(participant: Participant) -> None:
    """valid_until of every open validation = validity months after the first clause
    contract started (rules.valid_until); none while there is no contract."""
    start = first_contract_start(participant)
    for validation in participant.validations.filter(withdrawn_at__isnull=True):
        until = rules.valid_until(start, validation.validity_months) if start else None
        if validation.valid_until != until:
            validation.valid_until = until
            validation.save(update_fields=["valid_until"])


def validate_eligibility(
    *,
    actor: Actor,
    participant: Participant,
    criteria_codes: Iterable[str],
    proof_kind: str = "",
    proof_date: datetime.date | None = None,
    derogation: bool = False,
    prescriber_opinion: str = "",
    opinion_by: Partner | None = None,
    pass_iae_number: str = "",
    pass_iae_valid_until: datetime.date | None = None,
    notes: str = "",
    on: datetime.date | None = None,
    valid_from: datetime.date | None = None,
    backdating_reason: str = "",
) -> EligibilityValidation:
    """The facilitator's decision. The facts may support criteria (`rules.assess`); the
    facilitator checks what it retains, or derogates on a prescriber's motivated opinion.
    A PASS IAE in force is accepted as proof (criterion "iae_pathway"). The eligibility
    starts on `on` (the assessment date), or earlier — `valid_from`, not before the proof's
    date, with `backdating_reason` (`rules.backdating_error`): kept on the validation and
    the dates in the audit event."""
    if not policies.can_validate_eligibility(actor, participant):
        raise PermissionDenied("Seul·e un·e facilitateur·rice du territoire valide l'éligibilité.")
    on = on or _today()
    codes = list(dict.fromkeys(criteria_codes))
    error = rules.decision_error(
        criteria_codes=codes, derogation=derogation, prescriber_opinion=prescriber_opinion
    )
    if error:
        raise ValidationError(error)
    referential = criteria_in_force(participant.department, on)
    unknown = [code for code in codes if code not in referential]
    if unknown:
        raise ValidationError(
            "Critère inconnu dans le référentiel du territoire : " + ", ".join(unknown) + "."
        )
    pass_valid = rules.pass_iae_is_valid(pass_iae_valid_until, on)
    if "iae_pathway" in codes and not pass_valid:
        raise ValidationError("Le critère « parcours IAE » exige un PASS IAE en cours de validité.")
    if codes and not pass_valid and not derogation:
        if proof_date is None or not proof_kind:
            raise ValidationError("Indiquez le type et la date du justificatif vu.")
        for code in codes:
            criterion = referential[code]
            if not rules.proof_is_recent(proof_date, criterion.proof_max_age_days, on):
                raise ValidationError(
                    f"Le justificatif est trop ancien pour le critère « {criterion.label} » "
                    f"({criterion.proof_max_age_days} jours au plus)."
                )
    valid_from = valid_from or on
    error = rules.backdating_error(
        valid_from=valid_from, on=on, proof_date=proof_date, reason=backdating_reason
    )
    if error:
        raise ValidationError(error)
    structure = participant.structure
    if structure.pk not in actor.structure_ids:
        structure = FacilitatorStructure.objects.get(pk=min(actor.structure_ids))
    months = validity_months_for(participant.department.code if participant.department else None)
    with transaction.atomic():
        validation = EligibilityValidation.objects.create(
            participant=participant,
            proof_kind=proof_kind,
            proof_date=proof_date,
            derogation=derogation,
            prescriber_opinion=prescriber_opinion.strip(),
            opinion_by=opinion_by,
            pass_iae_number=pass_iae_number.strip(),
            pass_iae_valid_until=pass_iae_valid_until,
            structure=structure,
            validated_by_id=actor.user_id,
            validated_at=timezone.now(),
            valid_from=valid_from,
            backdating_reason=backdating_reason.strip() if valid_from < on else "",
            validity_months=months,
            notes=notes,
        )
        validation.criteria.set([referential[code] for code in codes])
        _refresh_validity(participant)
        audit.record(
            actor,
            AuditAction.CREATE,
            validation,
            changes={
                "criteria_count": len(codes),
                "derogation": derogation,
                **(
                    {
                        "backdated_from": valid_from.isoformat(),
                        "assessed_on": on.isoformat(),
                        "proof_date": proof_date.isoformat() if proof_date else None,
                        "backdating_reason": "on the validation",
                    }
                    if valid_from < on
                    else {}
                ),
            },
            territory=participant.department.code if participant.department_id else None,
        )
        eligibility_changed.send(sender=Participant, participant=participant)
    validation.refresh_from_db()
    return validation


# -- assignments and outcomes -------------------------------------------------------------


def create_assignment(
    *,
    actor: Actor,
    participant: Participant,
    lot: Lot,
    employer: Organisation,
    modality: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    contract_type: str = "",
    weekly_hours: Decimal | None = None,
    trade: str = "",
    intermediary: Partner | None = None,
) -> Assignment:
    """Put a participant to work on a lot's clause, for a company of that lot. The first
    assignment starts the validity of the participant's eligibility."""
    if not policies.can_create_assignment(actor, lot, employer.pk):
        raise PermissionDenied("Vous ne pouvez pas déclarer de mission sur ce lot.")
    if modality not in FulfilmentModality.values:
        raise ValidationError("Modalité de mise en œuvre inconnue.")
    if end_date is not None and end_date < start_date:
        raise ValidationError("La fin de la mission précède son début.")
    with transaction.atomic():
        assignment = Assignment.objects.create(
            participant=participant,
            lot=lot,
            employer=employer,
            modality=modality,
            contract_type=contract_type,
            start_date=start_date,
            end_date=end_date,
            weekly_hours=weekly_hours,
            trade=trade,
            intermediary=intermediary,
            created_by_id=actor.user_id,
        )
        _refresh_validity(participant)
        audit.record(actor, AuditAction.CREATE, assignment, organisation=employer)
        eligibility_changed.send(sender=Participant, participant=participant)
        tell_if_eligibility_undecided(actor=actor, participant=participant)
    return assignment


def record_outcome(
    *,
    actor: Actor,
    participant: Participant,
    moment: str,
    situation: str,
    contract_months: int | None = None,
    assignment: Assignment | None = None,
    detail: str = "",
) -> Outcome:
    """The participant's situation at the end of an assignment or six months later; the
    category follows from the facts (rules.outcome_category, W12)."""
    if not policies.can_record_outcome(actor, participant):
        raise PermissionDenied("Vous ne pouvez pas enregistrer la sortie de cette personne.")
    if assignment is not None and assignment.participant_id != participant.pk:
        raise ValidationError("Cette mission n'est pas celle de cette personne.")
    with transaction.atomic():
        outcome = Outcome.objects.create(
            participant=participant,
            assignment=assignment,
            moment=moment,
            situation=situation,
            contract_months=contract_months,
            category=rules.outcome_category(situation, contract_months),
            detail=detail,
            recorded_by_id=actor.user_id,
        )
        audit.record(actor, AuditAction.CREATE, outcome)
    return outcome


# -- positions and candidates -------------------------------------------------------------


def post_position(
    *,
    actor: Actor,
    lot: Lot,
    company: Organisation,
    trade: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    place: Commune | None = None,
    weekly_hours: Decimal | None = None,
    openings: int = 1,
    required_qualification: str = "",
    description: str = "",
    modality: str = FulfilmentModality.DIRECT_CDD,
    contract_type: str = ContractType.CDD,
    is_demo: bool = False,
) -> Position:
    """A contractor (or its facilitator) posts a position under the lot's clause."""
    if not policies.can_post_position(actor, lot, company.pk):
        raise PermissionDenied("Vous ne pouvez pas publier de poste sur ce lot.")
    if openings < 1:
        raise ValidationError("Il faut au moins un poste.")
    with transaction.atomic():
        position = Position.objects.create(
            lot=lot,
            company=company,
            trade=trade,
            start_date=start_date,
            end_date=end_date,
            place=place,
            weekly_hours=weekly_hours,
            openings=openings,
            required_qualification=required_qualification,
            description=description,
            modality=modality,
            contract_type=contract_type,
            created_by_id=actor.user_id,
            is_demo=is_demo,
        )
        audit.record(actor, AuditAction.CREATE, position, organisation=company)
    return position


def publish_position_to_partners(
    *, actor: Actor, position: Position, send: bool = True
) -> list[str]:
    """The facilitator publishes the position: it becomes visible to the partners of the
    territory, each emailed once (no personal data in the message). Returns the addresses."""
    if not policies.can_publish_position(actor, position):
        raise PermissionDenied("Seul·e le ou la facilitateur·rice du marché diffuse ce poste.")
    if position.status not in (PositionStatus.DRAFT, PositionStatus.PUBLISHED):
        raise ValidationError("Ce poste est pourvu ou fermé.")
    addresses = sorted({partner.email for partner in partners_for(position)})
    with transaction.atomic():
        position.status = PositionStatus.PUBLISHED
        position.published_at = timezone.now()
        position.save(update_fields=["status", "published_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            position,
            changes={"status": ["draft", "published"], "partners_emailed": len(addresses)},
            organisation=position.company,
        )
        if send and addresses:
            transaction.on_commit(lambda: _email_partners(position, addresses))
    return addresses


def _email_partners(position: Position, addresses: list[str]) -> None:
    lot = position.lot
    lines = [
        "Bonjour,",
        "",
        "Un poste est à pourvoir au titre d'une clause sociale d'insertion :",
        f"- métier : {position.trade}",
        f"- entreprise : {position.company.name}",
        f"- marché : {lot.market.reference}, {lot}",
        f"- début souhaité : {position.start_date:%d/%m/%Y}",
    ]
    if position.place_id:
        lines.append(f"- lieu : {position.place.name}")
    if position.required_qualification:
        lines.append(f"- qualification requise : {position.required_qualification}")
    lines += [
        "",
        "Proposez vos candidat·es sur la plateforme Clauses (espace « Postes à pourvoir »).",
        "",
        "Ce message vous est envoyé par le ou la facilitateur·rice de la clause.",
    ]
    for address in addresses:  # one message each: partners never see each other's address
        try:
            EmailMessage(
                subject=f"[Clauses] Poste à pourvoir : {position.trade}",
                body="\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            ).send()
        except Exception:  # noqa: BLE001 - a mail failure never undoes the publication
            logger.exception("Envoi du poste %s à un partenaire impossible", position.pk)


def propose_candidate(
    *,
    actor: Actor,
    position: Position,
    first_name: str,
    last_name: str,
    birth_year: int | None = None,
    birth_date: datetime.date | None = None,
    qualifications: str = "",
    proposed_by_partner: Partner | None = None,
    prescriber_kind: str = "",
    is_demo: bool = False,
) -> Candidate:
    """A partner or a facilitator proposes a person for a published position."""
    if not policies.can_propose_candidate(actor, position):
        raise PermissionDenied("Vous ne pouvez pas proposer de candidat·e pour ce poste.")
    if not first_name.strip() or not last_name.strip():
        raise ValidationError("Le nom et le prénom sont obligatoires.")
    if proposed_by_partner is None and actor.is_partner:
        organisation = Organisation.objects.get(pk=actor.organisation_id)
        proposed_by_partner = organisation.partner
    if not prescriber_kind:
        prescriber_kind = _prescriber_kind_of(proposed_by_partner, actor)
    with transaction.atomic():
        candidate = Candidate.objects.create(
            position=position,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            birth_year=birth_date.year if birth_date else birth_year,
            birth_date=birth_date,
            qualifications=qualifications,
            proposed_by_partner=proposed_by_partner,
            proposed_by_id=actor.user_id,
            prescriber_kind=prescriber_kind,
            is_demo=is_demo,
        )
        audit.record(actor, AuditAction.CREATE, candidate, organisation=position.company)
    return candidate


_PARTNER_TO_PRESCRIBER = {
    "france_travail": PrescriberKind.FRANCE_TRAVAIL,
    "mission_locale": PrescriberKind.MISSION_LOCALE,
    "cap_emploi": PrescriberKind.CAP_EMPLOI,
    "plie": PrescriberKind.PLIE,
    "ei": PrescriberKind.SIAE,
    "etti": PrescriberKind.SIAE,
    "aci": PrescriberKind.SIAE,
    "ai": PrescriberKind.SIAE,
    "geiq": PrescriberKind.GEIQ,
    "ea": PrescriberKind.EA_ESAT,
    "esat": PrescriberKind.EA_ESAT,
}


def _prescriber_kind_of(partner: Partner | None, actor: Actor) -> str:
    if partner is not None:
        return _PARTNER_TO_PRESCRIBER.get(partner.kind, PrescriberKind.OTHER)
    if actor.is_facilitator or actor.is_territorial_coordinator:
        return PrescriberKind.FACILITATOR
    return PrescriberKind.OTHER


def precheck_candidate(
    *, actor: Actor, candidate: Candidate, result: str, note: str = ""
) -> Candidate:
    """The facilitator's first look at a candidate (a pre-check, not the validation)."""
    if not policies.can_precheck_candidate(actor, candidate):
        raise PermissionDenied("Seul·e le ou la facilitateur·rice pré-vérifie un·e candidat·e.")
    if result not in PrecheckResult.values:
        raise ValidationError("Résultat de pré-vérification inconnu.")
    if candidate.status in (CandidateStatus.HIRED, CandidateStatus.DECLINED):
        raise ValidationError("Cette candidature est close.")
    with transaction.atomic():
        candidate.precheck_result = result
        candidate.precheck_note = note
        candidate.prechecked_by_id = actor.user_id
        candidate.prechecked_at = timezone.now()
        candidate.status = CandidateStatus.PRECHECKED
        candidate.save()
        audit.record(actor, AuditAction.UPDATE, candidate, changes={"precheck_result": result})
    return candidate


def decline_candidate(*, actor: Actor, candidate: Candidate) -> Candidate:
    if not policies.can_hire_candidate(actor, candidate):
        raise PermissionDenied("Vous ne pouvez pas statuer sur cette candidature.")
    if candidate.status == CandidateStatus.HIRED:
        raise ValidationError("Cette personne est déjà recrutée.")
    with transaction.atomic():
        candidate.status = CandidateStatus.DECLINED
        candidate.save(update_fields=["status"])
        audit.record(actor, AuditAction.UPDATE, candidate, changes={"status": "declined"})
    return candidate


def hire_candidate(
    *,
    actor: Actor,
    candidate: Candidate,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    weekly_hours: Decimal | None = None,
    modality: str | None = None,
    contract_type: str | None = None,
) -> Assignment:
    """Hire: creates (or reuses, by identity key) the Participant under the structure that
    follows the market, and the Assignment with the position's company, without retyping.
    The position is filled once as many people as openings are hired."""
    if not policies.can_hire_candidate(actor, candidate):
        raise PermissionDenied("Vous ne pouvez pas recruter ce·tte candidat·e.")
    if candidate.status in (CandidateStatus.HIRED, CandidateStatus.DECLINED):
        raise ValidationError("Cette candidature est close.")
    position = candidate.position
    market = position.lot.market
    if market.following_structure_id is None:
        raise ValidationError("Aucune structure facilitatrice ne suit ce marché.")
    if candidate.birth_year is None and candidate.birth_date is None:
        raise ValidationError("L'année de naissance du ou de la candidat·e est nécessaire.")
    with transaction.atomic():
        participant, _ = _create_or_reuse(
            actor=actor,
            structure=market.following_structure,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            birth_year=candidate.birth_year,
            birth_date=candidate.birth_date,
            gender="unspecified",
            residence_commune=None,
            qpv_resident=None,
            prescriber=candidate.proposed_by_partner,
            prescriber_kind=candidate.prescriber_kind,
            created_by_id=actor.user_id,
            is_demo=candidate.is_demo,
        )
        assignment = Assignment.objects.create(
            participant=participant,
            lot=position.lot,
            employer=position.company,
            modality=modality or position.modality,
            contract_type=contract_type or position.contract_type,
            trade=position.trade,
            start_date=start_date,
            end_date=end_date,
            weekly_hours=weekly_hours if weekly_hours is not None else position.weekly_hours,
            created_by_id=actor.user_id,
        )
        _refresh_validity(participant)
        candidate.status = CandidateStatus.HIRED
        candidate.participant = participant
        candidate.assignment = assignment
        candidate.save(update_fields=["status", "participant", "assignment"])
        hired = position.candidates.filter(status=CandidateStatus.HIRED).count()
        if hired >= position.openings:
            position.status = PositionStatus.FILLED
            position.save(update_fields=["status"])
        audit.record(actor, AuditAction.CREATE, assignment, organisation=position.company)
        eligibility_changed.send(sender=Participant, participant=participant)
        tell_if_eligibility_undecided(actor=actor, participant=participant)
    return assignment


# -- retention and rights -----------------------------------------------------------------


def _scrub_journal_labels(model: type[Participant] | type[Candidate], ids: list[int]) -> None:
    """Audit events about these people get the neutral label ("Participant n° 48") — the
    RGPD path of the append-only journal (`scrub`). Events written by this code already
    carry it; older ones (or a restored backup) may still hold a name."""
    AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in ids],
    ).scrub(
        object_repr=Concat(
            Value(model.JOURNAL_LABEL_PREFIX), F("object_id"), output_field=CharField()
        )
    )


def anonymise_participants(
    *,
    now: datetime.datetime | None = None,
    wet_run: bool = False,
    retention_months: int | None = None,
) -> list[int]:
    """RGPD storage limitation: `CLAUSES_FOLLOWUP_RETENTION_MONTHS` (default 24) after the
    last assignment ended, names are blanked, the birth date reduced to the year, the
    commune, prescriber and free texts (validation notes, prescriber opinions, outcome
    details) erased; candidacies are blanked too. Kept: birth year, gender, QPV flag,
    criteria codes, assignments and hours (the counting and the reviews need them).
    `identity_key` is kept only while another non-anonymised record of the territory could
    still need to be matched — it is a keyed hash, never reversible without the secret;
    here it is erased, since every assignment has ended (documented choice: the hours are
    attached to the row, not to the key). Returns the ids (would be) anonymised."""
    now = now or timezone.now()
    months = retention_months or settings.CLAUSES_FOLLOWUP_RETENTION_MONTHS
    due = participants_due_for_anonymisation(timezone.localdate(now), months)
    ids = [participant.pk for participant in due]
    if not wet_run or not ids:
        return ids
    with transaction.atomic():
        for participant in due:
            participant.first_name = ANONYMISED_NAME
            participant.last_name = ANONYMISED_NAME
            participant.birth_date = None
            participant.residence_commune = None
            participant.prescriber = None
            participant.identity_key = ""
            participant.anonymised_at = now
            participant.save()
            participant.validations.update(
                prescriber_opinion="", notes="", pass_iae_number="", backdating_reason=""
            )
            participant.outcomes.update(detail="")
            participant.candidacies.update(
                first_name=ANONYMISED_NAME,
                last_name=ANONYMISED_NAME,
                birth_date=None,
                qualifications="",
                precheck_note="",
            )
            audit.record(None, AuditAction.UPDATE, participant, changes={"anonymised": True})
        _scrub_journal_labels(Participant, ids)
        _scrub_journal_labels(
            Candidate,
            list(Candidate.objects.filter(participant_id__in=ids).values_list("pk", flat=True)),
        )
    return ids


def anonymise_candidates(
    *,
    now: datetime.datetime | None = None,
    wet_run: bool = False,
    retention_months: int | None = None,
) -> list[int]:
    """RGPD storage limitation for people proposed but never hired: the same delay as the
    participants (`CLAUSES_FOLLOWUP_RETENTION_MONTHS`) from the proposal; names, birth date,
    qualifications and pre-check note erased (the birth year, the status and the pre-check
    result are kept for the counts). Returns the ids (would be) anonymised."""
    now = now or timezone.now()
    months = retention_months or settings.CLAUSES_FOLLOWUP_RETENTION_MONTHS
    due = candidates_due_for_anonymisation(timezone.localdate(now), months)
    ids = [candidate.pk for candidate in due]
    if not wet_run or not ids:
        return ids
    with transaction.atomic():
        Candidate.objects.filter(pk__in=ids).update(
            first_name=ANONYMISED_NAME,
            last_name=ANONYMISED_NAME,
            birth_date=None,
            qualifications="",
            precheck_note="",
        )
        for candidate in due:
            audit.record(
                None,
                AuditAction.UPDATE,
                candidate,
                changes={"anonymised": True},
                organisation=candidate.position.company,
            )
        _scrub_journal_labels(Candidate, ids)
    return ids


def right_of_access_export(*, actor: Actor, participant: Participant) -> bytes:
    """Everything held on the person (RGPD art. 15), as a JSON document in French keys'
    values. Facilitators and coordinations of the territory only; an audit event (export)."""
    if not policies.can_see_personal_data_of(actor, participant):
        raise PermissionDenied("Vous ne pouvez pas exporter les données de cette personne.")
    data = personal_data(participant)
    audit.record(actor, AuditAction.EXPORT, participant)
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
