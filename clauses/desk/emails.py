"""The desk's emails, in French, from plain-text templates in `templates/desk/emails/`.

Services call the `on_commit_*` functions inside their transaction: the email leaves only
once the change is committed (a rolled-back filing sends nothing). Sending goes through
Django's email backend; a failure is logged, never turns a committed filing into an error.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from clauses.desk.conf import desk_settings
from clauses.desk.enums import TargetLevel
from clauses.desk.models import Message, Request
from clauses.desk.rules import Target

logger = logging.getLogger(__name__)

DESK_NAME = "Guichet Régional des Clauses Sociales"

# Off while the demo data is built: demo requests must not email anyone.
_suppressed: ContextVar[bool] = ContextVar("desk_emails_suppressed", default=False)


@contextmanager
def suppressed() -> Iterator[None]:
    """No desk email is scheduled inside this block (demo seeding)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def are_suppressed() -> bool:
    """True inside `suppressed()`: the notifications then email nobody either."""
    return _suppressed.get()


def _on_commit(callback: Callable[[], None]) -> None:
    if not _suppressed.get():
        transaction.on_commit(callback)


def _send(
    *, subject: str, template: str, context: dict, to: Iterable[str], reply_to: Iterable[str] = ()
) -> bool:
    recipients = [address for address in dict.fromkeys(to) if address]
    if not recipients:
        logger.warning("Courriel %s sans destinataire : %s", template, subject)
        return False
    body = render_to_string(
        f"desk/emails/{template}.txt",
        {"desk_name": DESK_NAME, "site_url": desk_settings().site_url, **context},
    )
    message = EmailMessage(
        subject=f"[{DESK_NAME}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[address for address in reply_to if address] or None,
    )
    try:
        message.send()
    except Exception:  # a mail server failure must not break the workflow
        logger.exception("Échec de l'envoi du courriel %s à %s", template, recipients)
        return False
    return True


def _inbox_url() -> str:
    try:
        path = reverse("desk:inbox")
    except NoReverseMatch:
        path = "/guichet/demandes/"
    return f"{desk_settings().site_url}{path}"


def _lost_link_url() -> str:
    try:
        path = reverse("desk:new_follow_link")
    except NoReverseMatch:
        path = "/guichet/suivi/nouveau-lien/"
    return f"{desk_settings().site_url}{path}"


def _desk_address(desk_request: Request) -> list[str]:
    """Where the buyer's answers should go: the target's address."""
    if desk_request.target_structure_id:
        return [desk_request.target_structure.email]
    if desk_request.target_coordination_id:
        coordination = desk_request.target_coordination
        if desk_request.target_level == TargetLevel.GREEN_DESK:
            return [coordination.green_desk_email or coordination.desk_email]
        return [coordination.desk_email or coordination.email]
    return []


def _handler_addresses(desk_request: Request) -> list[str]:
    """The person in charge if any, else the target's address."""
    if desk_request.taken_by_id and desk_request.taken_by.email:
        return [desk_request.taken_by.email]
    return _desk_address(desk_request)


# -- the emails ---------------------------------------------------------------------------


def acknowledge(request_id: int, url: str) -> None:
    desk_request = Request.objects.select_related("target_structure", "target_coordination").get(
        pk=request_id
    )
    _send(
        subject=f"Demande {desk_request.reference} bien reçue",
        template="acknowledgement",
        # Only what the desk wrote: the form's free text (names, message, subject) never goes
        # to the typed address, so the form cannot relay spam (#11).
        context={
            "desk_request": desk_request,
            "follow_url": url,
            "target_name": desk_request.target_name,
            "lost_link_url": _lost_link_url(),
        },
        to=[desk_request.contact_email],
        reply_to=_desk_address(desk_request),
    )


def notify_target(request_id: int, target: Target, event: str, comment: str = "") -> None:
    desk_request = Request.objects.get(pk=request_id)
    subjects = {
        "filed": f"Nouvelle demande {desk_request.reference} : {desk_request.buyer_name}",
        "reassigned": f"Demande {desk_request.reference} réaffectée à votre structure",
        "escalated": (
            f"Demande {desk_request.reference} non prise en charge : elle vous est transmise"
        ),
    }
    _send(
        subject=subjects[event],
        template="target_notification",
        context={
            "desk_request": desk_request,
            "target_name": target.name,
            "event": event,
            "comment": comment,
            "inbox_url": _inbox_url(),
        },
        to=[target.email],
        reply_to=[desk_request.contact_email],
    )


def send_reply(message_id: int) -> None:
    message = Message.objects.select_related(
        "request__target_structure", "request__target_coordination", "author"
    ).get(pk=message_id)
    desk_request = message.request
    sent = _send(
        subject=f"Réponse à votre demande {desk_request.reference}",
        template="reply",
        context={
            "desk_request": desk_request,
            "message": message,
            "target_name": desk_request.target_name,
        },
        to=[desk_request.contact_email],
        reply_to=_desk_address(desk_request),
    )
    if sent:
        Message.objects.filter(pk=message.pk).update(emailed_at=timezone.now())


def buyer_replied(message_id: int) -> None:
    message = Message.objects.select_related(
        "request__taken_by", "request__target_structure", "request__target_coordination"
    ).get(pk=message_id)
    desk_request = message.request
    _send(
        subject=f"L'acheteur a répondu : demande {desk_request.reference}",
        template="buyer_replied",
        context={
            "desk_request": desk_request,
            "message": message,
            "inbox_url": _inbox_url(),
        },
        to=_handler_addresses(desk_request),
    )


def closed(request_id: int) -> None:
    desk_request = Request.objects.select_related("target_structure", "target_coordination").get(
        pk=request_id
    )
    _send(
        subject=f"Demande {desk_request.reference} clôturée",
        template="closed",
        context={
            "desk_request": desk_request,
            "outcome": desk_request.get_outcome_display(),
            "target_name": desk_request.target_name,
        },
        to=[desk_request.contact_email],
        reply_to=_desk_address(desk_request),
    )


def new_follow_link(request_id: int, url: str) -> None:
    desk_request = Request.objects.get(pk=request_id)
    _send(
        subject=f"Nouveau lien de suivi de votre demande {desk_request.reference}",
        template="new_follow_link",
        context={"desk_request": desk_request, "follow_url": url},
        to=[desk_request.contact_email],
    )


# -- scheduled after the commit ------------------------------------------------------------


def on_commit_acknowledge(desk_request: Request, url: str) -> None:
    _on_commit(lambda: acknowledge(desk_request.pk, url))


def on_commit_notify_target(
    desk_request: Request, *, target: Target, event: str, comment: str = ""
) -> None:
    _on_commit(lambda: notify_target(desk_request.pk, target, event, comment))


def on_commit_reply(message: Message) -> None:
    _on_commit(lambda: send_reply(message.pk))


def on_commit_buyer_replied(message: Message) -> None:
    _on_commit(lambda: buyer_replied(message.pk))


def on_commit_closed(desk_request: Request) -> None:
    _on_commit(lambda: closed(desk_request.pk))


def on_commit_new_follow_link(desk_request: Request, url: str) -> None:
    _on_commit(lambda: new_follow_link(desk_request.pk, url))
