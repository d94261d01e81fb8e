"""Pages of a market's lots: the lot form, contractors, social considerations, hour
adjustments, and the clause text with its DOCX/ODT downloads.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.markets import clause_text, policies, services
from clauses.markets import publics as default_publics
from clauses.markets.enums import (
    KINDS_WITH_HOURS,
    ConsiderationKind,
)
from clauses.markets.forms import (
    ConsiderationForm,
    ContractorForm,
    LotForm,
    OverrideForm,
    percent,
)
from clauses.markets.models import (
    Lot,
    LotContractor,
    SocialConsideration,
)
from clauses.markets.views.calculator import preset_rows
from clauses.markets.views.common import (
    DOCX,
    ODT,
    _done,
    _file,
    _fr,
    _market_presets,
    _posted,
    _visible_market,
)
from clauses.markets.views.market import _failed, _lot_choices


def lot_form(request: HttpRequest, pk: int, lot_pk: int | None = None) -> HttpResponse:
    """Add or change a lot; an insertion clause can be computed in the same form."""
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    if not policies.can_edit_market(actor, market):
        raise PermissionDenied("Vous ne pouvez pas modifier ce marché.")
    lot = get_object_or_404(Lot, market=market, pk=lot_pk) if lot_pk else None
    presets = _market_presets(market)
    if lot is not None:
        initial: dict = {
            "number": lot.number,
            "title": lot.title,
            "lot_amount": _fr(lot.estimated_amount_ht),
            "cpv": lot.cpv.code8 if lot.cpv_id else "",
        }
    else:
        numbers = [lot.number for lot in market.lots.all()]
        initial = {"number": max(numbers, default=0) + 1, "preset": "batiment"}
    form = LotForm(_posted(request), initial=initial, presets=presets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_lot(
                actor=actor,
                market=market,
                number=data["number"],
                title=data["title"],
                cpv=data["cpv"] or (lot.cpv if lot else market.cpv),
                estimated_amount_ht=data["lot_amount"],
                awarded_amount_ht=lot.awarded_amount_ht if lot else None,
                lot=lot,
            )
            if data["with_clause"]:
                services.set_consideration(
                    actor=actor,
                    lot=saved,
                    kind=ConsiderationKind.EXECUTION_CONDITION,
                    calculation=form.calculation_input(),
                )
        except ValidationError as error:
            if "calculation" in getattr(error, "error_dict", {}):
                for message in error.message_dict["calculation"]:
                    form.calculation_error(message)
            else:
                form.add_service_errors(error, {"estimated_amount_ht": "lot_amount"})
        else:
            text = f"Le {saved} est enregistré"
            text += " avec sa clause d'insertion." if data["with_clause"] else "."
            return _done(request, market, text, f"lot-{saved.pk}")
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/lot_form.html",
        {"form": form, "market": market, "lot": lot, "presets": preset_rows(presets)},
        status=status,
    )


@require_POST
def add_contractor(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    if not policies.can_edit_market(actor, market):
        raise PermissionDenied("Vous ne pouvez pas modifier ce marché.")
    form = ContractorForm(request.POST, lots=_lot_choices(market))
    if form.is_valid():
        data = form.cleaned_data
        lot = get_object_or_404(Lot, market=market, pk=data["lot"])
        try:
            link = services.add_contractor(
                actor=actor,
                lot=lot,
                siret=data["siret"],
                role=data["role"],
                name=data["name"],
                amount_ht=data["amount_ht"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(
                request,
                market,
                f"{link.organisation.name} est ajoutée au {lot} ({link.get_role_display()}).",
                f"lot-{lot.pk}",
            )
    return _failed(request, actor, market, "contractor", form)


@require_POST
def remove_contractor(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    link = get_object_or_404(
        LotContractor.objects.select_related("lot__market", "organisation"),
        lot__market=market,
        pk=link_pk,
    )
    services.remove_contractor(actor=actor, link=link)
    return _done(request, market, f"{link.organisation.name} est retirée du lot.")


# -- social considerations ---------------------------------------------------------------


def _consideration_initial(consideration: SocialConsideration) -> dict:
    c = consideration
    initial: dict[str, Any] = {
        "kind": c.kind,
        "description": c.description,
        "eligible_publics": c.eligible_publics,
        "modalities": c.modalities,
        "penalty_per_missing_hour": _fr(c.penalty_per_missing_hour),
        "preset": c.preset_code,
    }
    if c.hours_method == "manual":
        initial |= {"hours_mode": "manual", "manual_hours": c.calculated_hours}
    elif c.hours_method:
        initial |= {
            "hours_mode": "calculator",
            "amount_ht": _fr(c.amount_ht),
            "labour_share": percent(c.labour_share),
            "hourly_cost": _fr(c.hourly_cost),
            "insertion_rate": percent(c.insertion_rate),
            "duration_months": _fr(c.duration_months),
            "transferred_staff_monthly_hours": _fr(c.transferred_staff_monthly_hours),
        }
    else:
        initial["hours_mode"] = "none"
    return initial


def consideration_form(
    request: HttpRequest, pk: int, lot_pk: int, consideration_pk: int | None = None
) -> HttpResponse:
    """Set a social consideration of a lot (the calculator computes the hour target)."""
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    if not policies.can_manage_clause(actor, market):
        raise PermissionDenied("Vous ne pouvez pas modifier les clauses de ce marché.")
    lot = get_object_or_404(Lot, market=market, pk=lot_pk)
    consideration = (
        get_object_or_404(SocialConsideration, lot=lot, pk=consideration_pk)
        if consideration_pk
        else None
    )
    presets = _market_presets(market)
    initial = (
        _consideration_initial(consideration)
        if consideration
        else {
            "kind": ConsiderationKind.EXECUTION_CONDITION,
            "preset": "batiment",
            # The territory's publics and every modality, ticked: what the clause gets if
            # nothing is chosen (#12.6).
            "eligible_publics": default_publics.territory_publics(
                services.department_code_of(market), on=timezone.localdate()
            ),
            "modalities": default_publics.default_modalities(),
        }
    )
    form = ConsiderationForm(_posted(request), initial=initial, presets=presets)
    if consideration is not None:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = consideration.kind if consideration else data["kind"]
        mode = data["hours_mode"]
        try:
            saved = services.set_consideration(
                actor=actor,
                lot=lot,
                kind=kind,
                eligible_publics=data["eligible_publics"],
                modalities=data["modalities"],
                description=data["description"],
                calculation=form.calculation_input()
                if mode == "calculator" and kind in KINDS_WITH_HOURS
                else None,
                manual_hours=data["manual_hours"] if mode == "manual" else None,
                penalty_per_missing_hour=data["penalty_per_missing_hour"],
            )
        except ValidationError as error:
            if "calculation" in getattr(error, "error_dict", {}):
                for message in error.message_dict["calculation"]:
                    form.calculation_error(message)
            else:
                form.add_service_errors(error)
        else:
            text = f"« {saved.get_kind_display()} » est enregistrée pour le {lot}."
            if saved.hours_target is not None:
                text += f" Objectif : {saved.hours_target} heures d'insertion."
            return _done(request, market, text, f"lot-{lot.pk}")
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/consideration_form.html",
        {
            "form": form,
            "market": market,
            "lot": lot,
            "consideration": consideration,
            "presets": preset_rows(presets),
        },
        status=status,
    )


def _visible_consideration(actor: Actor, consideration_pk: int) -> SocialConsideration:
    return get_object_or_404(
        policies.visible_considerations(actor).select_related(
            "lot__market__buyer__department",
            "lot__market__facilitator",
            "lot__market__following_structure",
        ),
        pk=consideration_pk,
    )


@require_POST
def remove_consideration(request: HttpRequest, pk: int, consideration_pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    consideration = get_object_or_404(SocialConsideration, lot__market=market, pk=consideration_pk)
    services.remove_consideration(actor=actor, consideration=consideration)
    return _done(request, market, "La considération sociale est retirée.")


def override_hours(request: HttpRequest, pk: int, consideration_pk: int) -> HttpResponse:
    """A facilitator's adjustment of an hour target, with its reason."""
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    consideration = get_object_or_404(
        SocialConsideration.objects.select_related("lot"), lot__market=market, pk=consideration_pk
    )
    if not policies.can_override_hours(actor, market):
        raise PermissionDenied(
            "Seuls le facilitateur ou la facilitatrice qui suit le marché et la coordination "
            "peuvent ajuster l'objectif d'heures."
        )
    form = OverrideForm(
        _posted(request),
        initial={
            "hours_override": consideration.hours_override,
            "override_reason": consideration.override_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.override_hours(
                actor=actor,
                consideration=consideration,
                hours=form.cleaned_data["hours_override"],
                reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(
                request, market, "L'objectif d'heures est ajusté.", f"lot-{consideration.lot_id}"
            )
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/override_form.html",
        {"form": form, "market": market, "consideration": consideration},
        status=status,
    )


# ---------------------------------------------------------------------------------------
# Clause text


def clause(request: HttpRequest, consideration_pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    consideration = _visible_consideration(actor, consideration_pk)
    document = clause_text.clause_document(consideration)
    return render(
        request,
        "markets/clause.html",
        {
            "consideration": consideration,
            "market": consideration.lot.market,
            "document": document,
            "html": clause_text.to_html(document),
        },
    )


@require_GET
def clause_docx(request: HttpRequest, consideration_pk: int) -> HttpResponse:
    consideration = _visible_consideration(actor_for_request(request), consideration_pk)
    return _file(
        clause_text.clause_docx(consideration),
        DOCX,
        clause_text.download_name(consideration, "docx"),
    )


@require_GET
def clause_odt(request: HttpRequest, consideration_pk: int) -> HttpResponse:
    consideration = _visible_consideration(actor_for_request(request), consideration_pk)
    return _file(
        clause_text.clause_odt(consideration), ODT, clause_text.download_name(consideration, "odt")
    )
