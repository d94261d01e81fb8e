"""What a ProConnect identity opens here.

- Its email is that of an account: that account (refused when deactivated).
- Otherwise, a confirmed buyer organisation has its SIRET: a new account, buyer agent of
  that organisation (ProConnect vouches for the agent's SIRET, so the membership is
  confirmed; the organisation's administrators see the new member).
- Otherwise: refused, with the way to the self sign-up (a new buyer organisation is then
  proposed and confirmed by a coordination, as for every self sign-up).
"""

from django.db import transaction
from django.utils import timezone

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation, ProConnectIdentity, User
from clauses.accounts.proconnect.client import Identity
from clauses.accounts.validators import validate_siret


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _valid_siret(siret: str) -> bool:
    from django.core.exceptions import ValidationError

    try:
        validate_siret(siret)
    except ValidationError:
        return False
    return len(siret) == 14 and siret.isdigit()


@transaction.atomic
def account_for(identity: Identity) -> User:
    """The account this identity signs in to (created when its SIRET is that of a
    confirmed buyer organisation). Raises Refused("no_email" | "inactive" |
    "unknown_siret")."""
    if not identity.email or "@" not in identity.email:
        raise Refused("no_email")
    user = User.objects.filter(email__iexact=identity.email).first()
    if user is not None:
        if not user.is_active:
            raise Refused("inactive")
        remember(user, identity)
        return user
    organisation = None
    if _valid_siret(identity.siret):
        organisation = (
            Organisation.objects.confirmed()
            .filter(kind=OrganisationKind.BUYER, siret=identity.siret)
            .first()
        )
    if organisation is None:
        raise Refused("unknown_siret")
    user = User.objects.create_user(
        email=identity.email,
        password=None,
        first_name=identity.given_name[:150],
        last_name=identity.usual_name[:150],
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.BUYER_AGENT)
    remember(user, identity)
    return user


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
