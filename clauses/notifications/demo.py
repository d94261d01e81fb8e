"""Demo notifications (#12 « Done when »): each demo account has something waiting under
its bell. The desk and hours demos already notify through their services (requests
routed, hours declared, declarations refused); the follow-up demo writes its missions
directly, so a demo person working without an eligibility in force (the withdrawal story)
is announced here as the services would (« éligibilité à décider »); then a plausible one
goes to any demo account left without an unread notification, and the demo's
notifications are marked as emailed so that seeding sends no email. Idempotent."""

from typing import TextIO

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.demo import DEMO_ACCOUNTS
from clauses.accounts.models import User
from clauses.followup.models import EligibilityValidation, Participant
from clauses.notifications.enums import NotificationKind
from clauses.notifications.models import Notification
from clauses.notifications.receivers import on_eligibility_to_decide
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


def _eligibility_to_decide() -> int:
    """The demo people with a mission and no validation in force, announced once."""
    in_force = EligibilityValidation.objects.filter(
        participant=OuterRef("pk"), withdrawn_at__isnull=True
    )
    waiting = (
        Participant.objects.filter(is_demo=True, assignments__isnull=False)
        .exclude(Exists(in_force))
        .distinct()
        .order_by("pk")
    )
    told = 0
    for participant in waiting[:3]:
        link = reverse("followup:participant", args=[participant.pk])
        if Notification.objects.filter(
            kind=NotificationKind.ELIGIBILITY_TO_DECIDE, link=link
        ).exists():
            continue
        on_eligibility_to_decide(sender=Participant, participant=participant)
        told += 1
    return told


def seed(*, stdout: TextIO) -> None:
    waiting = _eligibility_to_decide()
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
    stdout.write(
        f"Notifications de démonstration : {waiting} éligibilité(s) à décider, "
        f"{added} ajoutée(s).\n"
    )
