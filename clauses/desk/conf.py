"""The desk's settings, read once per call from `django.conf.settings` (CLAUSES_DESK_*).

One place to read them, so that tests can override a setting with `settings.…` and the
services never read `django.conf.settings` directly. Documented in docs/environment.md.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings


@dataclass(frozen=True)
class DeskSettings:
    site_url: str
    first_response_working_days: int
    escalation_working_days: int
    closed_days: frozenset[date]
    max_attachment_bytes: int
    max_attachments: int
    max_requests_per_ip_per_hour: int
    max_requests_per_email_per_day: int
    max_routings_per_ip_per_hour: int
    max_follow_links_per_ip_per_hour: int
    max_communes: int


def desk_settings() -> DeskSettings:
    closed = frozenset(date.fromisoformat(day) for day in settings.CLAUSES_DESK_CLOSED_DAYS)
    return DeskSettings(
        site_url=settings.CLAUSES_DESK_SITE_URL.rstrip("/"),
        first_response_working_days=settings.CLAUSES_DESK_FIRST_RESPONSE_WORKING_DAYS,
        escalation_working_days=settings.CLAUSES_DESK_ESCALATION_WORKING_DAYS,
        closed_days=closed,
        max_attachment_bytes=settings.CLAUSES_DESK_MAX_ATTACHMENT_MB * 1024 * 1024,
        max_attachments=settings.CLAUSES_DESK_MAX_ATTACHMENTS,
        max_requests_per_ip_per_hour=settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR,
        max_requests_per_email_per_day=settings.CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY,
        max_routings_per_ip_per_hour=settings.CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR,
        max_follow_links_per_ip_per_hour=settings.CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR,
        max_communes=settings.CLAUSES_DESK_MAX_COMMUNES,
    )
