"""What the project reads from an HTTP request outside views: the client's address."""

from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR only: behind a proxy, the proxy must set it (X-Forwarded-For is not
    trusted, it is written by the client)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
