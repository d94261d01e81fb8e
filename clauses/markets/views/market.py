"""Pages of a market: the lists per role, a market's page and its actions (edit, status,
derogation, meetings), and the conversion of a desk request.

Thin views: reads go through `policies` and `selectors`, writes through `services`; a
record outside the actor's scope is a 404, an action the actor may not do a 403
(`PermissionDenied`, raised by the services or here).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.accounts.models import Organisation
from clauses.desk import policies as desk_policies
from clauses.hours import selectors as hours_selectors
from clauses.markets import policies, selectors, services
from clauses.markets.enums import (
    STATUS_TRANSITIONS,
    MarketStatus,
)
from clauses.markets.forms import (
    ContractorForm,
    ConversionForm,
    DerogationForm,
    MarketFilterForm,
    MarketForm,
    MeetingForm,
    StatusForm,
    department_choices,
)
from clauses.markets.models import (
    Lot,
    Market,
    Meeting,
)
from clauses.markets.views.common import (
    LIST_TITLES,
    PER_PAGE,
    UPCOMING_MEETINGS,
    _buyers_for,
    _done,
    _fr,
    _list_role,
    _operation_choices,
    _posted,
    _require_market_author,
    _visible_market,
)


def _filtered_markets(actor: Actor, values: dict) -> QuerySet[Market]:
    markets = selectors.market_list(
        actor,
        selectors.MarketFilters(
            status=values.get("statut") or "",
            buyer_id=values.get("acheteur") or None,
            department_code=values.get("departement") or "",
            search=values.get("q") or "",
            year=values.get("annee") or None,
            clause=values.get("clause") or "",
        ),
    )
    if values.get("cpv"):
        markets = markets.filter(cpv__code8__startswith=values["cpv"])
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
    form = MarketFilterForm(
        request.GET or None,
        departments=departments,
        buyers=buyers,
        years=selectors.market_years(actor),
    )
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
            services.change_status(
                actor=actor, market=market, to=form.cleaned_data["to"], on=form.cleaned_data["on"]
            )
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
# Conversion of a desk request


@require_http_methods(["GET", "POST"])
def convert_request(request: HttpRequest, reference: str) -> HttpResponse:
    """The desk's "Convertir en marché": first a page saying what will be created (the
    market's fields, its buyer — known or to be created —, the following structure and the
    facilitator to choose), then, once confirmed, the new market's page."""
    actor = actor_for_request(request)
    desk_request = get_object_or_404(
        desk_policies.visible_requests(actor).select_related("market_cpv"), reference=reference
    )
    try:
        plan = services.conversion_plan(desk_request=desk_request, actor=actor)
    except ValidationError as error:
        existing = Market.objects.filter(desk_request=desk_request).first()
        messages.error(request, " ".join(error.messages))
        if existing is not None and policies.can_view_market(actor, existing):
            return redirect("markets:detail", pk=existing.pk)
        return redirect("desk:detail", reference=reference)
    confirmed = request.method == "POST" and request.POST.get("confirmer") == "oui"
    form = ConversionForm(
        request.POST if confirmed else None,
        facilitators=plan.facilitators,
        initial={"facilitator": _own_facilitator(request.user.email, plan.facilitators)},
    )
    if confirmed and form.is_valid():
        try:
            market = services.create_market_from_request(
                desk_request=desk_request,
                actor=actor,
                facilitator=form.cleaned_data.get("facilitator"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"La demande {reference} est devenue un marché. Vérifiez ses informations, "
                "puis ajoutez ses lots et ses clauses sociales.",
            )
            return redirect("markets:detail", pk=market.pk)
    context = {"plan": plan, "desk_request": desk_request, "form": form}
    return render(
        request, "markets/convert_confirm.html", context, status=400 if form.errors else 200
    )


def _own_facilitator(email: str, facilitators: list) -> int | None:
    """The person's own facilitator record among the structure's (matched by email)."""
    email = (email or "").lower()
    for facilitator in facilitators:
        if email and facilitator.email.lower() == email:
            return facilitator.pk
    return None
