"""Demo notifications (#12 « Done when »): each demo account has something waiting under
its bell. The desk and hours demos already notify through their services (requests
routed, hours declared, declarations refused); this adds a plausible one to any demo
account left without an unread notification, and marks the demo's notifications as
emailed so that seeding sends no email. Idempotent."""

from typing import TextIO

from django.urls import reverse
from django.utils import timezone

from clauses.accounts.demo import DEMO_ACCOUNTS
from clauses.accounts.models import User
from clauses.notifications.enums import NotificationKind
from clauses.notifications.models import Notification
from clauses.notifications.services import notify


def _fallbacks() -> dict[str, tuple[str, str, str]]:
    return {
        "buyer": (
            NotificationKind.REQUEST_ANSWERED,
            "Le guichet a répondu à une de vos demandes : consultez la réponse.",
            reverse("desk:my_requests"),
        ),
        "company": (
            NotificationKind.DECLARATION_REFUSED,
            "Une déclaration d'heures est à corriger : voyez le motif indiqué.",
            reverse("hours:my_clauses"),
        ),
        "facilitator": (
            NotificationKind.DECLARATIONS_ARRIVED,
            "Des heures ont été déclarées : des déclarations attendent votre contrôle.",
            reverse("hours:control"),
        ),
        "departmental": (
            NotificationKind.REQUEST_ROUTED,
            "Une demande du guichet attend une prise en charge sur votre territoire.",
            reverse("desk:inbox"),
        ),
        "regional": (
            NotificationKind.REQUEST_ROUTED,
            "Une demande du guichet vous a été transmise : elle attend une prise en charge.",
            reverse("desk:inbox"),
        ),
        "national": (
            NotificationKind.MESSAGE,
            "Les bilans des régions de l'année sont disponibles.",
            reverse("reporting:index"),
        ),
        "partner": (
            NotificationKind.MESSAGE,
            "De nouveaux postes à pourvoir sont publiés sur votre territoire.",
            reverse("followup:positions"),
        ),
        "admin": (
            NotificationKind.MESSAGE,
            "Des organisations attendent d'être confirmées.",
            reverse("accounts:confirmations"),
        ),
    }


def seed(*, stdout: TextIO) -> None:
    users = {u.email: u for u in User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS])}
    fallbacks = _fallbacks()
    added = 0
    for account in DEMO_ACCOUNTS:
        user = users.get(account.email)
        if user is None or account.key not in fallbacks:
            continue
        if Notification.objects.filter(recipient=user, read_at__isnull=True).exists():
            continue
        kind, text, link = fallbacks[account.key]
        added += len(notify(recipients=[user], kind=kind, text=text, link=link, email=False))
    Notification.objects.filter(recipient__in=users.values(), emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    stdout.write(f"Notifications de démonstration : {added} ajoutée(s).\n")
