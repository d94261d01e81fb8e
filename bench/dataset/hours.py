"""Monthly hour declarations of an assignment: hours checked by `hours.rules.check_hours`
(the monthly ceiling: one person has one assignment at a time here) and counted by
`hours.rules.count_declaration`, memoised (see `count`)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bench.dataset.common import (
    AMOUNTS,
    BY_STATUS,
    CANONICAL_MONTHS,
    DAYS,
    HALF_HOURS,
    SUBCONTRACTING,
    aware,
    month_add,
    month_end,
)

if TYPE_CHECKING:
    from bench.dataset.generator import Generator
    from bench.dataset.sink import Ids, Table

DECLARATION_COLUMNS = (
    "id",
    "assignment_id",
    "month",
    "declared_hours",
    "declared_amount_ht",
    "is_training",
    "status",
    "rejection_reason",
    "declared_by_id",
    "declared_by_repr",
    "declared_at",
    "controlled_by_id",
    "controlled_at",
    "source",
    "batch_id",
    "base_hours",
    "counted_hours",
    "counting_rule",
    "counting_detail",
    "counted_at",
    "is_demo",
)


def count(
    g: Generator,
    *,
    month: date,
    last_day: date,
    modality: str,
    validated: bool,
    declared: Decimal | None,
    amount: Decimal | None,
    training: bool,
    start: date,
    end: date,
    window: tuple,
    by_status: bool,
) -> Any:
    """`hours.rules.count_declaration` on these facts, memoised: the rule only looks at the
    days of `month` (the assignment's days in it, and of them those in an eligibility
    window), so the facts are first clipped to the month and moved to a reference month of
    the same length; equal keys give equal results."""
    first = max(start, month).day
    last = min(end, last_day).day
    windows = tuple(
        (max(a, month).day, min(b, last_day).day) for a, b in window if a <= last_day and b >= month
    )
    key = (modality, validated, declared, amount, training, by_status, last_day.day,
           first, last, windows)  # fmt: skip
    result = g._count_memo.get(key)
    if result is None:
        result = _count(g, key)
        if len(g._count_memo) < 300_000:
            g._count_memo[key] = result
    return result


def _count(g: Generator, key: tuple) -> tuple:
    from clauses.hours import rules as hour_rules

    modality, validated, declared, amount, training, by_status, days, first, last, windows = key
    canonical = CANONICAL_MONTHS[days]
    facts = hour_rules.DeclarationFacts(
        month=canonical,
        modality=modality,
        validated=validated,
        declared_hours=declared,
        declared_amount_ht=amount,
        is_training=training,
        assignment_start=canonical.replace(day=first),
        assignment_end=canonical.replace(day=last),
        eligibility_windows=tuple(
            (canonical.replace(day=x), canonical.replace(day=y)) for x, y in windows
        ),
        eligible_by_status=by_status,
    )
    base, _ = hour_rules.base_hours(facts, g.counting_settings)
    return (hour_rules.count_declaration(facts, g.counting_settings), base)


def _status(roll: float, recent: bool) -> str:
    if recent:
        return "validated" if roll < 0.3 else "submitted"
    if roll < 0.94:
        return "validated"
    if roll < 0.97:
        return "rejected"
    if roll < 0.98:
        return "fix_requested"
    return "submitted"


def _detail(g: Generator, counted: Any, base: Decimal) -> str:
    """The counting detail as JSON (memoised: few distinct values)."""
    detail_key = (counted.steps, base)
    detail = g._details.get(detail_key)
    if detail is None:
        detail = json.dumps(
            {
                "steps": list(counted.steps),
                "explanation": counted.explanation,
                "base_hours": str(base),
                "labour_share": str(g.counting_settings.labour_share),
                "hourly_cost": str(g.counting_settings.hourly_cost),
            }
        )
        if len(g._details) < 200_000:
            g._details[detail_key] = detail
    return detail


def _month_info(g: Generator, month: date) -> tuple:
    """(last day, its end as an aware datetime, next month), memoised."""
    info = g._month_info.get(month)
    if info is None:
        last_day = month_end(month)
        info = (last_day, aware(last_day), month_add(month, 1))
        g._month_info[month] = info
    return info


def declare(
    g: Generator,
    table: Table,
    ids: Ids,
    aid: int,
    modality: str,
    start: date,
    end: date,
    weekly: Decimal,
    window: tuple,
    company: str,
    controller: int,
) -> None:
    """One declaration per month of the assignment, up to the last whole month."""
    from clauses.hours import rules as hour_rules

    if not hasattr(g, "counting_settings"):
        g.counting_settings = hour_rules.Settings()
        g._details = {}
        g._month_info = {}
    month = date(start.year, start.month, 1)
    last = min(date(end.year, end.month, 1), g.last_month)
    assignment = (aid, modality, start, end, float(weekly) * 4.33, window, company, controller)
    recent = month_add(g.last_month, -1)
    while month <= last:
        _declare_month(g, table, ids, assignment, month, month >= recent)
        month = _month_info(g, month)[2]


def _declare_month(
    g: Generator, table: Table, ids: Ids, assignment: tuple, month: date, recent: bool
) -> None:
    from clauses.hours import rules as hour_rules

    aid, modality, start, end, weekly_month, window, company, controller = assignment
    random_ = g.rng.random
    last_day, last_day_time, _next = _month_info(g, month)
    days = (min(last_day, end) - max(month, start)).days + 1
    fraction = days / last_day.day
    steps = max(1, int(weekly_month * fraction * (0.3 + 0.65 * random_()) * 2 + 0.5))
    hours = HALF_HOURS[steps]
    hour_rules.check_hours(hours)  # the monthly ceiling: one assignment at a time
    if modality in SUBCONTRACTING:
        amount, declared = AMOUNTS[steps], None
    else:
        amount, declared = None, hours
    training = modality == "training" or random_() < 0.03  # noqa: S311
    roll = random_()
    status = _status(roll, recent)
    counted, base = count(
        g, month=month, last_day=last_day, modality=modality, validated=status == "validated",
        declared=declared, amount=amount, training=training, start=start, end=end,
        window=window, by_status=modality in BY_STATUS,
    )  # fmt: skip
    declared_at = last_day_time + DAYS[1 + int(random_() * 12)]
    controlled = status != "submitted"
    table.add(
        ids(), aid, month, declared, amount, training, status,
        "Heures non justifiées." if status == "rejected" else "", None, company, declared_at,
        controller if controlled else None,
        declared_at + DAYS[1 + int(random_() * 20)] if controlled else None,
        "spreadsheet" if roll < 0.5 else ("form" if roll < 0.9 else "api"), None, base,
        counted.hours, counted.rule, _detail(g, counted, base), declared_at, False,
    )  # fmt: skip
    g.hours_declared += base
    g.hours_counted += counted.hours
