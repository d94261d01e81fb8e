"""Notifications (#12.9): who is told when something waits for them (desk routing, buyer
reply, hours declared / corrected / refused), a coordination without anyone behind it
passing to the level above, the bell (one query), the page (paginated, own only), mark
read, and the emails (immediate or the daily digest, per preference)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from clauses.accounts.enums import Role
from clauses.desk import services as desk_services
from clauses.hours import services as hours_services
from clauses.notifications import services
from clauses.notifications.enums import EmailMode, NotificationKind
from clauses.notifications.models import Notification
from clauses.notifications.tasks import send_notification_digests
from tests.accounts.factories import UserFactory
from tests.desk.conftest import (
    actor_for,
    at,
    request_data,
)
from tests.hours.conftest import (
    TODAY,
    HoursWorld,
)

pytestmark = pytest.mark.django_db


def kinds(user_id: int) -> list[str]:
    return list(Notification.objects.filter(recipient_id=user_id).values_list("kind", flat=True))


def file(capture, **overrides):  # noqa: ANN001, ANN201
    with capture(execute=True):
        return desk_services.file_request(data=request_data(**overrides), now=at(2026, 6, 5))


# -- the desk ------------------------------------------------------------------------------


def test_a_routed_request_notifies_the_structure_members(
    network, django_capture_on_commit_callbacks, mailoutbox
):
    """The desk emails the structure's address; its members are told in the application,
    and emailed themselves only when the structure has no address."""
    facilitator = actor_for(network.plaine)
    filed = file(django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient_id=facilitator.user_id)
    assert notification.emailed_at is not None  # not emailed twice
    assert not [m for m in mailoutbox if notification.text in m.body]
    network.plaine.email = ""
    network.plaine.save()
    mailoutbox.clear()
    filed = file(django_capture_on_commit_callbacks)
    notification = Notification.objects.filter(recipient_id=facilitator.user_id).first()
    assert notification.kind == NotificationKind.REQUEST_ROUTED
    assert filed.request.reference in notification.text
    assert notification.link == reverse("desk:detail", args=[filed.request.reference])
    # immediate email by default, to the member
    assert notification.emailed_at is not None
    member_emails = [m for m in mailoutbox if notification.text in m.body]
    assert len(member_emails) == 1 and member_emails[0].subject.startswith("[Clauses]")


def test_a_coordination_with_nobody_behind_it_passes_to_the_level_above(
    network, django_capture_on_commit_callbacks
):
    """Drancy is covered by the local coordination only (no structure): it has no
    member, so its departmental coordination's members are told."""
    network.local.email = ""
    network.local.save()
    coordinator = actor_for(network.dep93, role=Role.COORDINATOR)
    file(django_capture_on_commit_callbacks, execution_communes=["93029"])
    assert kinds(coordinator.user_id) == [NotificationKind.REQUEST_ROUTED]
    local_member = actor_for(network.local, role=Role.COORDINATOR)
    file(django_capture_on_commit_callbacks, execution_communes=["93029"])
    assert kinds(local_member.user_id) == [NotificationKind.REQUEST_ROUTED]
    assert len(kinds(coordinator.user_id)) == 1  # the local one has a member now


def test_a_buyer_reply_notifies_the_person_in_charge(network, django_capture_on_commit_callbacks):
    facilitator = actor_for(network.plaine)
    colleague = actor_for(network.plaine)
    filed = file(django_capture_on_commit_callbacks)
    request = desk_services.take_charge(
        actor=facilitator, desk_request=filed.request, now=at(2026, 6, 8)
    )
    desk_services.buyer_reply(
        desk_request=request, body="Merci.", token=filed.raw_follow_token, now=at(2026, 6, 9)
    )
    assert NotificationKind.BUYER_REPLIED in kinds(facilitator.user_id)
    assert NotificationKind.BUYER_REPLIED not in kinds(colleague.user_id)


def test_a_failed_filing_tells_no_one(network, django_capture_on_commit_callbacks):
    actor_for(network.plaine)
    with pytest.raises(Exception):  # noqa: B017,PT011
        file(django_capture_on_commit_callbacks, contact_email="pas une adresse")
    assert not Notification.objects.exists()


# -- hours ---------------------------------------------------------------------------------


def declare(hw: HoursWorld, hours: int, reason: str = ""):  # noqa: ANN201, F811
    return hours_services.declare(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=date(2026, 3, 1),
        hours=Decimal(hours),
        reason=reason,
        today=TODAY,
    )


def test_hours_declared_corrected_and_refused(hw):
    controller = hw.actor("facilitator")
    contact = hw.actor("company")
    declaration, _ = declare(hw, 140)
    note = Notification.objects.get(recipient_id=controller.user_id)
    assert note.kind == NotificationKind.DECLARATIONS_ARRIVED
    assert hw.company.name in note.text and "1 déclaration à contrôler" in note.text
    declare(hw, 100, reason="Deux jours d'absence oubliés.")
    assert kinds(controller.user_id).count(NotificationKind.CORRECTION_SUBMITTED) == 1
    hours_services.control_declaration(
        actor=controller, declaration=declaration, decision="reject", reason="Pas de contrat."
    )
    refused = Notification.objects.get(
        recipient_id=contact.user_id, kind=NotificationKind.DECLARATION_REFUSED
    )
    assert "03/2026 refusée : Pas de contrat." in refused.text
    assert refused.link == reverse("hours:declaration", args=[declaration.pk])


# -- the bell, the page, mark read -----------------------------------------------------------


def test_bell_page_and_mark_read(client, django_assert_max_num_queries):
    user = UserFactory()
    other = UserFactory()
    for number in range(25):
        services.notify(
            recipients=[user], kind=NotificationKind.REQUEST_ROUTED, text=f"Avis {number}"
        )
    services.notify(recipients=[other], kind=NotificationKind.BUYER_REPLIED, text="Secret")
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:list"))
    page = response.content.decode()
    assert 'id="cloche-notifications"' in page and ">25<span" in page
    with django_assert_max_num_queries(6):  # session, user, membership, device… + the count
        bell = client.get(reverse("notifications:bell")).content.decode()
    assert ">25<span" in bell and "non lues" in bell
    assert "Secret" not in page and page.count('data-unread="1"') == 20
    assert client.get(reverse("notifications:list") + "?page=2").status_code == 200
    mine = Notification.objects.filter(recipient=user).first()
    theirs = Notification.objects.get(recipient=other)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:mark_read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.is_read
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_the_bell_costs_one_query(client, django_assert_num_queries):
    from django.test import RequestFactory

    from clauses.notifications.selectors import unread_count

    user = UserFactory()
    services.notify(recipients=[user], kind=NotificationKind.REQUEST_ROUTED, text="Avis")
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(1):
        assert unread_count(request) == 1
        assert unread_count(request) == 1
    later = RequestFactory().get("/")
    later.user = user
    with django_assert_num_queries(0):  # kept in the shared cache
        assert unread_count(later) == 1
    services.notify(recipients=[user], kind=NotificationKind.REQUEST_ROUTED, text="Autre")
    again = RequestFactory().get("/")
    again.user = user
    assert unread_count(again) == 2  # a new notification forgets the cached count


def test_open_follows_only_a_local_link(client):
    user = UserFactory()
    (note,) = services.notify(
        recipients=[user], kind=NotificationKind.REQUEST_ROUTED, text="x", link="/guichet/boite/"
    )
    (bad,) = services.notify(
        recipients=[user],
        kind=NotificationKind.REQUEST_ROUTED,
        text="y",
        link="https://evil.example/",
    )
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[note.pk]), {"open": "1"})
    assert response.url == "/guichet/boite/"
    response = client.post(reverse("notifications:mark_read", args=[bad.pk]), {"open": "1"})
    assert response.url == reverse("notifications:list")


# -- emails: immediate or daily digest --------------------------------------------------------


def test_immediate_or_digest_per_preference(client, mailoutbox, django_capture_on_commit_callbacks):
    quick, daily, silent = UserFactory(), UserFactory(), UserFactory()
    services.set_email_mode(user=daily, mode=EmailMode.DAILY)
    client.force_login(silent)
    client.post(reverse("notifications:preferences"), {"email_mode": EmailMode.NONE})
    assert services.email_mode(silent) == EmailMode.NONE
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[quick, daily, silent], kind=NotificationKind.REQUEST_ROUTED, text="Un"
        )
        services.notify(recipients=[daily], kind=NotificationKind.BUYER_REPLIED, text="Deux")
    assert [m.to for m in mailoutbox] == [[quick.email]]
    mailoutbox.clear()
    out = io.StringIO()
    call_command("send_notification_digest", stdout=out)  # a dry run first
    assert "1 récapitulatif(s) à envoyer" in out.getvalue() and mailoutbox == []
    call_command("send_notification_digest", "--wet-run", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [[daily.email]]
    assert "2 notifications en attente" in mailoutbox[0].subject
    assert "- Un" in mailoutbox[0].body and "- Deux" in mailoutbox[0].body
    mailoutbox.clear()
    assert send_notification_digests.call() == 0  # nothing twice
    assert mailoutbox == []


def test_the_preference_page_is_linked_from_the_account_page(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("notifications:preferences") in page
    assert client.get(reverse("notifications:preferences")).status_code == 200
