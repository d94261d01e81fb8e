"""Read side of markets shared by the pages and the API. Everything starts from
`policies.visible_*(actor)`; each function runs a bounded number of queries whatever the
number of markets (checked by the query-budget tests).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.markets import policies
from clauses.markets.enums import MarketStatus
from clauses.markets.models import (
    Lot,
    LotContractor,
    Market,
    MarketEvent,
    Meeting,
    SocialConsideration,
)


@dataclass(frozen=True)
class MarketFilters:
    status: str = ""
    buyer_id: int | None = None
    structure_id: int | None = None
    department_code: str = ""
    operation_id: int | None = None
    search: str = ""
    year: int | None = None
    # "" every market, "any" with a social consideration, "none" without, or one kind.
    clause: str = ""


def market_year() -> ExtractYear:
    """The year a market belongs to: its consultation's launch, else its planned
    publication, else its notification, else the day it was recorded."""
    return ExtractYear(
        Coalesce(
            "consultation_launch_date",
            "planned_publication_date",
            "notification_date",
            TruncDate("created_at"),
        )
    )


def market_years(actor: Actor) -> list[int]:
    """The years of the markets an actor sees, latest first (one query)."""
    return list(
        policies.visible_markets(actor)
        .order_by()
        .annotate(year=market_year())
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def market_list(actor: Actor, filters: MarketFilters | None = None) -> QuerySet[Market]:
    """The markets an actor sees, filtered, with what a list row shows (3 queries when
    iterated: markets, communes; counts are annotations)."""
    filters = filters or MarketFilters()
    markets = policies.visible_markets(actor)
    if filters.status:
        markets = markets.filter(status=filters.status)
    if filters.buyer_id:
        markets = markets.filter(buyer=filters.buyer_id)
    if filters.structure_id:
        markets = markets.filter(following_structure=filters.structure_id)
    if filters.operation_id:
        markets = markets.filter(operation=filters.operation_id)
    if filters.department_code:
        markets = markets.filter(
            pk__in=Market.objects.filter(
                execution_communes__department__code=filters.department_code
            ).values("pk")
        )
    if filters.search:
        for term in filters.search.split():
            markets = markets.filter(
                Q(reference__icontains=term)
                | Q(subject__icontains=term)
                | Q(buyer__name__icontains=term)
                | Q(pk__in=Lot.objects.filter(title__icontains=term).values("market"))
            )
    if filters.year:
        markets = markets.annotate(year=market_year()).filter(year=filters.year)
    if filters.clause:
        considerations = SocialConsideration.objects.filter(lot__market=OuterRef("pk"))
        if filters.clause == "none":
            markets = markets.exclude(Exists(considerations))
        elif filters.clause == "any":
            markets = markets.filter(Exists(considerations))
        else:
            markets = markets.filter(Exists(considerations.filter(kind=filters.clause)))
    return (
        markets.select_related("buyer", "cpv", "following_structure", "operation")
        .prefetch_related("execution_communes")
        .annotate(
            lot_count=Count("lots", distinct=True),
            # The hours the contract sets: a facilitator's adjustment wins over the calculation.
            hours_target=Sum(
                Coalesce(
                    "lots__considerations__hours_override",
                    "lots__considerations__calculated_hours",
                )
            ),
        )
        .order_by("-created_at", "-pk")
    )


def market_detail(actor: Actor, pk: int) -> Market | None:
    """One visible market with its lots, considerations, contractors, meetings and events,
    prefetched (a fixed number of queries), or None (answer 404)."""
    lots = (
        Lot.objects.order_by("number")
        .prefetch_related(
            Prefetch("considerations", queryset=SocialConsideration.objects.order_by("kind")),
            Prefetch(
                "contractor_links",
                queryset=LotContractor.objects.select_related("organisation").order_by(
                    "role", "pk"
                ),
            ),
        )
        .select_related("cpv")
    )
    return (
        policies.visible_markets(actor)
        .select_related(
            "buyer__department",
            "cpv",
            "following_structure",
            "facilitator",
            "operation",
            "desk_request",
        )
        .prefetch_related(
            "execution_communes__department",
            Prefetch("lots", queryset=lots),
            Prefetch("meetings", queryset=Meeting.objects.order_by("date", "pk")),
            Prefetch("events", queryset=MarketEvent.objects.order_by("-created_at", "-pk")),
        )
        .filter(pk=pk)
        .first()
    )


def markets_missing_social_condition(
    actor: Actor, *, today: date | None = None
) -> QuerySet[Market]:
    """For the coordination (and anyone who sees markets): markets on which L2112-2-1
    imposes a social execution condition that a lot lacks, with no derogation recorded."""
    today = today or timezone.localdate()
    return (
        policies.visible_markets(actor)
        .missing_social_condition(today)
        .select_related("buyer", "following_structure")
        .order_by("obligation_date", "pk")
    )


def upcoming_meetings(actor: Actor, *, since: date | None = None) -> QuerySet[Meeting]:
    since = since or timezone.localdate()
    return (
        policies.visible_meetings(actor)
        .filter(date__date__gte=since)
        .select_related("market__buyer", "lot")
        .order_by("date", "pk")
    )


def status_counts(actor: Actor) -> dict[str, int]:
    """Markets an actor sees, by status (one query), every status present."""
    rows = dict(
        policies.visible_markets(actor)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: rows.get(status, 0) for status in MarketStatus.values}


def considerations_of(actor: Actor, market: Market) -> QuerySet[SocialConsideration]:
    """Clauses of one market (for a company: what it must fulfil)."""
    return (
        policies.visible_considerations(actor)
        .filter(lot__market=market)
        .select_related("lot")
        .order_by("lot__number", "kind")
    )
