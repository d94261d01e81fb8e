"""« Éligibilité à décider » (#12.9: each event that waits for someone): a mission starts
for a person who has no eligibility validation in force — recorded by the company, by a
facilitator, or by hiring a candidate — and their hours will not count until a
facilitator decides. The facilitators of the person's structure are told (not the one who
recorded it), by number only, with the link to the person's page. An eligibility ending
within 30 days is announced to them once (the daily command or task)."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clauses.followup import services
from clauses.followup.models import EligibilityValidation
from clauses.notifications import expiring
from clauses.notifications.enums import NotificationKind
from clauses.notifications.models import Notification
from tests.followup.conftest import fw, world  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db


def told(participant) -> list[Notification]:  # noqa: ANN001
    return list(
        Notification.objects.filter(
            kind=NotificationKind.ELIGIBILITY_TO_DECIDE,
            link=reverse("followup:participant", args=[participant.pk]),
        )
    )


def record_mission(fw, participant, who: str = "company_a"):  # noqa: ANN001, ANN201, F811
    return services.create_assignment(
        actor=fw.actor(who),
        participant=participant,
        lot=fw.lot,
        employer=fw.company_a,
        modality="direct_cdd",
        start_date=date(2026, 3, 1),
    )


def test_a_mission_without_eligibility_tells_the_structure_s_facilitators(fw):  # noqa: F811
    facilitator = fw.actor("facilitator")
    participant = fw.participant(first="Alix", last="Exemple")
    record_mission(fw, participant, who="company_a")
    notifications = told(participant)
    assert {n.recipient_id for n in notifications} == {facilitator.user_id}
    text = notifications[0].text
    assert f"Participant n° {participant.pk}" in text
    assert "Alix" not in text and "Exemple" not in text  # no personal data in the text
    assert "ne compteront qu'après votre décision" in text


def test_the_facilitator_who_records_it_is_not_told_but_a_colleague_is(fw):  # noqa: F811
    author = fw.actor("facilitator")
    participant = fw.participant()
    record_mission(fw, participant, who="facilitator")
    assert told(participant) == []  # the only facilitator of the structure wrote it
    colleague = fw.base.actor("facilitator")  # a second facilitator of the same structure
    second = fw.participant(first="Camille", last="Autre")
    record_mission(fw, second, who="facilitator")
    assert {n.recipient_id for n in told(second)} == {colleague.user_id}
    assert author.user_id != colleague.user_id


def test_a_person_whose_eligibility_is_in_force_tells_no_one(fw):  # noqa: F811
    participant = fw.participant()
    services.validate_eligibility(
        actor=fw.actor("facilitator"),
        participant=participant,
        criteria_codes=["qpv_resident"],
        proof_kind="residence_proof",
        proof_date=date(2026, 1, 10),
        on=date(2026, 2, 1),
    )
    record_mission(fw, participant, who="company_a")
    assert told(participant) == []


def test_a_withdrawn_validation_does_not_count_as_decided(fw):  # noqa: F811
    participant = fw.participant()
    validation = services.validate_eligibility(
        actor=fw.actor("facilitator"),
        participant=participant,
        criteria_codes=["qpv_resident"],
        proof_kind="residence_proof",
        proof_date=date(2026, 1, 10),
        on=date(2026, 2, 1),
    )
    validation.withdrawn_at = validation.validated_at
    validation.save(update_fields=["withdrawn_at"])
    record_mission(fw, participant, who="company_a")
    assert len(told(participant)) == 1


def test_hiring_a_candidate_tells_the_facilitators_too(fw):  # noqa: F811
    facilitator = fw.actor("facilitator")
    position = services.post_position(
        actor=fw.actor("company_a"),
        lot=fw.lot,
        company=fw.company_a,
        trade="Maçon·ne VRD",
        start_date=date(2026, 4, 1),
        weekly_hours=35,
    )
    services.publish_position_to_partners(actor=facilitator, position=position, send=False)
    candidate = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Sacha",
        last_name="Fictif",
        birth_year=1998,
    )
    assignment = services.hire_candidate(
        actor=fw.actor("company_a"), candidate=candidate, start_date=date(2026, 4, 6)
    )
    notifications = told(assignment.participant)
    assert [n.recipient_id for n in notifications] == [facilitator.user_id]
    assert "Sacha" not in notifications[0].text


# -- eligibility about to expire -------------------------------------------------------------


def validated(fw, first: str, ends_on: date):  # noqa: ANN001, ANN201, F811
    participant = fw.participant(first=first, last="Expire")
    validation = services.validate_eligibility(
        actor=fw.actor("facilitator"),
        participant=participant,
        criteria_codes=["qpv_resident"],
        proof_kind="residence_proof",
        proof_date=date(2026, 1, 10),
        on=date(2026, 2, 1),
    )
    EligibilityValidation.objects.filter(pk=validation.pk).update(valid_until=ends_on)
    return participant, validation


def test_an_eligibility_ending_within_30_days_is_announced_once(fw):  # noqa: F811
    today = timezone.localdate()
    facilitator = fw.actor("facilitator")
    soon, _ = validated(fw, "Proche", today + timedelta(days=10))
    validated(fw, "Lointaine", today + timedelta(days=40))
    _, withdrawn = validated(fw, "Retirée", today + timedelta(days=5))
    EligibilityValidation.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    out = io.StringIO()
    call_command("notify_expiring_eligibilities", stdout=out)  # dry run
    assert "1 éligibilité(s)" in out.getvalue() and "Simulation" in out.getvalue()
    expiring_kind = Notification.objects.filter(kind=NotificationKind.ELIGIBILITY_EXPIRING)
    assert not expiring_kind.exists()
    call_command("notify_expiring_eligibilities", "--wet-run", stdout=io.StringIO())
    notification = expiring_kind.get()
    assert notification.recipient_id == facilitator.user_id
    assert notification.link == reverse("followup:participant", args=[soon.pk])
    assert f"Participant n° {soon.pk}" in notification.text and "Proche" not in notification.text
    assert f"{today + timedelta(days=10):%d/%m/%Y}" in notification.text
    assert expiring.notify_expiring() == 0  # announced once
    assert expiring_kind.count() == 1
