"""Services: dedupe without leak, validation by the facilitator, validity, outcomes, the
hire flow, anonymisation (task and command), the right-of-access export."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent
from clauses.followup import policies, services, tasks
from clauses.followup.enums import CandidateStatus, OutcomeCategory, PositionStatus
from clauses.followup.identity import identity_key, normalise_name
from clauses.followup.models import Assignment, Candidate, Participant
from tests.followup.conftest import D

pytestmark = pytest.mark.django_db


def test_identity_key_is_normalised_and_keyed():
    assert normalise_name(" Éloïse-Marie d'Arc ") == "ELOISEMARIEDARC"
    one = identity_key(last_name="Dupré", first_name="Zoé", birth_year=1990)
    assert one == identity_key(last_name="DUPRE", first_name="zoe", birth_year=1990)
    assert one != identity_key(last_name="Dupré", first_name="Zoé", birth_year=1991)
    assert "DUPRE" not in one and len(one) == 64
    with override_settings(CLAUSES_FOLLOWUP_IDENTITY_SECRET="autre-secret"):
        assert identity_key(last_name="Dupré", first_name="Zoé", birth_year=1990) != one
    assert identity_key(last_name="", first_name="Zoé", birth_year=1990) == ""


def test_create_participant_is_for_facilitators_of_the_structure(fw):
    with pytest.raises(PermissionDenied):
        services.create_participant(
            actor=fw.actor("company_a"),
            structure=fw.base.s93,
            first_name="A",
            last_name="B",
            birth_year=1990,
        )
    with pytest.raises(PermissionDenied):
        services.create_participant(
            actor=fw.actor("facilitator75"),
            structure=fw.base.s93,
            first_name="A",
            last_name="B",
            birth_year=1990,
        )
    participant = fw.participant()
    assert participant.department.code == "93"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(participant.pk)
    ).exists()


def test_dedupe_across_contractors_without_leak(fw):
    first = fw.participant("Zoé", "Dupré", birth_date=D(1990, 4, 2))
    fw.assign(first, "company_a")
    again, created = services.create_participant(
        actor=fw.actor("facilitator"),
        structure=fw.base.s93,
        first_name="ZOE",
        last_name="dupre",
        birth_date=D(1990, 4, 2),
    )
    assert not created and again.pk == first.pk
    fw.assign(again, "company_b")
    assert Participant.objects.count() == 1
    # each company sees the person, and only its own assignment
    for company, other in (("company_a", "company_b"), ("company_b", "company_a")):
        actor = fw.actor(company)
        assert list(policies.visible_participants(actor)) == [first]
        employers = set(
            policies.visible_assignments(actor).values_list("employer__name", flat=True)
        )
        assert employers == {getattr(fw, company).name}
        assert not policies.visible_validations(actor).exists()
        assert not policies.can_view_eligibility(actor, first)
        assert getattr(fw, other).name not in employers
    # the company of another territory sees nobody
    assert not policies.visible_participants(fw.actor("company_c")).exists()


def test_a_year_only_record_gets_its_birth_date_when_known(fw):
    first = fw.participant("Noa", "Martin", birth_date=None, birth_year=1999)
    again = fw.participant("Noa", "Martin", birth_date=D(1999, 7, 1))
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.birth_date == D(1999, 7, 1)


def test_same_person_in_another_departement_is_another_record(fw):
    fw.participant("Zoé", "Dupré")
    other, created = services.create_participant(
        actor=fw.actor("facilitator75"),
        structure=fw.base.s75,
        first_name="Zoé",
        last_name="Dupré",
        birth_date=D(1990, 4, 2),
    )
    assert created and other.department.code == "75"


# -- validation ----------------------------------------------------------------------------


def _validate(fw, participant, **kwargs):
    kwargs.setdefault("criteria_codes", ["qpv_resident"])
    kwargs.setdefault("proof_kind", "residence_proof")
    kwargs.setdefault("proof_date", D(2026, 1, 10))
    kwargs.setdefault("on", D(2026, 2, 1))
    return services.validate_eligibility(
        actor=fw.actor("facilitator"), participant=participant, **kwargs
    )


def test_only_the_facilitator_of_the_territory_validates(fw):
    participant = fw.participant()
    for who in ("coordinator93", "company_a", "buyer", "facilitator75"):
        with pytest.raises(PermissionDenied):
            services.validate_eligibility(
                actor=fw.actor(who),
                participant=participant,
                criteria_codes=["qpv_resident"],
                proof_kind="residence_proof",
                proof_date=D(2026, 1, 10),
                on=D(2026, 2, 1),
            )
    validation = _validate(fw, participant)
    assert validation.validated_by_id == fw.actor("facilitator").user_id
    assert validation.structure == fw.base.s93
    assert [c.code for c in validation.criteria.all()] == ["qpv_resident"]
    assert validation.valid_until is None  # no clause contract yet


def test_validity_starts_with_the_first_clause_contract(fw):
    participant = fw.participant()
    validation = _validate(fw, participant)
    fw.assign(participant, start_date=D(2026, 3, 1))
    validation.refresh_from_db()
    assert validation.validity_months == 24
    assert validation.valid_until == D(2028, 2, 29)
    assert validation.is_valid_on(D(2028, 2, 29)) and not validation.is_valid_on(D(2028, 3, 1))


@override_settings(CLAUSES_FOLLOWUP_VALIDITY_MONTHS_BY_DEPARTMENT=["93:12"])
def test_validity_is_a_territory_setting(fw):
    participant = fw.participant()
    fw.assign(participant, start_date=D(2026, 3, 1))
    validation = _validate(fw, participant)
    assert validation.valid_until == D(2027, 2, 28)


def test_a_proof_too_old_is_refused(fw):
    with pytest.raises(ValidationError, match="trop ancien"):
        _validate(fw, fw.participant(), proof_date=D(2025, 10, 1))


def test_no_criterion_needs_a_derogation_with_an_opinion(fw):
    participant = fw.participant()
    with pytest.raises(ValidationError, match="au moins un critère"):
        _validate(fw, participant, criteria_codes=[])
    with pytest.raises(ValidationError, match="avis motivé"):
        _validate(fw, participant, criteria_codes=[], derogation=True)
    validation = _validate(
        fw,
        participant,
        criteria_codes=[],
        derogation=True,
        prescriber_opinion="Isolement social et mobilité réduite, suivi par la mission locale.",
        proof_kind="prescriber_opinion",
    )
    assert validation.derogation and validation.criteria.count() == 0


def test_pass_iae_is_accepted_as_proof(fw):
    participant = fw.participant()
    with pytest.raises(ValidationError, match="PASS IAE"):
        _validate(
            fw, participant, criteria_codes=["iae_pathway"], pass_iae_valid_until=D(2026, 1, 1)
        )
    validation = _validate(
        fw,
        participant,
        criteria_codes=["iae_pathway"],
        proof_kind="pass_iae",
        proof_date=None,
        pass_iae_number="999992012345",
        pass_iae_valid_until=D(2027, 1, 1),
    )
    assert validation.pass_iae_number == "999992012345"


def test_unknown_criterion_is_refused(fw):
    with pytest.raises(ValidationError, match="inconnu"):
        _validate(fw, fw.participant(), criteria_codes=["astrologie"])


# -- outcomes --------------------------------------------------------------------------------


def test_record_outcome_computes_the_category(fw):
    participant = fw.participant()
    assignment = fw.assign(participant, end_date=D(2026, 9, 1))
    outcome = services.record_outcome(
        actor=fw.actor("facilitator"),
        participant=participant,
        assignment=assignment,
        moment="end_of_assignment",
        situation="cdd",
        contract_months=7,
    )
    assert outcome.category == OutcomeCategory.LASTING_JOB
    with pytest.raises(PermissionDenied):
        services.record_outcome(
            actor=fw.actor("company_a"),
            participant=participant,
            moment="six_months",
            situation="jobseeker",
        )


# -- positions, candidates, hiring -----------------------------------------------------------


def test_hire_flow(fw):
    position = services.post_position(
        actor=fw.actor("company_a"),
        lot=fw.lot,
        company=fw.company_a,
        trade="Maçon·ne VRD",
        start_date=D(2026, 4, 1),
        weekly_hours=35,
        required_qualification="CAP maçon",
    )
    with pytest.raises(PermissionDenied):
        services.post_position(
            actor=fw.actor("company_c"),
            lot=fw.lot,
            company=fw.company_c,
            trade="X",
            start_date=D(2026, 4, 1),
        )
    with pytest.raises(PermissionDenied):
        services.propose_candidate(
            actor=fw.actor("partner93"), position=position, first_name="A", last_name="B"
        )
    with pytest.raises(PermissionDenied):
        services.publish_position_to_partners(actor=fw.actor("company_a"), position=position)
    mail.outbox.clear()
    addresses = services.publish_position_to_partners(
        actor=fw.actor("facilitator"), position=position, send=False
    )
    assert "ml93@exemple.fr" in addresses
    position.refresh_from_db()
    assert position.status == PositionStatus.PUBLISHED
    services._email_partners(position, addresses)
    assert len(mail.outbox) == len(addresses)
    assert "Maçon·ne VRD" in mail.outbox[0].subject

    candidate = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Sacha",
        last_name="Fictif",
        birth_year=1998,
        qualifications="CAP maçon, 2 ans de chantier",
    )
    assert candidate.proposed_by_partner == fw.partner93.partner
    assert candidate.prescriber_kind == "mission_locale"
    services.precheck_candidate(
        actor=fw.actor("facilitator"), candidate=candidate, result="likely_eligible"
    )
    with pytest.raises(PermissionDenied):
        services.precheck_candidate(
            actor=fw.actor("company_a"), candidate=candidate, result="to_verify"
        )
    assignment = services.hire_candidate(
        actor=fw.actor("company_a"), candidate=candidate, start_date=D(2026, 4, 6)
    )
    candidate.refresh_from_db()
    position.refresh_from_db()
    assert candidate.status == CandidateStatus.HIRED
    assert assignment.participant.first_name == "Sacha"
    assert assignment.participant.structure == fw.base.s93
    assert assignment.employer == fw.company_a and assignment.lot == fw.lot
    assert assignment.weekly_hours == 35
    assert position.status == PositionStatus.FILLED
    with pytest.raises(ValidationError):
        services.hire_candidate(
            actor=fw.actor("company_a"), candidate=candidate, start_date=D(2026, 4, 6)
        )


def test_hiring_a_known_person_reuses_the_participant(fw):
    known = fw.participant("Sacha", "Fictif", birth_date=None, birth_year=1998)
    position = services.post_position(
        actor=fw.actor("company_b"),
        lot=fw.lot,
        company=fw.company_b,
        trade="Peintre",
        start_date=D(2026, 4, 1),
    )
    services.publish_position_to_partners(
        actor=fw.actor("facilitator"), position=position, send=False
    )
    candidate = services.propose_candidate(
        actor=fw.actor("facilitator"),
        position=position,
        first_name="Sacha",
        last_name="Fictif",
        birth_year=1998,
    )
    assignment = services.hire_candidate(
        actor=fw.actor("company_b"), candidate=candidate, start_date=D(2026, 4, 6)
    )
    assert assignment.participant_id == known.pk


# -- anonymisation ---------------------------------------------------------------------------


def _ended_participant(fw, end=None, start=None):
    end = end or D(2024, 1, 31)
    start = start or D(2023, 6, 1)
    participant = fw.participant("Lou", "Ancien", birth_date=D(1980, 1, 1))
    _validate(fw, participant, notes="Observations nominatives", on=D(2026, 2, 1))
    fw.assign(participant, start_date=start, end_date=end)
    return participant


def test_anonymise_dry_run_then_wet_run(fw):
    participant = _ended_participant(fw)
    running = fw.participant("Max", "Encours")
    fw.assign(running, start_date=D(2023, 6, 1))
    now = timezone.make_aware(timezone.datetime(2026, 2, 1, 3, 0))
    assert services.anonymise_participants(now=now) == [participant.pk]
    participant.refresh_from_db()
    assert participant.last_name == "Ancien"  # dry run
    assert services.anonymise_participants(now=now, wet_run=True) == [participant.pk]
    participant.refresh_from_db()
    assert participant.first_name == participant.last_name == "Anonymisé"
    assert participant.birth_date is None and participant.birth_year == 1980
    assert participant.identity_key == "" and participant.anonymised_at == now
    assert participant.validations.get().notes == ""
    assert Assignment.objects.filter(participant=participant).count() == 1  # hours keep counting
    assert services.anonymise_participants(now=now, wet_run=True) == []


def test_anonymise_respects_the_retention_date(fw):
    participant = _ended_participant(fw, end=D(2024, 2, 1))
    before = timezone.make_aware(timezone.datetime(2026, 1, 31, 12, 0))
    assert participant.pk not in services.anonymise_participants(now=before)


def test_anonymise_command_is_a_dry_run_unless_wet(fw):
    participant = _ended_participant(fw)
    out = StringIO()
    call_command("anonymise_participants", "--now", "2026-02-01T03:00", stdout=out)
    assert "Simulation" in out.getvalue() and "Ancien" not in out.getvalue()
    participant.refresh_from_db()
    assert participant.anonymised_at is None
    call_command("anonymise_participants", "--now", "2026-02-01T03:00", "--wet-run", stdout=out)
    participant.refresh_from_db()
    assert participant.anonymised_at is not None


def test_anonymise_task(fw):
    participant = _ended_participant(fw, end=D(2020, 1, 31), start=D(2019, 6, 1))
    result = tasks.anonymise_expired_participants.enqueue()
    assert participant.pk in result.return_value
    participant.refresh_from_db()
    assert participant.anonymised_at is not None


def _published_position(fw):
    position = services.post_position(
        actor=fw.actor("company_a"),
        lot=fw.lot,
        company=fw.company_a,
        trade="Maçon·ne",
        start_date=D(2024, 1, 8),
    )
    services.publish_position_to_partners(actor=fw.actor("facilitator"), position=position)
    return position


def _proposed_on(*candidates, when):
    moment = timezone.make_aware(timezone.datetime.fromisoformat(when))
    Candidate.objects.filter(pk__in=[c.pk for c in candidates]).update(created_at=moment)


def test_candidates_never_hired_are_anonymised_after_the_delay(fw):
    position = _published_position(fw)
    old = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Ancienne",
        last_name="Candidate",
        birth_date=D(1990, 5, 6),
        qualifications="CAP maçon",
    )
    hired = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Recrutée",
        last_name="Candidate",
        birth_year=1991,
    )
    recent = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Récente",
        last_name="Candidate",
        birth_year=1992,
    )
    services.hire_candidate(actor=fw.actor("company_a"), candidate=hired, start_date=D(2024, 1, 8))
    _proposed_on(old, hired, when="2023-12-01T10:00")
    _proposed_on(recent, when="2025-11-01T10:00")
    now = timezone.make_aware(timezone.datetime(2026, 1, 15, 3, 0))
    assert services.anonymise_candidates(now=now) == [old.pk]
    old.refresh_from_db()
    assert old.last_name == "Candidate"  # dry run
    assert services.anonymise_candidates(now=now, wet_run=True) == [old.pk]
    old.refresh_from_db()
    assert old.first_name == old.last_name == "Anonymisé"
    assert old.birth_date is None and old.qualifications == "" and old.birth_year == 1990
    recent.refresh_from_db()
    hired.refresh_from_db()
    assert recent.last_name == "Candidate" and hired.last_name == "Candidate"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(old.pk), details__anonymised=True
    ).exists()
    assert services.anonymise_candidates(now=now, wet_run=True) == []


def test_the_command_and_the_task_anonymise_candidates_too(fw):
    position = _published_position(fw)
    candidate = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Très",
        last_name="Ancienne",
        birth_year=1980,
    )
    _proposed_on(candidate, when="2020-01-10T10:00")
    out = StringIO()
    call_command("anonymise_participants", stdout=out)
    assert "Candidat·e non recruté·e n° " in out.getvalue() and "Ancienne" not in out.getvalue()
    candidate.refresh_from_db()
    assert candidate.last_name == "Ancienne"
    tasks.anonymise_expired_participants.enqueue()
    candidate.refresh_from_db()
    assert candidate.last_name == "Anonymisé"


# -- right of access -------------------------------------------------------------------------


def test_right_of_access_export(fw):
    participant = fw.participant("Zoé", "Dupré")
    _validate(fw, participant)
    fw.assign(participant)
    data = json.loads(
        services.right_of_access_export(actor=fw.actor("facilitator"), participant=participant)
    )
    assert data["identité"]["nom"] == "Dupré"
    assert data["validations_d_éligibilité"][0]["critères"]
    assert data["missions"][0]["entreprise"] == fw.company_a.name
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(participant.pk)
    ).exists()
    for who in ("company_a", "buyer", "coordinator75"):
        with pytest.raises(PermissionDenied):
            services.right_of_access_export(actor=fw.actor(who), participant=participant)


def test_load_criteria_command_reports_a_diff(fw):
    out = StringIO()
    call_command("load_eligibility_criteria", stdout=out)
    assert "0 ajouté(s), 0 modifié(s)" in out.getvalue()
