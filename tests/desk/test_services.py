"""Filing and the workflow services: references, SLA over holidays, emails, private link,
take charge, reply, buyer reply, notes, reassignment history, close, escalation."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from clauses.desk import services
from clauses.desk.enums import (
    EventKind,
    MessageKind,
    PublicationTiming,
    RequestStatus,
    TargetLevel,
)
from clauses.desk.models import Assignment, Attachment, Request, RequestEvent
from clauses.desk.tasks import escalate_overdue_requests
from tests.desk.conftest import actor_for, at, buyer_actor, request_data
from tests.desk.test_attachments import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(django_capture_on_commit_callbacks):
    def _file(now=None, attachments=(), **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return services.file_request(
                data=request_data(**overrides), attachments=attachments, now=now or at(2026, 6, 5)
            )

    return _file


def test_filing_stores_routes_and_acknowledges(network, file, mailoutbox):
    filed = file()
    request = filed.request
    assert request.reference == f"GRCS-2026-{1:06d}" or request.reference.startswith("GRCS-2026-")
    assert request.status == RequestStatus.NEW
    assert request.target_level == TargetLevel.STRUCTURE
    assert request.target_structure == network.plaine
    assert request.routed_automatically
    assert request.market_estimated_amount == Decimal("1200000.00")
    assert request.market_cpv.code8 == "45000000"
    assert [c.insee for c in request.execution_communes.all()] == ["93066"]
    assert request.publication_timing == PublicationTiming.BEFORE
    # Only the hash of the token is stored; the raw token is in the emailed link.
    assert filed.raw_follow_token not in request.follow_token_hash
    assert request.assignments.count() == 1
    assert request.events.get().kind == EventKind.FILED
    acknowledgement, notification = mailoutbox
    assert acknowledgement.to == ["camille.martin@ville-test.fr"]
    assert request.reference in acknowledgement.subject
    assert filed.follow_url in acknowledgement.body
    assert f"jeton={filed.raw_follow_token}" in filed.follow_url
    assert notification.to == ["plaine@demo.clauses.example"]
    assert notification.reply_to == ["camille.martin@ville-test.fr"]


def test_references_follow_each_other_per_year(network, file):
    first = file().request.reference
    second = file().request.reference
    next_year = file(now=at(2027, 1, 4)).request.reference
    assert int(second[-6:]) == int(first[-6:]) + 1
    assert next_year == "GRCS-2027-000001"


def test_nothing_is_sent_when_the_filing_fails(network, file, mailoutbox):
    with pytest.raises(ValidationError):
        file(buyer_siret="123")
    assert mailoutbox == []
    assert not Request.objects.exists()


def test_sla_skips_weekends_and_public_holidays(network, file):
    # Filed Thursday 13 May 2026 (Ascension Thursday 14 May, Whit Monday 25 May is later):
    # Friday 15, Monday 18, Tuesday 19 → due Tuesday 19 May.
    assert file(now=at(2026, 5, 13)).request.first_response_due == date(2026, 5, 19)
    # Filed on Christmas Eve 2026 (Thursday): 25 Dec is a holiday → 28, 29, 30 Dec.
    assert file(now=at(2026, 12, 24)).request.first_response_due == date(2026, 12, 30)


def test_sla_follows_settings_and_closed_days(network, file, settings):
    settings.CLAUSES_DESK_FIRST_RESPONSE_WORKING_DAYS = 1
    settings.CLAUSES_DESK_CLOSED_DAYS = ["2026-06-08"]
    assert file(now=at(2026, 6, 5)).request.first_response_due == date(2026, 6, 9)


@pytest.mark.parametrize(
    ("planned", "timing"),
    [
        ("2026-06-30", PublicationTiming.BEFORE),
        ("2026-06-05", PublicationTiming.AFTER),
        ("2026-01-10", PublicationTiming.AFTER),
        ("", PublicationTiming.UNKNOWN),
    ],
)
def test_publication_timing_computed_at_filing(network, file, planned, timing):
    request = file(market_planned_publication_date=planned).request
    assert request.publication_timing == timing


def test_after_publication_acknowledgement_gives_the_good_practice(network, file, mailoutbox):
    file(market_planned_publication_date="2026-01-10")
    assert "avant la publication" in mailoutbox[0].body


def test_attachments_are_stored_under_the_reference(network, file):
    request = file(attachments=[("cahier des charges.pdf", PDF)]).request
    attachment = Attachment.objects.get(request=request)
    assert attachment.original_name == "cahier des charges.pdf"
    assert attachment.detected_type == "pdf"
    assert attachment.file.name.startswith(f"desk/{request.reference}/")
    assert attachment.size == len(PDF)


def test_buyer_organisation_linked_only_for_its_members(network, file):
    agent = buyer_actor()
    from clauses.accounts.models import Organisation, User

    organisation = Organisation.objects.get(pk=agent.organisation_id)
    user = User.objects.get(pk=agent.user_id)
    with_member = services.file_request(
        data=request_data(buyer_siret=organisation.siret), filed_by=user, now=at(2026, 6, 5)
    )
    assert with_member.request.buyer_organisation == organisation
    anonymous = file(buyer_siret=organisation.siret)
    assert anonymous.request.buyer_organisation is None


def test_private_link(network, file):
    filed = file()
    reference = filed.request.reference
    assert services.request_for_token(reference=reference, token=filed.raw_follow_token)
    assert services.request_for_token(reference=reference, token="faux") is None
    assert services.request_for_token(reference=reference, token="") is None
    assert (
        services.request_for_token(reference="GRCS-2026-999999", token=filed.raw_follow_token)
        is None
    )


def test_new_follow_link_replaces_the_old_one(
    network, file, mailoutbox, django_capture_on_commit_callbacks
):
    filed = file()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_new_follow_link(
            reference=filed.request.reference, contact_email="CAMILLE.martin@ville-test.fr"
        )
        services.send_new_follow_link(reference=filed.request.reference, contact_email="x@y.fr")
    (email,) = mailoutbox
    assert "jeton=" in email.body
    assert (
        services.request_for_token(reference=filed.request.reference, token=filed.raw_follow_token)
        is None
    )


def test_workflow_take_charge_reply_buyer_reply_note_close(
    network, file, mailoutbox, django_capture_on_commit_callbacks
):
    filed = file(now=at(2026, 6, 5))
    request = filed.request
    facilitator = actor_for(network.plaine)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.take_charge(actor=facilitator, desk_request=request, now=at(2026, 6, 8))
        assert request.status == RequestStatus.ASSIGNED
        assert request.taken_by_id == facilitator.user_id
        message = services.reply(
            actor=facilitator,
            desk_request=request,
            body="Bonjour, je vous appelle demain.",
            now=at(2026, 6, 9),
        )
        request.refresh_from_db()
        assert request.status == RequestStatus.WAITING_BUYER
        assert request.first_response_at == at(2026, 6, 9)
        assert request.first_response_working_days == 2
        services.buyer_reply(
            desk_request=request,
            body="Merci, disponible à 14 h.",
            token=filed.raw_follow_token,
            now=at(2026, 6, 9, 15),
        )
        request.refresh_from_db()
        assert request.status == RequestStatus.IN_PROGRESS
        services.add_internal_note(
            actor=facilitator,
            desk_request=request,
            body="Acheteur très motivé.",
            now=at(2026, 6, 10),
        )
        services.reply(
            actor=facilitator,
            desk_request=request,
            body="Voici le modèle de clause.",
            expects_answer=False,
            now=at(2026, 6, 15),
        )
        request.refresh_from_db()
        assert request.status == RequestStatus.IN_PROGRESS
        assert request.first_response_at == at(2026, 6, 9)  # the first one stays
        services.close(
            actor=facilitator, desk_request=request, outcome="clause_inserted", now=at(2026, 6, 16)
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert request.closed_at is not None
    message.refresh_from_db()
    assert message.emailed_at is not None
    subjects = [m.subject for m in mailoutbox]
    assert len(subjects) == 4  # reply, buyer replied, reply, closed — never the note
    assert "Réponse à votre demande" in subjects[0]
    assert "L'acheteur a répondu" in subjects[1]
    assert mailoutbox[1].to[0].endswith("@exemple.fr")  # the person in charge
    assert "clôturée" in subjects[3]
    assert all("Acheteur très motivé" not in m.body for m in mailoutbox)
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.FILED,
        EventKind.TAKEN_CHARGE,
        EventKind.REPLIED,
        EventKind.BUYER_REPLIED,
        EventKind.NOTE_ADDED,
        EventKind.REPLIED,
        EventKind.CLOSED,
    ]
    assert request.messages.filter(kind=MessageKind.INTERNAL_NOTE).count() == 1


def test_services_check_the_actor(network, file):
    request = file().request
    stranger = actor_for(network.est_a)
    buyer = buyer_actor()
    for call in (
        lambda: services.take_charge(actor=stranger, desk_request=request),
        lambda: services.reply(actor=stranger, desk_request=request, body="x"),
        lambda: services.add_internal_note(actor=buyer, desk_request=request, body="x"),
        lambda: services.close(actor=stranger, desk_request=request, outcome="advice_given"),
        lambda: services.buyer_reply(desk_request=request, body="x", token="mauvais"),
        lambda: services.buyer_reply(desk_request=request, body="x", actor=buyer),
        lambda: services.reassign(
            actor=actor_for(network.plaine),
            desk_request=request,
            structure=network.est_a,
            comment="x",
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert request.events.count() == 1


def test_buyer_agent_replies_for_its_organisation(network):
    agent = buyer_actor()
    from clauses.accounts.models import Organisation

    organisation = Organisation.objects.get(pk=agent.organisation_id)
    request = services.file_request(
        data=request_data(buyer_organisation=organisation, buyer_siret=organisation.siret),
        now=at(2026, 6, 5),
    ).request
    message = services.buyer_reply(desk_request=request, body="Précision", actor=agent)
    assert message.kind == MessageKind.FROM_BUYER
    assert message.author_id == agent.user_id


def test_empty_messages_and_bad_outcome_are_refused(network, file):
    request = file().request
    facilitator = actor_for(network.plaine)
    with pytest.raises(ValidationError) as error:
        services.reply(actor=facilitator, desk_request=request, body="  ")
    assert error.value.message_dict == {"body": ["Le message ne peut pas être vide."]}
    with pytest.raises(ValidationError):
        services.close(actor=facilitator, desk_request=request, outcome="perdu")


def test_reassignment_keeps_the_history(
    network, file, mailoutbox, django_capture_on_commit_callbacks
):
    request = file(execution_communes=["93048"]).request
    assert request.target_coordination == network.dep93
    coordinator = actor_for(network.dep93)
    with pytest.raises(ValidationError):
        services.reassign(
            actor=coordinator, desk_request=request, structure=network.est_a, comment=" "
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.reassign(
            actor=coordinator,
            desk_request=request,
            structure=network.est_a,
            comment="La structure Est A suit déjà les chantiers de cet acheteur.",
            now=at(2026, 6, 8),
        )
    request.refresh_from_db()
    assert request.target_structure == network.est_a
    assert request.target_level == TargetLevel.STRUCTURE
    assert not request.routed_automatically
    assert request.status == RequestStatus.NEW
    history = list(request.assignments.order_by("created_at"))
    assert [a.target_coordination_id for a in history] == [network.dep93.pk, None]
    assert history[1] == assignment
    assert assignment.by_id == coordinator.user_id
    assert "Est A" in assignment.comment
    assert mailoutbox[0].to == [network.est_a.email]
    event = request.events.get(kind=EventKind.REASSIGNED)
    assert event.details["before"] == network.dep93.name
    # The departmental coordination no longer handles it, but still sees it (its structure).
    facilitator_a = actor_for(network.est_a)
    services.take_charge(actor=facilitator_a, desk_request=request)


def test_reassign_to_the_green_desk(network, file):
    request = file(execution_communes=["93048"]).request
    services.reassign(
        actor=actor_for(network.regional),
        desk_request=request,
        green_desk=True,
        comment="Question de tri des déchets.",
    )
    request.refresh_from_db()
    assert request.target_level == TargetLevel.GREEN_DESK
    assert request.target_coordination == network.regional


def test_escalation_climbs_one_level_at_a_time(
    network, file, mailoutbox, django_capture_on_commit_callbacks
):
    # Filed Friday 5 June 2026 to Structure Bobigny's... rather: to a structure under a
    # local coordination (Bobigny), escalation delay 2 working days → deadline Tuesday 9.
    request = file(execution_communes=["93008"], now=at(2026, 6, 5)).request
    assert request.target_structure == network.bobigny
    assert services.escalate_overdue(now=at(2026, 6, 9, 18)) == []
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.escalate_overdue(now=at(2026, 6, 10, 7))
    assert [e.reference for e in done] == [request.reference]
    request.refresh_from_db()
    # Structure hanging from a local coordination → the departmental coordination.
    assert request.target_coordination == network.dep93
    assert request.escalation_count == 1
    assert "2 jours ouvrés" in request.routing_reason
    assert request.events.filter(kind=EventKind.ESCALATED).count() == 1
    # Next climb: departmental → regional, two working days later.
    assert services.escalate_overdue(now=at(2026, 6, 12, 7)) == []
    services.escalate_overdue(now=at(2026, 6, 15, 7))
    request.refresh_from_db()
    assert request.target_coordination == network.regional
    assert request.assignments.count() == 3
    # The top: nothing above the regional coordination.
    assert services.escalate_overdue(now=at(2026, 7, 15, 7)) == []


def test_taken_requests_do_not_climb(network, file):
    request = file(execution_communes=["93066"], now=at(2026, 6, 5)).request
    services.take_charge(actor=actor_for(network.plaine), desk_request=request)
    assert services.escalate_overdue(now=at(2026, 6, 20)) == []


def test_local_coordination_climbs_to_its_departmental(network, file):
    request = file(execution_communes=["93008", "93029"], now=at(2026, 6, 5)).request
    assert request.target_level == TargetLevel.LOCAL
    services.escalate_overdue(now=at(2026, 6, 10, 7))
    request.refresh_from_db()
    assert request.target_coordination == network.dep93


def test_escalation_command_is_a_dry_run_unless_wet(network, file, capsys):
    request = file(execution_communes=["93066"], now=at(2026, 6, 5)).request
    call_command("escalate_desk_requests", now="2026-06-10T07:00:00")
    assert "remonterait" in capsys.readouterr().out
    request.refresh_from_db()
    assert request.escalation_count == 0
    call_command("escalate_desk_requests", now="2026-06-10T07:00:00", wet_run=True)
    request.refresh_from_db()
    assert request.escalation_count == 1
    assert request.target_coordination == network.dep93


def test_escalation_task(network, file):
    file(execution_communes=["93066"], now=at(2020, 6, 5))
    result = escalate_overdue_requests.enqueue()
    assert len(result.return_value) == 1
    assert Assignment.objects.count() == 2


def test_planned_market_facts_and_conversion(network, file):
    request = file().request
    facts = services.planned_market_facts(request)
    assert facts["desk_reference"] == request.reference
    assert facts["cpv_code8"] == "45000000"
    assert facts["execution_commune_insee"] == ["93066"]
    assert facts["structure_id"] == network.plaine.pk
    services.mark_converted(actor=actor_for(network.plaine), desk_request=request, market_id=42)
    request.refresh_from_db()
    assert request.converted_market_id == 42
    assert RequestEvent.objects.filter(request=request, kind=EventKind.CONVERTED).exists()
