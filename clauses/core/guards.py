"""A guard in front of every JSON body (#11.8): size and nesting depth are checked on the raw
bytes before anything parses them, so a body nested 100,000 levels deep answers a French 400
instead of a RecursionError (500), on every endpoint, anonymous ones included, whichever
code parses the body afterwards (ninja's parser or an endpoint's own `json.loads`)."""

import json
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 2 * 1024 * 1024
TOO_DEEP = (
    f"Le corps de la requête est trop imbriqué : {MAX_JSON_DEPTH} niveaux d'objets ou de "
    "listes au plus."
)
TOO_BIG = (
    f"Le corps de la requête est trop volumineux : {MAX_JSON_BYTES // 1024 // 1024} Mo au plus."
)

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if the JSON text nests objects or lists deeper than `limit` (strings skipped;
    a malformed body is left to the parser, which refuses it)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"detail": message, "errors": {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class JsonBodyGuardMiddleware:
    """Refuses a body (other than a form) over `MAX_JSON_BYTES` (413) or nested deeper than
    `MAX_JSON_DEPTH` (400), in French JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if content_type not in _FORM_TYPES:
                refused = self._check(request)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_JSON_BYTES:
            return _refuse(413, TOO_BIG)
        try:
            body = request.body
        except RequestDataTooBig:
            return _refuse(413, TOO_BIG)
        if len(body) > MAX_JSON_BYTES:
            return _refuse(413, TOO_BIG)
        if too_deep(body):
            return _refuse(400, TOO_DEEP)
        return None


class ApiMethodNotAllowedMiddleware:
    """ninja answers a method a path does not offer with a bare 405 (text/html): under
    `/api/` it becomes French JSON (the `Allow` header kept)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            french = _refuse(405, "Méthode non autorisée pour cette adresse.")
            if response.has_header("Allow"):
                french["Allow"] = response["Allow"]
            return french
        return response


def loads(body: bytes | str) -> object:
    """`json.loads` for the endpoints that parse their body themselves: a too deep text
    raises ValueError (callers answer their French 400/422), never RecursionError."""
    raw = body.encode() if isinstance(body, str) else body
    if too_deep(raw):
        raise ValueError(TOO_DEEP)
    return json.loads(raw)
