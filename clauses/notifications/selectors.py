from django.core.cache import cache
from django.db.models import F, QuerySet
from django.http import HttpRequest

from clauses.accounts.models import User
from clauses.notifications.models import Notification

UNREAD_CACHE_SECONDS = 300


def notifications_of(user: User) -> QuerySet[Notification]:
    """A person's own notifications: unread first, then the most recently read."""
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def _cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def forget_unread(user_ids: object) -> None:
    """Called by every write that changes someone's unread count."""
    cache.delete_many([_cache_key(pk) for pk in user_ids])  # type: ignore[attr-defined]


def unread_count(request: HttpRequest) -> int:
    """The bell's number: at most one query, once per request (cached on it), and kept in
    the shared cache until a notification of this person is created or read, so that most
    pages pay no query for it."""
    cached = getattr(request, "_notifications_unread", None)
    if cached is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            cached = 0
        else:
            cached = cache.get(_cache_key(user.pk))
            if cached is None:
                cached = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
                cache.set(_cache_key(user.pk), cached, UNREAD_CACHE_SECONDS)
        request._notifications_unread = cached  # type: ignore[attr-defined]
    return cached
