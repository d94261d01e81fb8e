"""API tokens of organisations.

The model carries no business rule: who may see or do what lives in `policies.py`, token
creation and checking in `tokens.py`. The audit trail is `clauses.accounts.models.AuditEvent`
(one layer down, so that accounts writes it too), written from here through `audit.py`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.access.enums import TokenScope
from clauses.accounts.enums import Role
from clauses.accounts.models import Organisation


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> "ApiTokenQuerySet":
        """Tokens that still open the API: not revoked, not expired."""
        now = timezone.now()
        return self.filter(revoked_at=None).filter(
            models.Q(expires_at=None) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A token that lets a program call the API as a member of an organisation with one role.

    The raw token (`clauses_…`) is shown once at creation; only its SHA-256 hash is stored,
    so a database leak does not leak usable tokens. `prefix` (the first 8 characters after
    `clauses_`) lets people recognise a token in lists and logs.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="organisation",
    )
    name = models.CharField(
        "nom",
        max_length=100,
        help_text="Pour reconnaître le jeton : le logiciel ou le service qui l'utilise.",
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    scope = models.CharField(
        "droits", max_length=15, choices=TokenScope.choices, default=TokenScope.READ
    )
    prefix = models.CharField("début du jeton", max_length=8, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_demo = models.BooleanField(
        "jeton de démonstration",
        default=False,
        help_text="Jeton à valeur connue : refusé hors du mode démonstration.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="révoqué par",
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("dernière adresse IP", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.ADMIN), name="api_token_never_platform_admin"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (clauses_{self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def status_label(self) -> str:
        if self.is_revoked:
            return "Révoqué"
        if self.is_expired:
            return "Expiré"
        return "Actif"
