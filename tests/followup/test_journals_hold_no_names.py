"""#11.4: personal data never copied into journal text. After anonymisation, no journal table
(audit trail, login journal, request, market and declaration events, admin histories) holds
a participant's or candidate's name or birth date — not even lines written before journals
named records by number."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clauses.access import audit
from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent
from clauses.core.models import JournalEntry
from clauses.followup import services
from clauses.followup.models import Candidate, Participant
from tests.followup.conftest import D
from tests.followup.test_services import _proposed_on, _published_position, _validate

pytestmark = pytest.mark.django_db

LAST_NAME = "Quenouillard"
CANDIDATE_NAME = "Zéphyrine"
BIRTH_DATE = D(1980, 7, 14)


def _journal_models() -> list[type]:
    """Every table that keeps a history: the journal family and the admin histories."""
    models = [
        model
        for model in apps.get_models()
        if issubclass(model, JournalEntry) or model.__name__.startswith("Historical")
    ]
    assert AuditEvent in models and len(models) >= 5
    return models


def _texts_of(model: type) -> list[str]:
    return [str(row) for row in model._base_manager.values_list()]


def _assert_nowhere(*needles: str) -> None:
    for model in _journal_models():
        for text in _texts_of(model):
            for needle in needles:
                assert needle not in text, f"{needle!r} in {model.__name__}: {text}"


def test_names_are_never_written_in_the_audit_trail(fw):
    participant = fw.participant("Lou", LAST_NAME, birth_date=BIRTH_DATE)
    services.log_participant_view(actor=fw.actor("facilitator"), participant=participant)
    event = AuditEvent.objects.filter(object_id=str(participant.pk)).first()
    assert event.object_repr == f"Participant n° {participant.pk}"
    _assert_nowhere(LAST_NAME, "1980-07-14", "14/07/1980")


def test_after_anonymisation_no_journal_holds_the_names(fw):
    participant = fw.participant("Lou", LAST_NAME, birth_date=BIRTH_DATE)
    _validate(fw, participant, notes="Observations", on=D(2026, 2, 1))
    fw.assign(participant, start_date=D(2023, 6, 1), end_date=D(2024, 1, 31))
    services.log_participant_view(actor=fw.actor("facilitator"), participant=participant)
    position = _published_position(fw)
    candidate = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name=CANDIDATE_NAME,
        last_name="Candidate",
        birth_year=1991,
    )
    _proposed_on(candidate, when="2023-12-01T10:00")
    # Lines written before journals named records by number (or restored from a backup).
    for obj, label in ((participant, f"Lou {LAST_NAME}"), (candidate, CANDIDATE_NAME)):
        AuditEvent._base_manager.create(
            action=AuditAction.VIEW,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=label,
        )
    audit.record(None, AuditAction.VIEW, participant, changes={"hours": Decimal("1.5")})

    now = timezone.make_aware(timezone.datetime(2026, 2, 1, 3, 0))
    assert services.anonymise_participants(now=now, wet_run=True) == [participant.pk]
    assert services.anonymise_candidates(now=now, wet_run=True) == [candidate.pk]

    _assert_nowhere(LAST_NAME, CANDIDATE_NAME, "1980-07-14", "14/07/1980")
    labels = set(
        AuditEvent.objects.filter(
            object_id__in=[str(participant.pk), str(candidate.pk)]
        ).values_list("object_repr", flat=True)
    )
    assert f"Participant n° {participant.pk}" in labels
    assert f"Candidat·e n° {candidate.pk}" in labels
    assert Participant.objects.get(pk=participant.pk).last_name != LAST_NAME
    assert Candidate.objects.get(pk=candidate.pk).first_name != CANDIDATE_NAME


def test_journals_are_append_only_outside_the_rgpd_paths(fw):
    participant = fw.participant("Lou", LAST_NAME)
    events = AuditEvent.objects.filter(object_id=str(participant.pk))
    with pytest.raises(PermissionError):
        events.update(object_repr="réécrit")
    with pytest.raises(PermissionError):
        events.delete()
    assert events.scrub(object_repr="Participant") == events.count()
