"""What every part of the JSON API shares (#11.8, #11.10):

- `ErrorOut`, the one error body: `{"detail": "…", "errors": {"champ": ["…"]}}`, in French;
- `BoundedPagination`: `limit` from 1 to `MAX_PAGE_SIZE`, `offset` up to `MAX_OFFSET` (a
  huge value answers 422 in French instead of overflowing the database);
- `install(api)`: French JSON answers for every error under `/api/` (400, 401, 403, 404,
  405, 422, 429, 500, 503), never a traceback outside DEBUG;
- `ClausesAPI.get_openapi_schema`: the statuses the API can answer are documented on every
  operation (400/413 with a body, 401/403 with a token, 404 with a path parameter, 422 with
  parameters or a body), so the OpenAPI document stays the true contract (Schemathesis,
  `tests/fuzz/run_schemathesis.py`).

The JSON body guard (size and nesting depth, before any parsing) is a middleware:
`clauses.core.guards.JsonBodyGuardMiddleware`.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination

logger = logging.getLogger("clauses.api")

MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000

INVALID = "Certaines informations sont manquantes ou incorrectes."
MESSAGES = {
    400: "Requête incorrecte.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    413: "Le corps de la requête est trop volumineux.",
    422: INVALID,
    429: "Trop de requêtes : réessayez plus tard.",
    500: "Erreur interne du serveur : l'incident est enregistré. Réessayez plus tard.",
    503: "Service momentanément indisponible : réessayez dans quelques instants.",
}
# ninja's own English messages, and what we answer instead.
_NINJA_MESSAGES = {
    "Cannot parse request body": "Le corps de la requête n'est pas du JSON valide.",
    "Too many requests.": MESSAGES[429],
    "Unauthorized": MESSAGES[401],
    "Forbidden": MESSAGES[403],
}


class ErrorOut(Schema):
    """Every error of the API."""

    detail: str = Field(description="Message d'erreur, en français.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages par champ (nom du champ de l'API, « query.limit »…), en français.",
    )


class BoundedPagination(LimitOffsetPagination):
    """`limit` (1 to 100, 20 by default) and `offset` (0 to 1,000,000) are bounded."""

    class Input(Schema):
        limit: int = Field(
            20, ge=1, le=MAX_PAGE_SIZE, description=f"Taille de la page (1 à {MAX_PAGE_SIZE})."
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description=f"Rang du premier élément (0 à {MAX_OFFSET})."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


def json_body(model: type[Schema]) -> dict[str, Any]:
    """`openapi_extra` documenting a required JSON body of this shape, for the endpoints that
    read their body themselves (to answer their own French errors): its `$defs` inlined."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": resolve(schema)}},
        }
    }


# -- French messages for pydantic's validation errors ----------------------------------------


def _french(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "Ce champ est obligatoire.",
        "int_parsing": "Un nombre entier est attendu.",
        "int_type": "Un nombre entier est attendu.",
        "int_from_float": "Un nombre entier est attendu.",
        "float_parsing": "Un nombre est attendu.",
        "float_type": "Un nombre est attendu.",
        "decimal_parsing": "Un nombre est attendu.",
        "decimal_type": "Un nombre est attendu.",
        "finite_number": "Un nombre fini est attendu.",
        "bool_parsing": "Un booléen (true ou false) est attendu.",
        "bool_type": "Un booléen (true ou false) est attendu.",
        "string_type": "Une chaîne de caractères est attendue.",
        "list_type": "Une liste est attendue.",
        "dict_type": "Un objet JSON est attendu.",
        "model_type": "Un objet JSON est attendu.",
        "model_attributes_type": "Un objet JSON est attendu.",
        "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
        "date_from_datetime_parsing": "Une date au format AAAA-MM-JJ est attendue.",
        "date_type": "Une date au format AAAA-MM-JJ est attendue.",
        "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
        "json_invalid": "JSON invalide.",
        "extra_forbidden": "Ce champ n'est pas attendu.",
        "value_error": "Valeur incorrecte.",
    }
    if kind in ("less_than_equal", "less_than"):
        return f"La valeur doit être au plus {ctx.get('le', ctx.get('lt'))}."
    if kind in ("greater_than_equal", "greater_than"):
        return f"La valeur doit être au moins {ctx.get('ge', ctx.get('gt'))}."
    if kind == "string_too_short":
        return f"Au moins {ctx.get('min_length')} caractère(s)."
    if kind == "string_too_long":
        return f"Au plus {ctx.get('max_length')} caractères."
    if kind == "too_short":
        return f"Au moins {ctx.get('min_length')} élément(s)."
    if kind == "too_long":
        return f"Au plus {ctx.get('max_length')} éléments."
    if kind == "string_pattern_mismatch":
        return "Le format de la valeur est incorrect."
    if kind in ("literal_error", "enum"):
        return f"Valeur attendue : {ctx.get('expected', '')}.".replace("'", "« ", 1)
    return messages.get(kind, "Valeur incorrecte.")


def _field(loc: tuple | list) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]  # ("body", "payload", "kind") → "kind"
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_errors(errors: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        out.setdefault(_field(error.get("loc", ())), []).append(_french(error))
    return out


# -- exception handlers -------------------------------------------------------------------


def error_body(status: int, detail: str | None = None, errors: dict | None = None) -> dict:
    """`{"detail": …}`, with `"errors"` by field when there are some."""
    body: dict[str, Any] = {"detail": detail or MESSAGES.get(status, MESSAGES[400])}
    if errors:
        body["errors"] = errors
    return body


def install(api: NinjaAPI) -> None:
    """French JSON for every error the API can raise (handlers by exception class)."""

    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, error_body(422, INVALID, validation_errors(exc.errors)))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc.message)
        for english, french in _NINJA_MESSAGES.items():
            if message.startswith(english):
                message = french
        return respond(request, exc.status_code, error_body(exc.status_code, message))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body(404))

    def on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) if exc.args else MESSAGES[403]
        return respond(request, 403, error_body(403, message))

    def on_database(request: HttpRequest, exc: Exception) -> HttpResponse:
        if not isinstance(exc, OperationalError | InterfaceError):
            return on_exception(request, exc)
        logger.exception("API : base de données indisponible (%s)", request.path)
        response = respond(request, 503, error_body(503))
        response["Retry-After"] = "5"
        return response

    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        if settings.DEBUG:
            raise exc  # the developer's traceback page (never in production)
        logger.exception("API : erreur interne (%s %s)", request.method, request.path)
        return respond(request, 500, error_body(500))

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_403)
    api.add_exception_handler(DatabaseError, on_database)
    api.add_exception_handler(Exception, on_exception)


# -- the OpenAPI document -------------------------------------------------------------------

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_DESCRIPTIONS = {
    "400": "Corps de requête illisible (JSON invalide ou trop imbriqué).",
    "401": "Jeton d'API absent, inconnu, révoqué ou expiré.",
    "403": "Le jeton ne permet pas cette action.",
    "404": "Introuvable, ou hors du périmètre du jeton.",
    "413": "Corps de requête trop volumineux.",
    "422": "Paramètres ou corps refusés : messages par champ.",
}


def _error_response(code: str) -> dict:
    return {
        "description": _DESCRIPTIONS[code],
        "content": {"application/json": {"schema": _ERROR_REF}},
    }


class ClausesAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the error statuses of every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema(ref_template=_ref_template())
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                codes: list[str] = []
                params = operation.get("parameters") or []
                if "requestBody" in operation:
                    codes += ["400", "413", "422"]
                elif params:
                    codes.append("422")
                if operation.get("security"):
                    codes += ["401", "403"]
                if "{" in path:
                    codes.append("404")
                responses = operation["responses"]
                documented = {str(code) for code in responses}  # ninja's keys are ints
                for code in codes:
                    if code not in documented:
                        responses[code] = _error_response(code)
        return schema


def _ref_template() -> str:
    return "#/components/schemas/{model}"
