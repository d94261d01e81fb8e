"""Abstract models shared by several apps (no table of their own): the journal family.

Every journal of the project — the audit trail and the login journal (`accounts`), a desk
request's events (`desk`), a market's (`markets`), a declaration's (`hours`) — is a concrete
subclass of `JournalEntry`: the same field names (`created_at`, `actor_user`, `actor_repr`,
`details`), append-only, written by one keyword-only `record(...)`. Code that has an `Actor`
writes through `clauses.access.audit` (`audit.record` for the audit trail, `audit.journal`
for any other journal), which fills the actor's fields.

Append-only means: `save()` of an existing line, `delete()`, and the querysets' `update()` and
`delete()` raise `PermissionError`. The only ways to change lines are the two named paths of
RGPD storage limitation, `scrub(**values)` (anonymisation) and `expire()` (retention), so a
grep for them finds every place that rewrites history. Django itself still nulls the link of
a deleted user (`on_delete=SET_NULL` goes through the base manager, not these querysets).

Journal text never holds personal data of participants or candidates: a record is named by
`journal_label(obj)` — the record's own `journal_label` when it defines one ("Participant
n° 48"), else `str(obj)` — and `details` names fields, never their personal values.
"""

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone

JOURNAL_TEXT_MAX = 300


def journal_label(obj: object) -> str:
    """How a journal names a record: its `journal_label` (models holding personal data
    define one that says which record, not whose), else `str(obj)`; at most 300 chars."""
    if obj is None:
        return ""
    label = getattr(obj, "journal_label", None)
    if label is None:
        label = str(obj)
    return str(label)[:JOURNAL_TEXT_MAX]


class JournalQuerySet(models.QuerySet):
    """Append-only: no bulk update, no bulk delete, except the two named RGPD paths."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Un journal ne se modifie pas.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Un journal ne se supprime pas.")

    def scrub(self, **values: Any) -> int:
        """Anonymisation only: overwrite text that named a person (RGPD art. 5-1-e)."""
        return super().update(**values)

    def expire(self) -> tuple[int, dict[str, int]]:
        """Retention only: delete lines older than their retention period."""
        return super().delete()


class JournalEntry(models.Model):
    """One line of a journal: who did what, when, with which details.

    Concrete journals add what they journal (`market`, `declaration`, `request`…) and the
    kinds of events they know; they may redeclare a common field only to index it.
    """

    created_at = models.DateTimeField("le", default=timezone.now)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    actor_repr = models.CharField("par (libellé)", max_length=JOURNAL_TEXT_MAX, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)

    objects = JournalQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a business rule: an existing line is never rewritten.
        if not self._state.adding:
            raise PermissionError("Un journal ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Un journal ne se supprime pas.")

    @classmethod
    def record(
        cls,
        *,
        actor_user: Any = None,
        actor_repr: str = "",
        details: dict[str, Any] | None = None,
        created_at: Any = None,
        **fields: Any,
    ) -> Self:
        """Write one line and return it (the only way the application adds one)."""
        if actor_user is not None:
            fields["actor_user"] = actor_user
            actor_repr = actor_repr or str(actor_user)
        return cls.objects.create(
            actor_repr=(actor_repr or "")[:JOURNAL_TEXT_MAX],
            details=details or {},
            created_at=created_at or timezone.now(),
            **fields,
        )
