"""Random secrets handed out once (links in emails, API tokens) and the hash that is the
only thing stored.

A token is `secrets.token_urlsafe(32)` (256 bits) with an optional public prefix. Only the
SHA-256 of the whole raw value is kept: a high-entropy secret needs no slow hash, and the
lookup by hash is a unique-index read. Compare hashes with `hmac.compare_digest`.
"""

import hashlib
import secrets


def new_token(*, prefix: str = "") -> str:
    """A fresh raw token: `prefix` followed by 43 URL-safe characters."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    """The SHA-256 of the raw token, as 64 hexadecimal characters."""
    return hashlib.sha256(raw.encode()).hexdigest()


def make_token(*, prefix: str = "") -> tuple[str, str]:
    """A fresh raw token (shown or sent once) and its hash (stored)."""
    raw = new_token(prefix=prefix)
    return raw, hash_token(raw)
