"""Demo API tokens: one per demo account (`*@demo.clauses.example`), demo mode only.

Their values are FIXED and public, so that anyone trying the demo can call the API:

    clauses_demo_<local part of the email, "-" and "." turned into "_">

for example `clauses_demo_acheteur` for acheteur@demo.clauses.example, or
`clauses_demo_coordination_regionale` for coordination-regionale@demo.clauses.example.
Each token acts as the account's first membership in force, read and write. The platform
administrator's account gets none (a token is never a platform administrator). Demo tokens
are refused by the API outside demo mode (`ApiToken.is_demo`), even if the rows exist.
"""

from typing import TextIO

from django.conf import settings

from clauses.access.actors import Actor
from clauses.access.enums import TokenScope
from clauses.access.models import ApiToken
from clauses.access.tokens import TOKEN_PREFIX, create_token, roles_for_tokens
from clauses.accounts.models import Membership
from clauses.core.tokens import hash_token

DEMO_EMAIL_DOMAIN = "@demo.clauses.example"
_SEEDER = Actor(label="Données de démonstration")


def demo_raw_token(email: str) -> str:
    local = email.split("@", 1)[0].lower()
    return f"{TOKEN_PREFIX}demo_{local.replace('-', '_').replace('.', '_')}"


def _demo_memberships() -> list[Membership]:
    """The first membership in force of each demo account, when a token may carry its role."""
    chosen: dict[str, Membership] = {}
    memberships = (
        Membership.objects.active()
        .confirmed()
        .filter(user__email__endswith=DEMO_EMAIL_DOMAIN)
        .select_related("user", "organisation")
        .order_by("user__email", "created_at", "pk")
    )
    for membership in memberships:
        if membership.user.email in chosen:
            continue
        if membership.role in roles_for_tokens(membership.organisation):
            chosen[membership.user.email] = membership
    return list(chosen.values())


def seed(*, stdout: TextIO) -> None:
    if not settings.DEMO_MODE:
        stdout.write("Jetons d'API de démonstration : ignorés hors du mode démonstration.")
        return
    created = 0
    for membership in _demo_memberships():
        raw = demo_raw_token(membership.user.email)
        existing = ApiToken.objects.filter(token_hash=hash_token(raw)).first()
        if existing is not None:
            # A demo token is put back to fit its account (values are fixed, rows reused).
            existing.organisation = membership.organisation
            existing.role = membership.role
            existing.revoked_at = existing.expires_at = None
            existing.save(update_fields=["organisation", "role", "revoked_at", "expires_at"])
            continue
        create_token(
            actor=_SEEDER,
            organisation=membership.organisation,
            name=f"Jeton de démonstration de {membership.user.email}",
            role=membership.role,
            scope=TokenScope.READ_WRITE,
            raw=raw,
            is_demo=True,
        )
        created += 1
    stdout.write(f"Jetons d'API de démonstration : {created} créé(s).")


def demo_tokens() -> dict[str, str]:
    """{email: raw token} of the demo tokens that exist (for `manage.py demo_accounts`)."""
    if not settings.DEMO_MODE:
        return {}
    wanted = {demo_raw_token(m.user.email): m.user.email for m in _demo_memberships()}
    existing = set(
        ApiToken.objects.usable()
        .filter(is_demo=True, token_hash__in=[hash_token(raw) for raw in wanted])
        .values_list("token_hash", flat=True)
    )
    return {email: raw for raw, email in wanted.items() if hash_token(raw) in existing}
