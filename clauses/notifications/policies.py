"""Who sees and marks which notification (the permission matrix reads these, with the
pages: tests/access/test_permission_matrix.py, « notification »).

A notification belongs to its recipient alone: nobody else lists, reads or marks it,
whatever their role — a colleague of the same organisation, a coordinator of the territory
and a platform administrator included. An API token reads none: notifications are for
people, in the application (the bell, the page, the emails)."""

from django.db.models import QuerySet

from clauses.access.actors import Actor
from clauses.notifications.models import Notification


def _person(actor: Actor) -> int | None:
    return None if actor.via_token else actor.user_id


def visible_notifications(actor: Actor) -> QuerySet[Notification]:
    user_id = _person(actor)
    if user_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user_id)


def can_mark_read(actor: Actor, notification: Notification) -> bool:
    user_id = _person(actor)
    return user_id is not None and notification.recipient_id == user_id
