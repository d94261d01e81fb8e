# ruff: noqa: S311 — synthetic data (not cryptography)
"""The desk's requests, routed by `desk.rules.route` on facts gathered in memory from the same
coverage the desk reads."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from bench.dataset.common import REQUEST_KINDS, aware, weighted
from bench.dataset.sink import Ids

if TYPE_CHECKING:
    from bench.dataset.generator import Generator

REQUEST_COLUMNS = (
    "id",
    "reference",
    "kind",
    "status",
    "outcome",
    "buyer_organisation_id",
    "buyer_name",
    "buyer_siret",
    "contact_name",
    "contact_email",
    "market_subject",
    "market_estimated_amount",
    "message",
    "publication_timing",
    "target_level",
    "target_coordination_id",
    "target_structure_id",
    "routing_rule",
    "routing_reason",
    "routed_at",
    "follow_token_hash",
    "first_response_due",
    "first_response_at",
    "first_response_working_days",
    "created_at",
    "closed_at",
)
HISTORY_COLUMNS = (
    "id",
    "request_id",
    "target_level",
    "target_coordination_id",
    "target_structure_id",
    "rule",
    "reason",
    "created_at",
)
OUTCOMES = ["advice_given", "clause_inserted", "clause_inserted", "redirected", "no_follow_up"]


def generate(g: Generator) -> None:
    from clauses.desk.models import Assignment as DeskAssignment
    from clauses.desk.models import ReferenceCounter, Request

    t = _tables(g)
    total = g.scale.requests_per_year * g.scale.years
    for _n in range(total):
        _request(g, t)
    counters = g.sink.table(ReferenceCounter, ("id", "year", "last_number"))
    existing = set(ReferenceCounter.objects.values_list("year", flat=True))
    counter_ids = Ids(ReferenceCounter)
    for year, number in sorted(t.per_year.items()):
        if year not in existing:
            counters.add(counter_ids(), year, number)
    for model in (
        Request,
        Request.execution_communes.through,
        DeskAssignment,
        ReferenceCounter,
    ):
        g.sink.flush(model)
    g.routed = dict(t.routed)
    g.progress(f"desk: {total:,} requests routed {dict(sorted(t.routed.items()))}")


def _tables(g: Generator) -> SimpleNamespace:
    from clauses.desk.models import Assignment as DeskAssignment
    from clauses.desk.models import Request
    from clauses.desk.selectors import coordination_target

    departmental_targets: dict[int, dict] = {}
    for dept_id, coord in g.departmental.items():
        code = g.departments[dept_id]["code"]
        region = g.departments[dept_id]["region_id"]
        departmental_targets.setdefault(region, {})[code] = coordination_target(coord)
    local_targets = {}
    if g.local_ids:
        from clauses.network.models import Coordination

        local_targets = {
            c.pk: coordination_target(c) for c in Coordination.objects.filter(pk__in=g.local_ids)
        }
    communes = Request.execution_communes.through
    return SimpleNamespace(
        r_ids=Ids(Request),
        ra_ids=Ids(DeskAssignment),
        rc_ids=Ids(communes),
        requests=g.sink.table(Request, REQUEST_COLUMNS),
        request_communes=g.sink.table(communes, ("id", "request_id", "commune_id")),
        history=g.sink.table(DeskAssignment, HISTORY_COLUMNS),
        departmental_targets=departmental_targets,
        local_targets=local_targets,
        span_days=(g.today - g.first_month).days,
        per_year=defaultdict(int),
        routed=defaultdict(int),
    )


def _request(g: Generator, t: SimpleNamespace) -> None:
    rng = g.rng
    b = rng.choices(g.buyer_range, cum_weights=g.buyer_weights)[0]
    buyer = g.buyers[b]
    kind = weighted(rng, REQUEST_KINDS)[0]
    communes = _communes(g, buyer[1])
    decision = _route(g, t, buyer, kind, communes)
    t.routed[str(decision.rule)] += 1
    created = aware(g.first_month + timedelta(days=rng.randrange(t.span_days)), 9)
    created += timedelta(minutes=rng.randrange(600))
    t.per_year[created.year] += 1
    rid = t.r_ids()
    level = str(decision.target.level)
    target_structure = decision.target.id if level == "structure" else None
    target_coordination = None if level == "structure" else decision.target.id
    _add_request(g, t, rid, buyer, kind, created, decision)
    for commune in communes:
        t.request_communes.add(t.rc_ids(), rid, commune[0])
    t.history.add(
        t.ra_ids(), rid, level, target_coordination, target_structure, str(decision.rule),
        decision.reason, created,
    )  # fmt: skip


def _communes(g: Generator, dept_id: int) -> list[tuple]:
    """One or two communes of the buyer's département, sometimes one of another département
    of the region."""
    rng = g.rng
    region_id = g.departments[dept_id]["region_id"]
    communes = [g.commune(dept_id) for _ in range(1 if rng.random() < 0.7 else 2)]
    if rng.random() < 0.1:  # another département of the region
        others = [d for d, v in g.departments.items() if v["region_id"] == region_id]
        communes.append(g.commune(rng.choice(others)))
    return list(dict.fromkeys(communes))


def _route(g: Generator, t: SimpleNamespace, buyer: tuple, kind: str, communes: list) -> Any:
    from clauses.desk import rules as desk_rules
    from clauses.desk.selectors import coordination_target, green_desk_target

    buyer_id, dept_id, _name, _siret = buyer
    region_id = g.departments[dept_id]["region_id"]
    regional = g.regional.get(region_id)
    code_of = {c[1]: g.departments[g.dept_of(c[0], dept_id)]["code"] for c in communes}
    agreement = g.agreements.get(buyer_id)
    covering: frozenset = frozenset()
    locals_: frozenset = frozenset()
    if len(set(code_of.values())) == 1 and agreement is None and kind != "environmental":
        sets = [g.coverage(c[0]) for c in communes]
        covering = frozenset.intersection(*[x[0] for x in sets])
        locals_ = frozenset.intersection(*[x[1] for x in sets])
    facts = desk_rules.RoutingFacts(
        kind=desk_rules.RequestKind(kind),
        national=g.national,
        regional=coordination_target(regional) if regional else g.national,
        green_desk=green_desk_target(regional),
        departmental=t.departmental_targets.get(region_id, {}),
        communes=code_of,
        agreement_structure=g.structure_targets.get(agreement) if agreement else None,
        structures_covering_all=tuple(g.structure_targets[i] for i in sorted(covering)),
        local_covering_all=tuple(
            t.local_targets[i] for i in sorted(locals_) if i in t.local_targets
        ),
    )
    return desk_rules.route(facts)


def _add_request(
    g: Generator,
    t: SimpleNamespace,
    rid: int,
    buyer: tuple,
    kind: str,
    created: datetime,
    decision: Any,
) -> None:
    from clauses.desk import rules as desk_rules

    rng = g.rng
    buyer_id, _dept_id, name, siret = buyer
    due = desk_rules.add_working_days(created.date(), 3)
    old = created.date() < g.today - timedelta(days=30)
    responded = (
        created + timedelta(hours=rng.randint(2, 120)) if old or rng.random() < 0.5 else None
    )
    status = "closed" if old else ("assigned" if responded else "new")
    outcome = rng.choice(OUTCOMES) if old else ""
    level = str(decision.target.level)
    subject = "Travaux avec clause d'insertion" if kind != "environmental" else "Achat durable"
    t.requests.add(
        rid, f"GRCS-{created.year}-{t.per_year[created.year]:06d}", kind, status, outcome,
        buyer_id, name, siret, "Contact acheteur", f"achat-{buyer_id}@bench.clauses.invalid",
        subject, Decimal(rng.randrange(50, 5000) * 1000), "Demande générée pour les mesures.",
        rng.choice(["before_publication", "after_publication", "unknown"]), level,
        None if level == "structure" else decision.target.id,
        decision.target.id if level == "structure" else None, str(decision.rule),
        decision.reason, created, hashlib.sha256(f"{g.seed}:{rid}".encode()).hexdigest(), due,
        responded,
        desk_rules.working_days_between(created.date(), responded.date()) if responded else None,
        created, created + timedelta(days=rng.randint(5, 25)) if old else None,
    )  # fmt: skip
