"""Pages of operations (groups of markets)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clauses.access.actors import Actor, actor_for_request
from clauses.hours import selectors as hours_selectors
from clauses.markets import policies, selectors, services
from clauses.markets.forms import (
    OperationForm,
    percent,
)
from clauses.markets.views.common import PER_PAGE, _departments, _list_role, _posted


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
