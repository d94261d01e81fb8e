"""Protection of the public request form and API against robots and floods.

- Honeypot: the form carries a field hidden from people (`HONEYPOT_FIELD`); a robot that
  fills it is refused with a neutral message.
- Rate limits, counted in Django's cache in fixed windows, each with its own allowance:
  - filings: `CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR` per IP address per hour and
    `CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY` per contact address per day;
  - the dry-run routing API: `CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR` per IP (filings do
    not use it up, and routing calls do not use up the filings);
  - new follow links: `CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR` per IP and
    `FOLLOW_LINKS_PER_REFERENCE_PER_DAY` per reference (a contact cannot be email-bombed).

Counting is atomic and works the same on every cache backend: `cache.add(key, 0, timeout)`
creates the window's counter if it does not exist, `cache.incr(key)` adds one and returns the
new value in one operation (an atomic INCR on Redis, under a lock in local memory). A slot is
taken before the work and given back (`cache.decr`) if the work fails, so twenty parallel
filings pass exactly the limit. With several server processes the cache must be shared
(`REDIS_URL`, docs/environment.md), otherwise each process counts on its own.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from clauses.desk.conf import desk_settings

HONEYPOT_FIELD = "site_web"
HONEYPOT_MESSAGE = "Votre demande n'a pas pu être enregistrée. Réessayez plus tard."
IP_LIMIT_MESSAGE = (
    "Trop de demandes ont été envoyées depuis votre connexion en une heure. "
    "Réessayez plus tard ou écrivez directement au guichet."
)
EMAIL_LIMIT_MESSAGE = (
    "Trop de demandes ont été envoyées avec cette adresse électronique aujourd'hui. "
    "Réessayez demain ou écrivez directement au guichet."
)
ROUTING_LIMIT_MESSAGE = (
    "Trop de demandes d'orientation ont été envoyées depuis votre connexion en une heure. "
    "Réessayez plus tard."
)
FOLLOW_LINK_LIMIT_MESSAGE = (
    "Trop de demandes de nouveau lien ont été envoyées. Réessayez plus tard ou écrivez "
    "directement au guichet."
)
# A contact receives at most this many new links a day for one request, whoever asks.
FOLLOW_LINKS_PER_REFERENCE_PER_DAY = 3
HOUR, DAY = 3600, 86400


class RateLimited(Exception):
    """Too many requests: `message` is the French sentence to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Limit:
    key: str
    limit: int
    ttl: int
    message: str


def check_honeypot(value: object) -> None:
    """Refuse a submission whose hidden field was filled (robots fill every field)."""
    if value not in (None, ""):
        raise ValidationError(HONEYPOT_MESSAGE, code="honeypot")


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _hourly(kind: str, value: str, limit: int, message: str, now: datetime) -> _Limit:
    return _Limit(f"desk:{kind}:{_digest(value)}:{now:%Y%m%d%H}", limit, HOUR, message)


def _daily(kind: str, value: str, limit: int, message: str, now: datetime) -> _Limit:
    return _Limit(f"desk:{kind}:{_digest(value)}:{now:%Y%m%d}", limit, DAY, message)


def _take(limit: _Limit) -> bool:
    """Count one in the window, atomically; False (and nothing counted) over the limit."""
    cache.add(limit.key, 0, timeout=limit.ttl)
    try:
        count = cache.incr(limit.key)
    except ValueError:  # the window expired between add and incr: a new one starts
        cache.add(limit.key, 0, timeout=limit.ttl)
        count = cache.incr(limit.key)
    if count > limit.limit:
        _give_back(limit)
        return False
    return True


def _give_back(limit: _Limit) -> None:
    try:
        cache.decr(limit.key)
    except ValueError:  # expired meanwhile: nothing to give back
        pass


def _take_all(limits: list[_Limit]) -> None:
    """Take one slot in every window or none: raises RateLimited with the first refusal."""
    taken: list[_Limit] = []
    for limit in limits:
        if not _take(limit):
            for done in taken:
                _give_back(done)
            raise RateLimited(limit.message)
        taken.append(limit)


def _filing_limits(*, ip: str | None, email: str | None, now: datetime) -> list[_Limit]:
    conf = desk_settings()
    limits = []
    if ip:
        limits.append(_hourly("ip", ip, conf.max_requests_per_ip_per_hour, IP_LIMIT_MESSAGE, now))
    if email:
        limits.append(
            _daily("email", email, conf.max_requests_per_email_per_day, EMAIL_LIMIT_MESSAGE, now)
        )
    return limits


@contextmanager
def filing_allowance(
    *, ip: str | None, email: str | None, now: datetime | None = None
) -> Iterator[None]:
    """Take a filing slot for this IP and contact address, or raise `RateLimited` (French
    message). If the block raises (the form was refused), the slot is given back: a refused
    filing does not use up the allowance."""
    limits = _filing_limits(ip=ip, email=email, now=now or timezone.now())
    _take_all(limits)
    try:
        yield
    except BaseException:
        for limit in limits:
            _give_back(limit)
        raise


def count_routing(*, ip: str | None, now: datetime | None = None) -> None:
    """Count one dry-run routing call for this IP, or raise `RateLimited`."""
    if not ip:
        return
    now = now or timezone.now()
    conf = desk_settings()
    _take_all([_hourly("route", ip, conf.max_routings_per_ip_per_hour, ROUTING_LIMIT_MESSAGE, now)])


def count_follow_link_request(
    *, ip: str | None, reference: str, now: datetime | None = None
) -> None:
    """Count one "new follow link" request for this IP and this reference, or raise
    `RateLimited`. Counted whether or not the reference and address match."""
    now = now or timezone.now()
    conf = desk_settings()
    limits = [
        _daily(
            "link-ref",
            reference,
            FOLLOW_LINKS_PER_REFERENCE_PER_DAY,
            FOLLOW_LINK_LIMIT_MESSAGE,
            now,
        )
    ]
    if ip:
        limits.insert(
            0,
            _hourly(
                "link-ip",
                ip,
                conf.max_follow_links_per_ip_per_hour,
                FOLLOW_LINK_LIMIT_MESSAGE,
                now,
            ),
        )
    _take_all(limits)
