"""The audit trail: `record()` writes one event when a sensitive record is read or changed.

Services call it inside their transaction, after the change:

    audit.record(actor, AuditAction.UPDATE, membership, changes={"role": [old, new]},
                 request=request)

`actor` is the `Actor` of the request or token (a `User` is accepted from code that has no
actor yet). `changes` is a JSON-serialisable dict, by convention `{field: [before, after]}`;
never put a participant's personal data in it — name the field, not the value.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.access.models import AuditEvent
from clauses.accounts.models import Organisation
from clauses.network.models import Coordination, FacilitatorStructure


def _as_actor(actor: Any) -> Actor:
    if actor is None:
        return Actor()
    if isinstance(actor, Actor):
        return actor
    if getattr(actor, "is_authenticated", False):  # a User
        return Actor(user_id=actor.pk, label=str(actor))
    return Actor()


def _organisation_of(obj: models.Model | None) -> Organisation | None:
    if obj is None:
        return None
    if isinstance(obj, Organisation):
        return obj
    organisation = getattr(obj, "organisation", None)
    return organisation if isinstance(organisation, Organisation) else None


def _coordination_code(coordination: Coordination) -> str:
    if coordination.department_id:
        return coordination.department.code
    if coordination.parent_id and coordination.parent.department_id:
        return coordination.parent.department.code
    return ""


def territory_of(obj: models.Model | None) -> str:
    """The département code an event is filed under (for the coordinations' view)."""
    if obj is None:
        return ""
    if isinstance(obj, Coordination):
        return _coordination_code(obj)
    if isinstance(obj, FacilitatorStructure):
        return _coordination_code(obj.coordination)
    department = getattr(obj, "department", None)
    if department is not None and hasattr(department, "code"):
        return department.code
    structure = getattr(obj, "structure", None)
    if isinstance(structure, FacilitatorStructure):
        return _coordination_code(structure.coordination)
    coordination = getattr(obj, "coordination", None)
    if isinstance(coordination, Coordination):
        return _coordination_code(coordination)
    organisation = _organisation_of(obj)
    if organisation is not None and organisation is not obj:
        return territory_of(organisation)
    return ""


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR only: behind a proxy, the proxy must set it (X-Forwarded-For is not
    trusted, it is written by the client)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    actor: Actor | Any,
    action: AuditAction | str,
    obj: models.Model | None,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    *,
    organisation: Organisation | None = None,
    territory: str | None = None,
) -> AuditEvent:
    """Write one audit event and return it. `organisation` and `territory` are found from
    `obj` when not given (an organisation, a record with an `organisation`, a structure…)."""
    who = _as_actor(actor)
    concerned = organisation or _organisation_of(obj)
    if territory is None:
        territory = territory_of(obj) or territory_of(concerned)
    return AuditEvent.objects.create(
        action=AuditAction(action),
        actor_user_id=who.user_id,
        actor_token_id=who.token_id,
        actor_repr=who.label[:300],
        actor_organisation_id=who.organisation_id,
        organisation=concerned,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        territory=territory or "",
        changes=changes or {},
        ip=client_ip(request),
    )
