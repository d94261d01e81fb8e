"""Authentication of the API by organisation tokens (`Authorization: Bearer clauses_…`).

Set `auth=TokenAuth()` on protected routers only: public endpoints stay public, and the
OpenAPI description declares the bearer scheme on the protected operations. Inside an
operation, `request.auth` is the `Actor`: fetch through `clauses.access.policies` with it.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from clauses.access.actors import Actor, actor_for_token
from clauses.access.tokens import find_usable_token, touch
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.services import record_login_event
from clauses.core.http import client_ip

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Messages, not secrets.
MESSAGE_MISSING = (
    "Authentification requise : envoyez un jeton d'API dans l'en-tête "
    "« Authorization: Bearer clauses_… »."
)
MESSAGE_INVALID = "Jeton d'API inconnu, révoqué ou expiré."
MESSAGE_READ_ONLY = (
    "Ce jeton d'API est en lecture seule : il ne permet pas de modifier des données."
)


def _journal_refusal(request: HttpRequest, token: str) -> None:
    """A refused token is a line of the login journal (door "api"), with its first
    characters only — never the whole value someone sent."""
    record_login_event(
        email=f"jeton {token.strip()[:16]}…",
        success=False,
        reason=LoginEventReason.TOKEN_REFUSED,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        door="api",
    )


class TokenAuth(HttpBearer):
    """Returns the `Actor` of the token; 401 for an unknown, revoked or expired token; 403
    for a read-only token on a method that writes, unless the endpoint only computes
    (`TokenAuth(computes_only=True)`: a POST that stores nothing, like an assessment)."""

    def __init__(self, *, computes_only: bool = False) -> None:
        super().__init__()
        self.computes_only = computes_only

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        api_token = find_usable_token(token.strip())
        actor = actor_for_token(api_token, ip=client_ip(request)) if api_token else None
        if actor is None or actor.is_anonymous:
            _journal_refusal(request, token)
            raise AuthenticationError(401, MESSAGE_INVALID)
        if actor.read_only and request.method not in SAFE_METHODS and not self.computes_only:
            raise HttpError(403, MESSAGE_READ_ONLY)
        touch(api_token, actor.ip)
        return actor


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else MESSAGE_MISSING
    response = _api.create_response(request, {"detail": message}, status=exc.status_code)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


_api: NinjaAPI


def install(api: NinjaAPI) -> None:
    """Answer authentication failures in French, with a `WWW-Authenticate` header."""
    global _api
    _api = api
    api.add_exception_handler(AuthenticationError, _authentication_error)
