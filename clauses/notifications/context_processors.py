from django.http import HttpRequest

from clauses.notifications.selectors import unread_count


def header(request: HttpRequest) -> dict[str, object]:
    """The header's bell and identity. The count is a callable: queried only by a page that
    shows it, and once per request. The membership is the one the accounts middleware
    already loaded (no query)."""
    return {
        "notifications_unread": lambda: unread_count(request),
        "current_membership": getattr(request, "membership", None),
    }
