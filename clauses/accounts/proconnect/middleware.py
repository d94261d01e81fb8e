"""The Content Security Policy lets the login and logout forms end at ProConnect.

The site's policy says `form-action 'self'` (settings, CONTENT_SECURITY_POLICY), and a
browser applies it to the redirects that follow a form's submission too (CSP Level 3,
"form-action"; Chromium blocks them): the « S’identifier avec ProConnect » button (a POST
to /compte/proconnect/, which redirects to the authorisation endpoint) and the logout
button (a POST to /compte/deconnexion/, which redirects to the `end_session_endpoint`)
would stop on our side. When ProConnect is configured, every HTML page allows the issuer's
origin, and the origins of those two endpoints once discovery is cached (no network call
here). Listed after django-csp's middleware, so it runs first on the way out."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from clauses.accounts.proconnect import client


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def form_action_origins() -> list[str]:
    """The origins the site's forms may end at for ProConnect (none when not configured)."""
    conf = client.config()
    if conf is None:
        return []
    metadata = cache.get(f"proconnect:discovery:{conf.issuer}") or {}
    candidates = [
        conf.issuer,
        metadata.get("authorization_endpoint", ""),
        metadata.get("end_session_endpoint", ""),
    ]
    origins = [_origin(url) for url in candidates]
    return sorted({origin for origin in origins if origin})


class ProConnectFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response  # only a page has forms (no cache read for the API, files…)
        origins = form_action_origins()
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            response._csp_update = update  # django-csp merges it into the policy
        return response
