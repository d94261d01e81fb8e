"""The public dry run of the programme review: `POST /api/v1/programme/analyse`.

No account, no storage: the lines of a programme in, the analysis of each line out (the
same pure rule as the pages, `rules.analyse_line`, on the facts of the partner directory
and the territory's calculator presets). The body is described by ninja schemas (kinds as
literals, bounds on amounts, durations and the number of lines) and validated with them;
every error is answered in French, 422 `{"detail": "…", "errors": {"lines.0.kind": ["…"]}}`.
"""

import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from clauses.core.apis import ErrorOut
from clauses.core.http import client_ip
from clauses.core.ratelimit import RateLimited, count_public_call
from clauses.core.text import fold
from clauses.programme import rules, selectors
from clauses.territories.models import Commune, CpvCode, Department

router = Router(tags=["Revue de programmation"])

MAX_LINES = 200
INVALID = "Certaines informations sont manquantes ou incorrectes."

BuyerKindIn = Literal["local_authority", "state", "social_landlord", "hospital", "other_public"]
KindIn = Literal["works", "supplies", "services"]


class LineIn(Schema):
    title: str = Field(min_length=1, max_length=300, description="Intitulé de la consultation")
    cpv: str | None = Field(
        None, pattern=r"^\d{8}(-\d)?$", description="Code CPV à 8 chiffres (45210000)"
    )
    category: str | None = Field(
        None, max_length=200, description="Catégorie d'achat, quand il n'y a pas de CPV"
    )
    kind: KindIn = Field(description="Travaux, fournitures ou services")
    department: str | None = Field(
        None, pattern=r"^(\d{2}|2[AB]|97\d)$", description="Code du département d'exécution"
    )
    commune: str | None = Field(
        None, pattern=r"^(\d{5}|2[AB]\d{3})$", description="Code INSEE de la commune"
    )
    amount_ht: Decimal | None = Field(
        None, ge=0, le=rules.MAX_AMOUNT, description="Montant estimé en euros HT"
    )
    duration_months: int | None = Field(
        None, ge=1, le=rules.MAX_DURATION_MONTHS, strict=True, description="Durée en mois"
    )
    launch_date: date | None = Field(None, description="Lancement prévu (AAAA-MM-JJ)")

    @field_validator("launch_date", mode="before")
    @classmethod
    def _a_date_is_text(cls, value: object) -> object:
        """JSON has no date type: the schema says a string (AAAA-MM-JJ); a number (which
        pydantic would read as a timestamp) is refused."""
        if value is not None and not isinstance(value, str | date):
            raise ValueError("date attendue au format AAAA-MM-JJ")
        return value


class AnalyseIn(Schema):
    buyer_kind: BuyerKindIn = Field(description="Catégorie d'acheteur")
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)


class ObligationOut(Schema):
    mandatory: bool
    reason: str


class AdviceOut(Schema):
    code: rules.RecommendationCode
    label: str
    reason: str


class SupplyOut(Schema):
    department: str | None
    siae: int
    ea_esat: int
    geiq: int
    staffing_siae: int


class FamilyOut(Schema):
    code: str
    label: str


class LineOut(Schema):
    title: str
    recommendations: list[rules.RecommendationCode]
    advice: list[AdviceOut]
    hours: int | None
    hours_formula: str
    obligation: ObligationOut
    reasons: list[str]
    local_supply: SupplyOut
    family: FamilyOut


class AnalyseOut(Schema):
    lines: list[LineOut]


# -- French messages for the schema's errors ----------------------------------------------

_MESSAGES = {
    "missing": "ce champ est obligatoire.",
    "literal_error": "valeur inconnue (valeurs possibles : {expected}).",
    "string_too_short": "ce texte ne peut pas être vide.",
    "string_too_long": "ce texte est trop long ({max_length} caractères au plus).",
    "string_pattern_mismatch": "format invalide.",
    "string_type": "un texte est attendu.",
    "int_parsing": "un nombre entier est attendu.",
    "int_type": "un nombre entier est attendu.",
    "int_from_float": "un nombre entier est attendu.",
    "decimal_parsing": "un nombre est attendu.",
    "decimal_type": "un nombre est attendu.",
    "finite_number": "un nombre fini est attendu.",
    "greater_than_equal": "la valeur doit être au moins {ge}.",
    "less_than_equal": "la valeur doit être au plus {le}.",
    "too_short": "au moins {min_length} élément(s) attendu(s).",
    "too_long": "au plus {max_length} éléments par appel.",
    "list_type": "une liste est attendue.",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue.",
    "date_parsing": "une date AAAA-MM-JJ est attendue.",
    "date_type": "une date AAAA-MM-JJ est attendue.",
    "model_type": "un objet JSON est attendu.",
    "dict_type": "un objet JSON est attendu.",
}


def _french(error: dict[str, Any]) -> str:
    template = _MESSAGES.get(error["type"], "valeur invalide.")
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return "valeur invalide."


def _invalid(detail: str, errors: dict[str, list[str]] | None = None) -> Status:
    return Status(422, {"detail": detail, "errors": errors or {}})


def _openapi_body() -> dict:
    schema = AnalyseIn.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                return inline(definitions[ref.rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline(schema)}},
        }
    }


@router.post(
    "/analyse",
    response={200: AnalyseOut, 422: ErrorOut, 429: ErrorOut},
    summary="Analyser une programmation achat (simulation, rien n'est enregistré)",
    description=(
        "Pour chaque ligne : les considérations sociales adaptées (`insertion_clause`, "
        "`social_award_criterion`, `reserved_siae` — article L2113-13, `reserved_ea_esat` — "
        "article L2113-12, `none`) avec leurs motifs, les heures d'insertion estimées par le "
        "calculateur et les préréglages du territoire, l'obligation de l'article L2112-2-1 "
        f"et l'offre locale de l'annuaire des partenaires. {MAX_LINES} lignes au plus par "
        "appel ; sans compte ; aucune donnée conservée."
    ),
    operation_id="programme_analyse",
    openapi_extra=_openapi_body(),
    auth=None,
)
def analyse(request: HttpRequest) -> Status:
    try:
        count_public_call(door="programme", ip=client_ip(request), now=timezone.now())
    except RateLimited as exc:
        return Status(429, {"detail": exc.message, "errors": {}})
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _invalid("Le corps de la requête n'est pas du JSON valide.")
    if not isinstance(payload, dict):
        return _invalid("Un objet JSON est attendu.")
    try:
        body = AnalyseIn.model_validate(payload)
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "body"
            errors.setdefault(where, []).append(_french(error))
        return _invalid(INVALID, errors)

    # References, read once for the whole call.
    departments = {d.code: d.code for d in Department.objects.only("code")}
    communes = {
        c.insee: c.department.code
        for c in Commune.objects.filter(
            insee__in={line.commune for line in body.lines if line.commune}
        ).select_related("department")
    }
    cpv_codes = {line.cpv[:8] for line in body.lines if line.cpv}
    known_cpv = set(CpvCode.objects.filter(code8__in=cpv_codes).values_list("code8", flat=True))
    errors = {}
    for index, line in enumerate(body.lines):
        if line.department and line.department not in departments:
            errors[f"lines.{index}.department"] = [f"Département {line.department} inconnu."]
        if line.commune and line.commune not in communes:
            errors[f"lines.{index}.commune"] = [f"Commune {line.commune} inconnue."]
        if line.cpv and line.cpv[:8] not in known_cpv:
            errors[f"lines.{index}.cpv"] = [f"Code CPV {line.cpv[:8]} inconnu."]
        if (
            line.commune in communes
            and line.department
            and communes[line.commune] != line.department
        ):
            errors[f"lines.{index}.commune"] = [
                f"La commune {line.commune} n'est pas dans le département {line.department}."
            ]
    if errors:
        return _invalid(INVALID, errors)

    cache = selectors.FactsCache()
    today = timezone.localdate()
    out = []
    for line in body.lines:
        department = communes.get(line.commune or "") or line.department
        facts = selectors.line_facts(
            cache=cache,
            today=today,
            title=line.title,
            kind=line.kind,
            department=department,
            cpv=line.cpv[:8] if line.cpv else None,
            category=fold(f"{line.category or ''} {line.title}", expand=False),
            amount_ht=line.amount_ht,
            duration_months=line.duration_months,
            launch_date=line.launch_date,
            buyer_kind=body.buyer_kind,
        )
        analysis = rules.analyse_line(facts)
        out.append(
            {
                "title": line.title,
                "recommendations": [str(a.code) for a in analysis.advice],
                "advice": [
                    {"code": str(a.code), "label": a.label, "reason": a.reason}
                    for a in analysis.advice
                ],
                "hours": analysis.hours,
                "hours_formula": analysis.hours_formula,
                "obligation": {
                    "mandatory": analysis.obligation.mandatory,
                    "reason": analysis.obligation.reason,
                },
                "reasons": list(analysis.reasons),
                "local_supply": analysis.supply.as_dict(),
                "family": {"code": analysis.family.code, "label": analysis.family.label},
            }
        )
    return Status(200, {"lines": out})
