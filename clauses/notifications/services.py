"""Write side of notifications: `notify` (called explicitly by the receivers of the lower
apps' signals, see `receivers.py`), mark read, the email preference and the daily digest.

`notify` writes one row per recipient in the caller's transaction; the immediate emails
leave after the commit (a rolled-back action tells no one). The daily digest gathers, per
person who chose it, what has not been emailed yet (task `send_digests`, command
`send_notification_digest`).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clauses.accounts.models import User
from clauses.desk.conf import desk_settings
from clauses.notifications.enums import EmailMode
from clauses.notifications.models import Notification, NotificationPreference
from clauses.notifications.selectors import forget_unread

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Clauses]"


def _site_url() -> str:
    return desk_settings().site_url  # the one public address setting (CLAUSES_DESK_SITE_URL)


def email_mode(user: User | int) -> str:
    user_id = user if isinstance(user, int) else user.pk
    mode = (
        NotificationPreference.objects.filter(user_id=user_id)
        .values_list("email_mode", flat=True)
        .first()
    )
    return mode or EmailMode.IMMEDIATE


def set_email_mode(*, user: User, mode: str) -> NotificationPreference:
    if mode not in EmailMode.values:
        raise ValueError(mode)
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_mode": mode}
    )
    return preference


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    text: str,
    link: str = "",
    email: bool = True,
    now: datetime | None = None,
) -> list[Notification]:
    """One notification per recipient (each person once); immediate emails after commit.
    `email=False` when the caller's app already emails these people about the event (the
    desk's own emails): in the application and the digest-free page only, marked as sent."""
    now = now or timezone.now()
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return []
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                text=text[:300],
                link=link,
                created_at=now,
                emailed_at=None if email else now,
            )
            for pk in people
        ]
    )
    transaction.on_commit(lambda: forget_unread(list(people)))
    forget_unread(list(people))
    if not email:
        return created
    digest = set(
        NotificationPreference.objects.filter(user_id__in=people)
        .exclude(email_mode=EmailMode.IMMEDIATE)
        .values_list("user_id", flat=True)
    )
    immediate = [n.pk for n in created if n.recipient_id not in digest and n.pk]
    if immediate:
        transaction.on_commit(lambda: send_immediate(immediate))
    return created


def _send(user: User, subject: str, template: str, context: dict) -> bool:
    if not user.email:
        return False
    body = render_to_string(
        f"notifications/emails/{template}.txt",
        {"user": user, "site_url": _site_url(), **context},
    )
    try:
        EmailMessage(
            subject=f"{SUBJECT_PREFIX} {subject}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        ).send()
    except Exception:  # a mail server failure never breaks the workflow
        logger.exception("Échec de l'envoi d'une notification à l'utilisateur %s", user.pk)
        return False
    return True


def send_immediate(notification_ids: list[int]) -> int:
    """Email each of these notifications to its recipient (not yet emailed ones)."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        if _send(
            notification.recipient,
            notification.text,
            "immediate",
            {"notification": notification},
        ):
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def _digest_pending(now: datetime):  # noqa: ANN202
    daily = NotificationPreference.objects.filter(email_mode=EmailMode.DAILY).values("user_id")
    return Notification.objects.filter(
        recipient__in=daily,
        recipient__is_active=True,
        emailed_at__isnull=True,
        read_at__isnull=True,
        created_at__lte=now,
    )


def digest_recipients(*, now: datetime | None = None) -> int:
    """How many people the digest would write to now (the command's dry run)."""
    pending = _digest_pending(now or timezone.now())
    return pending.values("recipient_id").distinct().count()


def send_digests(*, now: datetime | None = None) -> int:
    """One email per person who chose the daily digest, listing their unread notifications
    not emailed yet; returns the number of emails sent."""
    now = now or timezone.now()
    pending = (
        _digest_pending(now)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].recipient
        count = len(items)
        subject = "1 notification en attente" if count == 1 else f"{count} notifications en attente"
        if _send(user, subject, "digest", {"notifications": items, "count": count}):
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
            sent += 1
    return sent


def mark_read(*, user: User, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionError
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        forget_unread([user.pk])


def mark_all_read(*, user: User) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread([user.pk])
    return count
