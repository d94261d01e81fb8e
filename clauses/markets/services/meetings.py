"""Meetings of a market (launch, follow-up) and the facilitator's invitation by email."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.markets import policies
from clauses.markets.enums import (
    MarketEventKind,
    MeetingKind,
)
from clauses.markets.models import (
    Lot,
    Market,
    Meeting,
)
from clauses.markets.services.common import _deny, _event

# -- meetings --------------------------------------------------------------------------


def _facilitator_email(market: Market) -> str:
    if market.facilitator_id and market.facilitator.email:
        return market.facilitator.email
    if market.following_structure_id and market.following_structure.email:
        return market.following_structure.email
    return ""


def _send_invitation(meeting: Meeting, to: str) -> None:
    market = meeting.market
    when = timezone.localtime(meeting.date)
    send_mail(
        subject=f"Invitation : {meeting.get_kind_display().lower()} — {market.reference}",
        message=(
            "Bonjour,\n\n"
            f"{market.buyer.name} vous invite à la {meeting.get_kind_display().lower()} du "
            f"marché « {market.subject} » ({market.reference}), le {when:%d/%m/%Y à %H:%M}"
            + (f", {meeting.location}" if meeting.location else "")
            + ".\n\nCette invitation est envoyée par la plateforme Clauses.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to],
    )


def schedule_meeting(
    *,
    actor: Actor,
    market: Market,
    kind: str,
    when: datetime,
    lot: Lot | None = None,
    location: str = "",
    attendees: str = "",
    notes: str = "",
    invite_facilitator: bool = True,
) -> Meeting:
    """A launch, site or follow-up meeting; the facilitator is invited by default (good
    practice of the seed: the facilitator attends launch and site meetings)."""
    if not policies.can_manage_meeting(actor, market):
        raise _deny("Vous ne pouvez pas programmer de réunion pour ce marché.")
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": ["Type de réunion inconnu."]})
    if when is None:
        raise ValidationError({"date": ["Indiquez la date de la réunion."]})
    if lot is not None and lot.market_id != market.pk:
        raise ValidationError({"lot": ["Ce lot n'appartient pas au marché."]})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            market=market,
            lot=lot,
            kind=kind,
            date=when,
            location=(location or "").strip()[:300],
            attendees=(attendees or "").strip(),
            notes=(notes or "").strip(),
            created_by_id=actor.user_id,
        )
        _event(
            market, MarketEventKind.MEETING_SCHEDULED, actor=actor, meeting=meeting.pk, kind=kind
        )
        if invite_facilitator:
            invite_to_meeting(actor=actor, meeting=meeting)
    return meeting


def update_meeting(
    *,
    actor: Actor,
    meeting: Meeting,
    attendees: str | None = None,
    notes: str | None = None,
    when: datetime | None = None,
    location: str | None = None,
) -> Meeting:
    if not policies.can_manage_meeting(actor, meeting.market):
        raise _deny("Vous ne pouvez pas modifier cette réunion.")
    if attendees is not None:
        meeting.attendees = attendees.strip()
    if notes is not None:
        meeting.notes = notes.strip()
    if when is not None:
        meeting.date = when
    if location is not None:
        meeting.location = location.strip()[:300]
    meeting.save()
    return meeting


def invite_to_meeting(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Mark the facilitator invited and email them after the commit (to the facilitator,
    else the structure's address; flagged invited even with no address known)."""
    market = meeting.market
    if not policies.can_manage_meeting(actor, market):
        raise _deny("Vous ne pouvez pas programmer de réunion pour ce marché.")
    with transaction.atomic():
        meeting.facilitator_invited = True
        meeting.invited_at = timezone.now()
        meeting.save(update_fields=["facilitator_invited", "invited_at"])
        to = _facilitator_email(market)
        _event(
            market,
            MarketEventKind.FACILITATOR_INVITED,
            actor=actor,
            meeting=meeting.pk,
            emailed=bool(to),
        )
        if to:
            transaction.on_commit(lambda: _send_invitation(meeting, to))
    return meeting
