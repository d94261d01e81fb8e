"""Notifications in the permission matrix (tests/access): the own notification is one
waiting for the actor's own user; the other one waits for a colleague of the same
organisation (the closest neighbour: even a colleague's notification stays private). The
anonymous visitor's pair both wait for colleagues of buyer93. U = mark as read; a
notification is written by services only (no C) and never deleted (no D)."""

from django.db.models import Model

from clauses.notifications import policies
from clauses.notifications.enums import NotificationKind
from clauses.notifications.models import Notification


def _recipient_id(world: object, role: str, side: str) -> int:
    membership = world.memberships.get(role)  # type: ignore[attr-defined]
    organisation = world.own_organisation(role)  # type: ignore[attr-defined]
    if side == "own" and membership is not None:
        return membership.user_id
    return world.colleagues[organisation.pk].user_id  # type: ignore[attr-defined]


def record(world: object, role: str, side: str) -> Model:
    cache = world.__dict__.setdefault("_notifications", {})
    key = (role, side)
    if key not in cache:
        cache[key] = Notification.objects.create(
            recipient_id=_recipient_id(world, role, side),
            kind=NotificationKind.MESSAGE,
            text=f"Notification de test ({role}, {side})",
            link="/",
        )
    return cache[key]


visible = policies.visible_notifications
can_mark_read = policies.can_mark_read
