"""What an import would do with the database as it is (stub, filled next)."""

from collections import Counter
from dataclasses import dataclass, field

from clauses.access.actors import Actor
from clauses.history.validation import Checked, Problem
from clauses.network.models import FacilitatorStructure


@dataclass
class Plan:
    problems: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    uncounted: list[dict] = field(default_factory=list)


def build(*, actor: Actor, structure: FacilitatorStructure, checked: Checked) -> Plan:
    return Plan()
