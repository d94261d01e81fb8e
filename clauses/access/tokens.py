"""API tokens: make one (shown once), find the token behind a raw value, revoke one.

Format: `clauses_` + 43 URL-safe characters (`clauses.core.tokens.new_token`, 256 bits).
Only the SHA-256 of the whole raw value is stored (`clauses.core.tokens.hash_token`): a
high-entropy secret needs no slow hash, and the lookup by hash is a unique-index read. The
8 characters after `clauses_` are kept as `prefix` to recognise a token in lists.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction, TokenScope
from clauses.access.models import ApiToken
from clauses.accounts.enums import Role
from clauses.accounts.models import Organisation
from clauses.core.tokens import hash_token, new_token

TOKEN_PREFIX = "clauses_"  # noqa: S105 (a public marker, not a secret)
# last_used_at / last_used_ip are written at most this often per token.
LAST_USED_WRITE_INTERVAL = timedelta(minutes=1)


def display_prefix(raw: str) -> str:
    return raw.removeprefix(TOKEN_PREFIX)[:8]


def roles_for_tokens(organisation: Organisation) -> list[str]:
    """The roles a token of this organisation may carry: those of its members, never the
    platform administrator's."""
    return [
        role for role in Role.values if role in organisation.allowed_roles and role != Role.ADMIN
    ]


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    raw: str  # shown once to the person who created it, never stored


class TokenError(ValueError):
    pass


@transaction.atomic
def create_token(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    role: str,
    scope: str = TokenScope.READ,
    expires_at: datetime | None = None,
    raw: str | None = None,
    is_demo: bool = False,
) -> CreatedToken:
    """Create a token for `organisation` (the caller checked `can_create_token`). `raw` is
    for the demo tokens only, whose values are fixed and documented."""
    if role not in roles_for_tokens(organisation):
        raise TokenError("Ce rôle ne correspond pas au type de l'organisation.")
    if scope not in TokenScope.values:
        raise TokenError("Droits inconnus.")
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError("La date d'expiration doit être dans le futur.")
    raw = raw or new_token(prefix=TOKEN_PREFIX)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        role=role,
        scope=scope,
        prefix=display_prefix(raw),
        token_hash=hash_token(raw),
        is_demo=is_demo,
        created_by_id=actor.user_id,
        expires_at=expires_at,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        token,
        changes={"rôle": role, "droits": scope, "expire le": expires_at},
    )
    return CreatedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, actor: Actor, token: ApiToken) -> None:
    """Revoke a token at once (the caller checked `can_revoke_token`). Idempotent."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by_id = actor.user_id
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor, AuditAction.REVOKE, token)


def find_usable_token(raw: str) -> ApiToken | None:
    """The token behind a raw value if it still opens the API; None otherwise (unknown,
    revoked, expired, of an unconfirmed organisation, or a demo token outside demo mode)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related(
            "organisation",
            "organisation__coordination",
            "organisation__structure__coordination__department",
            "organisation__structure__coordination__parent__department",
        )
        .filter(token_hash=hash_token(raw))
        .first()
    )
    if token is None or (token.is_demo and not settings.DEMO_MODE):
        return None
    return token


def touch(token: ApiToken, ip: str | None) -> None:
    """Record the last use, at most once a minute per token (a conditional UPDATE: two
    concurrent calls write once)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_WRITE_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at=None) | Q(last_used_at__lt=now - LAST_USED_WRITE_INTERVAL)
    ).update(last_used_at=now, last_used_ip=ip)
