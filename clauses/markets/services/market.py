"""Every write on markets: create and change a market, its status, lots, contractors,
social considerations (hour targets from the calculator, adjustments), derogations,
meetings; convert a desk request; a coordination's presets and clause templates.

Keyword-only arguments, one transaction each, a `MarketEvent` for the market's history and
an audit event; permissions are checked here with `policies` (PermissionDenied in French)
and input is validated here (ValidationError with French messages keyed by field), so that
pages, API and imports share one behaviour. The import of a spreadsheet is in `imports.py`.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.enums import BuyerCategory, OrganisationKind
from clauses.accounts.models import Organisation
from clauses.accounts.validators import normalize_company_number, validate_siret
from clauses.desk import policies as desk_policies
from clauses.desk import services as desk_services
from clauses.desk.models import Request
from clauses.markets import calculator, clause_text, policies, rules
from clauses.markets.enums import (
    KINDS_WITH_HOURS,
    STATUS_TRANSITIONS,
    ConsiderationKind,
    ContractorRole,
    EligiblePublic,
    HourMethod,
    MarketEventKind,
    MarketStatus,
    MeetingKind,
    Modality,
    Procedure,
)
from clauses.markets.models import (
    ClauseTemplate,
    HourPresetSetting,
    Lot,
    LotContractor,
    Market,
    MarketEvent,
    Meeting,
    Operation,
    SocialConsideration,
)
from clauses.markets.presets import presets_for  # noqa: F401  (part of the services API)
from clauses.markets.querysets import SATISFYING_KINDS
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode, Department, Region

SINGLE_LOT_TITLE = "Lot unique"
MIN_REASON_LENGTH = 10

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
)


# -- helpers ---------------------------------------------------------------------------


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _event(
    market: Market,
    event_kind: MarketEventKind,
    *,
    actor: Actor | None,
    from_status: str = "",
    to_status: str = "",
    **details: Any,
) -> MarketEvent:
    return MarketEvent.objects.create(
        market=market,
        kind=event_kind,
        from_status=from_status,
        to_status=to_status,
        actor_user_id=actor.user_id if actor else None,
        actor_repr=(actor.label if actor else "Plateforme")[:300],
        details=details,
    )


def _audit(actor: Actor, action: AuditAction, market: Market, changes: dict | None = None) -> None:
    territory = ""
    department = market.buyer.department if market.buyer.department_id else None
    if department is not None:
        territory = department.code
    audit.record(actor, action, market, changes, organisation=market.buyer, territory=territory)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _reason(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationError({field: [message]})
    return text


# -- validation of a market's fields ---------------------------------------------------


def _clean_amount(value: Any, field: str, label: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = rules.to_decimal(value, label)
    except rules.CalculationError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(f"{label} : le montant ne peut pas être négatif.")
        return None
    if amount >= Decimal("1e12"):
        errors.setdefault(field, []).append(f"{label} : montant trop élevé.")
        return None
    return amount.quantize(Decimal("0.01"))


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
        _event(market, event, actor=actor, to_status=status)
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


def change_status(
    *, actor: Actor, market: Market, to: str, on: date | None = None, today: date | None = None
) -> Market:
    """Move a market one step (planned → in_consultation → awarded → in_execution →
    closed; any status may be closed). Launching a consultation that L2112-2-1 concerns
    needs a social execution condition on every lot or a derogation reason. The date of
    the step (launch, notification, start) is recorded when not known yet."""
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
    day = on or today or timezone.localdate()
    with transaction.atomic():
        market = Market.objects.select_for_update().get(pk=market.pk)
        field = _STATUS_DATES.get(to)
        if field and getattr(market, field) is None:
            setattr(market, field, day)
        if to == MarketStatus.IN_CONSULTATION:
            errors = social_condition_errors(market, today=day)
            if errors:
                raise ValidationError({"derogation_reason": errors})
        if to == MarketStatus.CLOSED and market.end_date is None and market.start_date:
            market.end_date = max(day, market.start_date)
        before = market.status
        market.status = to
        market.updated_at = timezone.now()
        market.save()
        _event(
            market, MarketEventKind.STATUS_CHANGED, actor=actor, from_status=before, to_status=to
        )
        _audit(actor, AuditAction.UPDATE, market, {"status": [before, to]})
    return market


# -- lots and contractors ----------------------------------------------------------------


def save_lot(
    *,
    actor: Actor,
    market: Market,
    number: int,
    title: str,
    cpv: CpvCode | None = None,
    estimated_amount_ht: Any = None,
    awarded_amount_ht: Any = None,
    lot: Lot | None = None,
) -> Lot:
    """Create a lot (lot=None) or change one."""
    if not policies.can_edit_market(actor, market):
        raise _deny("Vous ne pouvez pas modifier ce marché.")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Indiquez l'intitulé du lot."]
    try:
        number = int(number)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["number"] = ["Le numéro du lot doit être un entier positif."]
    estimated = _clean_amount(
        estimated_amount_ht, "estimated_amount_ht", "Montant estimé HT", errors
    )
    awarded = _clean_amount(awarded_amount_ht, "awarded_amount_ht", "Montant attribué HT", errors)
    if "number" not in errors:
        clash = Lot.objects.filter(market=market, number=number)
        if lot is not None:
            clash = clash.exclude(pk=lot.pk)
        if clash.exists():
            errors["number"] = [f"Le marché a déjà un lot n° {number}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if lot is None:
            lot = Lot(market=market)
        lot.number, lot.title, lot.cpv = number, title, cpv
        lot.estimated_amount_ht, lot.awarded_amount_ht = estimated, awarded
        lot.save()
        _event(market, MarketEventKind.LOT_SAVED, actor=actor, lot=number, title=title)
    return lot


def company_for_siret(
    siret: str, name: str = "", *, department: Department | None = None
) -> Organisation:
    """The company organisation with this SIRET, created (unconfirmed by nobody: companies
    need no confirmation) when unknown. The SIRET is checked (length, Luhn key)."""
    number = normalize_company_number(siret)
    try:
        validate_siret(number)
    except ValidationError as exc:
        raise ValidationError({"siret": exc.messages}) from None
    existing = Organisation.objects.filter(siret=number).order_by("pk")
    company = existing.filter(kind=OrganisationKind.COMPANY).first()
    if company is not None:
        return company
    if existing.exists():
        raise ValidationError(
            {"siret": ["Ce SIRET est celui d'une organisation qui n'est pas une entreprise."]}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Indiquez le nom de l'entreprise."]})
    return Organisation.objects.create(
        kind=OrganisationKind.COMPANY,
        name=name[:250],
        siret=number,
        siren=number[:9],
        department=department,
    )


def add_contractor(
    *,
    actor: Actor,
    lot: Lot,
    siret: str,
    role: str,
    name: str = "",
    amount_ht: Any = None,
) -> LotContractor:
    """A company (found or created by its SIRET) as holder, co-contractor or
    subcontractor of a lot."""
    market = lot.market
    if not policies.can_edit_market(actor, market):
        raise _deny("Vous ne pouvez pas modifier ce marché.")
    if role not in ContractorRole.values:
        raise ValidationError({"role": ["Rôle inconnu : titulaire, cotraitant ou sous-traitant."]})
    errors: dict[str, list[str]] = {}
    amount = _clean_amount(amount_ht, "amount_ht", "Montant HT", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        company = company_for_siret(siret, name)
        link, created = LotContractor.objects.get_or_create(
            lot=lot, organisation=company, role=role, defaults={"amount_ht": amount}
        )
        if not created and link.amount_ht != amount:
            link.amount_ht = amount
            link.save(update_fields=["amount_ht"])
        if created:
            _event(
                market,
                MarketEventKind.CONTRACTOR_ADDED,
                actor=actor,
                lot=lot.number,
                organisation=company.pk,
                role=role,
            )
    return link


def remove_contractor(*, actor: Actor, link: LotContractor) -> None:
    market = link.lot.market
    if not policies.can_edit_market(actor, market):
        raise _deny("Vous ne pouvez pas modifier ce marché.")
    with transaction.atomic():
        _event(
            market,
            MarketEventKind.CONTRACTOR_REMOVED,
            actor=actor,
            lot=link.lot.number,
            organisation=link.organisation_id,
            role=link.role,
        )
        link.delete()


# -- social considerations ---------------------------------------------------------------


def department_code_of(market: Market) -> str | None:
    """The département whose presets and templates apply: the first of the execution
    communes, else the buyer's, else the following structure's coordination's."""
    code = (
        market.execution_communes.order_by("department__code")
        .values_list("department__code", flat=True)
        .first()
    )
    if code:
        return code
    if market.buyer.department_id:
        return market.buyer.department.code
    structure = market.following_structure
    if structure is not None and structure.coordination.department_id:
        return structure.coordination.department.code
    return None


def _choices(values: Iterable[str], allowed: Iterable[str], field: str, label: str) -> list[str]:
    allowed = set(allowed)
    chosen = list(dict.fromkeys(values or []))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise ValidationError({field: [f"{label} inconnu(s) : {', '.join(map(str, unknown))}."]})
    return chosen


def set_consideration(
    *,
    actor: Actor,
    lot: Lot,
    kind: str,
    eligible_publics: Iterable[str] = (),
    modalities: Iterable[str] = (),
    description: str = "",
    calculation: Mapping[str, Any] | None = None,
    manual_hours: int | None = None,
    penalty_per_missing_hour: Any = None,
) -> SocialConsideration:
    """Create or replace the consideration of this kind on a lot. For an insertion clause,
    `calculation` holds the calculator's input (see `calculator.calculate`; the lot's
    estimated amount is used when it has no `amount_ht`): every input, the formula and the
    result are stored. `manual_hours` records a number typed directly instead. An
    adjustment made earlier by a facilitator is kept."""
    market = lot.market
    if not policies.can_manage_clause(actor, market):
        raise _deny("Vous ne pouvez pas modifier les clauses de ce marché.")
    if kind not in ConsiderationKind.values:
        raise ValidationError({"kind": ["Type de considération sociale inconnu."]})
    publics = _choices(eligible_publics, EligiblePublic.values, "eligible_publics", "Public(s)")
    chosen_modalities = _choices(modalities, Modality.values, "modalities", "Modalité(s)")
    errors: dict[str, list[str]] = {}
    penalty = _clean_amount(
        penalty_per_missing_hour, "penalty_per_missing_hour", "Pénalité par heure", errors
    )
    if errors:
        raise ValidationError(errors)
    fields: dict[str, Any] = {
        "description": (description or "").strip(),
        "eligible_publics": publics,
        "modalities": chosen_modalities,
        "penalty_per_missing_hour": penalty,
    }
    if kind in KINDS_WITH_HOURS and calculation is not None:
        data = dict(calculation)
        if data.get("amount_ht") in (None, ""):
            data["amount_ht"] = lot.estimated_amount_ht or market.estimated_amount_ht
        try:
            result = calculator.calculate(data, department_code=department_code_of(market))
        except rules.CalculationError as exc:
            raise ValidationError({"calculation": [str(exc)]}) from None
        fields |= {
            "hours_method": result.method,
            "preset_code": result.preset.code if result.preset else "",
            "preset_source": result.preset.source if result.preset else "",
            "formula": result.estimate.formula,
            "calculation_warnings": list(result.estimate.warnings),
            "calculated_hours": result.estimate.hours,
            **result.inputs,
        }
    elif kind in KINDS_WITH_HOURS and manual_hours is not None:
        try:
            hours = int(manual_hours)
            if hours < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(
                {"manual_hours": ["Le nombre d'heures doit être un entier positif."]}
            ) from None
        fields |= {
            "hours_method": HourMethod.MANUAL,
            "preset_code": "",
            "preset_source": "",
            "formula": f"Nombre d'heures saisi directement : {hours} heures.",
            "calculation_warnings": [],
            "calculated_hours": hours,
            "amount_ht": None,
            "labour_share": None,
            "hourly_cost": None,
            "insertion_rate": None,
            "duration_months": None,
            "transferred_staff_monthly_hours": None,
        }
    with transaction.atomic():
        consideration, created = SocialConsideration.objects.get_or_create(
            lot=lot, kind=kind, defaults=fields
        )
        if not created:
            for name, value in fields.items():
                setattr(consideration, name, value)
            consideration.updated_at = timezone.now()
            consideration.save()
        _event(
            market,
            MarketEventKind.CLAUSE_SAVED,
            actor=actor,
            lot=lot.number,
            kind=kind,
            hours=consideration.calculated_hours,
        )
    return consideration


def override_hours(
    *, actor: Actor, consideration: SocialConsideration, hours: int | None, reason: str
) -> SocialConsideration:
    """A facilitator's adjustment of the hour target, with its reason (None withdraws it,
    the calculated hours apply again)."""
    market = consideration.lot.market
    if not policies.can_override_hours(actor, market):
        raise _deny(
            "Seuls le facilitateur ou la facilitatrice qui suit le marché et la coordination "
            "peuvent ajuster l'objectif d'heures."
        )
    if hours is not None:
        try:
            hours = int(hours)
            if hours < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(
                {"hours_override": ["Le nombre d'heures doit être un entier positif."]}
            ) from None
        reason = _reason(
            reason,
            "override_reason",
            f"Motivez l'ajustement en au moins {MIN_REASON_LENGTH} caractères.",
        )
    with transaction.atomic():
        before = consideration.hours_override
        consideration.hours_override = hours
        consideration.override_reason = reason if hours is not None else ""
        consideration.overridden_by_id = actor.user_id if hours is not None else None
        consideration.overridden_at = timezone.now() if hours is not None else None
        consideration.updated_at = timezone.now()
        consideration.save()
        _event(
            market,
            MarketEventKind.HOURS_OVERRIDDEN,
            actor=actor,
            lot=consideration.lot.number,
            kind=consideration.kind,
            changes={"hours_override": [before, hours]},
            reason=consideration.override_reason,
        )
    return consideration


def remove_consideration(*, actor: Actor, consideration: SocialConsideration) -> None:
    market = consideration.lot.market
    if not policies.can_manage_clause(actor, market):
        raise _deny("Vous ne pouvez pas modifier les clauses de ce marché.")
    with transaction.atomic():
        _event(
            market,
            MarketEventKind.CLAUSE_SAVED,
            actor=actor,
            lot=consideration.lot.number,
            kind=consideration.kind,
            removed=True,
        )
        consideration.delete()


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


# -- conversion of a desk request ---------------------------------------------------------


def _buyer_for_request(facts: Mapping[str, Any]) -> Organisation:
    if facts.get("buyer_organisation_id"):
        return Organisation.objects.get(pk=facts["buyer_organisation_id"])
    siret = normalize_company_number(facts.get("buyer_siret") or "")
    buyer = Organisation.objects.filter(kind=OrganisationKind.BUYER, siret=siret).first()
    if buyer is not None:
        return buyer
    # A buyer with no account yet: an unconfirmed organisation, as at sign-up.
    return Organisation.objects.create(
        kind=OrganisationKind.BUYER,
        name=(facts.get("buyer_name") or "Acheteur")[:250],
        siret=siret,
        siren=siret[:9],
        is_confirmed=False,
    )


def create_market_from_request(*, request: Request, actor: Actor) -> Market:
    """Convert a desk request into a market in one step, keeping the link both ways
    (`Market.desk_request` and the desk's `converted_market_id`). For the desk side that
    handles the request (the desk's own check, in `mark_converted`)."""
    if not desk_policies.can_add_note(actor, request):
        raise _deny("Vous ne pouvez pas transformer cette demande en marché.")
    if request.converted_market_id or Market.objects.filter(desk_request=request).exists():
        raise ValidationError({"request": ["Cette demande a déjà été transformée en marché."]})
    facts = desk_services.planned_market_facts(request)
    cpv = CpvCode.objects.filter(code8=facts["cpv_code8"]).first() if facts["cpv_code8"] else None
    communes = list(Commune.objects.filter(insee__in=facts["execution_commune_insee"]))
    structure = (
        FacilitatorStructure.objects.filter(pk=facts["structure_id"]).first()
        if facts.get("structure_id")
        else None
    )
    data = {
        "reference": facts["desk_reference"],
        "subject": facts["subject"] or f"Marché issu de la demande {facts['desk_reference']}",
        "kind": cpv.market_kind if cpv else "",
        "cpv": cpv,
        "estimated_amount_ht": facts["estimated_amount"],
        "planned_publication_date": facts["planned_publication_date"],
        "duration_months": facts["duration_months"],
        "following_structure": structure,
    }
    if not data["kind"]:
        data["kind"] = rules.MarketKind.SERVICES  # to be corrected on the market's page
    with transaction.atomic():
        buyer = _buyer_for_request(facts)
        market = create_market(
            actor=actor,
            buyer=buyer,
            data=data,
            execution_communes=communes,
            event=MarketEventKind.CONVERTED,
            check_permission=False,
        )
        market.desk_request = request
        market.save(update_fields=["desk_request"])
        desk_services.mark_converted(actor=actor, request=request, market_id=market.pk)
        MarketEvent.objects.filter(market=market, kind=MarketEventKind.CONVERTED).update(
            details={"desk_reference": facts["desk_reference"]}
        )
    return market


# -- territory settings: presets and clause templates --------------------------------------


def _territory(
    actor: Actor, department_code: str | None, region_id: int | None
) -> tuple[Coordination, Department | None, Region | None]:
    if not policies.can_manage_territory_settings(
        actor, department_code=department_code, region_id=region_id
    ):
        raise _deny("Vous ne pouvez pas régler ce territoire.")
    department = Department.objects.get(code=department_code) if department_code else None
    region = Region.objects.get(pk=region_id) if region_id and not department else None
    if department is None and region is None:
        raise ValidationError({"territory": ["Indiquez un département ou une région."]})
    coordination = Coordination.objects.filter(pk=actor.coordination_id).first()
    if coordination is None:  # a platform administrator
        coordination = (
            Coordination.objects.departmental().filter(department=department).first()
            if department
            else Coordination.objects.regional().filter(region=region).first()
        )
    if coordination is None:
        raise ValidationError({"territory": ["Aucune coordination pour ce territoire."]})
    return coordination, department, region


def save_hour_preset(
    *,
    actor: Actor,
    code: str,
    label: str,
    source: str,
    department_code: str | None = None,
    region_id: int | None = None,
    sector: str = rules.Sector.STANDARD,
    labour_share: Any = None,
    hourly_cost: Any = None,
    insertion_rate: Any = None,
    minimum_hours: int | None = None,
    verified: bool = False,
) -> HourPresetSetting:
    """Set (or change) a preset for a département or a region. Empty values keep the
    national default of the same code; the values are checked like the calculator's."""
    coordination, department, region = _territory(actor, department_code, region_id)
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal | None] = {}
    for name, given in (
        ("labour_share", labour_share),
        ("hourly_cost", hourly_cost),
        ("insertion_rate", insertion_rate),
    ):
        if given is None or given == "":
            values[name] = None
            continue
        try:
            values[name] = rules.to_decimal(given, calculator.LABELS[name])
        except rules.CalculationError as exc:
            errors[name] = [str(exc)]
    for name in ("labour_share", "insertion_rate"):
        value = values.get(name)
        if value is not None and not Decimal(0) <= value <= Decimal(1):
            errors[name] = [f"{calculator.LABELS[name]} : une fraction entre 0 et 1 est attendue."]
    if values.get("hourly_cost") is not None and values["hourly_cost"] <= 0:
        errors["hourly_cost"] = ["Le coût horaire chargé doit être strictement positif."]
    code = (code or "").strip()
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        errors["code"] = ["Code : lettres minuscules, chiffres et « _ » seulement."]
    if not (label or "").strip():
        errors["label"] = ["Indiquez le libellé du préréglage."]
    if not (source or "").strip():
        errors["source"] = ["Indiquez la source des valeurs (document, date, auteur)."]
    if sector not in rules.Sector.values:
        errors["sector"] = ["Méthode inconnue."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting, _ = HourPresetSetting.objects.update_or_create(
            department=department,
            region=region,
            code=code.lower(),
            defaults={
                "coordination": coordination,
                "label": label.strip(),
                "source": source.strip(),
                "sector": sector,
                "minimum_hours": minimum_hours,
                "verified": verified,
                "updated_by_id": actor.user_id,
                "updated_at": timezone.now(),
                **values,
            },
        )
        audit.record(
            actor,
            AuditAction.UPDATE,
            setting,
            {"code": setting.code},
            territory=department.code if department else "",
        )
    return setting


def save_clause_template(
    *,
    actor: Actor,
    kind: str,
    title: str,
    body: str,
    department_code: str | None = None,
    region_id: int | None = None,
) -> ClauseTemplate:
    """Set the clause text of a kind for a territory; placeholders are checked."""
    coordination, department, region = _territory(actor, department_code, region_id)
    if kind not in ConsiderationKind.values:
        raise ValidationError({"kind": ["Type de considération sociale inconnu."]})
    clause_text.validate_template_body(body or "")
    if not (title or "").strip():
        raise ValidationError({"title": ["Indiquez le titre du modèle."]})
    with transaction.atomic():
        template, _ = ClauseTemplate.objects.update_or_create(
            department=department,
            region=region,
            kind=kind,
            defaults={
                "coordination": coordination,
                "title": title.strip()[:200],
                "body": body.replace("\r\n", "\n"),
                "updated_by_id": actor.user_id,
                "updated_at": timezone.now(),
            },
        )
        audit.record(
            actor,
            AuditAction.UPDATE,
            template,
            {"kind": kind},
            territory=department.code if department else "",
        )
    return template


def reset_clause_template(*, actor: Actor, template: ClauseTemplate) -> None:
    """Back to the default text of the platform."""
    _territory(
        actor,
        template.department.code if template.department_id else None,
        template.region_id,
    )
    template.delete()


def create_operation(
    *,
    actor: Actor,
    name: str,
    kind: str,
    department: Department | None = None,
    communes: Iterable[Commune] = (),
    insertion_rate: Any = None,
    default_preset: str = "",
    description: str = "",
) -> Operation:
    """An operation grouping markets (e.g. an ANRU urban renewal project)."""
    if not actor.can_write or not (
        actor.is_platform_admin
        or actor.is_facilitator
        or actor.is_territorial_coordinator
        or actor.role == "buyer_agent"
    ):
        raise _deny("Vous ne pouvez pas créer d'opération.")
    if not (name or "").strip():
        raise ValidationError({"name": ["Indiquez le nom de l'opération."]})
    rate = None
    if insertion_rate not in (None, ""):
        try:
            rate = rules.to_decimal(insertion_rate, "Taux d'insertion")
        except rules.CalculationError as exc:
            raise ValidationError({"insertion_rate": [str(exc)]}) from None
        if not Decimal(0) <= rate <= Decimal(1):
            raise ValidationError(
                {"insertion_rate": ["Taux d'insertion : une fraction entre 0 et 1 est attendue."]}
            )
    operation = Operation.objects.create(
        name=name.strip(),
        kind=kind,
        department=department,
        insertion_rate=rate,
        default_preset=default_preset,
        description=description,
    )
    operation.communes.set(list(communes))
    return operation


__all__ = [
    "add_contractor",
    "change_status",
    "clean_market_fields",
    "company_for_siret",
    "create_market",
    "create_market_from_request",
    "create_operation",
    "delete_market",
    "department_code_of",
    "invite_to_meeting",
    "lots_missing_social_condition",
    "obligation_for",
    "override_hours",
    "presets_for",
    "record_derogation",
    "remove_consideration",
    "remove_contractor",
    "reset_clause_template",
    "save_clause_template",
    "save_hour_preset",
    "save_lot",
    "schedule_meeting",
    "set_consideration",
    "social_condition_errors",
    "update_market",
    "update_meeting",
]
