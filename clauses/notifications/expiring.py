"""« Éligibilité qui expire bientôt » (#12.9, each event that waits for someone): once a day
(the task `notify_expiring_eligibilities`, or `manage.py notify_expiring_eligibilities
--wet-run`), each eligibility validation in force that ends within `EXPIRING_DAYS` is
announced once to the facilitators of the person's structure (else the coordinators above):
after its end the person's hours stop counting unless a facilitator validates again
(hours' counting rule: months outside the eligibility count nothing). The text names the
person by number only, like every notification about a participant."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from clauses.followup.models import EligibilityValidation
from clauses.notifications import recipients
from clauses.notifications.enums import NotificationKind
from clauses.notifications.models import Notification
from clauses.notifications.services import notify

EXPIRING_DAYS = 30  # the facilitator's home says « qui expirent dans les 30 jours » too


def expiring_validations(today: date, days: int = EXPIRING_DAYS) -> QuerySet:
    return (
        EligibilityValidation.objects.filter(
            withdrawn_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=days),
        )
        .select_related("participant__structure__coordination")
        .order_by("valid_until", "pk")
    )


def _text(validation: EligibilityValidation) -> str:
    return (
        f"{validation.participant.journal_label} : son éligibilité expire le "
        f"{validation.valid_until:%d/%m/%Y} ; ses heures ne compteront plus au-delà sans "
        "nouvelle validation."
    )


def _pending(today: date) -> list[tuple[EligibilityValidation, str, str]]:
    """The validations to announce, with their text and link, leaving out those already
    announced (same text and link: one notification per validation and end date)."""
    pending = []
    for validation in expiring_validations(today):
        text = _text(validation)
        link = reverse("followup:participant", args=[validation.participant_id])
        if not Notification.objects.filter(
            kind=NotificationKind.ELIGIBILITY_EXPIRING, link=link, text=text
        ).exists():
            pending.append((validation, text, link))
    return pending


def count_pending(*, today: date | None = None) -> int:
    return len(_pending(today or timezone.localdate()))


def notify_expiring(*, today: date | None = None) -> int:
    """Announce each validation ending soon, once; returns how many were announced."""
    told = 0
    for validation, text, link in _pending(today or timezone.localdate()):
        people = recipients.structure_members(validation.participant.structure)
        if notify(
            recipients=people, kind=NotificationKind.ELIGIBILITY_EXPIRING, text=text, link=link
        ):
            told += 1
    return told
