"""The desk API, mounted at `/api/v1/desk/`.

Public (no token), rate-limited per IP and contact address:

- `POST /route`: where a request would go, and why (files nothing);
- `POST /requests`: file a request (JSON); `POST /requests/multipart`: the same with files;
- `GET /requests/{reference}?token=…`: the buyer's view through its private token.

With an API token (`Authorization: Bearer clauses_…`): `GET /requests`, the requests the
token's organisation sees (facilitator structures and coordinations: their inbox; buyers:
their own requests).

Bodies are validated by the desk itself, so that every error is in French and names the
field of the API: 422 `{"detail": …, "errors": {"buyer_siret": ["…"], "market.cpv": […]}}`.
"""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from clauses.access.actors import Actor
from clauses.access.api_auth import TokenAuth
from clauses.core.http import client_ip
from clauses.core.pagecache import cached_lookup, json_response, render_json
from clauses.desk import abuse, selectors, services
from clauses.desk.enums import MessageKind, RequestKind
from clauses.desk.models import Request
from clauses.desk.rules import Target
from clauses.desk.schemas import (
    ErrorOut,
    FiledOut,
    FollowOut,
    InboxItemOut,
    RequestIn,
    RouteIn,
    RouteOut,
    inline_schema,
)

router = Router(tags=["Guichet régional"])

INVALID = "Certaines informations sont manquantes ou incorrectes."
NOT_FOUND = "Demande introuvable : vérifiez la référence et le lien de suivi."

# Names of the service's fields in the API (the market's facts are nested).
_API_FIELD = {
    "market_subject": "market.subject",
    "market_cpv": "market.cpv",
    "market_estimated_amount": "market.estimated_amount",
    "market_planned_publication_date": "market.planned_publication_date",
    "market_duration_months": "market.duration_months",
}
_MARKET_FIELDS = {
    "subject": "market_subject",
    "cpv": "market_cpv",
    "estimated_amount": "market_estimated_amount",
    "planned_publication_date": "market_planned_publication_date",
    "duration_months": "market_duration_months",
}
_TOP_FIELDS = (
    "kind",
    "buyer_name",
    "buyer_siret",
    "contact_name",
    "contact_email",
    "contact_phone",
    "execution_communes",
    "execution_departments",
    "region_wide",
    "outside_places",
    "message",
)


def _body(schema: type) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(schema)}},
        }
    }


_MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **{
                            name: {"type": "string"}
                            for name in _TOP_FIELDS
                            if name not in ("execution_communes", "execution_departments")
                        },
                        "execution_communes": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Codes INSEE (champ répété ou liste à virgules).",
                        },
                        "execution_departments": {"type": "array", "items": {"type": "string"}},
                        **{f"market.{name}": {"type": "string"} for name in _MARKET_FIELDS},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Pièces jointes : PDF, DOCX, XLSX, ODT, ODS ou CSV.",
                        },
                    },
                    "required": [
                        "kind",
                        "buyer_name",
                        "buyer_siret",
                        "contact_name",
                        "contact_email",
                        "message",
                    ],
                }
            }
        },
    }
}


# What the form refuses, the schema says (#11.10): the kinds, the required texts.
_MULTIPART_FIELDS = _MULTIPART_BODY["requestBody"]["content"]["multipart/form-data"]["schema"][
    "properties"
]
_MULTIPART_FIELDS["kind"] = {"type": "string", "enum": list(RequestKind.values)}
for _name in ("buyer_name", "buyer_siret", "contact_name", "contact_email", "message"):
    _MULTIPART_FIELDS[_name]["minLength"] = 1


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {_API_FIELD.get(name, name): messages for name, messages in exc.message_dict.items()}
    return {"__all__": exc.messages}


def _invalid(errors: dict[str, list[str]]) -> Status:
    return Status(422, {"detail": INVALID, "errors": errors})


def _json(request: HttpRequest) -> dict | Status:
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _invalid({"__all__": ["Le corps de la requête n'est pas du JSON valide."]})
    if not isinstance(payload, dict):
        return _invalid({"__all__": ["Un objet JSON est attendu."]})
    return payload


def _target_out(target: Target) -> dict:
    return {"level": str(target.level), "id": target.id, "name": target.name, "email": target.email}


def _service_data(payload: dict) -> dict[str, Any] | Status:
    data: dict[str, Any] = {name: payload.get(name) for name in _TOP_FIELDS}
    market = payload.get("market")
    if market is not None and not isinstance(market, dict):
        return _invalid({"market": ["Les informations du marché doivent être un objet JSON."]})
    for name, service_name in _MARKET_FIELDS.items():
        data[service_name] = (market or {}).get(name)
    return data


def _too_many(exc: abuse.RateLimited) -> Status:
    return Status(429, {"detail": exc.message, "errors": {}})


def _file(request: HttpRequest, data: dict[str, Any], files: list) -> Status:
    try:
        abuse.check_honeypot(data.pop(abuse.HONEYPOT_FIELD, None))
    except ValidationError as exc:
        return Status(400, {"detail": exc.messages[0], "errors": {}})
    ip = client_ip(request)
    email = data.get("contact_email")
    try:
        with abuse.filing_allowance(ip=ip, email=email if isinstance(email, str) else None):
            filed = services.file_request(data=data, attachments=files, ip=ip)
    except abuse.RateLimited as exc:
        return _too_many(exc)
    except ValidationError as exc:
        return _invalid(_errors(exc))
    desk_request = filed.request
    target = Target(
        level=desk_request.target_level,
        id=desk_request.target_structure_id or desk_request.target_coordination_id,
        name=desk_request.target_name,
        email=_target_email(desk_request),
    )
    return Status(
        201,
        {
            "reference": desk_request.reference,
            "target": _target_out(target),
            "reason": desk_request.routing_reason,
            "follow_url": filed.follow_url,
            "first_response_due": desk_request.first_response_due,
        },
    )


def _target_email(desk_request: Request) -> str:
    if desk_request.target_structure_id:
        return desk_request.target_structure.email
    if desk_request.target_coordination_id:
        coordination = desk_request.target_coordination
        if desk_request.target_level == "green_desk":
            return coordination.green_desk_email
        return coordination.desk_email or coordination.email
    return ""


def _wrong_route_types(payload: dict) -> dict[str, list[str]]:
    """The routing facts' JSON types, checked as the schema says (an empty object is not an
    empty list)."""
    errors: dict[str, list[str]] = {}
    # A key given with null is a wrong type too: the schema allows leaving it out, not null.
    for name in ("execution_communes", "execution_departments"):
        if name in payload and not (
            isinstance(payload[name], list) and all(isinstance(c, str) for c in payload[name])
        ):
            errors[name] = ["Une liste de codes (chaînes de caractères) est attendue."]
    if not isinstance(payload.get("region_wide", False), bool):
        errors["region_wide"] = ["Un booléen (true ou false) est attendu."]
    for name in ("kind", "buyer_siret"):
        if name in payload and not isinstance(payload[name], str):
            errors[name] = ["Une chaîne de caractères est attendue."]
    return errors


@router.post(
    "/route",
    response={200: RouteOut, 422: ErrorOut, 429: ErrorOut},
    openapi_extra=_body(RouteIn),
    summary="Orienter une demande (sans la déposer)",
)
def route(request: HttpRequest) -> Any:
    """Applies the desk's routing rule to these facts and says where the request would go
    and why. Nothing is filed."""
    payload = _json(request)
    if isinstance(payload, Status):
        return payload
    try:
        abuse.count_routing(ip=client_ip(request))
    except abuse.RateLimited as exc:
        return _too_many(exc)
    region_wide = payload.get("region_wide", False)
    wrong_types = _wrong_route_types(payload)
    if wrong_types:
        return _invalid(wrong_types)
    facts = {
        "kind": payload.get("kind") or "",
        "buyer_siret": payload.get("buyer_siret") or "",
        "execution_communes": payload.get("execution_communes") or [],
        "execution_departments": payload.get("execution_departments") or [],
        "region_wide": region_wide,
    }
    try:
        if facts["buyer_siret"]:  # an agreement of the buyer may decide: desk data, not cached
            return Status(200, _route_body(facts))
        # Places only: the answer changes with the network (and the day), cached as the
        # rendered JSON, so that a hit skips the schema's validation too (#15).
        key = json.dumps([facts, timezone.localdate().isoformat()], sort_keys=True)
        content = cached_lookup(
            "route-json", key, lambda: render_json(RouteOut, _route_body(facts))
        )
    except ValidationError as exc:
        return _invalid(_errors(exc))
    return json_response(content)


def _route_body(facts: dict) -> dict:
    decision = selectors.route_request(**facts)
    return {
        "target": _target_out(decision.target),
        "rule": str(decision.rule),
        "reason": decision.reason,
    }


@router.post(
    "/requests",
    response={201: FiledOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    openapi_extra=_body(RequestIn),
    summary="Déposer une demande au guichet",
)
def file_request(request: HttpRequest) -> Any:
    """Files the request, routes it, emails the acknowledgement (with the private follow
    link) to the contact and a notification to the target."""
    payload = _json(request)
    if isinstance(payload, Status):
        return payload
    data = _service_data(payload)
    if isinstance(data, Status):
        return data
    data[abuse.HONEYPOT_FIELD] = payload.get(abuse.HONEYPOT_FIELD)
    return _file(request, data, [])


@router.post(
    "/requests/multipart",
    response={201: FiledOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    openapi_extra=_MULTIPART_BODY,
    summary="Déposer une demande au guichet, avec des pièces jointes",
)
def file_request_multipart(request: HttpRequest) -> Any:
    """The same as `POST /requests`, as a form with files (`files`, repeated)."""
    post = request.POST
    data: dict[str, Any] = {name: post.get(name) for name in _TOP_FIELDS}
    for name in ("execution_communes", "execution_departments"):
        values = post.getlist(name)
        data[name] = ",".join(values) if values else ""
    for name, service_name in _MARKET_FIELDS.items():
        data[service_name] = post.get(f"market.{name}")
    data[abuse.HONEYPOT_FIELD] = post.get(abuse.HONEYPOT_FIELD)
    return _file(request, data, request.FILES.getlist("files"))


@router.get(
    "/requests/{reference}",
    response={200: FollowOut, 404: ErrorOut},
    summary="Suivre sa demande (lien privé)",
)
def follow(request: HttpRequest, reference: str, token: str = "") -> Any:
    """What the buyer sees through its private link: status, current target, history of
    assignments and the exchange (never the desk's internal notes)."""
    desk_request = selectors.request_for_token(reference=reference, token=token)
    if desk_request is None:
        return Status(404, {"detail": NOT_FOUND, "errors": {}})
    desk_request = (
        Request.objects.select_related("target_structure", "target_coordination")
        .prefetch_related("assignments__target_structure", "assignments__target_coordination")
        .get(pk=desk_request.pk)
    )
    messages = (
        desk_request.messages.exclude(kind=MessageKind.INTERNAL_NOTE)
        .select_related("author")
        .prefetch_related("attachments")
    )
    return Status(
        200,
        {
            "reference": desk_request.reference,
            "kind": desk_request.kind,
            "kind_label": desk_request.get_kind_display(),
            "status": desk_request.status,
            "status_label": desk_request.get_status_display(),
            "outcome": desk_request.outcome,
            "outcome_label": desk_request.get_outcome_display() if desk_request.outcome else "",
            "buyer_name": desk_request.buyer_name,
            "market_subject": desk_request.market_subject,
            "created_at": desk_request.created_at,
            "first_response_due": desk_request.first_response_due,
            "first_response_at": desk_request.first_response_at,
            "closed_at": desk_request.closed_at,
            "target": {
                "level": desk_request.target_level,
                "id": desk_request.target_structure_id or desk_request.target_coordination_id,
                "name": desk_request.target_name,
                "email": _target_email(desk_request),
            },
            "reason": desk_request.routing_reason,
            "assignments": [
                {
                    "target_level": a.target_level,
                    "target_name": _assignment_name(a),
                    "reason": a.reason,
                    "comment": a.comment,
                    "created_at": a.created_at,
                }
                for a in desk_request.assignments.all()
            ],
            "messages": [
                {
                    "kind": m.kind,
                    "kind_label": m.get_kind_display(),
                    "author": (
                        desk_request.buyer_name
                        if m.kind == MessageKind.FROM_BUYER
                        else desk_request.target_name
                    ),
                    "body": m.body,
                    "created_at": m.created_at,
                    "attachments": [a.original_name for a in m.attachments.all()],
                }
                for m in messages
            ],
        },
    )


def _assignment_name(assignment: Any) -> str:
    if assignment.target_level == "green_desk":
        return services.GREEN_DESK_NAME
    if assignment.target_structure_id:
        return assignment.target_structure.name
    if assignment.target_coordination_id:
        return assignment.target_coordination.name
    return assignment.get_target_level_display()


@router.get(
    "/requests",
    auth=TokenAuth(),
    response=list[InboxItemOut],
    summary="Demandes visibles par le jeton (boîte du guichet)",
)
@paginate
def inbox(
    request: HttpRequest,
    status: str = "",
    kind: str = "",
    department: str = "",
    overdue: bool = False,
) -> Any:
    """The requests the token's organisation sees, filtered like the inbox (`status`: a
    status or "open"; `kind`; `department`: a code; `overdue`)."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    rows = selectors.inbox(
        actor,
        today=timezone.localdate(),
        status=status or None,
        kind=kind or None,
        department=department or None,
        overdue=overdue,
    )
    return rows
