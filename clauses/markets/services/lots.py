"""Writes on a market's lots: the lot itself, its contractors, its social considerations (hour
targets from the calculator, adjustments).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.accounts.validators import normalize_company_number, validate_siret
from clauses.markets import calculator, policies, rules
from clauses.markets import publics as default_publics
from clauses.markets.enums import (
    KINDS_WITH_HOURS,
    ConsiderationKind,
    ContractorRole,
    EligiblePublic,
    HourMethod,
    MarketEventKind,
    Modality,
)
from clauses.markets.models import (
    Lot,
    LotContractor,
    Market,
    SocialConsideration,
)
from clauses.markets.services.common import (
    MIN_REASON_LENGTH,
    _choices,
    _clean_amount,
    _deny,
    _event,
    _reason,
    department_code_of,
)
from clauses.territories.models import CpvCode, Department

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
    # Nothing chosen (the lot form never asks): the territory's publics and every modality,
    # stored on the clause so that its page, the API and the tender text agree (#12.6).
    if not publics and kind in default_publics.KINDS_WITH_PUBLICS:
        publics = default_publics.territory_publics(
            department_code_of(market), on=timezone.localdate()
        )
    if not chosen_modalities and kind in default_publics.KINDS_WITH_MODALITIES:
        chosen_modalities = default_publics.default_modalities()
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
