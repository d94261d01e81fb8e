# ruff: noqa: S311 — synthetic data (not cryptography)
"""Markets, lots, their contractors and their clauses, whose hour targets come from
`markets.rules.estimate_hours` (no clause where the method advises against one)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bench.dataset.common import HOURLY_COST, INSERTION_RATES, MARKET_PROFILES, aware, weighted
from bench.dataset.sink import Ids

if TYPE_CHECKING:
    from bench.dataset.generator import Generator

MARKET_COLUMNS = (
    "id",
    "buyer_id",
    "reference",
    "subject",
    "procedure",
    "kind",
    "cpv_id",
    "estimated_amount_ht",
    "awarded_amount_ht",
    "notification_date",
    "start_date",
    "end_date",
    "duration_months",
    "status",
    "following_structure_id",
    "facilitator_id",
    "created_at",
    "updated_at",
)
LOT_COLUMNS = (
    "id",
    "market_id",
    "number",
    "title",
    "cpv_id",
    "estimated_amount_ht",
    "awarded_amount_ht",
)
CLAUSE_COLUMNS = (
    "id",
    "lot_id",
    "kind",
    "eligible_publics",
    "modalities",
    "hours_method",
    "amount_ht",
    "labour_share",
    "hourly_cost",
    "insertion_rate",
    "duration_months",
    "formula",
    "calculation_warnings",
    "calculated_hours",
    "created_at",
    "updated_at",
)


def generate(g: Generator) -> None:
    from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration

    t = _tables(g)
    # clause: (clause id, lot id, target, start, end, holder, subcontractor, structure id,
    #          facilitator id, market id, département id)
    g.clauses = []
    total = g.scale.markets_per_year * g.scale.years
    for n in range(total):
        _market(g, t, n)
        if n % 50_000 == 0 and n:
            g.progress(f"markets: {n:,}/{total:,}")
    for model in (
        Market,
        Market.execution_communes.through,
        Lot,
        LotContractor,
        SocialConsideration,
    ):
        g.sink.flush(model)
    g.progress(f"markets: {total:,} markets, {len(g.clauses):,} clauses")


def _tables(g: Generator) -> SimpleNamespace:
    from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration

    return SimpleNamespace(
        market_ids=Ids(Market),
        lot_ids=Ids(Lot),
        clause_ids=Ids(SocialConsideration),
        lc_ids=Ids(LotContractor),
        ec_ids=Ids(Market.execution_communes.through),
        markets=g.sink.table(Market, MARKET_COLUMNS),
        exec_communes=g.sink.table(
            Market.execution_communes.through, ("id", "market_id", "commune_id")
        ),
        lots=g.sink.table(Lot, LOT_COLUMNS),
        clauses=g.sink.table(SocialConsideration, CLAUSE_COLUMNS),
        contractors=g.sink.table(
            LotContractor, ("id", "lot_id", "organisation_id", "role", "amount_ht", "created_at")
        ),
        reference_seq=defaultdict(int),
        publics=json.dumps(g.criterion_codes[:4]),
        modalities=json.dumps(["direct_cdd", "etti", "subcontract_siae"]),
        span_days=(g.last_month - g.first_month).days + 28,
    )


def _market(g: Generator, t: SimpleNamespace, n: int) -> None:
    rng = g.rng
    b = (
        rng.choices(g.buyer_range, cum_weights=g.buyer_weights)[0]
        if n % 3 == 0
        else rng.randrange(len(g.buyers))
    )
    buyer_id, dept_id, _name, _siret = g.buyers[b]
    profile = weighted(rng, MARKET_PROFILES)
    notified, start, months, end = _dates(g, t)
    median = 400_000 if profile[1] == "works" else 150_000
    amount = Decimal(int(min(2e8, median * math.exp(rng.gauss(0, 1.1))))).quantize(Decimal(1))
    status = "closed" if end < g.today else ("in_execution" if start <= g.today else "awarded")
    # Execution places: the buyer's département, sometimes a neighbour's commune too.
    places = [g.commune(dept_id)]
    if rng.random() < 0.15:
        places.append(g.commune(dept_id))
    structure_id = _following_structure(g, dept_id, places[0][0])
    if structure_id is None:
        return
    info = g.structures[structure_id]
    facilitator = rng.choice(info.facilitator_ids) if info.facilitator_ids else None
    t.reference_seq[buyer_id] += 1
    mid = t.market_ids()
    created = aware(notified - timedelta(days=60))
    t.markets.add(
        mid, buyer_id, f"{notified.year}-{t.reference_seq[buyer_id]:05d}",
        f"Marché {profile[1]} n° {n + 1}", rng.choice(["adapted", "open", "open", "negotiated"]),
        profile[1], g.cpv.get(profile[0]), amount, amount, notified, start, end, months, status,
        structure_id, facilitator, created, created,
    )  # fmt: skip
    for commune_id in dict.fromkeys(p[0] for p in places):
        t.exec_communes.add(t.ec_ids(), mid, commune_id)
    market = SimpleNamespace(
        id=mid, dept_id=dept_id, profile=profile, amount=amount, start=start, end=end,
        months=months, created=created, structure_id=structure_id, facilitator=facilitator,
    )  # fmt: skip
    n_lots = 1 if rng.random() < 0.8 else rng.randint(2, 4)
    for number in range(1, n_lots + 1):
        _lot(g, t, market, number, n_lots)


def _dates(g: Generator, t: SimpleNamespace) -> tuple[date, date, int, date]:
    """Notification, start, duration in months, end."""
    rng = g.rng
    notified = g.first_month + timedelta(days=rng.randrange(t.span_days))
    start = notified + timedelta(days=rng.randrange(15, 60))
    months = rng.choice([6, 9, 12, 12, 18, 24, 24, 36, 48])
    end = start + timedelta(days=int(months * 30.4))
    return notified, start, months, end


def _following_structure(g: Generator, dept_id: int, commune_id: int) -> int | None:
    """A structure covering the first place, else one of the département's."""
    structures, _ = g.coverage(commune_id)
    if not structures:
        structures = frozenset(g.structures_by_dept.get(dept_id, ()))
    if len(structures) == 1:
        return min(structures)
    return g.rng.choice(sorted(structures)) if structures else None


def _lot(
    g: Generator, t: SimpleNamespace, market: SimpleNamespace, number: int, n_lots: int
) -> None:
    """A lot, its holder (sometimes a subcontractor) and its clause when the method
    recommends one."""
    from clauses.markets import rules as market_rules

    rng = g.rng
    cpv8, _kind, labour_share, _w = market.profile
    lot_amount = (market.amount / n_lots).quantize(Decimal(1))
    lid = t.lot_ids()
    title = "Lot unique" if n_lots == 1 else f"Lot {number}"
    t.lots.add(lid, market.id, number, title, g.cpv.get(cpv8), lot_amount, lot_amount)
    holder = rng.choice(g.companies_by_dept.get(market.dept_id) or g.all_companies)
    t.contractors.add(t.lc_ids(), lid, holder, "holder", lot_amount, market.created)
    sub = None
    if rng.random() < 0.15:
        sub = rng.choice(g.all_companies)
        if sub != holder:
            t.contractors.add(t.lc_ids(), lid, sub, "subcontractor", None, market.created)
        else:
            sub = None
    rate = weighted(rng, INSERTION_RATES)[0]
    estimate = market_rules.estimate_hours(
        amount_ht=lot_amount,
        labour_share=labour_share,
        hourly_cost=HOURLY_COST,
        insertion_rate=rate,
        minimum_hours=35,
    )
    if estimate.recommendation != "clause":
        return  # the method advises against a clause: none on this lot
    cid = t.clause_ids()
    t.clauses.add(
        cid, lid, "execution_condition", t.publics, t.modalities, "standard", lot_amount,
        labour_share, HOURLY_COST, rate, Decimal(market.months), estimate.formula,
        json.dumps(estimate.warnings), estimate.hours, market.created, market.created,
    )  # fmt: skip
    g.clauses.append(
        (cid, lid, estimate.hours, market.start, market.end, holder, sub, market.structure_id,
         market.facilitator, market.id, market.dept_id)
    )  # fmt: skip
