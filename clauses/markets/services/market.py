"""Writes on a market: create, change and delete it, its status (with the real dates), the 2026
mandatory social condition and its derogation, the conversion of a desk request.

Keyword-only arguments, one transaction each, a `MarketEvent` for the market's history and
an audit event; permissions are checked here with `policies` (PermissionDenied in French)
and input is validated here (ValidationError with French messages keyed by field), so that
pages, API and imports share one behaviour.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.enums import BuyerCategory, OrganisationKind
from clauses.accounts.models import Organisation
from clauses.accounts.validators import normalize_company_number
from clauses.desk import policies as desk_policies
from clauses.desk import services as desk_services
from clauses.desk.models import Request
from clauses.markets import policies, rules
from clauses.markets.enums import (
    STATUS_TRANSITIONS,
    MarketEventKind,
    MarketStatus,
    Procedure,
)
from clauses.markets.models import (
    Lot,
    Market,
)
from clauses.markets.querysets import SATISFYING_KINDS
from clauses.markets.services.common import (
    MIN_REASON_LENGTH,
    _audit,
    _clean_amount,
    _deny,
    _event,
    _json_value,
    _reason,
)
from clauses.network.models import Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode

SINGLE_LOT_TITLE = "Lot unique"

MARKET_FIELDS = (
    "reference",
    "subject",
    "procedure",
    "kind",
    "cpv",
    "estimated_amount_ht",
    "awarded_amount_ht",
    "consultation_launch_date",
    "planned_publication_date",
    "notification_date",
    "start_date",
    "end_date",
    "duration_months",
    "following_structure",
    "facilitator",
    "operation",
    "defence_or_security",
    "derogation_reason",
    "decp_id",
)


def clean_market_fields(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate the fields of a market (model instances for relations, Decimals or numbers
    as text for amounts, dates). Raises ValidationError({field: [French message]})."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in MARKET_FIELDS:
        if name in data:
            cleaned[name] = data[name]
    if not partial or "reference" in cleaned:
        reference = str(cleaned.get("reference") or "").strip()
        if not reference:
            errors["reference"] = ["Indiquez la référence du marché."]
        elif len(reference) > 60:
            errors["reference"] = ["La référence ne doit pas dépasser 60 caractères."]
        cleaned["reference"] = reference
    if not partial or "subject" in cleaned:
        subject = str(cleaned.get("subject") or "").strip()
        if not subject:
            errors["subject"] = ["Indiquez l'objet du marché."]
        elif len(subject) > 300:
            errors["subject"] = ["L'objet ne doit pas dépasser 300 caractères."]
        cleaned["subject"] = subject
    for name, label in (
        ("estimated_amount_ht", "Montant estimé HT"),
        ("awarded_amount_ht", "Montant attribué HT"),
    ):
        if name in cleaned:
            cleaned[name] = _clean_amount(cleaned[name], name, label, errors)
    if cleaned.get("procedure") and cleaned["procedure"] not in Procedure.values:
        errors["procedure"] = ["Procédure inconnue."]
    cpv = cleaned.get("cpv")
    if cpv is not None and not isinstance(cpv, CpvCode):
        errors["cpv"] = ["Code CPV inconnu."]
    kind = cleaned.get("kind") or (cpv.market_kind if isinstance(cpv, CpvCode) else "")
    if kind or not partial:
        if kind not in rules.MarketKind.values:
            errors["kind"] = ["Indiquez le type de marché : travaux, fournitures ou services."]
        cleaned["kind"] = kind
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if start and end and end < start:
        errors["end_date"] = ["La fin d'exécution ne peut pas précéder son début."]
    duration = cleaned.get("duration_months")
    if duration is not None and duration != "":
        try:
            duration = int(duration)
        except (TypeError, ValueError):
            errors["duration_months"] = ["La durée doit être un nombre entier de mois."]
        else:
            if not 0 < duration <= 1200:
                errors["duration_months"] = ["La durée doit être comprise entre 1 et 1 200 mois."]
        cleaned["duration_months"] = duration if "duration_months" not in errors else None
    elif "duration_months" in cleaned:
        cleaned["duration_months"] = None
    structure = cleaned.get("following_structure")
    facilitator = cleaned.get("facilitator")
    if facilitator is not None and structure is not None:
        if facilitator.structure_id != structure.pk:
            errors["facilitator"] = [
                "Ce facilitateur n'appartient pas à la structure qui suit le marché."
            ]
    if facilitator is not None and structure is None and not partial:
        cleaned["following_structure"] = facilitator.structure
    if "derogation_reason" in cleaned:
        cleaned["derogation_reason"] = (cleaned["derogation_reason"] or "").strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


# -- markets ---------------------------------------------------------------------------


def create_market(
    *,
    actor: Actor,
    buyer: Organisation,
    data: Mapping[str, Any],
    execution_communes: Iterable[Commune] = (),
    lots: Iterable[Mapping[str, Any]] | None = None,
    event: MarketEventKind = MarketEventKind.CREATED,
    event_details: Mapping[str, Any] | None = None,
    check_permission: bool = True,
) -> Market:
    """A new market of `buyer` (status planned unless `data["status"]`), with its lots (a
    single lot "Lot unique" when none is given)."""
    if check_permission and not policies.can_create_market(actor, buyer):
        raise _deny("Vous ne pouvez pas créer de marché pour cet acheteur.")
    cleaned = clean_market_fields(data)
    if Market.objects.filter(buyer=buyer, reference=cleaned["reference"]).exists():
        raise ValidationError(
            {"reference": ["Cet acheteur a déjà un marché avec cette référence."]}
        )
    status = data.get("status") or MarketStatus.PLANNED
    with transaction.atomic():
        market = Market.objects.create(
            buyer=buyer,
            status=status,
            created_by_id=actor.user_id,
            is_demo=bool(data.get("is_demo", False)),
            **cleaned,
        )
        market.execution_communes.set(list(execution_communes))
        lot_rows = list(lots or [])
        if not lot_rows:
            lot_rows = [{"number": 1, "title": SINGLE_LOT_TITLE}]
        for row in lot_rows:
            Lot.objects.create(
                market=market,
                number=row["number"],
                title=row.get("title") or f"Lot {row['number']}",
                cpv=row.get("cpv") or market.cpv,
                estimated_amount_ht=row.get("estimated_amount_ht"),
                awarded_amount_ht=row.get("awarded_amount_ht"),
            )
        _event(market, event, actor=actor, to_status=status, **(event_details or {}))
        _audit(actor, AuditAction.CREATE, market)
    return market


def update_market(
    *,
    actor: Actor,
    market: Market,
    data: Mapping[str, Any],
    execution_communes: Iterable[Commune] | None = None,
) -> Market:
    """Change some fields; the event lists what changed ({field: [before, after]})."""
    if not policies.can_edit_market(actor, market):
        raise _deny("Vous ne pouvez pas modifier ce marché.")
    cleaned = clean_market_fields(data, partial=True)
    if "reference" in cleaned and (
        Market.objects.filter(buyer=market.buyer_id, reference=cleaned["reference"])
        .exclude(pk=market.pk)
        .exists()
    ):
        raise ValidationError(
            {"reference": ["Cet acheteur a déjà un marché avec cette référence."]}
        )
    with transaction.atomic():
        changes = {
            name: [_json_value(getattr(market, name)), _json_value(value)]
            for name, value in cleaned.items()
            if getattr(market, name) != value
        }
        for name in changes:
            setattr(market, name, cleaned[name])
        if execution_communes is not None:
            before = set(market.execution_communes.values_list("insee", flat=True))
            communes = list(execution_communes)
            after = {c.insee for c in communes}
            if before != after:
                market.execution_communes.set(communes)
                changes["execution_communes"] = [sorted(before), sorted(after)]
        if changes:
            market.updated_at = timezone.now()
            market.save()
            _event(market, MarketEventKind.UPDATED, actor=actor, changes=changes)
            _audit(actor, AuditAction.UPDATE, market, changes)
    return market


def delete_market(*, actor: Actor, market: Market) -> None:
    if not policies.can_delete_market(actor, market):
        raise _deny("Vous ne pouvez pas supprimer ce marché.")
    with transaction.atomic():
        _audit(actor, AuditAction.DELETE, market)
        market.delete()


# -- the 2026 mandatory social condition -------------------------------------------------


def obligation_for(market: Market, *, today: date | None = None) -> rules.ObligationCheck:
    """L2112-2-1 on this market: its estimated value, kind, buyer (State or not), the
    consultation date (launch, else planned publication, else today)."""
    on = market.consultation_date or today or timezone.localdate()
    if market.estimated_amount_ht is None:
        return rules.ObligationCheck(
            False,
            None,
            "Montant estimé inconnu : indiquez-le pour savoir si la condition sociale est "
            "obligatoire.",
        )
    return rules.check_social_obligation(
        estimated_amount_ht=market.estimated_amount_ht,
        market_kind=rules.MarketKind(market.kind),
        buyer_is_state=market.buyer.buyer_category == BuyerCategory.STATE,
        consultation_date=on,
        defence_or_security=market.defence_or_security,
    )


def lots_missing_social_condition(market: Market) -> list[Lot]:
    """Lots with no social execution condition and no derogation of their own."""
    return [
        lot
        for lot in market.lots.prefetch_related("considerations")
        if not lot.derogation_reason
        and not any(c.kind in SATISFYING_KINDS for c in lot.considerations.all())
    ]


def social_condition_errors(market: Market, *, today: date | None = None) -> list[str]:
    """What blocks the publication of a market under L2112-2-1 (empty: nothing)."""
    check = obligation_for(market, today=today)
    if not check.mandatory or market.derogation_reason:
        return []
    missing = lots_missing_social_condition(market)
    if not missing and market.lots.exists():
        return []
    names = ", ".join(str(lot) for lot in missing) or "le marché"
    return [
        f"{check.reason} Sans condition d'exécution sociale : {names}. Ajoutez une clause "
        "d'insertion ou indiquez le motif de la dérogation."
    ]


def record_derogation(
    *, actor: Actor, market: Market, reason: str, lot: Lot | None = None
) -> Market:
    """The motivated derogation to L2112-2-1, for the whole market or one lot. An empty
    reason withdraws it."""
    if not policies.can_manage_clause(actor, market):
        raise _deny("Vous ne pouvez pas modifier les clauses de ce marché.")
    text = (reason or "").strip()
    if text:
        text = _reason(
            text,
            "derogation_reason",
            f"Motivez la dérogation en au moins {MIN_REASON_LENGTH} caractères.",
        )
    with transaction.atomic():
        target = lot or market
        before = target.derogation_reason
        target.derogation_reason = text
        target.save(update_fields=["derogation_reason"])
        _event(
            market,
            MarketEventKind.DEROGATION_SAVED,
            actor=actor,
            lot=lot.number if lot else None,
            changes={"derogation_reason": [before, text]},
        )
    return market


# -- status ----------------------------------------------------------------------------

_STATUS_DATES = {
    MarketStatus.IN_CONSULTATION: "consultation_launch_date",
    MarketStatus.AWARDED: "notification_date",
    MarketStatus.IN_EXECUTION: "start_date",
}
# The dates a step's date may not precede (each step follows the previous ones).
_EARLIER_DATES: dict[str, tuple[str, ...]] = {
    "consultation_launch_date": (),
    "notification_date": ("consultation_launch_date",),
    "start_date": ("notification_date", "consultation_launch_date"),
    "end_date": ("start_date",),
}
_DATE_LABELS = {
    "consultation_launch_date": "du lancement de la consultation",
    "notification_date": "de la notification",
    "start_date": "du début d'exécution",
    "end_date": "de la fin d'exécution",
}
# A step is recorded when it happens; a date up to a month ahead is accepted (a notification
# or a start already fixed), not later: a typo in the year would date the market wrongly.
MAX_DAYS_AHEAD = 31


def _french_date(day: date) -> str:
    return date_format(day, "j F Y")


def step_date_errors(market: Market, field: str, day: date, *, today: date) -> list[str]:
    """Why `day` cannot be the date of this step of the market (French), or nothing."""
    label = _DATE_LABELS[field]
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        return [
            f"La date {label} ne peut pas dépasser de plus de {MAX_DAYS_AHEAD} jours la date "
            f"du jour ({_french_date(today)}) : indiquez la date réelle."
        ]
    for earlier in _EARLIER_DATES[field]:
        previous = getattr(market, earlier)
        if previous is not None and day < previous:
            return [
                f"La date {label} ({_french_date(day)}) ne peut pas précéder la date "
                f"{_DATE_LABELS[earlier]} ({_french_date(previous)})."
            ]
    return []


def change_status(
    *, actor: Actor, market: Market, to: str, on: date | None = None, today: date | None = None
) -> Market:
    """Move a market one step (planned → in_consultation → awarded → in_execution →
    closed; any status may be closed). Launching a consultation that L2112-2-1 concerns
    needs a social execution condition on every lot or a derogation reason.

    `on` is the real date of the step (launch, notification, start; the end when a market
    in execution is closed), typed by the person: it is recorded, after checking it is not
    far in the future nor before the previous step. Without `on` (API, imports), today's
    date is recorded only where no date is known yet."""
    if not policies.can_edit_market(actor, market):
        raise _deny("Vous ne pouvez pas modifier ce marché.")
    if to not in STATUS_TRANSITIONS[market.status]:
        raise ValidationError(
            {
                "status": [
                    f"Un marché « {MarketStatus(market.status).label} » ne peut pas passer "
                    f"à « {MarketStatus(to).label if to in MarketStatus.values else to} »."
                ]
            }
        )
    today = today or timezone.localdate()
    day = on or today
    with transaction.atomic():
        market = Market.objects.select_for_update().get(pk=market.pk)
        field = _STATUS_DATES.get(to)
        if to == MarketStatus.CLOSED and market.start_date:
            field = "end_date"
        if field and (on is not None or getattr(market, field) is None):
            if on is None and to == MarketStatus.CLOSED:
                day = max(day, market.start_date)
            errors = step_date_errors(market, field, day, today=today) if on else []
            if errors:
                raise ValidationError({"on": errors})
            setattr(market, field, day)
        if to == MarketStatus.IN_CONSULTATION:
            errors = social_condition_errors(market, today=day)
            if errors:
                raise ValidationError({"derogation_reason": errors})
        before = market.status
        market.status = to
        market.updated_at = timezone.now()
        market.save()
        recorded = getattr(market, field) if field else None  # the step's date, for history
        _event(
            market,
            MarketEventKind.STATUS_CHANGED,
            actor=actor,
            from_status=before,
            to_status=to,
            **({field: recorded.isoformat()} if recorded else {}),
        )
        _audit(actor, AuditAction.UPDATE, market, {"status": [before, to]})
    return market


# -- conversion of a desk request ---------------------------------------------------------


@dataclass(frozen=True)
class ConversionPlan:
    """What converting a desk request creates, shown before it is confirmed."""

    desk_request: Request
    data: dict[str, Any]
    communes: list[Commune]
    buyer: Organisation | None  # None: an unconfirmed buyer organisation will be created
    buyer_name: str
    buyer_siret: str
    facilitators: list[Facilitator]  # the following structure's, to choose from

    @property
    def kind_label(self) -> str:
        return str(rules.MarketKind(self.data["kind"]).label)


def _known_buyer(facts: Mapping[str, Any]) -> Organisation | None:
    if facts.get("buyer_organisation_id"):
        return Organisation.objects.filter(pk=facts["buyer_organisation_id"]).first()
    siret = normalize_company_number(facts.get("buyer_siret") or "")
    if not siret:
        return None
    return Organisation.objects.filter(kind=OrganisationKind.BUYER, siret=siret).first()


def conversion_plan(*, desk_request: Request, actor: Actor) -> ConversionPlan:
    """The market a desk request would become (nothing written): its fields, its buyer
    (known, or to be created unconfirmed), the following structure and its facilitators.
    Raises like `create_market_from_request` when the actor may not convert the request or
    it already was converted."""
    if not desk_policies.can_add_note(actor, desk_request):
        raise _deny("Vous ne pouvez pas transformer cette demande en marché.")
    if (
        desk_request.converted_market_id
        or Market.objects.filter(desk_request=desk_request).exists()
    ):
        raise ValidationError({"request": ["Cette demande a déjà été transformée en marché."]})
    facts = desk_services.planned_market_facts(desk_request)
    cpv = CpvCode.objects.filter(code8=facts["cpv_code8"]).first() if facts["cpv_code8"] else None
    communes = list(
        Commune.objects.filter(insee__in=facts["execution_commune_insee"]).order_by("name")
    )
    structure = (
        FacilitatorStructure.objects.filter(pk=facts["structure_id"]).first()
        if facts.get("structure_id")
        else None
    )
    data = {
        "reference": facts["desk_reference"],
        "subject": facts["subject"] or f"Marché issu de la demande {facts['desk_reference']}",
        # Without a CPV code: services, to be corrected on the market's page.
        "kind": (cpv.market_kind if cpv else "") or rules.MarketKind.SERVICES,
        "cpv": cpv,
        "estimated_amount_ht": facts["estimated_amount"],
        "planned_publication_date": facts["planned_publication_date"],
        "duration_months": facts["duration_months"],
        "following_structure": structure,
    }
    facilitators = (
        list(structure.facilitators.filter(is_active=True).order_by("last_name", "first_name"))
        if structure is not None
        else []
    )
    siret = normalize_company_number(facts.get("buyer_siret") or "")
    return ConversionPlan(
        desk_request=desk_request,
        data=data,
        communes=communes,
        buyer=_known_buyer(facts),
        buyer_name=(facts.get("buyer_name") or "Acheteur")[:250],
        buyer_siret=siret,
        facilitators=facilitators,
    )


def create_market_from_request(
    *, desk_request: Request, actor: Actor, facilitator: Facilitator | None = None
) -> Market:
    """Convert a desk request into a market (what `conversion_plan` shows, once the person
    confirmed it), keeping the link both ways (`Market.desk_request` and the desk's
    `converted_market_id`). `facilitator`, one of the following structure's, follows it."""
    plan = conversion_plan(desk_request=desk_request, actor=actor)
    data = dict(plan.data)
    if facilitator is not None:
        if facilitator not in plan.facilitators:
            raise ValidationError(
                {"facilitator": ["Choisissez un facilitateur de la structure qui suit la demande."]}
            )
        data["facilitator"] = facilitator
    with transaction.atomic():
        buyer = plan.buyer or Organisation.objects.create(
            # A buyer with no account yet: an unconfirmed organisation, as at sign-up.
            kind=OrganisationKind.BUYER,
            name=plan.buyer_name,
            siret=plan.buyer_siret,
            siren=plan.buyer_siret[:9],
            is_confirmed=False,
        )
        market = create_market(
            actor=actor,
            buyer=buyer,
            data=data,
            execution_communes=plan.communes,
            event=MarketEventKind.CONVERTED,
            event_details={"desk_reference": desk_request.reference},
            check_permission=False,
        )
        market.desk_request = desk_request
        market.save(update_fields=["desk_request"])
        desk_services.mark_converted(actor=actor, desk_request=desk_request, market_id=market.pk)
    return market
