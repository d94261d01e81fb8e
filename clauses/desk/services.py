"""Write workflows of the desk. Every service takes keyword-only arguments, runs in one
transaction, writes a `RequestEvent`, checks the actor against `policies.py` and sends its
emails explicitly, after the commit (`emails.py`).

    file_request(...)       validate, route, store, acknowledge, notify
    take_charge / reply / buyer_reply / add_internal_note / reassign / close
    escalate_overdue(...)   untaken requests climb one level after N working days
    mark_converted          hook for the markets app
    send_new_follow_link    a buyer who lost the private link gets a new one

`now` is an argument of every service so that tests (and the demo) set the clock. The reads
(routing facts and dry run, the request behind a private link, escalation candidates, the
planned market's facts) are in `selectors.py`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.accounts.models import Membership, Organisation, User
from clauses.core.tokens import make_token
from clauses.desk import emails, policies
from clauses.desk.attachments import CheckedFile, check_attachments
from clauses.desk.conf import desk_settings
from clauses.desk.enums import (
    EventKind,
    MessageKind,
    PublicationTiming,
    RequestOutcome,
    RequestStatus,
    TargetLevel,
)
from clauses.desk.models import (
    Assignment,
    Attachment,
    Message,
    ReferenceCounter,
    Request,
    RequestEvent,
)
from clauses.desk.rules import (
    Target,
    add_working_days,
    route,
    working_days_between,
)

# Reads moved to selectors.py, still importable here for the tests and the markets app.
from clauses.desk.selectors import (  # noqa: F401
    coordination_target,
    escalation_candidates,
    green_desk_target,
    level_above,
    planned_market_facts,
    request_for_token,
    route_request,
    routing_facts,
    structure_target,
)
from clauses.desk.signals import request_waiting
from clauses.desk.validation import CleanRequest, clean_request_data
from clauses.network.models import Coordination, FacilitatorStructure

# --------------------------------------------------------------------------------------
# Filing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiledRequest:
    request: Request
    raw_follow_token: str
    follow_url: str


def follow_path(reference: str) -> str:
    """Path of the buyer's private follow page (the pages' `desk:follow` URL)."""
    try:
        return reverse("desk:follow", kwargs={"reference": reference})
    except NoReverseMatch:
        return f"/guichet/suivi/{reference}/"


def follow_url(reference: str, raw_token: str) -> str:
    """The absolute private link emailed to the buyer (the token is never stored)."""
    return f"{desk_settings().site_url}{follow_path(reference)}?jeton={raw_token}"


def _next_reference(year: int) -> str:
    """`GRCS-<year>-<number:06d>`, the counter row locked until the transaction ends."""
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(year=year)
    except IntegrityError:  # created by a concurrent filing in the meantime
        pass
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return f"GRCS-{year}-{counter.last_number:06d}"


def publication_timing(planned: date | None, filed_on: date) -> PublicationTiming:
    """Before publication is the good practice of the seed document: the facilitator can
    still shape the clause."""
    if planned is None:
        return PublicationTiming.UNKNOWN
    return PublicationTiming.BEFORE if planned > filed_on else PublicationTiming.AFTER


def first_response_due(filed_on: date) -> date:
    conf = desk_settings()
    return add_working_days(filed_on, conf.first_response_working_days, conf.closed_days)


def _target_fields(target: Target) -> dict:
    level = TargetLevel(target.level)
    if level == TargetLevel.STRUCTURE:
        return {
            "target_level": level,
            "target_structure_id": target.id,
            "target_coordination_id": None,
        }
    return {"target_level": level, "target_structure_id": None, "target_coordination_id": target.id}


def _event(
    desk_request: Request,
    kind: EventKind,
    *,
    actor: Actor | User | None,
    now: datetime,
    **data: Any,
) -> RequestEvent:
    user_id = actor.pk if isinstance(actor, User) else getattr(actor, "user_id", None)
    label = str(actor) if isinstance(actor, User) else getattr(actor, "label", "")
    if isinstance(actor, Actor) and actor.via_token:
        data.setdefault("via", actor.label)
    return RequestEvent.record(
        request=desk_request,
        kind=kind,
        actor_user_id=user_id,
        actor_repr=label,
        details=data,
        created_at=now,
    )


def _store_attachments(
    desk_request: Request, files: Sequence[CheckedFile], *, message: Message | None, now: datetime
) -> list[Attachment]:
    stored = []
    for checked in files:
        attachment = Attachment(
            request=desk_request,
            message=message,
            original_name=checked.name,
            detected_type=checked.detected_type,
            size=checked.size,
            sha256=checked.sha256,
            created_at=now,
        )
        attachment.file.save(checked.name, ContentFile(checked.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _checked(attachments: Sequence[Any]) -> list[CheckedFile]:
    if all(isinstance(a, CheckedFile) for a in attachments):
        conf = desk_settings()
        if len(attachments) > conf.max_attachments:
            raise ValidationError(
                {"attachments": f"Vous pouvez joindre au plus {conf.max_attachments} fichiers."}
            )
        return list(attachments)
    return check_attachments(list(attachments))


def _buyer_organisation(clean: CleanRequest, filed_by: User | None) -> Organisation | None:
    """The buyer organisation is linked only when the caller says so (a logged-in buyer
    agent's form) or the person filing is a member of the organisation with that SIRET:
    a SIRET typed by anyone never opens a request to that organisation's agents."""
    if clean.buyer_organisation is not None:
        return clean.buyer_organisation
    if filed_by is None or not clean.buyer_siret:
        return None
    membership = (
        Membership.objects.active()
        .confirmed()
        .filter(user=filed_by, organisation__siret=clean.buyer_siret)
        .select_related("organisation")
        .first()
    )
    return membership.organisation if membership else None


def file_request(
    *,
    data: dict[str, Any],
    attachments: Sequence[Any] = (),
    filed_by: User | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> FiledRequest:
    """File a buyer's request: check every field and file, route it (assignment #1), set
    the first-response date, acknowledge to the buyer (reference and private link) and
    notify the target, after the commit. Raises ValidationError (French, by field).

    `data` holds the plain fields (see `validation.clean_request_data`); `attachments` are
    uploaded files, (name, bytes) pairs or already checked files. Rate limits and the
    honeypot are the caller's (`abuse.py`): they depend on the channel."""
    now = now or timezone.now()
    clean = clean_request_data(data)
    files = _checked(attachments)
    filed_on = timezone.localdate(now)
    organisation = _buyer_organisation(clean, filed_by)
    facts = routing_facts(
        kind=clean.kind,
        communes=clean.communes,
        departments=clean.departments,
        region_wide=clean.region_wide,
        outside_places=clean.outside_places,
        buyer_siret=clean.buyer_siret,
        buyer_organisation=organisation,
        on=filed_on,
    )
    decision = route(facts)
    raw_token, token_hash = make_token()
    with transaction.atomic():
        desk_request = Request.objects.create(
            reference=_next_reference(filed_on.year),
            kind=clean.kind,
            status=RequestStatus.NEW,
            buyer_organisation=organisation,
            buyer_name=clean.buyer_name,
            buyer_siret=clean.buyer_siret,
            contact_name=clean.contact_name,
            contact_email=clean.contact_email,
            contact_phone=clean.contact_phone,
            filed_by=filed_by,
            market_subject=clean.market_subject,
            market_cpv=clean.market_cpv,
            market_estimated_amount=clean.market_estimated_amount,
            market_planned_publication_date=clean.market_planned_publication_date,
            market_duration_months=clean.market_duration_months,
            region_wide=clean.region_wide,
            outside_places=", ".join(clean.outside_places),
            message=clean.message,
            publication_timing=publication_timing(clean.market_planned_publication_date, filed_on),
            routing_rule=decision.rule,
            routing_reason=decision.reason,
            routed_automatically=True,
            routed_at=now,
            follow_token_hash=token_hash,
            first_response_due=first_response_due(filed_on),
            created_at=now,
            **_target_fields(decision.target),
        )
        desk_request.execution_communes.set(clean.communes)
        desk_request.execution_departments.set(clean.departments)
        Assignment.objects.create(
            request=desk_request,
            rule=decision.rule,
            reason=decision.reason,
            created_at=now,
            **_target_fields(decision.target),
        )
        _store_attachments(desk_request, files, message=None, now=now)
        _event(
            desk_request,
            EventKind.FILED,
            actor=filed_by,
            now=now,
            rule=decision.rule,
            target=decision.target.name,
            ip=ip,
            attachments=len(files),
        )
        url = follow_url(desk_request.reference, raw_token)
        emails.on_commit_acknowledge(desk_request, url)
        emails.on_commit_notify_target(desk_request, target=decision.target, event="filed")
        request_waiting.send(sender=Request, desk_request=desk_request, event="filed")
    return FiledRequest(request=desk_request, raw_follow_token=raw_token, follow_url=url)


def send_new_follow_link(
    *, reference: str, contact_email: str, now: datetime | None = None
) -> None:
    """A buyer who lost the private link asks for a new one: when the reference and the
    contact address match, the token is replaced (the old link stops working) and the new
    link is emailed to the contact address. Says nothing either way (no enumeration)."""
    now = now or timezone.now()
    with transaction.atomic():
        desk_request = (
            Request.objects.select_for_update()
            .filter(
                reference=reference.strip().upper(), contact_email__iexact=contact_email.strip()
            )
            .first()
        )
        if desk_request is None:
            return
        raw_token, token_hash = make_token()
        desk_request.follow_token_hash = token_hash
        desk_request.save(update_fields=["follow_token_hash"])
        _event(desk_request, EventKind.FOLLOW_LINK_RENEWED, actor=None, now=now)
        emails.on_commit_new_follow_link(
            desk_request, follow_url(desk_request.reference, raw_token)
        )


# --------------------------------------------------------------------------------------
# Workflow
# --------------------------------------------------------------------------------------


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _locked(desk_request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=desk_request.pk)


def take_charge(*, actor: Actor, desk_request: Request, now: datetime | None = None) -> Request:
    """The actor takes charge of the request: it becomes "prise en charge" and stops
    climbing the escalation ladder."""
    now = now or timezone.now()
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not policies.can_take_charge(actor, desk_request):
            raise _deny("Vous ne pouvez pas prendre en charge cette demande.")
        previous = desk_request.taken_by_id
        desk_request.taken_by_id = actor.user_id
        desk_request.taken_at = now
        if desk_request.status == RequestStatus.NEW:
            desk_request.status = RequestStatus.ASSIGNED
        desk_request.save(update_fields=["taken_by", "taken_at", "status"])
        _event(desk_request, EventKind.TAKEN_CHARGE, actor=actor, now=now, previous=previous)
    return desk_request


def reply(
    *,
    actor: Actor,
    desk_request: Request,
    body: str,
    expects_answer: bool = True,
    attachments: Sequence[Any] = (),
    now: datetime | None = None,
) -> Message:
    """Answer the buyer: emailed to the contact, shown on the private link. The first
    answer sets `first_response_at`; the request waits for the buyer (`expects_answer`) or
    stays in progress. Replying takes charge of a request nobody has taken."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Le message ne peut pas être vide."})
    files = _checked(attachments)
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not policies.can_reply(actor, desk_request):
            raise _deny("Vous ne pouvez pas répondre à cette demande.")
        message = Message.objects.create(
            request=desk_request,
            kind=MessageKind.REPLY_TO_BUYER,
            author_id=actor.user_id,
            body=body,
            created_at=now,
        )
        _store_attachments(desk_request, files, message=message, now=now)
        fields = ["status"]
        if desk_request.first_response_at is None:
            conf = desk_settings()
            desk_request.first_response_at = now
            desk_request.first_response_working_days = working_days_between(
                timezone.localdate(desk_request.created_at),
                timezone.localdate(now),
                conf.closed_days,
            )
            fields += ["first_response_at", "first_response_working_days"]
        if desk_request.taken_by_id is None and actor.user_id is not None:
            desk_request.taken_by_id = actor.user_id
            desk_request.taken_at = now
            fields += ["taken_by", "taken_at"]
        desk_request.status = (
            RequestStatus.WAITING_BUYER if expects_answer else RequestStatus.IN_PROGRESS
        )
        desk_request.save(update_fields=fields)
        _event(
            desk_request,
            EventKind.REPLIED,
            actor=actor,
            now=now,
            message=message.pk,
            attachments=len(files),
        )
        emails.on_commit_reply(message)
        request_waiting.send(sender=Request, desk_request=desk_request, event="answered")
    return message


def buyer_reply(
    *,
    desk_request: Request,
    body: str,
    token: str | None = None,
    actor: Actor | None = None,
    attachments: Sequence[Any] = (),
    now: datetime | None = None,
) -> Message:
    """The buyer answers, through the private link (`token`) or logged in as a buyer agent
    of the request's organisation (`actor`). The request goes back to "en cours" and the
    person in charge (or the target) is notified."""
    now = now or timezone.now()
    allowed = False
    if token is not None:
        allowed = request_for_token(reference=desk_request.reference, token=token) is not None
    elif actor is not None:
        allowed = policies.can_buyer_reply(actor, desk_request)
    if not allowed:
        raise _deny("Vous ne pouvez pas répondre à cette demande.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Le message ne peut pas être vide."})
    files = _checked(attachments)
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not desk_request.is_open:
            raise ValidationError(
                {"body": "Cette demande est clôturée : déposez une nouvelle demande au guichet."}
            )
        message = Message.objects.create(
            request=desk_request,
            kind=MessageKind.FROM_BUYER,
            author_id=actor.user_id if actor else None,
            body=body,
            created_at=now,
        )
        _store_attachments(desk_request, files, message=message, now=now)
        if desk_request.status == RequestStatus.WAITING_BUYER:
            desk_request.status = RequestStatus.IN_PROGRESS
            desk_request.save(update_fields=["status"])
        _event(
            desk_request,
            EventKind.BUYER_REPLIED,
            actor=actor,
            now=now,
            message=message.pk,
            attachments=len(files),
        )
        emails.on_commit_buyer_replied(message)
        request_waiting.send(sender=Request, desk_request=desk_request, event="buyer_replied")
    return message


def add_internal_note(
    *, actor: Actor, desk_request: Request, body: str, now: datetime | None = None
) -> Message:
    """A note for the desk side only: never shown to the buyer, never emailed."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "La note ne peut pas être vide."})
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not policies.can_add_note(actor, desk_request):
            raise _deny("Vous ne pouvez pas annoter cette demande.")
        message = Message.objects.create(
            request=desk_request,
            kind=MessageKind.INTERNAL_NOTE,
            author_id=actor.user_id,
            body=body,
            created_at=now,
        )
        _event(desk_request, EventKind.NOTE_ADDED, actor=actor, now=now, message=message.pk)
    return message


def _new_target(
    *, coordination: Coordination | None, structure: FacilitatorStructure | None, green_desk: bool
) -> Target:
    if green_desk:
        regional = coordination or Coordination.objects.regional().order_by("pk").first()
        return green_desk_target(regional)
    if structure is not None and coordination is not None:
        raise ValidationError(
            {"target": "Choisissez une structure ou une coordination, pas les deux."}
        )
    if structure is not None:
        if not structure.is_active:
            raise ValidationError({"target": "Cette structure n'est plus active."})
        return structure_target(structure)
    if coordination is not None:
        return coordination_target(coordination)
    raise ValidationError({"target": "Choisissez la structure ou la coordination destinataire."})


def reassign(
    *,
    actor: Actor,
    desk_request: Request,
    comment: str,
    coordination: Coordination | None = None,
    structure: FacilitatorStructure | None = None,
    green_desk: bool = False,
    now: datetime | None = None,
) -> Assignment:
    """A coordinator sends the request to another structure or coordination (or to the
    guichet vert), with a mandatory comment. The history keeps every assignment; the request
    is back to "nouvelle" for the new target, nobody in charge, escalation clock restarted."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": "Expliquez en quelques mots pourquoi vous réaffectez la demande."}
        )
    target = _new_target(coordination=coordination, structure=structure, green_desk=green_desk)
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not policies.can_reassign(actor, desk_request):
            raise _deny("Seule une coordination du territoire peut réaffecter cette demande.")
        before = desk_request.target_name
        fields = _target_fields(target)
        for name, value in fields.items():
            setattr(desk_request, name, value)
        desk_request.routing_rule = ""
        desk_request.routing_reason = f"Réaffectée par une coordination : {comment}"
        desk_request.routed_automatically = False
        desk_request.routed_at = now
        desk_request.taken_by = None
        desk_request.taken_at = None
        if desk_request.status in (RequestStatus.ASSIGNED, RequestStatus.NEW):
            desk_request.status = RequestStatus.NEW
        desk_request.save()
        assignment = Assignment.objects.create(
            request=desk_request,
            reason=desk_request.routing_reason,
            by_id=actor.user_id,
            comment=comment,
            created_at=now,
            **fields,
        )
        _event(
            desk_request,
            EventKind.REASSIGNED,
            actor=actor,
            now=now,
            before=before,
            after=target.name,
            comment=comment,
        )
        emails.on_commit_notify_target(
            desk_request, target=target, event="reassigned", comment=comment
        )
        request_waiting.send(sender=Request, desk_request=desk_request, event="reassigned")
    return assignment


def close(
    *,
    actor: Actor,
    desk_request: Request,
    outcome: str,
    comment: str = "",
    notify_buyer: bool = True,
    now: datetime | None = None,
) -> Request:
    """Close the request with its outcome; the buyer is told (unless `notify_buyer` is
    False, e.g. a duplicate)."""
    now = now or timezone.now()
    if outcome not in RequestOutcome.values:
        raise ValidationError({"outcome": "Choisissez l'issue de la demande."})
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not policies.can_close(actor, desk_request):
            raise _deny("Vous ne pouvez pas clôturer cette demande.")
        desk_request.status = RequestStatus.CLOSED
        desk_request.outcome = outcome
        desk_request.closed_at = now
        desk_request.save(update_fields=["status", "outcome", "closed_at"])
        if comment.strip():
            Message.objects.create(
                request=desk_request,
                kind=MessageKind.INTERNAL_NOTE,
                author_id=actor.user_id,
                body=comment.strip(),
                created_at=now,
            )
        _event(desk_request, EventKind.CLOSED, actor=actor, now=now, outcome=outcome)
        if notify_buyer:
            emails.on_commit_closed(desk_request)
    return desk_request


# --------------------------------------------------------------------------------------
# Escalation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    reference: str
    before: str
    after: Target
    reason: str


def escalate_overdue(*, now: datetime | None = None, dry_run: bool = False) -> list[Escalation]:
    """Every untaken request past the escalation delay climbs one level, with the reason in
    words; the new target is emailed. `dry_run` reports without changing anything."""
    now = now or timezone.now()
    conf = desk_settings()
    done: list[Escalation] = []
    for candidate in escalation_candidates(now):
        target = level_above(candidate)
        if target is None:
            continue
        days = conf.escalation_working_days
        reason = (
            f"Demande non prise en charge par « {candidate.target_name} » après "
            f"{days} jour{'s' if days > 1 else ''} ouvré{'s' if days > 1 else ''} : "
            f"elle remonte à « {target.name} »."
        )
        done.append(Escalation(candidate.reference, candidate.target_name, target, reason))
        if dry_run:
            continue
        with transaction.atomic():
            desk_request = _locked(candidate)
            if desk_request.status != RequestStatus.NEW or desk_request.taken_by_id is not None:
                done.pop()
                continue
            fields = _target_fields(target)
            for name, value in fields.items():
                setattr(desk_request, name, value)
            desk_request.routing_reason = reason
            desk_request.routed_automatically = True
            desk_request.routed_at = now
            desk_request.escalation_count += 1
            desk_request.save()
            Assignment.objects.create(
                request=desk_request, reason=reason, rule="", created_at=now, **fields
            )
            _event(
                desk_request,
                EventKind.ESCALATED,
                actor=None,
                now=now,
                before=candidate.target_name,
                after=target.name,
            )
            emails.on_commit_notify_target(
                desk_request, target=target, event="escalated", comment=reason
            )
            request_waiting.send(sender=Request, desk_request=desk_request, event="escalated")
    return done


# --------------------------------------------------------------------------------------
# Hooks for the markets app
# --------------------------------------------------------------------------------------


def mark_converted(
    *, actor: Actor, desk_request: Request, market_id: int, now: datetime | None = None
) -> Request:
    """Called by the markets app once it created the market: the request points to it."""
    now = now or timezone.now()
    with transaction.atomic():
        desk_request = _locked(desk_request)
        if not policies.can_add_note(actor, desk_request):
            raise _deny("Vous ne pouvez pas transformer cette demande en marché.")
        desk_request.converted_market_id = market_id
        desk_request.converted_at = now
        desk_request.save(update_fields=["converted_market_id", "converted_at"])
        _event(desk_request, EventKind.CONVERTED, actor=actor, now=now, market=market_id)
    return desk_request
