"""Receivers of the lower apps' signals (connected in `apps.py`): each decides who is told
and what they read, then calls `services.notify`. Listed in tests/architecture (SIGNALS)."""

from collections import defaultdict
from typing import Any

from django.urls import reverse

from clauses.accounts.models import Organisation
from clauses.desk import emails as desk_emails
from clauses.desk.models import Request
from clauses.followup.models import Participant
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import DeclarationEvent, HourDeclaration
from clauses.markets.models import Market
from clauses.notifications import recipients
from clauses.notifications.enums import NotificationKind
from clauses.notifications.services import notify


def on_request_waiting(sender: Any, *, desk_request: Request, event: str, **kwargs: Any) -> None:
    link = reverse("desk:detail", args=[desk_request.reference])
    if event == "answered":
        # The desk emails the contact itself; the agent who filed it signed in is told here.
        notify(
            recipients=[desk_request.filed_by] if desk_request.filed_by_id else [],
            kind=NotificationKind.REQUEST_ANSWERED,
            text=f"Le guichet a répondu à votre demande {desk_request.reference}.",
            link=reverse("desk:my_request", args=[desk_request.reference]),
            email=False,
        )
        return
    if event == "buyer_replied":
        notify(
            recipients=recipients.request_handlers(desk_request),
            kind=NotificationKind.BUYER_REPLIED,
            text=f"L'acheteur a répondu : demande {desk_request.reference} "
            f"({desk_request.buyer_name}).",
            link=link,
            email=False,  # the desk emails the person in charge (or the target) itself
        )
        return
    texts = {
        "filed": "Nouvelle demande {ref} de {buyer} : à prendre en charge.",
        "reassigned": "La demande {ref} de {buyer} a été réaffectée à votre structure.",
        "escalated": "La demande {ref} de {buyer} n'a pas été prise en charge à temps : "
        "elle vous est transmise.",
    }
    notify(
        recipients=recipients.request_target_members(desk_request),
        # The desk emails the target's address; members are emailed only when it has none.
        # (and never while the desk's emails are switched off: demo seeding).
        email=not desk_emails.are_suppressed()
        and not recipients.request_target_address(desk_request),
        kind=NotificationKind.REQUEST_ROUTED,
        text=texts.get(event, texts["filed"]).format(
            ref=desk_request.reference, buyer=desk_request.buyer_name
        ),
        link=link,
    )


def on_declarations_submitted(
    sender: Any,
    *,
    declarations: list[HourDeclaration],
    summary: dict[tuple[int, int, object, str], int] | None = None,
    **kwargs: Any,
) -> None:
    """Per market's controllers, company and kind (new or corrected), one notification:
    « X a déclaré des heures : 3 déclarations à contrôler ». A fixed number of queries
    per market, whatever the size of the file: hours sends the counts by market, employer
    and kind (`summary`, #15), so a 100,000-row file costs no query over its rows."""
    groups: dict[tuple[int, str, bool], int] = defaultdict(int)
    if summary is not None:
        names = dict(
            Organisation.objects.filter(pk__in={key[1] for key in summary}).values_list(
                "pk", "name"
            )
        )
        for (market_id, employer_id, _month, kind), count in summary.items():
            groups[(market_id, names.get(employer_id, ""), kind == "corrected")] += count
    else:
        ids = [d.pk for d in declarations]
        corrected = set(
            DeclarationEvent.objects.filter(declaration__in=ids, kind="corrected").values_list(
                "declaration_id", flat=True
            )
        )
        rows = HourDeclaration.objects.filter(pk__in=ids).values_list(
            "pk", "assignment__employer__name", "assignment__lot__market_id"
        )
        for pk, company, market_id in rows:
            groups[(market_id, company, pk in corrected)] += 1
    markets = Market.objects.select_related("following_structure__coordination").in_bulk(
        {market_id for market_id, _, _ in groups}
    )
    link = reverse("hours:control")
    for (market_id, company, is_correction), count in sorted(groups.items()):
        if is_correction:
            kind = NotificationKind.CORRECTION_SUBMITTED
            text = (
                f"{company} a corrigé une déclaration d'heures : à contrôler de nouveau."
                if count == 1
                else f"{company} a corrigé {count} déclarations d'heures : à contrôler de nouveau."
            )
        else:
            kind = NotificationKind.DECLARATIONS_ARRIVED
            text = (
                f"{company} a déclaré des heures : 1 déclaration à contrôler."
                if count == 1
                else f"{company} a déclaré des heures : {count} déclarations à contrôler."
            )
        notify(
            recipients=recipients.market_controllers(markets[market_id]),
            kind=kind,
            text=text,
            link=link,
        )


def on_declaration_sent_back(sender: Any, *, declaration: HourDeclaration, **kwargs: Any) -> None:
    assignment = declaration.assignment
    month = declaration.month.strftime("%m/%Y")
    verb = "refusée" if declaration.status == DeclarationStatus.REJECTED else "à corriger"
    notify(
        recipients=recipients.company_contacts(assignment.employer_id),
        kind=NotificationKind.DECLARATION_REFUSED,
        text=f"Déclaration d'heures de {month} {verb} : {declaration.rejection_reason}",
        link=reverse("hours:declaration", args=[declaration.pk]),
    )


def on_eligibility_to_decide(
    sender: Any, *, participant: Participant, actor: Any = None, **kwargs: Any
) -> None:
    """A mission started while the person has no eligibility validation in force: the
    facilitators of their structure (else the coordinators above) are told, except the one
    who recorded it. The text names the person by number only (no personal data in a text
    that is emailed and outlives anonymisation, #11.4); the link opens their page."""
    author = getattr(actor, "user_id", None)
    notify(
        recipients=[
            user
            for user in recipients.structure_members(participant.structure)
            if user.pk != author
        ],
        kind=NotificationKind.ELIGIBILITY_TO_DECIDE,
        text=f"{participant.journal_label} : une mission a commencé sans éligibilité "
        "validée ; ses heures ne compteront qu'après votre décision.",
        link=reverse("followup:participant", args=[participant.pk]),
    )
