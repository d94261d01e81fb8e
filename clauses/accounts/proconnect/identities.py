"""What a ProConnect identity opens here (issue #14, "Accounts").

- Its email is that of an account: that account (refused when deactivated).
- Otherwise, a **confirmed buyer organisation** has its SIRET: a new account, buyer agent of
  that organisation, confirmed at once ("attached", as the issue says). ProConnect vouches
  for the agent's SIRET, and the only role ever granted this way is buyer agent, which sees
  no participant's personal data (DESIGN.md, "Actors"): see `ATTACHED_ROLE`. The
  attachment is written in the audit trail, and the organisation's administrators are told
  by email; they see the new member in their members' page and may end the membership.
- Otherwise, the SIRET is a valid one of no organisation, or of a buyer organisation not yet
  confirmed: `SignUpNeeded`. The agent is then proposed to sign the organisation up (its
  name, category and département asked: the project holds no SIRENE establishment data) or
  to join the pending one; the account is created pending, through the self sign-up's own
  service (`services.sign_up_buyer`), and the coordination of the département confirms it
  in its usual page (« Inscriptions à confirmer »).
- The SIRET is that of another kind of organisation (a facilitator structure, a
  coordination, a company, a partner): refused. Those roles see personal data or another
  organisation's files and are only ever given by invitation, with its second factor.

At every login the identity's SIRET, `sub`, `idp_id`, `uid` and whether the login was
multi-factor are kept on the account (`ProConnectIdentity`, `remember`).
"""

from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clauses.accounts import services
from clauses.accounts.enums import AuditAction, OrganisationKind, Role
from clauses.accounts.models import (
    AuditEvent,
    Membership,
    Organisation,
    ProConnectIdentity,
    User,
)
from clauses.accounts.proconnect.client import Identity
from clauses.accounts.validators import validate_siret
from clauses.territories.models import Department

# The one role an identity gets without a person's confirmation. It must never be one that
# opens participants' personal data (those need an invitation and the second factor).
ATTACHED_ROLE = Role.BUYER_AGENT  # not in ROLES_REQUIRING_2FA (tested)


class Refused(Exception):
    """No account for this identity: `reason` is one of "no_email", "inactive",
    "bad_siret", "not_a_buyer", "email_taken"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignUpNeeded(Exception):
    """No confirmed buyer organisation has the identity's SIRET: propose to sign one up.
    `organisation` is the buyer organisation awaiting confirmation with that SIRET, if any
    (then the agent asks to join it)."""

    def __init__(self, organisation: Organisation | None) -> None:
        super().__init__("sign_up_needed")
        self.organisation = organisation


def valid_siret(siret: str) -> bool:
    if len(siret) != 14 or not siret.isdigit():
        return False
    try:
        validate_siret(siret)
    except ValidationError:
        return False
    return True


def organisation_of(identity: Identity) -> Organisation | None:
    """The buyer organisation (confirmed or not) that has the identity's SIRET, or None.
    Raises Refused("bad_siret") for a missing or invalid SIRET and Refused("not_a_buyer")
    when the SIRET is that of an organisation of another kind."""
    if not valid_siret(identity.siret):
        raise Refused("bad_siret")
    organisations = list(Organisation.objects.filter(siret=identity.siret))
    buyer = next((o for o in organisations if o.kind == OrganisationKind.BUYER), None)
    if buyer is None and organisations:
        raise Refused("not_a_buyer")
    return buyer


def _check_email(identity: Identity) -> User | None:
    if not identity.email or "@" not in identity.email:
        raise Refused("no_email")
    return User.objects.filter(email__iexact=identity.email).first()


@transaction.atomic
def account_for(identity: Identity, *, members_url: str = "") -> User:
    """The account this identity signs in to (created, attached as buyer agent, when its
    SIRET is that of a confirmed buyer organisation). Raises Refused or SignUpNeeded."""
    user = _check_email(identity)
    if user is not None:
        if not user.is_active:
            raise Refused("inactive")
        remember(user, identity)
        return user
    organisation = organisation_of(identity)
    if organisation is None or not organisation.is_confirmed:
        raise SignUpNeeded(organisation)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=identity.email,
                password=None,
                first_name=identity.given_name[:150],
                last_name=identity.usual_name[:150],
            )
    except IntegrityError as error:  # the same agent's other tab was quicker
        raise Refused("email_taken") from error
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=ATTACHED_ROLE, is_confirmed=True
    )
    AuditEvent.record(
        action=AuditAction.CREATE,
        obj=membership,
        actor_user=user,
        details={"proconnect": "attached", "siret": identity.siret},
    )
    _tell_admins(membership, members_url=members_url)
    remember(user, identity)
    return user


def _tell_admins(membership: Membership, *, members_url: str) -> None:
    """The organisation's administrators learn of the new member (and may end it)."""
    admins = (
        Membership.objects.active()
        .filter(organisation=membership.organisation, is_organisation_admin=True)
        .exclude(user=membership.user)
        .select_related("user")
    )
    subject = f"[{settings.CLAUSES_SITE_NAME}] Un agent a rejoint votre organisation"
    for admin in admins:
        body = render_to_string(
            "accounts/emails/proconnect_attached.txt",
            {
                "SITE_NAME": settings.CLAUSES_SITE_NAME,
                "admin": admin.user,
                "member": membership.user,
                "organisation": membership.organisation,
                "members_url": members_url,
            },
        )
        transaction.on_commit(
            lambda to=admin.user.email, body=body: send_mail(subject, body, None, [to])
        )


@transaction.atomic
def sign_up(
    identity: Identity,
    *,
    organisation_name: str = "",
    buyer_category: str = "",
    department: Department | None = None,
) -> Membership:
    """Create the account of an identity whose organisation is not confirmed (or unknown),
    as the self sign-up does (`services.sign_up_buyer`): a new buyer organisation awaiting
    a coordination's confirmation, or a pending membership of the buyer organisation that
    has the SIRET. The account has no password: ProConnect is its way in. Raises Refused
    like `account_for`."""
    if _check_email(identity) is not None:
        raise Refused("email_taken")
    existing = organisation_of(identity)
    if existing is None and (not organisation_name or not buyer_category or department is None):
        raise ValueError("organisation_name, buyer_category and department are needed")
    try:
        with transaction.atomic():
            membership = services.sign_up_buyer(
                email=identity.email,
                first_name=identity.given_name[:150],
                last_name=identity.usual_name[:150],
                password=None,  # type: ignore[arg-type] - an unusable password
                organisation_name=existing.name if existing else organisation_name,
                siret=identity.siret,
                buyer_category=existing.buyer_category if existing else buyer_category,
                department=existing.department if existing else department,  # type: ignore[arg-type]
            )
    except IntegrityError as error:  # the same agent's other tab was quicker
        raise Refused("email_taken") from error
    AuditEvent.record(
        action=AuditAction.CREATE,
        obj=membership,
        actor_user=membership.user,
        details={"proconnect": "sign_up", "siret": identity.siret},
    )
    remember(membership.user, identity)
    return membership


def remember(user: User, identity: Identity) -> None:
    """Keep the identity's SIRET and identifiers up to date (each login)."""
    ProConnectIdentity.objects.update_or_create(
        user=user,
        defaults={
            "sub": identity.sub[:255],
            "idp_id": identity.idp_id[:255],
            "uid": identity.uid[:255],
            "siret": identity.siret[:14] if identity.siret.isdigit() else "",
            "multi_factor": identity.multi_factor,
            "last_login_at": timezone.now(),
        },
    )


def to_session(identity: Identity) -> dict:
    """The identity as kept in the session while the agent fills the sign-up page."""
    return asdict(identity)


def from_session(data: dict) -> Identity:
    return Identity(**data)
