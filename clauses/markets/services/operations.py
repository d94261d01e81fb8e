"""Operations (urban renewal programmes and other groups of markets)."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from clauses.access.actors import Actor
from clauses.markets import rules
from clauses.markets.models import (
    Operation,
)
from clauses.markets.services.common import _deny
from clauses.territories.models import Commune, Department


def create_operation(
    *,
    actor: Actor,
    name: str,
    kind: str,
    department: Department | None = None,
    communes: Iterable[Commune] = (),
    insertion_rate: Any = None,
    default_preset: str = "",
    description: str = "",
) -> Operation:
    """An operation grouping markets (e.g. an ANRU urban renewal project)."""
    if not actor.can_write or not (
        actor.is_platform_admin
        or actor.is_facilitator
        or actor.is_territorial_coordinator
        or actor.is_buyer_agent
    ):
        raise _deny("Vous ne pouvez pas créer d'opération.")
    if not (name or "").strip():
        raise ValidationError({"name": ["Indiquez le nom de l'opération."]})
    rate = None
    if insertion_rate not in (None, ""):
        try:
            rate = rules.to_decimal(insertion_rate, "Taux d'insertion")
        except rules.CalculationError as exc:
            raise ValidationError({"insertion_rate": [str(exc)]}) from None
        if not Decimal(0) <= rate <= Decimal(1):
            raise ValidationError(
                {"insertion_rate": ["Taux d'insertion : une fraction entre 0 et 1 est attendue."]}
            )
    operation = Operation.objects.create(
        name=name.strip(),
        kind=kind,
        department=department,
        insertion_rate=rate,
        default_preset=default_preset,
        description=description,
    )
    operation.communes.set(list(communes))
    return operation
