"""French error pages (#11): 400, 403, 404, 500 and the CSRF failure, in DSFR, and French
JSON for the same errors under `/api/` (the API's own errors are answered by
`clauses.core.apis`; these catch what happens outside it: an unknown address, a refused
host, a crash in a middleware). Wired in `clauses/urls.py` (`handler400`…) and
`CSRF_FAILURE_VIEW`. The 400 and 500 pages render without the request, the database nor
the context processors."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from clauses.core.apis import error_body

logger = logging.getLogger(__name__)

TITLES = {
    400: "Requête incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    500: "Erreur du serveur",
}
CSRF_MESSAGE = (
    "Le formulaire a expiré ou a été envoyé depuis une autre page. Rechargez la page, puis "
    "envoyez-le à nouveau."
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse(
        error_body(status, detail), status=status, json_dumps_params={"ensure_ascii": False}
    )


def _page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    if _is_api(request):
        return _json(status, message or None)
    return render(
        request,
        f"errors/{status}.html",
        {"title": TITLES[status], "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A refused host or a malformed request may stop before the middlewares (no session, no
    # user): the page renders on its own, like the 500 page.
    if _is_api(request):
        return _json(400)
    return HttpResponse(loader.get_template("errors/400.html").render(), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Our views raise PermissionDenied with a French sentence meant for the user.
    message = str(exception) if exception is not None and exception.args else ""
    return _page(request, 403, message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404)


def _database_unavailable() -> bool:
    """The error being handled is the database not answering (restart, failover, network):
    a temporary state, answered 503 with Retry-After, not a bug."""
    error = sys.exc_info()[1]
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if _database_unavailable():
        if _is_api(request):
            response = _json(503)
        else:
            response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    if _is_api(request):
        return _json(500)
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    logger.info("CSRF refusé (%s) : %s", request.path, reason)
    if _is_api(request):
        return _json(403, CSRF_MESSAGE)
    return render(
        request,
        "errors/403.html",
        {"title": "Formulaire expiré", "message": CSRF_MESSAGE},
        status=403,
    )
