"""Workflows of accounts: login journal and throttling, two-factor authentication,
invitations, self-service sign-up, confirmations, email change, deactivation.

Every write is a keyword-only function wrapped in a transaction; emails are sent
explicitly, on commit. Views call these; they hold no rule themselves.
"""

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts.enums import (
    ROLES_BY_ORGANISATION_KIND,
    ROLES_REQUIRING_2FA,
    LoginEventReason,
    OrganisationKind,
    Role,
)
from clauses.accounts.models import (
    AuditEvent,
    EmailChangeRequest,
    Invitation,
    LoginEvent,
    Membership,
    Organisation,
    User,
)
from clauses.accounts.validators import validate_siret
from clauses.core import ratelimit
from clauses.core.tokens import hash_token, make_token
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.network.selectors import departments_under
from clauses.territories.models import Department

RECOVERY_CODES_COUNT = 10
TOTP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
EMAIL_CHANGE_DAYS = 2


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, {"SITE_NAME": settings.CLAUSES_SITE_NAME, **context})
    transaction.on_commit(
        lambda: send_mail(f"[{settings.CLAUSES_SITE_NAME}] {subject}", body, None, [to])
    )


def _audit(by: User | None, action: str, obj: object, *, changes: dict | None = None) -> None:
    """Write an event of the audit trail (`AuditEvent`, in this app) as the user `by`."""
    user = by if getattr(by, "is_authenticated", False) else None
    AuditEvent.record(action=action, obj=obj, actor_user=user, details=changes)


# ---------------------------------------------------------------------------------------
# Login journal and throttling
# ---------------------------------------------------------------------------------------

# Every way in shares one journal and one throttle: the site login and the admin login (the
# same form), the second factor, password reset requests. Counted per email since its last
# success, and per IP. Refused API tokens are journalled but not counted: a token has 256
# random bits (guessing is no threat), and locking an IP would let anyone behind a shared
# address cut an organisation's integrations off.
_COUNTED_FAILURES = [LoginEventReason.BAD_CREDENTIALS, LoginEventReason.INACTIVE]
# Second-factor failures count per account since its last second-factor success (a
# password success does not reset them: whoever knows the password must not get a fresh
# series of guesses by logging in again).
_OTP_FAILURES = [LoginEventReason.OTP_FAILED]
_OTP_SUCCESSES = [LoginEventReason.OTP_SUCCESS, LoginEventReason.RECOVERY_CODE_USED]
# Password reset emails sent per window (`CLAUSES_LOGIN_LOCK_MINUTES`): per address, per IP.
PASSWORD_RESET_MAX_PER_EMAIL = 3
PASSWORD_RESET_MAX_PER_IP = 10


def record_login_event(
    *,
    email: str,
    success: bool,
    reason: str,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
    door: str = "",
) -> LoginEvent:
    """One line of the login journal; `door` says which way in when it is not the site's
    login form ("admin", "password_reset", "api")."""
    return LoginEvent.record(
        actor_user=user,
        email=(email or "").strip().lower()[:254],
        success=success,
        reason=reason,
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
        details={"door": door} if door else None,
    )


def _since_last(events: QuerySet[LoginEvent], email: str, reasons: list) -> QuerySet[LoginEvent]:
    last = (
        LoginEvent.objects.filter(email=email, reason__in=reasons)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return events.filter(created_at__gt=last) if last else events


def _locked_until(failures: QuerySet[LoginEvent], limit: int, now: datetime) -> datetime | None:
    window = timedelta(minutes=settings.CLAUSES_LOGIN_LOCK_MINUTES)
    times = list(
        failures.filter(created_at__gt=now - 2 * window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    # `limit` failures within one window lock the login for a window after the last one.
    if len(times) == limit and times[0] - times[-1] <= window and now < times[0] + window:
        return times[0] + window
    return None


def login_locked_until(*, email: str, ip: str | None) -> datetime | None:
    """When the login by this email or from this IP opens again, or None if it is open.

    Failed attempts are counted from the login journal (no cache needed, works across
    processes): per email (since its last success) and, with a higher limit since offices
    share one address, per IP. Blocked attempts are not counted, so a lock does not extend.
    """
    now = timezone.now()
    failures = LoginEvent.objects.filter(success=False, reason__in=_COUNTED_FAILURES)
    email = (email or "").strip().lower()
    candidates = []
    if email:
        limit = settings.CLAUSES_LOGIN_MAX_FAILURES_PER_EMAIL
        by_email = _since_last(
            failures.filter(email=email), email, [LoginEventReason.SUCCESS, *_OTP_SUCCESSES]
        )
        candidates.append(_locked_until(by_email, limit, now))
        otp = LoginEvent.objects.filter(email=email, reason__in=_OTP_FAILURES)
        candidates.append(_locked_until(_since_last(otp, email, _OTP_SUCCESSES), limit, now))
    if ip:
        candidates.append(
            _locked_until(failures.filter(ip=ip), settings.CLAUSES_LOGIN_MAX_FAILURES_PER_IP, now)
        )
    locks = [until for until in candidates if until]
    return max(locks) if locks else None


def password_reset_allowed(*, email: str, ip: str | None) -> bool:
    """Whether one more reset email may be sent: at most `PASSWORD_RESET_MAX_PER_EMAIL`
    per address and `PASSWORD_RESET_MAX_PER_IP` per IP in a window (counted in the login
    journal, shared by every process). The page answers the same either way."""
    now = timezone.now()
    minutes = settings.CLAUSES_LOGIN_LOCK_MINUTES
    sent = LoginEvent.objects.filter(
        reason=LoginEventReason.PASSWORD_RESET, created_at__gt=now - timedelta(minutes=minutes)
    )
    email = (email or "").strip().lower()
    if email and sent.filter(email=email).count() >= PASSWORD_RESET_MAX_PER_EMAIL:
        return False
    if ip and sent.filter(ip=ip).count() >= PASSWORD_RESET_MAX_PER_IP:
        return False
    # The journal counts what was sent; simultaneous requests all read the same count, so a
    # slot is also taken atomically in the shared cache (core.ratelimit): a burst cannot pass.
    limits = []
    if email:
        limits.append(
            ratelimit.window(
                "reset:email", email, PASSWORD_RESET_MAX_PER_EMAIL, "", now, minutes * 60
            )
        )
    if ip:
        limits.append(
            ratelimit.window("reset:ip", ip, PASSWORD_RESET_MAX_PER_IP, "", now, minutes * 60)
        )
    try:
        ratelimit.take_all(limits)
    except ratelimit.RateLimited:
        return False
    return True


# ---------------------------------------------------------------------------------------
# Two-factor authentication
# ---------------------------------------------------------------------------------------


def user_needs_2fa(user: User) -> bool:
    """Whether this person must use two-factor authentication: platform administrators
    and anyone with an active role that opens participants' personal data."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.active().filter(user=user, role__in=ROLES_REQUIRING_2FA).exists()


def user_has_2fa(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_step(user: User) -> Literal["enrol", "verify"] | None:
    """What a logged-in person must do before opening any other page: enrol a device,
    verify a code, or nothing. Someone who enrolled of their own will is asked too."""
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    if not user.is_authenticated or (is_verified is not None and is_verified()):
        return None
    if user_has_2fa(user):
        return "verify"
    if user_needs_2fa(user):
        return "enrol"
    return None


def get_enrolment_device(*, user: User) -> TOTPDevice:
    """The device being enrolled (unconfirmed), created on the first visit and kept until
    it is confirmed, so reloading the page does not change the secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret in base 32, as authenticator apps expect it when typed by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link of the device as an SVG QR code (markup, no external image)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a first code. Returns the new recovery codes, or None when
    the code is wrong."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(_digits(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return regenerate_recovery_codes(user=user)


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; the previous ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _digits(token: str) -> str:
    return "".join((token or "").split())


@dataclass
class SecondFactorResult:
    device: TOTPDevice | StaticDevice | None
    recovery_code_used: bool = False


def verify_second_factor(*, user: User, token: str) -> SecondFactorResult:
    """Check a TOTP code, or else a recovery code (consumed on use)."""
    token = _digits(token)
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return SecondFactorResult(device=device)
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token.lower()):
            return SecondFactorResult(device=device, recovery_code_used=True)
    return SecondFactorResult(device=None)


@transaction.atomic
def disable_2fa(*, user: User) -> None:
    """Remove the devices of someone who does not need 2FA (a required role cannot)."""
    if user_needs_2fa(user):
        raise PermissionDenied("La double authentification est obligatoire pour votre rôle.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# ---------------------------------------------------------------------------------------
# Who manages which organisation
# ---------------------------------------------------------------------------------------


def coordinated_structures(coordination: Coordination) -> QuerySet[FacilitatorStructure]:
    """The facilitator structures under a coordination (national: all)."""
    if coordination.level == CoordinationLevel.NATIONAL:
        return FacilitatorStructure.objects.all()
    return FacilitatorStructure.objects.under(coordination)


def coordinated_departments(coordination: Coordination) -> QuerySet[Department]:
    return departments_under(coordination)


def coordination_of(membership: Membership | None) -> Coordination | None:
    """The coordination a coordinator acts for (None for any other membership)."""
    if (
        membership is None
        or membership.role != Role.COORDINATOR
        or membership.organisation.kind != OrganisationKind.COORDINATION
    ):
        return None
    return membership.organisation.coordination


def can_manage_members(membership: Membership | None) -> bool:
    return bool(
        membership
        and membership.is_active
        and membership.is_confirmed
        and membership.organisation.is_confirmed
        and membership.is_organisation_admin
    )


def can_invite(membership: Membership | None) -> bool:
    return can_manage_members(membership) or coordination_of(membership) is not None


def invitable_roles(membership: Membership, organisation: Organisation) -> list[str]:
    roles = ROLES_BY_ORGANISATION_KIND[OrganisationKind(organisation.kind)]
    return [role for role in Role.values if role in roles and role != Role.ADMIN]


@transaction.atomic
def organisation_for_structure(structure: FacilitatorStructure) -> Organisation:
    """The organisation of a directory structure, created the first time it is needed."""
    organisation = Organisation.objects.filter(structure=structure).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            kind=OrganisationKind.FACILITATOR_STRUCTURE,
            name=structure.name,
            structure=structure,
            siret=_valid_or_blank(structure.siret),
        )
    return organisation


def _valid_or_blank(siret: str) -> str:
    try:
        validate_siret(siret)
    except ValidationError:
        return ""
    return siret


# ---------------------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------------------


@transaction.atomic
def send_invitation(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: User,
    base_url: str,
    is_organisation_admin: bool = False,
    facilitator: Facilitator | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and email its link. Returns the invitation and the raw token
    (only its hash is stored). A previous pending invitation of the same address to the
    same organisation is revoked: only the last link works."""
    if role not in ROLES_BY_ORGANISATION_KIND[OrganisationKind(organisation.kind)]:
        raise ValidationError("Ce rôle ne correspond pas au type de l'organisation.")
    email = email.strip().lower()
    now = timezone.now()
    Invitation.objects.pending().filter(organisation=organisation, email=email).update(
        revoked_at=now, revoked_by=invited_by
    )
    raw, digest = make_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        is_organisation_admin=is_organisation_admin,
        facilitator=facilitator,
        invited_by=invited_by,
        token_hash=digest,
        created_at=now,
        expires_at=now + timedelta(days=settings.CLAUSES_INVITATION_DAYS),
    )
    link = base_url.rstrip("/") + reverse("accounts:invitation", args=[raw])
    _send(
        to=email,
        subject=f"Invitation à rejoindre {organisation.name}",
        template="accounts/emails/invitation.txt",
        context={"invitation": invitation, "link": link},
    )
    _audit(invited_by, "create", invitation, changes={"email": email, "role": role})
    return invitation, raw


def find_invitation(raw_token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )


INVITATION_ERRORS = {
    "accepted": "Cette invitation a déjà été utilisée. Connectez-vous avec votre compte.",
    "revoked": "Cette invitation a été annulée. Demandez une nouvelle invitation à la "
    "personne qui vous l'a envoyée.",
    "expired": "Cette invitation a expiré. Demandez une nouvelle invitation à la personne "
    "qui vous l'a envoyée.",
}


def invitation_error(invitation: Invitation) -> str | None:
    return INVITATION_ERRORS.get(invitation.status)


def _claim_invitation(invitation: Invitation, *, now: datetime) -> Invitation:
    """Consume the single-use invitation with one conditional UPDATE (… WHERE accepted_at
    IS NULL AND revoked_at IS NULL AND expires_at > now): of parallel acceptances exactly
    one updates the row, the others (PostgreSQL makes them wait for the winner's commit and
    re-check the condition) update nothing and get the French "déjà utilisée" message; no
    IntegrityError reaches anyone. Must run inside the caller's transaction."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).update(accepted_at=now)
    invitation = Invitation.objects.select_related("organisation").get(pk=invitation.pk)
    if not claimed:
        raise ValidationError(invitation_error(invitation) or INVITATION_ERRORS["accepted"])
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """Join the organisation. Single use: consumed by a conditional update first."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"Cette invitation est adressée à {invitation.email} : connectez-vous avec "
            "cette adresse pour l'accepter."
        )
    now = timezone.now()
    return _join(_claim_invitation(invitation, now=now), user=user, now=now)


def _join(invitation: Invitation, *, user: User, now: datetime) -> Membership:
    membership = Membership.objects.filter(
        user=user, organisation=invitation.organisation, is_active=True
    ).first()
    if membership is None:
        membership = Membership(user=user, organisation=invitation.organisation)
    membership.role = invitation.role
    membership.is_confirmed = True
    membership.is_organisation_admin = (
        membership.is_organisation_admin or invitation.is_organisation_admin
    )
    membership.facilitator = invitation.facilitator if invitation.role == Role.FACILITATOR else None
    membership.save()
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit(
        user, "create", membership, changes={"role": membership.role, "invitation": invitation.pk}
    )
    return membership


@transaction.atomic
def accept_invitation_as_new_user(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    # Consumed before the account is created: a parallel acceptance of the same link is
    # refused in French instead of failing on the unique email address.
    now = timezone.now()
    invitation = _claim_invitation(invitation, now=now)
    user = User.objects.create_user(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    return user, _join(invitation, user=user, now=now)


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> None:
    if invitation.accepted_at or invitation.revoked_at:
        return
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    _audit(by, "revoke", invitation)


def invitations_managed_by(membership: Membership) -> QuerySet[Invitation]:
    """Pending invitations a member may see and revoke: those of its organisation (if it
    administers it) and those it sent itself."""
    condition = Q(invited_by=membership.user)
    if can_manage_members(membership):
        condition |= Q(organisation=membership.organisation)
    return (
        Invitation.objects.pending()
        .filter(condition)
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------


@transaction.atomic
def change_role(
    *, membership: Membership, role: str, is_organisation_admin: bool, by: User
) -> Membership:
    if role not in membership.organisation.allowed_roles:
        raise ValidationError("Ce rôle ne correspond pas au type de l'organisation.")
    if membership.user_id == by.pk and not is_organisation_admin:
        raise ValidationError("Vous ne pouvez pas retirer vos propres droits d'administration.")
    changes = {
        "role": [membership.role, role],
        "is_organisation_admin": [membership.is_organisation_admin, is_organisation_admin],
    }
    membership.role = role
    membership.is_organisation_admin = is_organisation_admin
    if role != Role.FACILITATOR:
        membership.facilitator = None
    membership.save(update_fields=["role", "is_organisation_admin", "facilitator"])
    _audit(by, "update", membership, changes=changes)
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, by: User | None) -> None:
    """Remove someone from an organisation; the membership row is kept (history)."""
    if not membership.is_active:
        return
    membership.is_active = False
    membership.ended_at = timezone.now()
    membership.ended_by = by
    membership.save(update_fields=["is_active", "ended_at", "ended_by"])
    _audit(by, "delete", membership)


def can_deactivate(actor: User, actor_membership: Membership | None, user: User) -> bool:
    """The person themselves, a platform administrator, or the administrator of the only
    organisation(s) the person belongs to (never someone with other organisations)."""
    if actor.pk == user.pk or actor.is_superuser:
        return True
    if not can_manage_members(actor_membership):
        return False
    organisations = set(
        Membership.objects.active().filter(user=user).values_list("organisation_id", flat=True)
    )
    return organisations == {actor_membership.organisation_id}


def deactivatable_user_ids(
    actor: User, actor_membership: Membership | None, users: list[User]
) -> set[int]:
    """`can_deactivate` for a list of people, in one query (the members page)."""
    if actor.is_superuser:
        return {user.pk for user in users}
    allowed = {actor.pk} & {user.pk for user in users}
    if not can_manage_members(actor_membership):
        return allowed
    organisations: dict[int, set[int]] = {user.pk: set() for user in users}
    for user_id, organisation_id in (
        Membership.objects.active()
        .filter(user__in=list(organisations))
        .values_list("user_id", "organisation_id")
    ):
        organisations[user_id].add(organisation_id)
    return allowed | {
        user_id
        for user_id, ids in organisations.items()
        if ids == {actor_membership.organisation_id}
    }


@transaction.atomic
def deactivate_user(*, user: User, by: User | None) -> None:
    """The account can no longer log in; memberships end; every record is kept."""
    now = timezone.now()
    for membership in Membership.objects.filter(user=user, is_active=True):
        end_membership(membership=membership, by=by)
    Invitation.objects.pending().filter(invited_by=user).update(revoked_at=now, revoked_by=by)
    user.is_active = False
    user.deactivated_at = now
    user.save(update_fields=["is_active", "deactivated_at"])
    _audit(by, "update", user, changes={"is_active": [True, False]})
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# ---------------------------------------------------------------------------------------
# Self-service sign-up of buyer agents, and its confirmation
# ---------------------------------------------------------------------------------------


@transaction.atomic
def sign_up_buyer(
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    organisation_name: str,
    siret: str,
    buyer_category: str,
    department: Department,
) -> Membership:
    """Create the account and either a new (unconfirmed) buyer organisation, of which the
    person becomes administrator, or a pending membership of the organisation that already
    has this SIRET."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    organisation = (
        Organisation.objects.select_for_update()
        .filter(kind=OrganisationKind.BUYER, siret=siret)
        .first()
    )
    if organisation is None:
        organisation = Organisation.objects.create(
            kind=OrganisationKind.BUYER,
            name=organisation_name,
            siret=siret,
            siren=siret[:9],
            buyer_category=buyer_category,
            department=department,
            is_confirmed=False,
        )
        membership = Membership.objects.create(
            user=user,
            organisation=organisation,
            role=Role.BUYER_AGENT,
            is_organisation_admin=True,
        )
    else:
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=Role.BUYER_AGENT, is_confirmed=False
        )
    return membership


def awaiting_confirmation(
    coordination: Coordination,
) -> tuple[QuerySet[Organisation], QuerySet[Membership]]:
    """Buyer organisations and pending memberships a coordination may confirm: those of
    the départements it coordinates."""
    departments = coordinated_departments(coordination)
    organisations = (
        Organisation.objects.awaiting_confirmation()
        .filter(kind=OrganisationKind.BUYER, department__in=departments)
        .select_related("department")
        .order_by("created_at")
    )
    memberships = (
        Membership.objects.active()
        .filter(
            is_confirmed=False,
            organisation__is_confirmed=True,
            organisation__department__in=departments,
        )
        .select_related("user", "organisation", "organisation__department")
        .order_by("created_at")
    )
    return organisations, memberships


@transaction.atomic
def confirm_organisation(*, organisation: Organisation, by: User) -> None:
    organisation.is_confirmed = True
    organisation.confirmed_at = timezone.now()
    organisation.confirmed_by = by
    organisation.save(update_fields=["is_confirmed", "confirmed_at", "confirmed_by"])
    _audit(by, "confirm", organisation)
    for membership in organisation.memberships.active().select_related("user"):
        _send(
            to=membership.user.email,
            subject="Votre organisation est confirmée",
            template="accounts/emails/organisation_confirmed.txt",
            context={"organisation": organisation, "user": membership.user},
        )


@transaction.atomic
def confirm_membership(*, membership: Membership, by: User) -> None:
    membership.is_confirmed = True
    membership.save(update_fields=["is_confirmed"])
    _audit(by, "confirm", membership)
    _send(
        to=membership.user.email,
        subject="Votre accès est confirmé",
        template="accounts/emails/organisation_confirmed.txt",
        context={"organisation": membership.organisation, "user": membership.user},
    )


# ---------------------------------------------------------------------------------------
# Email change
# ---------------------------------------------------------------------------------------


@transaction.atomic
def request_email_change(*, user: User, new_email: str, base_url: str) -> EmailChangeRequest:
    """Send a confirmation link to the NEW address; nothing changes until it is used."""
    new_email = new_email.strip().lower()
    if User.objects.filter(email__iexact=new_email).exists():
        raise ValidationError("Cette adresse est déjà utilisée par un autre compte.")
    now = timezone.now()
    EmailChangeRequest.objects.filter(user=user, confirmed_at=None).delete()
    raw, digest = make_token()
    change = EmailChangeRequest.objects.create(
        user=user,
        new_email=new_email,
        token_hash=digest,
        created_at=now,
        expires_at=now + timedelta(days=EMAIL_CHANGE_DAYS),
    )
    _send(
        to=new_email,
        subject="Confirmez votre nouvelle adresse électronique",
        template="accounts/emails/email_change.txt",
        context={
            "user": user,
            "link": base_url.rstrip("/") + reverse("accounts:email_confirm", args=[raw]),
            "days": EMAIL_CHANGE_DAYS,
        },
    )
    return change


@transaction.atomic
def confirm_email_change(*, raw_token: str) -> User:
    change = (
        EmailChangeRequest.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )
    if change is None or change.confirmed_at or change.expires_at <= timezone.now():
        raise ValidationError(
            "Ce lien de confirmation n'est plus valable. Refaites la demande depuis votre compte."
        )
    if User.objects.filter(email__iexact=change.new_email).exclude(pk=change.user_id).exists():
        raise ValidationError("Cette adresse est déjà utilisée par un autre compte.")
    # Single use: consumed by a conditional update (one of parallel clicks wins).
    if not EmailChangeRequest.objects.filter(pk=change.pk, confirmed_at=None).update(
        confirmed_at=timezone.now()
    ):
        raise ValidationError(
            "Ce lien de confirmation n'est plus valable. Refaites la demande depuis votre compte."
        )
    user = change.user
    old_email = user.email
    user.email = change.new_email
    user.save(update_fields=["email"])
    _send(
        to=old_email,
        subject="Votre adresse électronique a été changée",
        template="accounts/emails/email_changed_notice.txt",
        context={"user": user, "old_email": old_email},
    )
    return user
