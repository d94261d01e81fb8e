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

Counting is atomic and shared by every process: `clauses.core.ratelimit` (add + incr in the
cache); a slot is taken before the work and given back if the work fails, so twenty parallel
filings pass exactly the limit.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from clauses.core import ratelimit
from clauses.core.ratelimit import (  # noqa: F401 - RateLimited is this module's error too
    Limit,
    RateLimited,
    give_back,
    take_all,
)
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


def check_honeypot(value: object) -> None:
    """Refuse a submission whose hidden field was filled (robots fill every field)."""
    if value not in (None, ""):
        raise ValidationError(HONEYPOT_MESSAGE, code="honeypot")


def _hourly(kind: str, value: str, limit: int, message: str, now: datetime) -> Limit:
    return ratelimit.hourly(f"desk:{kind}", value, limit, message, now)


def _daily(kind: str, value: str, limit: int, message: str, now: datetime) -> Limit:
    return ratelimit.daily(f"desk:{kind}", value, limit, message, now)


def _filing_limits(*, ip: str | None, email: str | None, now: datetime) -> list[Limit]:
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
    take_all(limits)
    try:
        yield
    except BaseException:
        for limit in limits:
            give_back(limit)
        raise


def count_routing(*, ip: str | None, now: datetime | None = None) -> None:
    """Count one dry-run routing call for this IP, or raise `RateLimited`."""
    if not ip:
        return
    now = now or timezone.now()
    conf = desk_settings()
    take_all([_hourly("route", ip, conf.max_routings_per_ip_per_hour, ROUTING_LIMIT_MESSAGE, now)])


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
    take_all(limits)
