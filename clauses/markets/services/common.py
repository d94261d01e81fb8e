"""Helpers shared by the markets services: permission errors in French, the market's history
event and audit event, validation of amounts and reasons, the market's department.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.markets import rules
from clauses.markets.enums import (
    MarketEventKind,
)
from clauses.markets.models import (
    Market,
    MarketEvent,
)

MIN_REASON_LENGTH = 10


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _event(
    market: Market,
    event_kind: MarketEventKind,
    *,
    actor: Actor | None,
    from_status: str = "",
    to_status: str = "",
    **details: Any,
) -> MarketEvent:
    return audit.journal(
        MarketEvent,
        actor,
        market=market,
        kind=event_kind,
        from_status=from_status,
        to_status=to_status,
        details=details,
    )


def _audit(actor: Actor, action: AuditAction, market: Market, changes: dict | None = None) -> None:
    territory = ""
    department = market.buyer.department if market.buyer.department_id else None
    if department is not None:
        territory = department.code
    audit.record(
        actor, action, market, changes=changes, organisation=market.buyer, territory=territory
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _reason(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationError({field: [message]})
    return text


def _clean_amount(value: Any, field: str, label: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = rules.to_decimal(value, label)
    except rules.CalculationError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(f"{label} : le montant ne peut pas être négatif.")
        return None
    if amount >= Decimal("1e12"):
        errors.setdefault(field, []).append(f"{label} : montant trop élevé.")
        return None
    return amount.quantize(Decimal("0.01"))


def department_code_of(market: Market) -> str | None:
    """The département whose presets and templates apply: the first of the execution
    communes, else the buyer's, else the following structure's coordination's."""
    code = (
        market.execution_communes.order_by("department__code")
        .values_list("department__code", flat=True)
        .first()
    )
    if code:
        return code
    if market.buyer.department_id:
        return market.buyer.department.code
    structure = market.following_structure
    if structure is not None and structure.coordination.department_id:
        return structure.coordination.department.code
    return None


def _choices(values: Iterable[str], allowed: Iterable[str], field: str, label: str) -> list[str]:
    allowed = set(allowed)
    chosen = list(dict.fromkeys(values or []))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise ValidationError({field: [f"{label} inconnu(s) : {', '.join(map(str, unknown))}."]})
    return chosen
