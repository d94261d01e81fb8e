"""The reports equal, figure for figure, a slow reference computed here in plain Python
loops over the same rows (the generated dataset of conftest.py)."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest

from clauses.followup.models import Assignment, EligibilityValidation, Outcome
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Market, SocialConsideration
from clauses.reporting import masking, periods, policies, queries, reports
from tests.reporting.conftest import Dataset

pytestmark = pytest.mark.django_db
PERIODS = [periods.year(2025), periods.Period(date(2025, 3, 15), date(2025, 8, 15))]


def _reference(market_ids: set[int], period: periods.Period) -> dict:
    ref: dict = defaultdict(Decimal)
    for d in HourDeclaration.objects.select_related("assignment__lot"):
        if d.assignment.lot.market_id not in market_ids:
            continue
        in_period = period.start <= d.month <= period.end
        if d.month <= period.end and d.status == "validated":
            ref["cumulative"] += d.counted_hours
        if not in_period:
            continue
        if d.status in ("submitted", "validated", "fix_requested"):
            ref["declared"] += d.base_hours
        if d.status == "validated":
            ref["validated"] += d.base_hours
            ref["counted"] += d.counted_hours
            ref[("month", d.month)] += d.counted_hours
    target = 0
    for clause in SocialConsideration.objects.select_related("lot"):
        if clause.lot.market_id in market_ids and clause.kind in (
            "execution_condition",
            "insertion_market",
        ):
            target += clause.hours_target or 0
    ref["target"] = target
    people = {}
    modalities, contracts = Counter(), Counter()
    for a in Assignment.objects.select_related("lot", "participant"):
        if a.lot.market_id not in market_ids:
            continue
        if a.start_date > period.end or (a.end_date is not None and a.end_date < period.start):
            continue
        people[a.participant_id] = a.participant
        modalities[a.modality] += 1
        contracts[a.contract_type] += 1
    ref["participants"] = len(people)
    gender, ages, qpv = Counter(), Counter(), 0
    for p in people.values():
        gender[p.gender] += 1
        if p.birth_year is None:
            ages["unknown"] += 1
        else:
            age = period.end.year - p.birth_year
            ages["lt_26" if age < 26 else "gte_50" if age >= 50 else "26_49"] += 1
        qpv += p.qpv_resident is True
    ref["gender"], ref["ages"], ref["qpv"] = gender, ages, qpv
    ref["modalities"], ref["contracts"] = modalities, contracts
    criteria: dict[str, set] = defaultdict(set)
    for v in EligibilityValidation.objects.prefetch_related("criteria"):
        if v.participant_id in people and v.withdrawn_at is None:
            for c in v.criteria.all():
                criteria[c.code].add(v.participant_id)
    ref["criteria"] = {code: len(ids) for code, ids in criteria.items()}
    outcomes = Counter()
    for o in Outcome.objects.select_related("assignment__lot"):
        local = o.recorded_at.astimezone(period.start_datetime.tzinfo).date()
        if o.assignment.lot.market_id in market_ids and period.contains(local):
            outcomes[o.category] += 1
    ref["outcomes"] = outcomes
    kinds, bands = Counter(), Counter()
    for m in Market.objects.prefetch_related("lots__considerations"):
        if m.pk not in market_ids or m.start_date is None:
            continue
        if m.start_date > period.end or (m.end_date and m.end_date < period.start):
            continue
        if not any(lot.considerations.all() for lot in m.lots.all()):
            continue
        kinds[m.kind] += 1
        amount = m.awarded_amount_ht or m.estimated_amount_ht
        for key, _label, low, high in queries.AMOUNT_BANDS:
            if (low is None or amount >= low) and (high is None or amount < high):
                bands[key] += 1
    ref["kinds"], ref["bands"] = kinds, bands
    return ref


def _cells(table: reports.Table) -> dict[str, int]:
    return {row.key: row.value.value for row in table.rows}


@pytest.mark.parametrize("period", PERIODS, ids=["year", "straddling"])
def test_buyer_review_equals_the_reference(dataset: Dataset, period: periods.Period):
    buyer = dataset.buyers[1]
    scope = policies.buyer_scope(dataset.world.admin, buyer.pk)
    ids = {m.pk for m in dataset.markets if m.buyer_id == buyer.pk}
    ref = _reference(ids, period)
    report = reports.review(scope, period, today=date(2026, 6, 15))
    h = report.summary.hours
    assert h.target == ref["target"]
    assert h.declared == ref["declared"]
    assert h.validated == ref["validated"]
    assert h.counted == ref["counted"]
    assert h.cumulative_counted == ref["cumulative"]
    assert h.fte == (ref["counted"] / 1600).quantize(Decimal("0.01"))
    assert report.summary.participants.value == ref["participants"]
    assert _cells(report.table("genre")) == {
        g: ref["gender"][g] for g in ("female", "male", "unspecified")
    }
    assert _cells(report.table("age")) == {
        k: ref["ages"][k] for k in ("lt_26", "26_49", "gte_50", "unknown")
    }
    assert _cells(report.table("qpv"))["qpv"] == ref["qpv"]
    assert _cells(report.table("eligibilite")) == ref["criteria"]
    modalities = _cells(report.table("modalites"))
    assert {k: v for k, v in modalities.items() if v} == dict(ref["modalities"])
    contracts = _cells(report.table("contrats"))
    assert {k: v for k, v in contracts.items() if v} == dict(ref["contracts"])
    outcomes = _cells(report.table("sorties"))
    assert {k: v for k, v in outcomes.items() if v} == dict(ref["outcomes"])
    by_month = {row.key: row.value for row in report.table("heures_mois").rows}
    for month in period.months():
        assert by_month[month.isoformat()] == ref[("month", month)]
    kinds = {row.key: row.value for row in report.table("marches_type").rows if row.value}
    assert kinds == dict(ref["kinds"])
    bands = {row.key: row.value for row in report.table("marches_montant").rows if row.value}
    assert bands == dict(ref["bands"])


def test_masked_cells_follow_the_rule(dataset: Dataset):
    scope = policies.buyer_scope(dataset.world.admin, dataset.buyers[0].pk)
    market = dataset.markets[0]
    report = reports.clause_report(scope, periods.year(2025), market=market)
    people = [t for t in report.tables if t.key != "heures_non_comptees"]  # hours: no mask
    for table in people:
        for row in table.rows:
            cell = row.value
            if 0 < cell.value < masking.threshold():
                assert cell.masked and row.text == "< 5"
        if table.total is not None and not table.total.value.masked:
            assert sum(row.value.masked for row in table.rows) != 1
