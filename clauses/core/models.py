"""Abstract models shared by several apps (no table of their own)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class JournalEntry(models.Model):
    """One line of a record's journal: who did what, when, with which details.

    Apps subclass it with the record it journals and the kinds of events it knows
    (`MarketEvent`, `DeclarationEvent`); every write service adds one line.
    """

    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    actor_repr = models.CharField("par (libellé)", max_length=300, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
