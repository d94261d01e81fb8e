"""Helpers shared by the markets pages."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.markets import clause_text, policies, selectors, services
from clauses.markets.models import (
    Market,
    Operation,
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
    if actor.is_buyer_agent:
        return "buyer"
    if actor.is_facilitator:
        return "facilitator"
    if actor.is_territorial_coordinator:
        return "coordinator"
    if actor.is_company_contact:
        return "company"
    raise PermissionDenied("Les marchés sont réservés aux acheteurs, au réseau et aux titulaires.")


def _visible_market(actor: Actor, pk: int) -> Market:
    market = selectors.market_detail(actor, pk)
    if market is None:
        raise Http404("Aucun marché visible avec ce numéro.")
    return market


def _buyers_for(actor: Actor) -> QuerySet[Organisation] | None:
    """The buyers an actor may create a market for (None: only its own organisation)."""
    if actor.is_buyer_agent and not actor.is_platform_admin:
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
        or actor.is_buyer_agent
    ):
        raise PermissionDenied("Vous ne pouvez pas créer de marché.")


def _market_presets(market: Market) -> dict:
    return presets_for(services.department_code_of(market))


def _operation_choices(actor: Actor) -> QuerySet[Operation]:
    return policies.visible_operations(actor).order_by("name")


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _departments() -> QuerySet:
    from clauses.territories.models import Department

    return Department.objects.select_related("region")
