from django.db.models import F, QuerySet
from django.http import HttpRequest

from clauses.accounts.models import User
from clauses.notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """A person's own notifications: unread first, then the most recently read."""
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def unread_count(request: HttpRequest) -> int:
    """The bell's number: one query, once per request (cached on it)."""
    cached = getattr(request, "_notifications_unread", None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = (
            Notification.objects.filter(recipient=user, read_at__isnull=True).count()
            if user is not None and user.is_authenticated
            else 0
        )
        request._notifications_unread = cached  # type: ignore[attr-defined]
    return cached
