"""The figures of a report, apart from their presentation: collected once (live, or from
the aggregates for a closed period), then turned into tables by `reports`.

A closed period's figures are kept (`snapshots`): `collect_review` / `collect_clause`
return plain values that `encode` writes as JSON and `decode` reads back exactly (hours
as decimal strings, days as ISO dates), so a kept review is the same review.
"""

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from types import ModuleType

from django.db.models import QuerySet

from clauses.hours.selectors import Uncounted
from clauses.markets.models import Market
from clauses.reporting import queries
from clauses.reporting.periods import Period
from clauses.territories.models import Department

# The keys of a clause report's figures; a review has these and the ones below.
CLAUSE_KEYS = ("hours", "profile", "uncounted", "eligibility", "modality", "contract", "outcomes")
REVIEW_KEYS = CLAUSE_KEYS + (
    "desk",
    "department_names",
    "by_kind",
    "by_division",
    "divisions",
    "by_band",
    "clauses",
    "by_department",
    "by_month",
    "network",
)


def collect_clause(markets: QuerySet[Market], period: Period, source: ModuleType) -> dict:
    """What a clause report shows (10 queries): `source` is `queries` (live) or
    `aggregates` (a closed period's hours)."""
    return {
        "hours": source.hours(markets, period),
        "profile": queries.profile(markets, period),
        "uncounted": source.uncounted(markets, period),
        "eligibility": queries.eligibility(markets, period),
        "modality": queries.assignments_by(markets, period, "modality"),
        "contract": queries.assignments_by(markets, period, "contract_type"),
        "outcomes": queries.outcomes(markets, period),
    }


def collect_review(
    scope,  # noqa: ANN001
    period: Period,
    source: ModuleType,
    frozen_at: datetime | None = None,
) -> dict:
    """What a review shows (about 25 queries whatever the volume). A whole territory's
    closed year (`scope.territory`) reads the per territory × year figures of the rebuild
    `frozen_at` (`territory_figures`), leaving 8 small queries (desk, network, labels)."""
    from clauses.reporting import territory_figures  # it encodes with this module

    kept = None
    if frozen_at is not None and scope.territory is not None:
        kept = territory_figures.read(*scope.territory, period, frozen_at)
    if kept is not None:
        return kept | _live_parts(scope, period, kept["by_division"])
    markets = scope.markets
    figures = collect_clause(markets, period, source)
    by_division = queries.markets_by(markets, period, "division")
    figures |= {
        "by_kind": queries.markets_by(markets, period, "kind"),
        "by_division": by_division,
        "by_band": queries.markets_by(markets, period, "band"),
        "clauses": queries.clauses_by_kind(markets, period),
        "by_department": source.hours_by_department(markets, period),
        "by_month": source.hours_by_month(markets, period),
    }
    return figures | _live_parts(scope, period, by_division)


def _live_parts(scope, period: Period, by_division: dict) -> dict:  # noqa: ANN001
    return {
        "desk": queries.desk(scope.requests, period, scope.department_codes),
        "department_names": dict(
            Department.objects.filter(code__in=scope.department_codes).values_list("code", "name")
        ),
        "divisions": queries.division_labels([c for c in by_division if c]),
        "network": queries.network(
            scope.department_codes if scope.structure_ids is None else None, scope.structure_ids
        ),
    }


# -- JSON ---------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _from_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimals(values: dict) -> dict:
    return {key: str(value) for key, value in values.items()}


def encode(figures: dict) -> dict:
    """JSON-ready values (exact: decimals as strings, days as ISO dates)."""
    data = {}
    for key, value in figures.items():
        if key == "hours":
            value = asdict(value) | {"start": _day(value.start), "end": _day(value.end)}
            value = {k: str(v) if isinstance(v, Decimal) else v for k, v in value.items()}
        elif key == "uncounted":
            value = [[u.rule, str(u.hours), u.declarations] for u in value]
        elif key == "eligibility":
            value = [list(item) for item in value]
        elif key == "desk":
            value = asdict(value) | {
                "per_week": {w.isoformat(): n for w, n in value.per_week.items()}
            }
        elif key in ("by_department",):
            value = _decimals(value)
        elif key == "by_month":
            value = {m.isoformat(): str(n) for m, n in value.items()}
        elif key == "network":
            value = asdict(value)
        elif key == "grouped":  # the consolidation: per group, hours and counts
            value = {g: _decimals(row) if "hours" in row else row for g, row in value.items()}
        data[key] = value
    return data


def decode(data: dict) -> dict:
    """The figures `encode` wrote, as `collect_*` returned them."""
    figures = dict(data)
    for key, value in data.items():
        if key == "hours":
            figures[key] = queries.Hours(
                target=value["target"],
                declared=Decimal(value["declared"]),
                validated=Decimal(value["validated"]),
                counted=Decimal(value["counted"]),
                cumulative_counted=Decimal(value["cumulative_counted"]),
                start=_from_day(value["start"]),
                end=_from_day(value["end"]),
            )
        elif key == "uncounted":
            figures[key] = [Uncounted(r, Decimal(h), n) for r, h, n in value]
        elif key == "eligibility":
            figures[key] = [tuple(item) for item in value]
        elif key == "desk":
            weeks = {date.fromisoformat(w): n for w, n in value["per_week"].items()}
            figures[key] = queries.Desk(**value | {"per_week": weeks})
        elif key == "by_department":
            figures[key] = {code: Decimal(n) for code, n in value.items()}
        elif key == "by_month":
            figures[key] = {date.fromisoformat(m): Decimal(n) for m, n in value.items()}
        elif key == "network":
            figures[key] = queries.Network(
                facilitators=value["facilitators"],
                structures=value["structures"],
                per_department={c: tuple(pair) for c, pair in value["per_department"].items()},
            )
        elif key == "grouped":
            figures[key] = {
                g: {name: Decimal(n) if name == "hours" else int(n) for name, n in row.items()}
                for g, row in value.items()
            }
    return figures
