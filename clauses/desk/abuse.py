"""Protection of the public request form and API against robots and floods.

- Honeypot: the form carries a field hidden from people (`HONEYPOT_FIELD`); a robot that
  fills it is refused with a neutral message.
- Rate limits, counted in the cache (fixed windows): at most
  `CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR` requests per IP address per hour and
  `CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY` per contact address per day. With several
  server processes the cache must be shared (database or Redis cache), otherwise each process
  counts on its own.

`check_rate_limit` only reads the counters; `count_request` adds one, after a request was
actually filed (a refused form does not use up the allowance).
"""

import hashlib
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


class RateLimited(Exception):
    """Too many requests: `message` is the French sentence to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_honeypot(value: object) -> None:
    """Refuse a submission whose hidden field was filled (robots fill every field)."""
    if value not in (None, ""):
        raise ValidationError(HONEYPOT_MESSAGE, code="honeypot")


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _keys(*, ip: str | None, email: str | None, now: datetime) -> list[tuple[str, int, str, int]]:
    conf = desk_settings()
    keys = []
    if ip:
        window = now.strftime("%Y%m%d%H")
        keys.append(
            (
                f"desk:ip:{_digest(ip)}:{window}",
                conf.max_requests_per_ip_per_hour,
                IP_LIMIT_MESSAGE,
                3600,
            )
        )
    if email:
        window = now.strftime("%Y%m%d")
        keys.append(
            (
                f"desk:email:{_digest(email)}:{window}",
                conf.max_requests_per_email_per_day,
                EMAIL_LIMIT_MESSAGE,
                86400,
            )
        )
    return keys


def check_rate_limit(*, ip: str | None, email: str | None, now: datetime | None = None) -> None:
    """Raise `RateLimited` (French message) if this IP or contact address is over its limit."""
    now = now or timezone.now()
    for key, limit, message, _ttl in _keys(ip=ip, email=email, now=now):
        if (cache.get(key) or 0) >= limit:
            raise RateLimited(message)


def count_request(*, ip: str | None, email: str | None, now: datetime | None = None) -> None:
    """Count one filed request for this IP and contact address."""
    now = now or timezone.now()
    for key, _limit, _message, ttl in _keys(ip=ip, email=email, now=now):
        if cache.add(key, 1, timeout=ttl):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=ttl)
