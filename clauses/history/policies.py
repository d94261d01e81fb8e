"""Who may bring a structure's history in, and use a mapping profile (issue #14.1).

| actor                                   | import into a structure | use a profile              |
|-----------------------------------------|-------------------------|----------------------------|
| facilitator of the structure            | yes                     | its structure's, and those |
|                                         |                         | shared in its département  |
| local / departmental / regional coord.  | the structures of its   | idem, for the structures   |
| (the coordinations above the structure) | coverage                | it covers                  |
| national coordination, administrator    | no (no personal data)   | no                         |
| buyer, company, partner, any API token  | no                      | no                         |

An import writes people and their eligibility: only those who may see the personal data of
the structure's participants import into it (`Actor.can_see_personal_data`, never a token,
never a read-only membership). Coverage is the network's (`Actor.structure_ids`, built from
the coordinations below the actor's: DESIGN.md, "Actors and what each may see").
"""

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.followup.selectors import structure_department
from clauses.history.models import HistoryImport, HistoryUpload, MappingProfile
from clauses.network.models import FacilitatorStructure


def importable_structures(actor: Actor) -> QuerySet[FacilitatorStructure]:
    """The structures this actor may import into (a facilitator: its own; a territorial
    coordinator: those of its coverage)."""
    if not actor.can_write or not actor.can_see_personal_data:
        return FacilitatorStructure.objects.none()
    return FacilitatorStructure.objects.filter(pk__in=actor.structure_ids, is_active=True)


def can_import(actor: Actor, structure: FacilitatorStructure | None) -> bool:
    """Only the structure's facilitators and the coordinations above it (see the table)."""
    if structure is None or not actor.can_write or not actor.can_see_personal_data:
        return False
    return structure.pk in actor.structure_ids and structure.is_active


def _department_codes(actor: Actor) -> set[str]:
    """The départements of the structures the actor imports into."""
    codes = set()
    for structure in importable_structures(actor).select_related(
        "coordination__department", "coordination__parent__department"
    ):
        department = structure_department(structure)
        if department is not None:
            codes.add(department.code)
    return codes


def visible_profiles(actor: Actor) -> QuerySet[MappingProfile]:
    """The profiles of the structures the actor imports into, and those shared in their
    départements."""
    structures = importable_structures(actor)
    if not actor.can_write or not actor.can_see_personal_data:
        return MappingProfile.objects.none()
    condition = Q(structure__in=structures.values("pk"))
    codes = _department_codes(actor)
    if codes:
        condition |= Q(shared_in_department=True) & (
            Q(structure__coordination__department__code__in=codes)
            | Q(
                structure__coordination__department__isnull=True,
                structure__coordination__parent__department__code__in=codes,
            )
        )
    return MappingProfile.objects.filter(condition).distinct()


def can_use_profile(actor: Actor, profile: MappingProfile | None) -> bool:
    """Apply a profile to an import: its own structure's, or one shared in the
    département of a structure the actor imports into."""
    if profile is None:
        return False
    return visible_profiles(actor).filter(pk=profile.pk).exists()


def can_edit_profile(actor: Actor, profile: MappingProfile | None) -> bool:
    """Rename, share or delete: the profile's own structure's importers only."""
    return profile is not None and can_import(actor, profile.structure)


def visible_uploads(actor: Actor) -> QuerySet[HistoryUpload]:
    """A user's uploads are theirs: the uploader's own, for a structure it still imports
    into, not expired."""
    if actor.user_id is None or actor.via_token:
        return HistoryUpload.objects.none()
    return HistoryUpload.objects.live().filter(
        uploaded_by_id=actor.user_id, structure__in=importable_structures(actor).values("pk")
    )


def visible_imports(actor: Actor) -> QuerySet[HistoryImport]:
    """The import reports of the structures the actor imports into."""
    return HistoryImport.objects.filter(structure__in=importable_structures(actor).values("pk"))
