"""Factories of the access app: API tokens (with their raw value) and audit events."""

from clauses.access.enums import TokenScope
from clauses.access.models import ApiToken
from clauses.access.tokens import TOKEN_PREFIX, display_prefix, roles_for_tokens
from clauses.accounts.models import Organisation
from clauses.core.tokens import hash_token, new_token


def make_api_token(
    organisation: Organisation,
    *,
    role: str | None = None,
    scope: str = TokenScope.READ,
    name: str = "Jeton de test",
    **fields: object,
) -> tuple[ApiToken, str]:
    """A token of `organisation` (the first role its kind allows unless given), and its raw
    value — the only place a test can get it, as in real life."""
    raw = new_token(prefix=TOKEN_PREFIX)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        role=role or roles_for_tokens(organisation)[0],
        scope=scope,
        prefix=display_prefix(raw),
        token_hash=hash_token(raw),
        **fields,
    )
    return token, raw
