"""The writes of an import (stub, filled next)."""

from clauses.access.actors import Actor
from clauses.network.models import FacilitatorStructure


def write(*, actor: Actor, structure: FacilitatorStructure, the_plan: object) -> dict:
    return {}


def after_import() -> None:
    """Once committed: the reviews' aggregates rebuilt in the background."""
