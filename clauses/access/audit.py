"""The actor-aware way to write a journal: who acts is an `Actor`, and its user, API token,
organisation and IP address are filled from it.

The journals themselves (`clauses.core.models.JournalEntry` and its concrete subclasses) know
nothing of actors: their one keyword-only `record(...)` takes plain fields. Services that have
an `Actor` call:

    audit.record(actor, AuditAction.UPDATE, membership, changes={"role": [old, new]})
    audit.journal(MarketEvent, actor, market=market, kind=..., details={...})

`actor` is the `Actor` of the request or token (a `User` is accepted from code that has no
actor yet, `None` for the platform itself). `changes` (stored as the event's `details`) is a
JSON-serialisable dict, by convention `{field: [before, after]}`; never put a participant's
personal data in it — name the field, not the value. Records are named by their
`journal_label` ("Participant n° 48"), never by a person's name.
"""

from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest

from clauses.access.actors import Actor
from clauses.accounts.enums import AuditAction
from clauses.accounts.models import AuditEvent, Organisation
from clauses.accounts.models import territory_of as territory_of
from clauses.core.http import client_ip as client_ip
from clauses.core.models import JournalEntry

Journal = TypeVar("Journal", bound=JournalEntry)

PLATFORM_LABEL = "Plateforme"


def as_actor(actor: Any) -> Actor:
    """An `Actor` from an actor, a `User`, or `None` (the platform: an anonymous actor)."""
    if actor is None:
        return Actor(label=PLATFORM_LABEL)
    if isinstance(actor, Actor):
        return actor
    if getattr(actor, "is_authenticated", False):  # a User
        return Actor(user_id=actor.pk, label=str(actor))
    return Actor()


def actor_fields(actor: Any) -> dict[str, Any]:
    """The common journal fields of an actor: `actor_user_id`, `actor_repr`."""
    who = as_actor(actor)
    return {"actor_user_id": who.user_id, "actor_repr": who.label}


def journal(model: type[Journal], actor: Any, **fields: Any) -> Journal:
    """One line of any journal, the actor's user and label filled in."""
    return model.record(**actor_fields(actor), **fields)


def record(
    actor: Actor | Any,
    action: AuditAction | str,
    obj: models.Model | None,
    *,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    organisation: Organisation | None = None,
    territory: str | None = None,
) -> AuditEvent:
    """Write one audit event and return it. The IP is the actor's (`Actor.ip`), or the
    request's when one is given; `organisation` and `territory` are found from `obj` when
    not given."""
    who = as_actor(actor)
    return AuditEvent.record(
        action=action,
        obj=obj,
        organisation=organisation,
        territory=territory,
        details=changes,
        actor_token_id=who.token_id,
        actor_organisation_id=who.organisation_id,
        ip=client_ip(request) or who.ip,
        **actor_fields(who),
    )
