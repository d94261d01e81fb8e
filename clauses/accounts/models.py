"""People who log in. A user logs in by email; what they may see comes from memberships."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from clauses.accounts.enums import (
    ROLES_BY_ORGANISATION_KIND,
    AuditAction,
    BuyerCategory,
    InvitationStatus,
    LoginEventReason,
    OrganisationKind,
    Role,
)
from clauses.accounts.validators import validate_siren, validate_siret
from clauses.core.models import JournalEntry, journal_label
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure, Partner
from clauses.territories.models import Department


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField(
        "actif",
        default=True,
        help_text="Décochez plutôt que de supprimer : l'historique du compte est conservé.",
    )
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    deactivated_at = models.DateTimeField("désactivé le", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateurs et utilisatrices"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def journal_label(self) -> str:
        """How journals name an account they are about (not who acted): by number."""
        return f"Compte n° {self.pk}"

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def confirmed(self) -> "OrganisationQuerySet":
        return self.filter(is_confirmed=True)

    def awaiting_confirmation(self) -> "OrganisationQuerySet":
        return self.filter(is_confirmed=False)


class Organisation(models.Model):
    """Who a user works for: a buyer, a company, a facilitator structure, a coordination or
    a partner. The directory entries of the network (coordination, structure, partner) are
    linked, never copied. An organisation may exist with no account yet."""

    kind = models.CharField("type", max_length=30, choices=OrganisationKind.choices)
    name = models.CharField("nom", max_length=250)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validate_siret], db_index=True
    )
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    buyer_category = models.CharField(
        "catégorie d'acheteur", max_length=20, choices=BuyerCategory.choices, blank=True
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="département",
    )
    coordination = models.OneToOneField(
        Coordination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        verbose_name="coordination de l'annuaire",
    )
    structure = models.OneToOneField(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        verbose_name="structure facilitatrice de l'annuaire",
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="partenaire de l'annuaire",
    )
    is_confirmed = models.BooleanField(
        "confirmée",
        default=True,
        help_text="Une organisation d'acheteur créée à l'inscription attend la confirmation "
        "d'une coordination.",
    )
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="confirmée par",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=OrganisationKind.COORDINATION, coordination__isnull=False)
                | (~models.Q(kind=OrganisationKind.COORDINATION) & models.Q(coordination=None)),
                name="organisation_coordination_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind=OrganisationKind.FACILITATOR_STRUCTURE, structure__isnull=False
                )
                | (
                    ~models.Q(kind=OrganisationKind.FACILITATOR_STRUCTURE)
                    & models.Q(structure=None)
                ),
                name="organisation_structure_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=OrganisationKind.PARTNER) | models.Q(partner=None),
                name="organisation_partner_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=OrganisationKind.BUYER) | models.Q(buyer_category=""),
                name="organisation_buyer_category_only_for_buyers",
            ),
            models.UniqueConstraint(
                fields=["kind", "siret"],
                condition=~models.Q(siret=""),
                name="unique_organisation_kind_siret",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allowed_roles(self) -> set[str]:
        return set(ROLES_BY_ORGANISATION_KIND[OrganisationKind(self.kind)])


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        """Memberships in force: not ended, of an active user."""
        return self.filter(is_active=True, user__is_active=True)

    def confirmed(self) -> "MembershipQuerySet":
        """Memberships that open the organisation's data: the membership and the
        organisation are both confirmed (a self-signed-up buyer waits until then)."""
        return self.filter(is_confirmed=True, organisation__is_confirmed=True)

    def of_user(self, user: "User") -> "MembershipQuerySet":
        return self.filter(user=user)


class Membership(models.Model):
    """A user in an organisation with one role. Ended memberships are kept (history)."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name="utilisateur·rice"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="organisation",
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    is_organisation_admin = models.BooleanField(
        "administrateur·rice de l'organisation",
        default=False,
        help_text="Peut inviter, changer les rôles, retirer des membres et créer des jetons d'API.",
    )
    facilitator = models.ForeignKey(
        Facilitator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="fiche de l'annuaire",
    )
    is_confirmed = models.BooleanField(
        "confirmée",
        default=True,
        help_text="Une personne qui rejoint à l'inscription une organisation existante attend "
        "la confirmation d'un administrateur de l'organisation ou d'une coordination.",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    ended_at = models.DateTimeField("terminée le", null=True, blank=True)
    ended_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="terminée par",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "appartenance"
        ordering = ["organisation__name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(is_active=True),
                name="unique_active_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True, ended_at=None)
                | models.Q(is_active=False, ended_at__isnull=False),
                name="membership_ended_at_iff_inactive",
            ),
            models.CheckConstraint(
                condition=models.Q(facilitator=None) | models.Q(role=Role.FACILITATOR),
                name="membership_facilitator_only_for_facilitators",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.organisation_id and self.role not in self.organisation.allowed_roles:
            raise ValidationError({"role": "Ce rôle ne correspond pas au type de l'organisation."})


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


def default_invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=getattr(settings, "CLAUSES_INVITATION_DAYS", 7))


class Invitation(models.Model):
    """An invitation to join an organisation. The link carries a random token; only its
    SHA-256 hash is stored, so a database leak does not leak usable links. Single use."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name="organisation",
    )
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    is_organisation_admin = models.BooleanField(
        "administrateur·rice de l'organisation", default=False
    )
    facilitator = models.ForeignKey(
        Facilitator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="fiche de l'annuaire",
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name="invité·e par",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le", default=default_invitation_expiry)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acceptée par",
    )
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="révoquée par",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label


class LoginEvent(JournalEntry):
    """Every way in — site login, admin login, second factor, password reset request —
    successful or not: the login journal, and the basis of throttling. `actor_user` is the
    account the attempt was for, when one matched."""

    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    email = models.CharField("adresse saisie", max_length=254, db_index=True)
    success = models.BooleanField("réussie")
    reason = models.CharField("motif", max_length=30, choices=LoginEventReason.choices)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)

    class Meta(JournalEntry.Meta):
        verbose_name = "événement de connexion"
        verbose_name_plural = "journal des connexions"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email", "created_at"], name="loginevent_email_time"),
            models.Index(fields=["ip", "created_at"], name="loginevent_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.get_reason_display()} {self.created_at:%d/%m/%Y %H:%M}"


def _organisation_of(obj: object) -> Organisation | None:
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


def territory_of(obj: object) -> str:
    """The département code an audit event is filed under (for the coordinations' view)."""
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


class AuditEvent(JournalEntry):
    """One sensitive read or change: who (a person or an API token), on behalf of which
    organisation, did what to which record, from where. Append-only (`JournalEntry`).

    It lives in accounts, the lowest app that knows organisations, so that accounts writes
    it without importing upward; the table keeps its first name (`access_auditevent`).
    Code that has an `Actor` writes it through `clauses.access.audit.record`.

    `territory` is the département code of the record concerned, so that a coordination
    sees the events of its territory; `organisation` is the organisation the record belongs
    to, `actor_organisation` the one the actor acted for. `actor_token_id` is the API
    token's number, kept even if the token is deleted (no foreign key: tokens live above).
    """

    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    action = models.CharField("action", max_length=20, choices=AuditAction.choices)
    actor_token_id = models.PositiveBigIntegerField("jeton d'API (n°)", null=True, blank=True)
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
    details = models.JSONField("changements", default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta(JournalEntry.Meta):
        db_table = "access_auditevent"
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

    @classmethod
    def record(  # type: ignore[override]
        cls,
        *,
        action: str,
        obj: models.Model | None = None,
        organisation: Organisation | None = None,
        territory: str | None = None,
        **fields: Any,
    ) -> "AuditEvent":
        """Write one event about `obj` (or none). `organisation` and `territory` are found
        from `obj` when not given (an organisation, a record with an `organisation`, a
        structure…); the record is named by `journal_label`, never by a person's name."""
        concerned = organisation or _organisation_of(obj)
        if territory is None:
            territory = territory_of(obj) or territory_of(concerned)
        return super().record(
            action=AuditAction(action),
            organisation=concerned,
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=journal_label(obj),
            territory=territory or "",
            **fields,
        )


class EmailChangeRequest(models.Model):
    """A request to change one's address, confirmed from a link sent to the new address."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="email_change_requests",
        verbose_name="utilisateur·rice",
    )
    new_email = models.EmailField("nouvelle adresse")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)

    class Meta:
        verbose_name = "changement d'adresse"
        verbose_name_plural = "changements d'adresse"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.new_email}"


class ProConnectIdentity(models.Model):
    """The ProConnect identity an account last signed in with, updated at each login: the
    SIRET the identity provider gives (kept up to date), its identifiers, and whether the
    login was multi-factor."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="proconnect_identity",
        verbose_name="utilisateur·rice",
    )
    sub = models.CharField("identifiant ProConnect (sub)", max_length=255)
    idp_id = models.CharField("fournisseur d'identité", max_length=255, blank=True)
    uid = models.CharField("identifiant chez le fournisseur", max_length=255, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    multi_factor = models.BooleanField("connexion multifacteur", default=False)
    last_login_at = models.DateTimeField("dernière connexion", default=timezone.now)

    class Meta:
        verbose_name = "identité ProConnect"
        verbose_name_plural = "identités ProConnect"

    def __str__(self) -> str:
        return f"{self.user} ({self.siret or 'sans SIRET'})"
