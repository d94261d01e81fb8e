"""The observatory's figures, computed in the database (grouped counts and sums with
filters): a summary, breakdowns, opportunities and the discrepancies with followed markets.

Shares: the denominator is the contracts whose answer is known (with or without a social
consideration); contracts "non renseigné" (2019 format, field missing) are counted in the
totals and shown apart, never as "without" (rules.py, rule 7).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.desk.charts import format_number
from clauses.markets.models import Market
from clauses.markets.rules import EU_THRESHOLDS
from clauses.observatory import rules
from clauses.observatory.enums import ContractKind, SocialStatus
from clauses.observatory.models import PublishedContract
from clauses.territories.models import CpvCode

YES = Q(social_status=SocialStatus.YES)
KNOWN = ~Q(social_status=SocialStatus.UNKNOWN)
AGGREGATES = {
    "contracts": Count("id"),
    "known": Count("id", filter=KNOWN),
    "with_social": Count("id", filter=YES),
    "amount_known": Sum("amount", filter=KNOWN),
    "amount_social": Sum("amount", filter=YES),
}


def percent(share: float | None) -> str:
    """0.4567 → "45,7 %" (French style); None (no known answer) → "—"."""
    return "—" if share is None else format_number(round(share * 100, 1)) + " %"


def _share(part: object, whole: object) -> float | None:
    if not whole:
        return None
    return round(float(part or 0) / float(whole), 4)


@dataclass(frozen=True)
class Figures:
    contracts: int
    known: int
    with_social: int
    amount_known: Decimal
    amount_social: Decimal

    @classmethod
    def of(cls, values: dict) -> "Figures":
        return cls(
            values["contracts"] or 0,
            values["known"] or 0,
            values["with_social"] or 0,
            Decimal(values["amount_known"] or 0),
            Decimal(values["amount_social"] or 0),
        )

    @property
    def unknown(self) -> int:
        return self.contracts - self.known

    @property
    def without_social(self) -> int:
        return self.known - self.with_social

    @property
    def share(self) -> float | None:
        return _share(self.with_social, self.known)

    @property
    def amount_share(self) -> float | None:
        return _share(self.amount_social, self.amount_known)

    @property
    def share_text(self) -> str:
        return percent(self.share)

    @property
    def amount_share_text(self) -> str:
        return percent(self.amount_share)


def in_scope(
    contracts: QuerySet[PublishedContract], *, department: str = "", region: str = "",
    year: int | None = None,
) -> QuerySet[PublishedContract]:  # fmt: skip
    contracts = contracts.in_territory(department=department, region=region)
    if year is not None:
        contracts = contracts.filter(year=year)
    return contracts


def summary(contracts: QuerySet[PublishedContract]) -> Figures:
    """One query."""
    return Figures.of(contracts.aggregate(**AGGREGATES))


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    figures: Figures


BREAKDOWNS = {
    "acheteurs": ("buyer_siret", "Par acheteur", "Acheteur"),
    "cpv": ("cpv_division", "Par division CPV", "Division CPV"),
    "procedures": ("procedure", "Par procédure", "Procédure"),
    "types": ("kind", "Par type de contrat", "Type"),
}
LIMITS = {"acheteurs": 15, "cpv": 15, "procedures": 12, "types": 4}


def breakdown(contracts: QuerySet[PublishedContract], key: str) -> list[BreakdownRow]:
    """The contracts grouped by one column, the largest groups first (two queries at most:
    the groups, the CPV labels)."""
    column = BREAKDOWNS[key][0]
    rows = list(
        contracts.values(column)
        .annotate(**AGGREGATES)
        .order_by("-contracts", column)[: LIMITS[key]]
    )
    if key == "acheteurs":
        sirets = [row[column] for row in rows]
        names = dict(
            contracts.filter(buyer_siret__in=sirets)
            .values("buyer_siret")
            .annotate(name=Max("buyer_name"))
            .values_list("buyer_siret", "name")
        )
        names |= buyer_names(sirets)
    labels: dict[str, str] = {}
    if key == "cpv":
        codes = {f"{row[column]}000000": row[column] for row in rows if row[column]}
        labels = {
            codes[code8]: f"{codes[code8]} — {label}"
            for code8, label in CpvCode.objects.filter(code8__in=codes).values_list(
                "code8", "label"
            )
        }
    result = []
    for row in rows:
        value = row[column] or ""
        if key == "acheteurs":
            label = f"{names.get(value) or 'Acheteur'} ({value})"
        elif key == "cpv":
            label = labels.get(value, value or "CPV non renseigné")
        elif key == "types":
            label = ContractKind(value).label if value in ContractKind.values else "Non renseigné"
        else:
            label = value or "Non renseignée"
        result.append(BreakdownRow(value, label, Figures.of(row)))
    return result


def buyer_names(sirets: list[str]) -> dict[str, str]:
    """The names Clauses knows for these SIRETs (its buyer organisations; one query): the 2024
    format publishes the buyer's SIRET without its name."""
    return dict(
        Organisation.objects.filter(kind=OrganisationKind.BUYER, siret__in=sirets).values_list(
            "siret", "name"
        )
    )


# -- opportunities -------------------------------------------------------------------------


def thresholds(year: int) -> rules.Thresholds:
    return rules.thresholds_for(year, EU_THRESHOLDS)


def above_thresholds(year: int) -> Q:
    found = thresholds(year)
    return Q(kind=ContractKind.WORKS, amount__gte=found.works) | Q(
        kind__in=[ContractKind.SUPPLIES, ContractKind.SERVICES],
        amount__gte=found.supplies_services,
    )


def opportunities(contracts: QuerySet[PublishedContract], year: int) -> QuerySet:
    """Per buyer: its contracts above the thresholds published without a social
    consideration (who to visit), the most first."""
    return (
        contracts.filter(above_thresholds(year), social_status=SocialStatus.NO)
        .values("buyer_siret")
        .annotate(count=Count("id"), amount=Sum("amount"), name=Max("buyer_name"))
        .order_by("-count", "-amount", "buyer_siret")
    )


# -- the link with followed markets -----------------------------------------------------------


def _markets_matching_contract() -> QuerySet[Market]:
    """A market and a published contract are the same when the market's DECP identifier is
    the contract's `id` and its buyer is the contract's buyer (same SIRET, or same SIREN:
    another establishment of the same body)."""
    return (
        Market.objects.exclude(decp_id="")
        .annotate(buyer_siren9=Substr("buyer__siret", 1, 9))
        .filter(decp_id=OuterRef("decp_id"))
        .filter(Q(buyer__siret=OuterRef("buyer_siret")) | Q(buyer_siren9=OuterRef("buyer_siren")))
    )


def followed_without_published_clause(
    markets: QuerySet[Market], contracts: QuerySet[PublishedContract]
) -> QuerySet[Market]:
    """Followed markets with a social consideration whose publication says none."""
    published_none = contracts.filter(
        social_status=SocialStatus.NO, decp_id=OuterRef("decp_id")
    ).filter(
        Q(buyer_siret=OuterRef("buyer__siret"))
        | Q(buyer_siren=Substr(OuterRef("buyer__siret"), 1, 9), buyer_siren__gt="")
    )
    return (
        markets.exclude(decp_id="")
        .filter(lots__considerations__isnull=False)
        .filter(Exists(published_none))
        .distinct()
        .select_related("buyer")
        .order_by("buyer__name", "reference")
    )


def published_clause_not_followed(
    contracts: QuerySet[PublishedContract],
) -> QuerySet[PublishedContract]:
    """Published contracts with a social consideration that no market of Clauses is linked
    to (followed by nobody)."""
    matching = _markets_matching_contract()
    return (
        contracts.filter(social_status=SocialStatus.YES)
        .filter(~Exists(matching))
        .order_by("-amount", "uid")
    )


def followed_for_buyer(markets: QuerySet[Market], siret: str) -> QuerySet[Market]:
    condition = Q(buyer__siret=siret) if len(siret) == 14 else Q()
    if siret[:9].isdigit():
        condition |= Q(buyer__siren=siret[:9]) | Q(buyer__siret__startswith=siret[:9])
    return markets.filter(condition).select_related("buyer").order_by("-created_at", "-pk")


def published_status_by_market(
    markets: list[Market],
) -> dict[int, PublishedContract]:
    """The published contract of each market that carries a DECP identifier (one query)."""
    ids = {m.decp_id for m in markets if m.decp_id}
    if not ids:
        return {}
    found = {}
    for contract in PublishedContract.objects.filter(decp_id__in=ids):
        found.setdefault(contract.decp_id, []).append(contract)
    result = {}
    for market in markets:
        for contract in found.get(market.decp_id, []):
            if contract.buyer_siret == market.buyer.siret or (
                contract.buyer_siren and contract.buyer_siren == market.buyer.siret[:9]
            ):
                result[market.pk] = contract
    return result
