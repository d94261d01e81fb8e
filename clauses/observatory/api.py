"""Observatory API (public, no account): classify one DECP record, and a territory's
aggregates. The DECP are public data; the summary gives aggregates only. Errors are French:
422 `{"detail": "…"}`, 404 for an unknown territory."""

import json
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from clauses.core.apis import ErrorOut
from clauses.core.http import client_ip
from clauses.core.ratelimit import RateLimited, count_public_call
from clauses.observatory import parsing, queries, rules
from clauses.observatory.models import PublishedContract
from clauses.territories.models import Department, Region

router = Router(tags=["Observatoire de la commande publique"])

SocialLabel = Literal[
    "Clause sociale",
    "Critère social",
    "Marché réservé",
    "Concession réservée",
    "Considération sociale (type non précisé)",
]


class ClassifyIn(Schema):
    record: dict[str, Any] = Field(
        description=(
            "Un contrat tel que publié : objet JSON d'un marché ou d'un contrat de concession "
            "au format 2024 (avec `considerationsSociales`, `modifications`…), au format 2019, "
            "ou ligne du format tabulaire consolidé (colonnes `id`, `acheteur_id`, "
            "`considerationsSociales` en texte joint par « , »…)."
        )
    )
    form: Literal["market", "concession", "2019", "tabular"] | None = Field(
        None,
        description="La forme de l'enregistrement ; devinée d'après ses champs si absente.",
    )


class ClassifyOut(Schema):
    has_social_consideration: bool = Field(
        description="Vrai si le contrat porte au moins une considération sociale."
    )
    status: Literal["yes", "no", "unknown"] = Field(
        description=(
            "« yes » : au moins une considération sociale ; « no » : aucune ; « unknown » : "
            "non renseigné (format 2019 sans le champ, ou valeurs toutes inconnues)."
        )
    )
    social_considerations: list[SocialLabel] = Field(
        description="Les considérations sociales reconnues, sans doublon."
    )
    warnings: list[str] = Field(
        description="Ce que la lecture a relevé (valeurs inconnues, montant aberrant…)."
    )


SUMMARY_PARAMETERS = [
    {
        "name": "department",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "pattern": "^(\\d{2,3}|2[AB])$"},
        "description": "Code du département, par exemple « 93 » (ou region).",
    },
    {
        "name": "region",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "pattern": "^\\d{2}$"},
        "description": "Code de la région, par exemple « 11 » (ou department).",
    },
    {
        "name": "year",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
        "description": "Année de notification (toutes si absente).",
    },
]


class SummaryOut(Schema):
    territory: str = Field(description="Le territoire, en toutes lettres.")
    year: int | None = Field(description="L'année de notification, ou null pour toutes.")
    contracts: int = Field(ge=0, description="Contrats publiés (chacun compté une fois).")
    with_social_consideration: int = Field(ge=0, description="Dont avec une considération sociale.")
    without_social_consideration: int = Field(ge=0, description="Dont sans.")
    unknown: int = Field(
        ge=0, description="Dont non renseignés (format 2019, champ absent) : hors des parts."
    )
    share_with_social_consideration: float | None = Field(
        ge=0,
        le=1,
        description=(
            "Part des contrats avec une considération sociale parmi ceux dont la réponse est "
            "connue (entre 0 et 1 ; null sans contrat connu)."
        ),
    )
    amount_share_with_social_consideration: float | None = Field(
        ge=0, le=1, description="Même part, en montant (€ HT)."
    )


def _invalid(detail: str) -> Status:
    return Status(422, {"detail": detail})


@router.post(
    "/decp/classify",
    response={200: ClassifyOut, 422: ErrorOut, 429: ErrorOut},
    summary="Classer les considérations sociales d'un contrat publié (DECP)",
    description=(
        "Applique la règle de l'observatoire : « Clause sociale », « Critère social », "
        "« Marché réservé » (« Concession réservée ») sont des considérations sociales ; "
        "« Pas de considération sociale », « Sans objet », vide et null n'en sont pas ; le "
        "format 2019, sans ce champ, donne « non renseigné ». Rien n'est enregistré."
    ),
    operation_id="observatory_decp_classify",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ClassifyIn.model_json_schema()}},
        }
    },
    auth=None,
)
def classify(request: HttpRequest) -> Status:
    try:
        count_public_call(door="decp", ip=client_ip(request), now=timezone.now())
    except RateLimited as exc:
        return Status(429, {"detail": exc.message, "errors": {}})
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _invalid("Le corps de la requête n'est pas du JSON valide.")
    if not isinstance(payload, dict) or "record" not in payload:
        return _invalid("Un objet JSON avec la clé « record » est attendu.")
    record = payload["record"]
    if not isinstance(record, dict):
        return _invalid("« record » doit être un objet JSON (un contrat publié).")
    form = payload.get("form")
    hints = {"market": parsing.MARKET, "concession": parsing.CONCESSION,
             "2019": parsing.FORMAT_2019, "tabular": parsing.TABULAR}  # fmt: skip
    if form is not None and (not isinstance(form, str) or form not in hints):
        return _invalid("« form » doit valoir market, concession, 2019 ou tabular.")
    warnings: list[str] = []
    try:
        found = parsing.normalise(record, hint=hints.get(form) if form else None)
        classification, warnings = found.classification, list(found.warnings)
    except parsing.RecordError as error:
        # The record cannot be imported, but its considerations can still be read.
        hint = hints.get(form) if form else parsing.detect(record)
        classification = rules.classify(
            record.get("considerationsSociales"),
            present="considerationsSociales" in record,
            concession=hint == parsing.CONCESSION,
        )
        warnings = [f"Enregistrement non importable : {error}", *classification.warnings]
    return Status(
        200,
        {
            "has_social_consideration": classification.has_social_consideration,
            "status": str(classification.status),
            "social_considerations": list(classification.labels),
            "warnings": warnings,
        },
    )


@router.get(
    "/observatory/summary",
    response={200: SummaryOut, 404: ErrorOut, 422: ErrorOut},
    summary="Chiffres de l'observatoire pour un territoire",
    description=(
        "Agrégats des contrats publiés (DECP) d'un département ou d'une région, pour une "
        "année de notification : nombre de contrats, part avec une considération sociale "
        "(en nombre et en montant). Aucun contrat n'est listé."
    ),
    operation_id="observatory_summary",
    openapi_extra={"parameters": SUMMARY_PARAMETERS},
    auth=None,
)
def summary(request: HttpRequest) -> Status:
    department = request.GET.get("department", "").strip().upper()[:10]
    region = request.GET.get("region", "").strip()[:10]
    year_text = request.GET.get("year", "").strip()
    year = None
    if year_text:
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            return _invalid("« year » doit être une année entre 2000 et 2100.")
        year = int(year_text)
    if department and region:
        return _invalid("Indiquez un département ou une région, pas les deux.")
    if not department and not region:
        return _invalid("Indiquez un département (department) ou une région (region).")
    if department:
        found = Department.objects.filter(code=department).first()
        if found is None:
            return Status(404, {"detail": f"Département « {department} » inconnu."})
        label = f"{found.code} — {found.name}"
        department = found.code
    else:
        found_region = Region.objects.filter(code=region).first()
        if found_region is None:
            return Status(404, {"detail": f"Région « {region} » inconnue."})
        label = found_region.name
    contracts = queries.in_scope(
        PublishedContract.objects.all(), department=department, region=region, year=year
    )
    figures = queries.summary(contracts)
    return Status(
        200,
        {
            "territory": label,
            "year": year,
            "contracts": figures.contracts,
            "with_social_consideration": figures.with_social,
            "without_social_consideration": figures.without_social,
            "unknown": figures.unknown,
            "share_with_social_consideration": figures.share,
            "amount_share_with_social_consideration": figures.amount_share,
        },
    )
