from collections.abc import Callable

from django.http import HttpRequest

from clauses.notifications.selectors import unread_count


def header(request: HttpRequest) -> dict[str, object]:
    """The header's bell and identity. The count is a callable: computed only by a page
    that shows it, once per request and mostly from the cache (`unread_count`). The
    membership is the one the accounts middleware already loaded (no query)."""
    count: Callable[[], int] = lambda: unread_count(request)  # noqa: E731
    return {
        "notifications_unread": count,
        "current_membership": getattr(request, "membership", None),
    }
