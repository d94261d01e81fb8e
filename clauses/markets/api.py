"""The API of clauses and markets.

Public (no token), mounted at `/api/v1/clauses/`:

- `POST /hours-estimate`: the hour-target calculator (explicit parameters or a preset);
- `GET /hours-presets`: the calculator's presets (national, or those of a département);
- `POST /obligation-check`: is a social execution condition mandatory (L2112-2-1)?

With an API token: `GET /api/v1/markets`, the markets the token's organisation sees
(`policies.visible_markets`); `GET /api/v1/markets/{id}`, one of them with its lots,
considerations and contractors.

Bodies and query strings are read by this module, not by ninja's validation, so that every
error is French: 422 `{"detail": "…", "errors": {"field": ["…"]}}`. Numbers may be JSON
numbers or strings ("0,05" accepted).
"""

import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status

from clauses.access.actors import Actor
from clauses.access.api_auth import TokenAuth
from clauses.core.apis import ErrorOut
from clauses.markets import calculator, policies, rules
from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration
from clauses.markets.presets import presets_for

router = Router(tags=["Clauses sociales : calculateur et obligation"])
markets_router = Router(tags=["Marchés"], auth=TokenAuth())

INVALID = "Certaines informations sont manquantes ou incorrectes."
NOT_FOUND = "Marché introuvable."


class HoursEstimateIn(Schema):
    """Either `labour_share`, `hourly_cost`, `insertion_rate` (fractions: 0.5 for 50 %), or
    `preset` (any of the three then overrides the preset's value)."""

    amount_ht: Decimal | str
    preset: str | None = None
    labour_share: Decimal | str | None = None
    hourly_cost: Decimal | str | None = None
    insertion_rate: Decimal | str | None = None
    duration_months: Decimal | str | None = None
    transferred_staff_monthly_hours: Decimal | str | None = None
    method: Literal["standard", "cleaning"] | None = None
    department: str | None = None


class HoursEstimateOut(Schema):
    hours: int
    formula: str
    parameters: dict[str, str]
    recommendation: str
    recommendation_label: str
    warnings: list[str]


class PresetOut(Schema):
    code: str
    label: str
    labour_share: str | None
    hourly_cost: str | None
    insertion_rate: str | None
    source: str
    method: str
    minimum_hours: int | None
    verified: bool
    territory: str


class ObligationIn(Schema):
    estimated_amount_ht: Decimal | str
    market_kind: Literal["works", "supplies", "services"]
    buyer_is_state: bool | str = False
    consultation_date: date | str
    defence_or_security: bool | str = False


class ObligationOut(Schema):
    mandatory: bool
    threshold: str | None
    reason: str
    from_date: date


def _inline_schema(model: type[Schema]) -> dict[str, Any]:
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

    return resolve(schema)


def _body_doc(schema: type[Schema]) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema(schema)}},
        }
    }


def _invalid(detail: str, errors: dict[str, list[str]] | None = None) -> Status:
    return Status(422, {"detail": detail, "errors": errors or {}})


def _json(request: HttpRequest) -> dict | Status:
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _invalid("Le corps de la requête n'est pas du JSON valide.")
    if not isinstance(payload, dict):
        return _invalid("Un objet JSON est attendu.")
    return payload


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


@router.post(
    "/hours-estimate",
    response={200: HoursEstimateOut, 422: ErrorOut},
    summary="Calculer un objectif d'heures d'insertion",
    description=(
        "Heures = montant HT × part de main-d'œuvre ÷ coût horaire chargé × taux "
        "d'insertion (méthode des facilitateurs), ou méthode PACT Propreté pour le "
        "préréglage « proprete » (avec `duration_months` et "
        "`transferred_staff_monthly_hours`). Les fractions s'écrivent 0.5 pour 50 %."
    ),
    operation_id="clauses_hours_estimate",
    openapi_extra=_body_doc(HoursEstimateIn),
    auth=None,
)
def hours_estimate(request: HttpRequest) -> Status:
    payload = _json(request)
    if isinstance(payload, Status):
        return payload
    department = payload.get("department")
    if department is not None and not isinstance(department, str):
        return _invalid("Département : un code est attendu (par exemple « 93 »).")
    try:
        result = calculator.calculate(payload, department_code=department)
    except rules.CalculationError as exc:
        return _invalid(str(exc))
    return Status(200, result.as_dict())


@router.get(
    "/hours-presets",
    response=list[PresetOut],
    summary="Les préréglages du calculateur",
    description=(
        "Les valeurs par défaut nationales, ou celles qui s'appliquent dans un département "
        "(`?department=93`) quand une coordination les a réglées. `verified` est faux pour "
        "une valeur sans source vérifiée ; une valeur nulle doit être saisie."
    ),
    operation_id="clauses_hours_presets",
    auth=None,
)
def hours_presets(request: HttpRequest) -> list[dict]:
    department = request.GET.get("department") or None
    return [
        {
            "code": preset.code,
            "label": preset.label,
            "labour_share": _plain(preset.value("labour_share")),
            "hourly_cost": _plain(preset.value("hourly_cost")),
            "insertion_rate": _plain(preset.value("insertion_rate")),
            "source": preset.source,
            "method": str(preset.sector),
            "minimum_hours": preset.minimum_hours,
            "verified": preset.verified,
            "territory": preset.territory_label,
        }
        for preset in presets_for(department).values()
    ]


_TRUE = {"true", "1", "oui", "yes", "vrai"}
_FALSE = {"false", "0", "non", "no", "faux", ""}


def _boolean(payload: dict, name: str, label: str, errors: dict) -> bool:
    value = payload.get(name, False)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    errors[name] = [f"{label} : « vrai » ou « faux » (true ou false) est attendu."]
    return False


@router.post(
    "/obligation-check",
    response={200: ObligationOut, 422: ErrorOut},
    summary="La condition d'exécution sociale est-elle obligatoire (L2112-2-1) ?",
    description=(
        "Obligatoire pour une consultation engagée à partir du 21 août 2026, d'un montant "
        "estimé au moins égal au seuil européen du type de marché à cette date, hors "
        "défense et sécurité (sauf dérogation motivée)."
    ),
    operation_id="clauses_obligation_check",
    openapi_extra=_body_doc(ObligationIn),
    auth=None,
)
def obligation_check(request: HttpRequest) -> Status:
    payload = _json(request)
    if isinstance(payload, Status):
        return payload
    errors: dict[str, list[str]] = {}
    amount = None
    raw_amount = payload.get("estimated_amount_ht")
    if raw_amount is None or raw_amount == "":
        errors["estimated_amount_ht"] = ["Montant estimé HT : ce champ est obligatoire."]
    elif isinstance(raw_amount, list | dict):
        errors["estimated_amount_ht"] = ["Montant estimé HT : un nombre est attendu."]
    else:
        try:
            amount = rules.to_decimal(raw_amount, "Montant estimé HT")
        except rules.CalculationError as exc:
            errors["estimated_amount_ht"] = [str(exc)]
        else:
            if amount < 0:
                errors["estimated_amount_ht"] = ["Le montant estimé HT ne peut pas être négatif."]
    kind = payload.get("market_kind")
    if kind not in rules.MarketKind.values:
        errors["market_kind"] = [
            "Type de marché : « works » (travaux), « supplies » (fournitures) ou « services »."
        ]
    raw_date = payload.get("consultation_date")
    consultation = None
    if not isinstance(raw_date, str) or not raw_date.strip():
        errors["consultation_date"] = [
            "Date de la consultation : ce champ est obligatoire (AAAA-MM-JJ)."
        ]
    else:
        try:
            consultation = date.fromisoformat(raw_date.strip())
        except ValueError:
            errors["consultation_date"] = [
                f"Date de la consultation : « {raw_date} » n'est pas une date (AAAA-MM-JJ)."
            ]
    state = _boolean(payload, "buyer_is_state", "Acheteur de l'État", errors)
    defence = _boolean(payload, "defence_or_security", "Défense ou sécurité", errors)
    if errors:
        return _invalid(INVALID, errors)
    try:
        check = rules.check_social_obligation(
            estimated_amount_ht=amount,  # type: ignore[arg-type]
            market_kind=rules.MarketKind(kind),
            buyer_is_state=state,
            consultation_date=consultation,  # type: ignore[arg-type]
            defence_or_security=defence,
        )
    except rules.CalculationError as exc:
        return _invalid(str(exc), {"consultation_date": [str(exc)]})
    return Status(
        200,
        {
            "mandatory": check.mandatory,
            "threshold": _plain(check.threshold),
            "reason": check.reason,
            "from_date": rules.MANDATORY_SOCIAL_CONDITION_FROM,
        },
    )


# -- markets (token) ---------------------------------------------------------------------


class ConsiderationOut(Schema):
    kind: str
    kind_label: str
    legal_basis: str
    decp: str
    hours_target: int | None
    calculated_hours: int | None
    hours_method: str
    formula: str
    penalty_per_missing_hour: str | None
    eligible_publics: list[str]


class ContractorOut(Schema):
    siret: str
    name: str
    role: str


class LotOut(Schema):
    number: int
    title: str
    cpv: str | None
    estimated_amount_ht: str | None
    considerations: list[ConsiderationOut]
    contractors: list[ContractorOut]


class MarketOut(Schema):
    id: int
    reference: str
    subject: str
    buyer: str
    buyer_siret: str
    kind: str
    status: str
    status_label: str
    procedure: str
    cpv: str | None
    estimated_amount_ht: str | None
    awarded_amount_ht: str | None
    planned_publication_date: date | None
    notification_date: date | None
    following_structure: str | None
    execution_communes: list[str]


class MarketDetailOut(MarketOut):
    lots: list[LotOut]


class MarketPageOut(Schema):
    items: list[MarketOut]
    count: int


def _market_dict(market: Market) -> dict:
    return {
        "id": market.pk,
        "reference": market.reference,
        "subject": market.subject,
        "buyer": market.buyer.name,
        "buyer_siret": market.buyer.siret,
        "kind": market.kind,
        "status": market.status,
        "status_label": market.get_status_display(),
        "procedure": market.procedure,
        "cpv": market.cpv.code8 if market.cpv_id else None,
        "estimated_amount_ht": _plain(market.estimated_amount_ht),
        "awarded_amount_ht": _plain(market.awarded_amount_ht),
        "planned_publication_date": market.planned_publication_date,
        "notification_date": market.notification_date,
        "following_structure": (
            market.following_structure.name if market.following_structure_id else None
        ),
        "execution_communes": [c.insee for c in market.execution_communes.all()],
    }


def _markets(actor: Actor) -> QuerySet[Market]:
    return (
        policies.visible_markets(actor)
        .select_related("buyer", "cpv", "following_structure")
        .prefetch_related("execution_communes")
        .order_by("-created_at", "-pk")
    )


def _page_number(request: HttpRequest, name: str, default: int, maximum: int) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        return None
    return min(int(raw), maximum)


@markets_router.get(
    "/markets",
    response={200: MarketPageOut, 422: ErrorOut},
    summary="Les marchés que le jeton peut voir",
    operation_id="markets_list",
)
def market_list(request: HttpRequest) -> Status:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    limit = _page_number(request, "limit", 100, 500)
    offset = _page_number(request, "offset", 0, 10**9)
    if limit is None or offset is None:
        return _invalid(INVALID, {"limit": ["« limit » et « offset » sont des entiers positifs."]})
    markets = _markets(actor)
    return Status(
        200,
        {
            "items": [_market_dict(m) for m in markets[offset : offset + limit]],
            "count": markets.count(),
        },
    )


@markets_router.get(
    "/markets/{market_id}",
    response={200: MarketDetailOut, 404: ErrorOut},
    summary="Un marché, ses lots, ses considérations sociales et ses entreprises",
    operation_id="markets_detail",
)
def market_detail(request: HttpRequest, market_id: str) -> Status:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    if not market_id.isdigit():
        return Status(404, {"detail": NOT_FOUND, "errors": {}})
    lots = Lot.objects.order_by("number").prefetch_related(
        Prefetch("considerations", queryset=SocialConsideration.objects.order_by("kind")),
        Prefetch(
            "contractor_links",
            queryset=LotContractor.objects.select_related("organisation").order_by("role", "pk"),
        ),
        "cpv",
    )
    market = (
        _markets(actor).prefetch_related(Prefetch("lots", queryset=lots)).filter(pk=market_id)
    ).first()
    if market is None:
        return Status(404, {"detail": NOT_FOUND, "errors": {}})
    data = _market_dict(market)
    data["lots"] = [
        {
            "number": lot.number,
            "title": lot.title,
            "cpv": lot.cpv.code8 if lot.cpv_id else None,
            "estimated_amount_ht": _plain(lot.estimated_amount_ht),
            "considerations": [
                {
                    "kind": c.kind,
                    "kind_label": c.get_kind_display(),
                    "legal_basis": c.legal_basis,
                    "decp": c.decp_value,
                    "hours_target": c.hours_target,
                    "calculated_hours": c.calculated_hours,
                    "hours_method": c.hours_method,
                    "formula": c.formula,
                    "penalty_per_missing_hour": _plain(c.penalty_per_missing_hour),
                    "eligible_publics": list(c.eligible_publics),
                }
                for c in lot.considerations.all()
            ],
            "contractors": [
                {
                    "siret": link.organisation.siret,
                    "name": link.organisation.name,
                    "role": link.role,
                }
                for link in lot.contractor_links.all()
            ],
        }
        for lot in market.lots.all()
    ]
    return Status(200, data)
