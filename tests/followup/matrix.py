"""Participants and eligibility validations in the permission matrix (tests/access): the
world's own participant, followed by the 93 structure and working for `company93` on the
own (Saint-Denis) market, with a validation; the other one in Paris (75)."""

from datetime import date

from django.db.models import Model

from clauses.access.actors import Actor
from clauses.followup import policies
from clauses.followup.models import Assignment, EligibilityValidation, Participant
from clauses.followup.selectors import structure_department
from tests.markets import matrix as markets_matrix


def _build(world: object, side: str) -> dict[str, Model]:
    market = markets_matrix.record(world, side, "market")
    lot = market.lots.get()
    code = "93" if side == "own" else "75"
    structure = world.structures[side]  # type: ignore[attr-defined]
    participant = Participant.objects.create(
        first_name="Personne",
        last_name=f"Matrice {code}",
        birth_year=1990,
        structure=structure,
        department=structure_department(structure),
    )
    Assignment.objects.create(
        participant=participant,
        lot=lot,
        employer=world.organisations[f"company{code}"],  # type: ignore[attr-defined]
        modality="direct_cdd",
        start_date=date(2026, 3, 1),
    )
    validation = EligibilityValidation.objects.create(
        participant=participant,
        structure=structure,
        validated_by_id=world.memberships["platform_admin"].user_id,  # type: ignore[attr-defined]
        derogation=True,
        prescriber_opinion="Avis motivé de test",
    )
    return {"participant": participant, "validation": validation}


def record(world: object, side: str, name: str) -> Model:
    cache = world.__dict__.setdefault("_followup", {})
    if side not in cache:
        cache[side] = _build(world, side)
    return cache[side][name]


def can_create_participant(actor: Actor, participant: Participant) -> bool:
    return policies.can_manage_participants(actor, participant.structure_id)


def can_validate(actor: Actor, obj: Model) -> bool:
    participant = obj if isinstance(obj, Participant) else obj.participant  # type: ignore[attr-defined]
    return policies.can_validate_eligibility(actor, participant)
