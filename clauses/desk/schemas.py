"""Shapes of the desk API (OpenAPI). Request bodies are validated by the desk's own
validation (`validation.py`) so that every error is in French and names its field; the
input schemas here document them."""

from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from clauses.core.apis import ErrorOut as ErrorOut  # the one error body of the API
from clauses.desk.enums import RequestKind

# The values the desk accepts, so that the schema refuses what the server refuses (#11.10).
Kind = Literal[tuple(RequestKind.values)]  # type: ignore[valid-type]


class RouteIn(Schema):
    kind: Kind = Field(description="Objet de la demande.")
    buyer_siret: str = Field("", description="SIRET de l'acheteur (sert à trouver une convention).")
    execution_communes: list[str] = Field(
        default_factory=list, description="Codes INSEE des communes d'exécution."
    )
    execution_departments: list[str] = Field(
        default_factory=list,
        description="Codes des départements d'exécution (marché sur tout le département).",
    )
    region_wide: bool = Field(False, description="Le marché porte sur toute la région.")


class MarketIn(Schema):
    subject: str = Field("", description="Objet du marché.")
    cpv: str = Field("", description="Code CPV principal (8 chiffres, ex. 45000000).")
    estimated_amount: float | str | None = Field(None, description="Montant estimé, en euros HT.")
    planned_publication_date: date | None = Field(
        None, description="Date de publication prévue (AAAA-MM-JJ)."
    )
    duration_months: int | None = Field(None, description="Durée du marché, en mois.")


class RequestIn(Schema):
    kind: Kind = Field(description="Objet de la demande.")
    buyer_name: str = Field(min_length=1, max_length=250, description="Nom de l'acheteur public.")
    buyer_siret: str = Field(
        min_length=1, description="SIRET de l'acheteur (14 chiffres, clé de contrôle vérifiée)."
    )
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: str = Field(min_length=3, max_length=254, description="Adresse électronique.")
    contact_phone: str = Field("", max_length=30)
    execution_communes: list[str] = Field(default_factory=list, description="Codes INSEE.")
    execution_departments: list[str] = Field(default_factory=list)
    region_wide: bool = False
    outside_places: str = Field(
        "", max_length=500, description="Lieux d'exécution hors de la région, en clair."
    )
    market: MarketIn | None = None
    message: str = Field(min_length=1, max_length=5000)


class TargetOut(Schema):
    level: str
    id: int | None
    name: str
    email: str


class RouteOut(Schema):
    target: TargetOut
    rule: str
    reason: str


class FiledOut(Schema):
    reference: str
    target: TargetOut
    reason: str
    follow_url: str
    first_response_due: date


class MessageOut(Schema):
    kind: str
    kind_label: str
    author: str
    body: str
    created_at: datetime
    attachments: list[str]


class AssignmentOut(Schema):
    target_level: str
    target_name: str
    reason: str
    comment: str
    created_at: datetime


class FollowOut(Schema):
    reference: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    buyer_name: str
    market_subject: str
    created_at: datetime
    first_response_due: date
    first_response_at: datetime | None
    closed_at: datetime | None
    target: TargetOut
    reason: str
    assignments: list[AssignmentOut]
    messages: list[MessageOut]


class InboxItemOut(Schema):
    reference: str
    kind: str
    status: str
    buyer_name: str
    buyer_siret: str
    market_subject: str
    target_level: str
    target_name: str
    taken_by: str
    publication_timing: str
    created_at: datetime
    first_response_due: date
    first_response_at: datetime | None
    overdue: bool

    @staticmethod
    def resolve_taken_by(obj: Any) -> str:
        return str(obj.taken_by) if obj.taken_by_id else ""

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return (
            obj.is_open
            and obj.first_response_at is None
            and obj.first_response_due < timezone.localdate()
        )


def inline_schema(model: type[Schema]) -> dict[str, Any]:
    """The JSON schema of a model with its `$defs` inlined (for `openapi_extra`)."""
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
