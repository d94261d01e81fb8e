"""clauses.core.tokens: random tokens and the hash that is stored."""

import hashlib

from clauses.core.tokens import hash_token, make_token, new_token


def test_a_token_is_random_url_safe_and_prefixed():
    first, second = new_token(), new_token(prefix="clauses_")
    assert len(first) == 43 and first != new_token()
    assert second.startswith("clauses_") and len(second) == 8 + 43
    assert all(c.isalnum() or c in "-_" for c in first)


def test_only_the_hash_is_kept():
    raw, digest = make_token()
    assert digest == hash_token(raw) == hashlib.sha256(raw.encode()).hexdigest()
    assert len(digest) == 64 and raw not in digest
