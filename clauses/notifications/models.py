from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.notifications.enums import EmailMode, NotificationKind


class Notification(models.Model):
    """Something waits for this person: shown under the bell until read, emailed at once or
    in the daily digest (their preference)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    text = models.CharField("texte", max_length=300)
    link = models.CharField("lien", max_length=500, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["emailed_at", "created_at"], name="notif_to_email"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a person wants to be emailed; without a row, immediately."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="utilisateur·rice",
    )
    email_mode = models.CharField(
        "courriels de notification",
        max_length=12,
        choices=EmailMode.choices,
        default=EmailMode.IMMEDIATE,
    )

    class Meta:
        verbose_name = "préférence de notification"

    def __str__(self) -> str:
        return f"{self.user_id} : {self.email_mode}"
