"""API tokens of organisations, and the audit trail of sensitive reads and changes.

Neither model carries business rules: who may see or do what lives in `policies.py`, token
creation and checking in `tokens.py`, writing the trail in `audit.py`.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from clauses.access.enums import AuditAction, TokenScope
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


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Append-only: a queryset of audit events cannot be deleted in bulk. (Bulk updates stay
    possible only because Django uses them to null a deleted user's or token's link.)"""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Le journal d'audit ne se supprime pas.")


class AuditEvent(models.Model):
    """One sensitive read or change: who (a person or a token), on behalf of which
    organisation, did what to which record, from where. Append-only: written by
    `clauses.access.audit.record`, never updated nor deleted by the application.

    `territory` is the département code of the record concerned, so that a coordination
    sees the events of its territory; `organisation` is the organisation the record belongs
    to, `actor_organisation` the one the actor acted for.
    """

    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    action = models.CharField("action", max_length=20, choices=AuditAction.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="personne",
    )
    actor_token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="jeton d'API",
    )
    actor_repr = models.CharField("auteur·rice", max_length=300, blank=True)
    actor_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pour le compte de",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation concernée",
    )
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="type d'objet",
    )
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=300, blank=True)
    territory = models.CharField("département", max_length=3, blank=True, db_index=True)
    changes = models.JSONField("changements", default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["territory", "-created_at"], name="audit_territory_date"),
            models.Index(fields=["organisation", "-created_at"], name="audit_organisation_date"),
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        # A guard, not a business rule: an existing event is never rewritten.
        if not self._state.adding:
            raise PermissionError("Le journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Le journal d'audit ne se supprime pas.")
