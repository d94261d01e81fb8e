"""Pages of markets: the hour calculator (public), the lists of markets per role, a
market's page and its actions, the clause text and its downloads, the import of a buyer's
markets, a coordination's territory settings, and the conversion of a desk request.

Thin views: reads go through `policies` and `selectors`, writes through `services`; a
record outside the actor's scope is a 404, an action the actor may not do a 403
(`PermissionDenied`, raised by the services or here).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Organisation
from clauses.desk import policies as desk_policies
from clauses.hours import selectors as hours_selectors
from clauses.markets import clause_text, imports, policies, rules, selectors, services
from clauses.markets.calculator import Calculation, calculate
from clauses.markets.enums import (
    KINDS_WITH_HOURS,
    STATUS_TRANSITIONS,
    ConsiderationKind,
    MarketStatus,
)
from clauses.markets.forms import (
    CalculatorForm,
    ClauseTemplateForm,
    ConsiderationForm,
    ContractorForm,
    DerogationForm,
    ImportForm,
    LotForm,
    MarketFilterForm,
    MarketForm,
    MeetingForm,
    OperationForm,
    OverrideForm,
    PresetForm,
    StatusForm,
    department_choices,
    percent,
)
from clauses.markets.models import (
    ClauseTemplate,
    HourPresetSetting,
    Lot,
    LotContractor,
    Market,
    Meeting,
    Operation,
    SocialConsideration,
)
from clauses.markets.presets import presets_for

PER_PAGE = 20
UPCOMING_MEETINGS = 5
DOCX = clause_text.DOCX_MIMETYPE
ODT = clause_text.ODT_MIMETYPE
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fr(value: Any) -> str:
    """A Decimal as people type it back in a form: "1000000,5"."""
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")


def _posted(request: HttpRequest) -> Any:
    """The posted data (bound even when empty), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _done(request: HttpRequest, market: Market, text: str, anchor: str = "") -> HttpResponse:
    messages.success(request, text)
    url = reverse("markets:detail", kwargs={"pk": market.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


# ---------------------------------------------------------------------------------------
# Hour calculator (public)


def _calculator_inputs_given(data: Any) -> bool:
    return any(data.get(name) for name in ("amount_ht", "preset", "labour_share"))


def _run_calculator(form: Any, department_code: str | None) -> Calculation | None:
    """The calculation of a valid calculator form, or None with the errors on the form."""
    if not form.is_valid():
        return None
    try:
        return calculate(form.calculation_input(), presets=form.presets)
    except rules.CalculationError as error:
        form.calculation_error(str(error))
        return None


def _pct(value: Any) -> str:
    return f"{percent(value)} %"


def preset_rows(presets: dict) -> list[dict]:
    """Presets as the table shows them (percentages, euros, "à saisir" when missing)."""
    rows = []
    for preset in presets.values():
        value = preset.value
        rows.append(
            {
                "preset": preset,
                "labour_share": _pct(value("labour_share"))
                if value("labour_share") is not None
                else "à saisir",
                "hourly_cost": f"{_fr(value('hourly_cost'))} €"
                if value("hourly_cost") is not None
                else "à saisir",
                "insertion_rate": _pct(value("insertion_rate"))
                if value("insertion_rate") is not None
                else "à saisir",
            }
        )
    return rows


@login_not_required
@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    """The hour-target calculator: a GET form (works without JavaScript, the result is a
    shareable link); with htmx, only the result is sent back."""
    department_code = (request.GET.get("departement") or "")[:3] or None
    presets = presets_for(department_code)
    bound = _calculator_inputs_given(request.GET)
    form = CalculatorForm(request.GET if bound else None, presets=presets)
    if not bound and department_code:
        form = CalculatorForm(initial={"departement": department_code}, presets=presets)
    result = _run_calculator(form, department_code) if bound else None
    context = {
        "form": form,
        "result": result,
        "presets": preset_rows(presets),
        "bound": bound,
    }
    if request.htmx:
        return render(request, "markets/_calculator_result.html", context)
    return render(request, "markets/calculator.html", context)


# ---------------------------------------------------------------------------------------
# Lists


LIST_TITLES = {
    "buyer": ("Mes marchés", "Les marchés de votre organisation et leurs clauses sociales."),
    "facilitator": (
        "Les marchés que je suis",
        "Les marchés suivis par votre structure facilitatrice.",
    ),
    "coordinator": (
        "Marchés du territoire",
        "Les marchés suivis par les structures de votre territoire ou exécutés sur celui-ci.",
    ),
    "company": (
        "Les marchés de mon entreprise",
        "Les marchés dont votre entreprise exécute un lot, et les clauses à respecter.",
    ),
    "admin": ("Tous les marchés", "Tous les marchés de la plateforme."),
}


def _list_role(actor: Actor) -> str:
    if actor.is_platform_admin:
        return "admin"
    if actor.role == Role.BUYER_AGENT and actor.organisation_kind == OrganisationKind.BUYER:
        return "buyer"
    if actor.is_facilitator:
        return "facilitator"
    if actor.is_territorial_coordinator:
        return "coordinator"
    if actor.role == Role.COMPANY_CONTACT and actor.organisation_id:
        return "company"
    raise PermissionDenied("Les marchés sont réservés aux acheteurs, au réseau et aux titulaires.")


def _filtered_markets(actor: Actor, values: dict) -> QuerySet[Market]:
    markets = selectors.market_list(
        actor,
        selectors.MarketFilters(
            status=values.get("statut") or "",
            buyer_id=values.get("acheteur") or None,
            department_code=values.get("departement") or "",
        ),
    )
    if values.get("cpv"):
        markets = markets.filter(cpv__code8__startswith=values["cpv"])
    clause = values.get("clause")
    if clause == "none":
        markets = markets.exclude(
            Exists(SocialConsideration.objects.filter(lot__market=OuterRef("pk")))
        )
    elif clause:
        markets = markets.filter(
            Exists(SocialConsideration.objects.filter(lot__market=OuterRef("pk"), kind=clause))
        )
    if values.get("sans_condition"):
        missing = selectors.markets_missing_social_condition(actor).values("pk")
        markets = markets.filter(pk__in=missing)
    return markets


def market_list(request: HttpRequest) -> HttpResponse:
    """One list for every role (buyer, facilitator, coordination…), filtered by a GET form;
    with htmx only the results are sent back (the same template)."""
    actor = actor_for_request(request)
    role = _list_role(actor)
    if role in ("buyer", "company"):
        departments, buyers = department_choices(), None
    else:
        codes = None if actor.is_platform_admin else actor.department_codes
        departments = department_choices(codes)
        buyers = list(
            Organisation.objects.filter(
                pk__in=policies.visible_markets(actor).values("buyer")
            ).values_list("pk", "name")
        )
    form = MarketFilterForm(request.GET or None, departments=departments, buyers=buyers)
    values = form.values()
    markets = _filtered_markets(actor, values)
    page = Paginator(markets, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    missing_count = None
    if role in ("coordinator", "facilitator", "admin"):
        missing_count = selectors.markets_missing_social_condition(actor).count()
    title, intro = LIST_TITLES[role]
    meetings = None
    if role in ("facilitator", "coordinator") and not request.htmx:
        meetings = list(selectors.upcoming_meetings(actor)[:UPCOMING_MEETINGS])
    context = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "query": query.urlencode(),
        "title": title,
        "intro": intro,
        "role": role,
        "missing_count": missing_count,
        "can_create": role != "company" and actor.can_write,
        "can_import": role != "company" and actor.can_write,
        "meetings": meetings,
    }
    template = "markets/_list_results.html" if request.htmx else "markets/list.html"
    return render(request, template, context)


# ---------------------------------------------------------------------------------------
# A market


def _visible_market(actor: Actor, pk: int) -> Market:
    market = selectors.market_detail(actor, pk)
    if market is None:
        raise Http404("Aucun marché visible avec ce numéro.")
    return market


def _lot_choices(market: Market) -> list[tuple[int, str]]:
    return [(lot.pk, str(lot)) for lot in market.lots.all()]


def _status_choices(market: Market) -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in MarketStatus.choices
        if value in STATUS_TRANSITIONS[market.status]
    ]


def _detail_context(
    actor: Actor, market: Market, forms: dict | None = None, failed: Any = None
) -> dict:
    forms = forms or {}
    can_edit = policies.can_edit_market(actor, market)
    obligation = services.obligation_for(market)
    lots = list(market.lots.all())
    # Hours progress of the market's clauses the actor may follow: one call, a fixed number
    # of queries whatever the number of lots (clauses.hours.selectors).
    market_hours = hours_selectors.market_progress(actor, market.pk, today=timezone.localdate())
    by_clause = {item.clause.pk: item for item in market_hours.clauses} if market_hours else {}
    lot_rows = []
    for lot in lots:
        considerations = list(lot.considerations.all())
        lot_rows.append(
            {
                "lot": lot,
                "considerations": considerations,
                "clauses": [
                    {"consideration": c, "hours": by_clause.get(c.pk)} for c in considerations
                ],
                "contractors": list(lot.contractor_links.all()),
                "satisfied": any(
                    c.kind in ("execution_condition", "insertion_market") for c in considerations
                ),
            }
        )
    missing_lots = [
        row["lot"] for row in lot_rows if not row["satisfied"] and not row["lot"].derogation_reason
    ]
    asks_derogation = obligation.mandatory and bool(missing_lots) and not market.derogation_reason
    return {
        "market": market,
        "market_hours": market_hours if by_clause else None,
        "lot_rows": lot_rows,
        "obligation": obligation,
        "asks_derogation": asks_derogation,
        "missing_lots": missing_lots,
        "communes": list(market.execution_communes.all()),
        "meetings": list(market.meetings.all()),
        "events": list(market.events.all())[:30],
        "can": {
            "edit": can_edit,
            "delete": policies.can_delete_market(actor, market),
            "clause": can_edit,
            "override": policies.can_override_hours(actor, market),
        },
        "status_form": forms.get("status")
        or (StatusForm(choices=_status_choices(market)) if can_edit else None),
        "derogation_form": forms.get("derogation")
        or DerogationForm(initial={"derogation_reason": market.derogation_reason}),
        "contractor_form": forms.get("contractor") or ContractorForm(lots=_lot_choices(market)),
        "meeting_form": forms.get("meeting") or MeetingForm(lots=_lot_choices(market)),
        "failed_form": failed,
    }


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    return render(request, "markets/detail.html", _detail_context(actor, market))


def _failed(
    request: HttpRequest, actor: Actor, market: Market, name: str, form: Any
) -> HttpResponse:
    context = _detail_context(actor, market, {name: form}, failed=form)
    return render(request, "markets/detail.html", context, status=400)


def _buyers_for(actor: Actor) -> QuerySet[Organisation] | None:
    """The buyers an actor may create a market for (None: only its own organisation)."""
    if actor.role == Role.BUYER_AGENT and not actor.is_platform_admin:
        return None
    buyers = Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name")
    if not actor.is_platform_admin:
        buyers = buyers.filter(department__code__in=actor.department_codes)
    return buyers


def _require_market_author(actor: Actor) -> None:
    if not actor.can_write or not (
        actor.is_platform_admin
        or actor.is_facilitator
        or actor.is_territorial_coordinator
        or (actor.role == Role.BUYER_AGENT and actor.organisation_kind == OrganisationKind.BUYER)
    ):
        raise PermissionDenied("Vous ne pouvez pas créer de marché.")


def market_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    _require_market_author(actor)
    buyers = _buyers_for(actor)
    form = MarketForm(_posted(request), buyers=buyers, operations=_operation_choices(actor))
    if request.method == "POST" and form.is_valid():
        buyer = form.cleaned_data.get("buyer") or get_object_or_404(
            Organisation, pk=actor.organisation_id
        )
        try:
            market = services.create_market(
                actor=actor,
                buyer=buyer,
                data=form.service_data(),
                execution_communes=form.cleaned_data["communes"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(
                request, market, "Le marché est créé. Ajoutez ses lots et ses clauses sociales."
            )
    return render(
        request,
        "markets/market_form.html",
        {"form": form, "market": None, "status": 400 if form.errors else 200},
        status=400 if form.errors else 200,
    )


def _market_initial(market: Market) -> dict:
    initial = {name: getattr(market, name) for name in services.MARKET_FIELDS}
    initial["cpv"] = market.cpv.code8 if market.cpv_id else ""
    initial["communes"] = ", ".join(c.insee for c in market.execution_communes.all())
    for name in ("estimated_amount_ht", "awarded_amount_ht"):
        initial[name] = _fr(initial.get(name))
    return initial


def market_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    if not policies.can_edit_market(actor, market):
        raise PermissionDenied("Vous ne pouvez pas modifier ce marché.")
    form = MarketForm(
        _posted(request), initial=_market_initial(market), operations=_operation_choices(actor)
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            services.update_market(
                actor=actor,
                market=market,
                data=data,
                execution_communes=form.cleaned_data["communes"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, market, "Le marché est modifié.")
    status = 400 if form.errors else 200
    return render(
        request, "markets/market_form.html", {"form": form, "market": market}, status=status
    )


@require_POST
def market_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    services.delete_market(actor=actor, market=market)
    messages.success(request, f"Le marché {market.reference} est supprimé.")
    return redirect("markets:list")


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    if not policies.can_edit_market(actor, market):
        raise PermissionDenied("Vous ne pouvez pas modifier ce marché.")
    form = StatusForm(request.POST, choices=_status_choices(market))
    if form.is_valid():
        try:
            services.change_status(actor=actor, market=market, to=form.cleaned_data["to"])
        except ValidationError as error:
            form.add_service_errors(error, {"status": "to", "derogation_reason": "to"})
        else:
            label = MarketStatus(form.cleaned_data["to"]).label
            return _done(request, market, f"Le marché est passé au statut « {label} ».")
    return _failed(request, actor, market, "status", form)


@require_POST
def record_derogation(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    form = DerogationForm(request.POST)
    if form.is_valid():
        try:
            services.record_derogation(
                actor=actor, market=market, reason=form.cleaned_data["derogation_reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, market, "Le motif de dérogation est enregistré.", "obligation")
    return _failed(request, actor, market, "derogation", form)


# -- lots ------------------------------------------------------------------------------


def _market_presets(market: Market) -> dict:
    return presets_for(services.department_code_of(market))


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
        else {"kind": ConsiderationKind.EXECUTION_CONDITION, "preset": "batiment"}
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


# -- meetings ---------------------------------------------------------------------------


@require_POST
def schedule_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    if not policies.can_manage_meeting(actor, market):
        raise PermissionDenied("Vous ne pouvez pas programmer de réunion pour ce marché.")
    form = MeetingForm(request.POST, lots=_lot_choices(market))
    if form.is_valid():
        data = form.cleaned_data
        lot = get_object_or_404(Lot, market=market, pk=data["lot"]) if data["lot"] else None
        try:
            meeting = services.schedule_meeting(
                actor=actor,
                market=market,
                kind=data["kind"],
                when=data["when"],
                lot=lot,
                location=data["location"],
                invite_facilitator=data["invite_facilitator"],
            )
        except ValidationError as error:
            form.add_service_errors(error, {"date": "when"})
        else:
            text = f"{meeting.get_kind_display()} programmée."
            if meeting.facilitator_invited:
                text += " Le facilitateur ou la facilitatrice est invité·e."
            return _done(request, market, text, "reunions")
    return _failed(request, actor, market, "meeting", form)


@require_POST
def invite_to_meeting(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    market = _visible_market(actor, pk)
    meeting = get_object_or_404(Meeting, market=market, pk=meeting_pk)
    services.invite_to_meeting(actor=actor, meeting=meeting)
    return _done(request, market, "L'invitation est envoyée.", "reunions")


# ---------------------------------------------------------------------------------------
# Operations


def _operation_choices(actor: Actor) -> QuerySet[Operation]:
    return policies.visible_operations(actor).order_by("name")


def _can_create_operation(actor: Actor) -> bool:
    return actor.can_write and (
        actor.is_platform_admin or actor.is_facilitator or actor.is_territorial_coordinator
    )


def operation_list(request: HttpRequest) -> HttpResponse:
    """The operations (groups of markets, e.g. an urban renewal project) an actor sees, with
    the number of its markets the actor sees (one query)."""
    actor = actor_for_request(request)
    _list_role(actor)
    visible = policies.visible_markets(actor).values("pk")
    operations = (
        policies.visible_operations(actor)
        .select_related("department")
        .annotate(market_count=Count("markets", filter=Q(markets__in=visible), distinct=True))
        .order_by("name", "pk")
    )
    page = Paginator(operations, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "markets/operation_list.html",
        {"page": page, "rows": page.object_list, "can_create": _can_create_operation(actor)},
    )


def _operation_departments(actor: Actor) -> QuerySet:
    departments = _departments().order_by("code")
    if actor.is_platform_admin:
        return departments
    return departments.filter(code__in=actor.department_codes)


def operation_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not _can_create_operation(actor):
        raise PermissionDenied(
            "Les opérations sont créées par les facilitateurs, facilitatrices et coordinations."
        )
    form = OperationForm(_posted(request), departments=_operation_departments(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rate = data["insertion_rate"]
        try:
            operation = services.create_operation(
                actor=actor,
                name=data["name"],
                kind=data["kind"],
                department=data["department"],
                communes=data["communes"],
                insertion_rate=None if rate is None else rate / 100,
                description=data["description"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"L'opération « {operation.name} » est créée. Rattachez-y ses marchés depuis "
                "leur page (« Modifier le marché »).",
            )
            return redirect("markets:operation_detail", pk=operation.pk)
    status = 400 if form.errors else 200
    return render(request, "markets/operation_form.html", {"form": form}, status=status)


def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An operation: its markets the actor sees and the hours progress of their clauses
    (clauses.hours.selectors.operation_progress), in a fixed number of queries."""
    actor = actor_for_request(request)
    operation = get_object_or_404(
        policies.visible_operations(actor).select_related("department"), pk=pk
    )
    markets = list(selectors.market_list(actor, selectors.MarketFilters(operation_id=operation.pk)))
    progress = hours_selectors.operation_progress(actor, operation.pk, today=timezone.localdate())
    return render(
        request,
        "markets/operation_detail.html",
        {
            "operation": operation,
            "communes": list(operation.communes.order_by("name")),
            "markets": markets,
            "progress": progress,
            "insertion_percent": percent(operation.insertion_rate),
        },
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


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


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


# ---------------------------------------------------------------------------------------
# Import of a buyer's markets


def import_markets(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    _require_market_author(actor)
    buyers = _buyers_for(actor)
    form = ImportForm(
        _posted(request), request.FILES if request.method == "POST" else None, buyers=buyers
    )
    report = None
    if request.method == "POST" and form.is_valid():
        buyer = form.cleaned_data.get("buyer") or get_object_or_404(
            Organisation, pk=actor.organisation_id
        )
        upload = form.cleaned_data["file"]
        report = imports.import_markets(
            buyer=buyer, file=upload.read(), actor=actor, name=upload.name
        )
        if report.ok:
            messages.success(request, report.summary())
    status = 400 if form.errors or (report is not None and not report.ok) else 200
    return render(
        request,
        "markets/import.html",
        {"form": form, "report": report, "columns": imports.COLUMNS},
        status=status,
    )


@require_GET
def import_template(request: HttpRequest, extension: str) -> HttpResponse:
    _require_market_author(actor_for_request(request))
    if extension not in ("csv", "xlsx"):
        raise Http404("Modèle inconnu.")
    if extension == "csv":
        return _file(imports.template_csv(), "text/csv; charset=utf-8", "modele-import-marches.csv")
    return _file(imports.template_xlsx(), XLSX, "modele-import-marches.xlsx")


# ---------------------------------------------------------------------------------------
# Territory settings (coordinations)


def _settings_departments(actor: Actor) -> list[tuple[str, str]]:
    codes = None if actor.is_platform_admin else sorted(actor.department_codes)
    choices = department_choices(codes)
    return [
        (code, label)
        for code, label in choices
        if policies.can_manage_territory_settings(actor, department_code=code)
    ]


def territory_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    departments = _settings_departments(actor)
    if not departments:
        raise PermissionDenied("Les réglages du territoire sont réservés aux coordinations.")
    if len(departments) == 1:
        return redirect("markets:territory", code=departments[0][0])
    return render(request, "markets/territory_index.html", {"departments": departments})


def _territory_actor(request: HttpRequest, code: str) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_manage_territory_settings(actor, department_code=code):
        raise PermissionDenied("Vous ne pouvez pas régler ce territoire.")
    return actor


def territory(request: HttpRequest, code: str) -> HttpResponse:
    _territory_actor(request, code)
    department = get_object_or_404(_departments(), code=code)
    own_presets = set(
        HourPresetSetting.objects.filter(department=department).values_list("code", flat=True)
    )
    own_templates = set(
        ClauseTemplate.objects.filter(department=department).values_list("kind", flat=True)
    )
    kinds = [
        {"value": value, "label": label, "own": value in own_templates}
        for value, label in ConsiderationKind.choices
    ]
    return render(
        request,
        "markets/territory.html",
        {
            "department": department,
            "presets": preset_rows(presets_for(code)),
            "own_presets": own_presets,
            "kinds": kinds,
        },
    )


def _departments() -> QuerySet:
    from clauses.territories.models import Department

    return Department.objects.select_related("region")


def preset_form(request: HttpRequest, code: str, preset_code: str | None = None) -> HttpResponse:
    actor = _territory_actor(request, code)
    department = get_object_or_404(_departments(), code=code)
    presets = presets_for(code)
    initial: dict = {"sector": rules.Sector.STANDARD}
    if preset_code:
        preset = presets.get(preset_code)
        if preset is None:
            raise Http404("Préréglage inconnu.")
        initial = {
            "code": preset.code,
            "label": preset.label,
            "sector": preset.sector,
            "labour_share": percent(preset.value("labour_share")),
            "hourly_cost": _fr(preset.value("hourly_cost")),
            "insertion_rate": percent(preset.value("insertion_rate")),
            "minimum_hours": preset.minimum_hours,
            "source": preset.source,
            "verified": preset.verified,
        }
    form = PresetForm(_posted(request), initial=initial)
    if preset_code:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_hour_preset(
                actor=actor,
                code=preset_code or data["code"],
                label=data["label"],
                source=data["source"],
                department_code=code,
                sector=data["sector"],
                labour_share=None if data["labour_share"] is None else data["labour_share"] / 100,
                hourly_cost=data["hourly_cost"],
                insertion_rate=None
                if data["insertion_rate"] is None
                else data["insertion_rate"] / 100,
                minimum_hours=data["minimum_hours"],
                verified=data["verified"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Le préréglage « {data['label']} » est enregistré.")
            return redirect("markets:territory", code=code)
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/preset_form.html",
        {"form": form, "department": department, "preset_code": preset_code},
        status=status,
    )


_SAMPLE_VALUES: dict[str, str | list[str]] = {
    "heures": "833",
    "facilitateur": "Camille Exemple",
    "structure": "Maison de l'emploi (exemple)",
    "contact_facilitateur": "camille.exemple@exemple.fr, 01 23 45 67 89",
    "penalite": "45 €",
    "acheteur": "Ville exemple",
    "marche": "Réhabilitation d'un groupe scolaire",
    "reference": "2026-TX-001",
    "lot": "n° 1 « Gros œuvre »",
    "duree": "18 mois",
    "base_legale": "",
    "publics": ["Demandeurs d'emploi de longue durée (12 mois et plus)"],
    "modalites": ["Embauche directe (CDD, CDI, contrat en alternance)"],
}


def clause_template_form(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    actor = _territory_actor(request, code)
    department = get_object_or_404(_departments(), code=code)
    if kind not in ConsiderationKind.values:
        raise Http404("Type de considération inconnu.")
    title, body, origin = clause_text.template_for(kind, code)
    own = ClauseTemplate.objects.filter(department=department, kind=kind).first()
    form = ClauseTemplateForm(_posted(request), initial={"title": title, "body": body})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clause_text.validate_template_body(data["body"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if request.POST.get("action") == "preview":
                values = {**_SAMPLE_VALUES, "base_legale": clause_text.LEGAL_BASIS[kind]}
                preview = clause_text.to_html(
                    clause_text.ClauseDocument(
                        title=data["title"],
                        blocks=clause_text.render_blocks(data["body"], values),
                        origin="",
                    )
                )
            else:
                try:
                    services.save_clause_template(
                        actor=actor,
                        kind=kind,
                        title=data["title"],
                        body=data["body"],
                        department_code=code,
                    )
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, "Le modèle de clause est enregistré.")
                    return redirect("markets:territory", code=code)
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/clause_template_form.html",
        {
            "form": form,
            "department": department,
            "kind": kind,
            "kind_label": ConsiderationKind(kind).label,
            "origin": origin,
            "own": own,
            "preview": preview,
            "placeholders": clause_text.PLACEHOLDERS.items(),
        },
        status=status,
    )


@require_POST
def clause_template_reset(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    actor = _territory_actor(request, code)
    template = get_object_or_404(ClauseTemplate, department__code=code, kind=kind)
    services.reset_clause_template(actor=actor, template=template)
    messages.success(request, "Le modèle par défaut de la plateforme s'applique de nouveau.")
    return redirect("markets:territory", code=code)


# ---------------------------------------------------------------------------------------
# Conversion of a desk request


@require_POST
def convert_request(request: HttpRequest, reference: str) -> HttpResponse:
    """The desk's "Convertir en marché" button: one step, then the new market's page."""
    actor = actor_for_request(request)
    desk_request = get_object_or_404(
        desk_policies.visible_requests(actor).select_related("market_cpv"), reference=reference
    )
    try:
        market = services.create_market_from_request(request=desk_request, actor=actor)
    except ValidationError as error:
        existing = Market.objects.filter(desk_request=desk_request).first()
        messages.error(request, " ".join(error.messages))
        if existing is not None and policies.can_view_market(actor, existing):
            return redirect("markets:detail", pk=existing.pk)
        return redirect("desk:detail", reference=reference)
    messages.success(
        request,
        f"La demande {reference} est devenue un marché. Vérifiez ses informations, puis "
        "ajoutez ses lots et ses clauses sociales.",
    )
    return redirect("markets:detail", pk=market.pk)
