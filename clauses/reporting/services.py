"""Writes of the reports: keeping the aggregates true after the hours change (#15)."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from clauses.followup.models import Assignment
from clauses.hours.models import HourDeclaration

CHUNK = 500


def _market_ids(assignment_ids: list[int]) -> set[int]:
    markets: set[int] = set()
    for i in range(0, len(assignment_ids), CHUNK):
        chunk = assignment_ids[i : i + CHUNK]
        markets |= set(
            Assignment.objects.filter(pk__in=chunk).values_list("lot__market_id", flat=True)
        )
    return markets


def declarations_changed(*, declarations: Iterable[HourDeclaration]) -> None:
    """A batch of declarations was written (an import, a form, a control): once the
    transaction commits, rebuild the aggregates of their markets and, for the closed years
    among their months, the per territory × year figures — in the background
    (`tasks.refresh_aggregates`, django-tasks). One task per batch, whatever its size; no
    query here (the task finds the markets). The nightly full rebuild repairs anything
    missed."""
    declarations = list(declarations)
    if not declarations:
        return
    assignments = sorted({d.assignment_id for d in declarations})
    months = sorted({d.month.isoformat() for d in declarations})

    def enqueue() -> None:
        from clauses.reporting import tasks  # the task module imports the aggregates

        tasks.refresh_aggregates.enqueue(assignments=assignments, months=months)

    transaction.on_commit(enqueue)


def markets_changed(*, markets: Iterable[int], months: Iterable[date]) -> None:
    """`declarations_changed` when the batch's markets and months are known (the hours'
    signal summary): no query, one task once the transaction commits."""
    market_list = sorted(set(markets))
    month_list = sorted({m.isoformat() for m in months})
    if not market_list:
        return

    def enqueue() -> None:
        from clauses.reporting import tasks  # the task module imports the aggregates

        tasks.refresh_aggregates.enqueue(markets=market_list, months=month_list)

    transaction.on_commit(enqueue)


def market_ids(assignment_ids: list[int]) -> list[int]:
    """The markets of these assignments (one query per 500), for the task."""
    return sorted(_market_ids(sorted(set(assignment_ids))))


def months_of(values: Iterable[str]) -> list[date]:
    return [date.fromisoformat(value) for value in values]
