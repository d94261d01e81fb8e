"""Hour declarations in the permission matrix (tests/access): on the follow-up's own
assignment (company93 on the Saint-Denis market followed by the 93 structure) and on the
other one (company75 in Paris), one declaration of April 2026 each, awaiting control."""

from datetime import date
from decimal import Decimal

from django.db.models import Model

from clauses.access.actors import Actor
from clauses.hours import policies
from clauses.hours.models import HourDeclaration
from tests.followup import matrix as followup_matrix


def record(world: object, side: str) -> HourDeclaration:
    cache = world.__dict__.setdefault("_hours", {})
    if side not in cache:
        participant = followup_matrix.record(world, side, "participant")
        assignment = participant.assignments.get()
        cache[side] = HourDeclaration.objects.create(
            assignment=assignment,
            month=date(2026, 4, 1),
            declared_hours=Decimal(120),
            base_hours=Decimal(120),
        )
    return cache[side]


def can_declare(actor: Actor, declaration: Model) -> bool:
    return policies.can_declare(actor, declaration.assignment)  # type: ignore[attr-defined]


def can_control(actor: Actor, declaration: Model) -> bool:
    return policies.can_control(actor, declaration)  # type: ignore[arg-type]
