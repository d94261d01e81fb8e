"""Rate limits counted atomically in the shared cache: one implementation for every public
door (the desk's filings, routing and follow links, the public dry-run APIs).

A limit is a counter per window (an hour, a day) and per key (an IP address, an email, a
reference — hashed, never stored in clear). `cache.add(key, 0, timeout)` creates the
window's counter if it does not exist, `cache.incr(key)` adds one and returns the new value
in one operation (an atomic INCR on Redis, under a lock in local memory), so parallel
callers pass exactly the limit. A slot taken for work that then fails is given back
(`give_back`). With several server processes the cache must be shared (`REDIS_URL`,
docs/environment.md), otherwise each process counts on its own.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

HOUR, DAY = 3600, 86400


class RateLimited(Exception):
    """Too many requests: `message` is the French sentence to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    ttl: int
    message: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def hourly(kind: str, value: str, limit: int, message: str, now: datetime) -> Limit:
    """The window of this hour for `value` (kind names the door, e.g. "desk:ip")."""
    return Limit(f"{kind}:{_digest(value)}:{now:%Y%m%d%H}", limit, HOUR, message)


def daily(kind: str, value: str, limit: int, message: str, now: datetime) -> Limit:
    return Limit(f"{kind}:{_digest(value)}:{now:%Y%m%d}", limit, DAY, message)


def window(kind: str, value: str, limit: int, message: str, now: datetime, seconds: int) -> Limit:
    """A fixed window of `seconds` (e.g. the login lock's 15 minutes) for `value`."""
    bucket = int(now.timestamp()) // seconds
    return Limit(f"{kind}:{_digest(value)}:{bucket}", limit, seconds, message)


def take(limit: Limit) -> bool:
    """Count one in the window, atomically; False (and nothing counted) over the limit."""
    cache.add(limit.key, 0, timeout=limit.ttl)
    try:
        count = cache.incr(limit.key)
    except ValueError:  # the window expired between add and incr: a new one starts
        cache.add(limit.key, 0, timeout=limit.ttl)
        count = cache.incr(limit.key)
    if count > limit.limit:
        give_back(limit)
        return False
    return True


def give_back(limit: Limit) -> None:
    try:
        cache.decr(limit.key)
    except ValueError:  # expired meanwhile: nothing to give back
        pass


def take_all(limits: list[Limit]) -> None:
    """Take one slot in every window or none: raises RateLimited with the first refusal."""
    taken: list[Limit] = []
    for limit in limits:
        if not take(limit):
            for done in taken:
                give_back(done)
            raise RateLimited(limit.message)
        taken.append(limit)


PUBLIC_API_MESSAGE = (
    "Trop d'appels à cette API publique depuis votre connexion en une heure. Réessayez plus "
    "tard, ou demandez un jeton d'API à votre coordination."
)


def count_public_call(*, door: str, ip: str | None, now: datetime) -> None:
    """Count one anonymous call of a public dry-run API (programme analysis, DECP
    classification…) for this IP, or raise `RateLimited`: each door has its own window of
    `CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR` calls."""
    from django.conf import settings

    if not ip:
        return
    allowance = int(getattr(settings, "CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR", 600))
    take_all([hourly(f"public:{door}", ip, allowance, PUBLIC_API_MESSAGE, now)])
