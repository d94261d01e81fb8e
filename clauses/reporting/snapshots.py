"""Reviews of closed periods, computed once and kept (#15).

A closed period (ended before the current month) read once the aggregates exist is
« arrêtée » at the last rebuild: its figures are collected the first time (hours from the
aggregates, the rest in the database) and stored as a `ReviewSnapshot`; every later read
of the same scope, period and visibility decodes them — one small query, none over the
declarations, assignments or markets. A rebuild of the aggregates (after imports,
controls and nightly) makes the older snapshots stale: they are deleted by the rebuild and
the next read computes them again.

The key: a digest of the report's kind, the scope's key and label, the period, and the SQL
of the scope's markets and requests exactly as the reader's policies built them
(parameters included). Two readers share a snapshot only when their policies select the
same rows; a reader with a narrower visibility gets its own.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from clauses.reporting import figures as figures_module
from clauses.reporting.models import ReviewSnapshot
from clauses.reporting.periods import Period


def _sql(queryset: QuerySet) -> str:
    try:
        return str(queryset.order_by().query)
    except EmptyResultSet:  # .none(): no rows to count
        return "∅"


def same_rows(one: QuerySet, other: QuerySet) -> bool:
    """Both querysets are the same SQL with the same parameters (so the same rows)."""
    return _sql(one) == _sql(other)


def key_for(kind: str, scope, period: Period, extra: str = "") -> str:  # noqa: ANN001
    parts = [
        kind,
        scope.kind,
        scope.key,
        scope.label,
        period.start.isoformat(),
        period.end.isoformat(),
        _sql(scope.markets),
        _sql(scope.requests),
        ",".join(scope.department_codes),
        ",".join(map(str, scope.structure_ids or [])),
        extra,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def kept(
    kind: str,
    scope,  # noqa: ANN001
    period: Period,
    refreshed_at: datetime,
    compute: Callable[[], dict],
    *,
    extra: str = "",
) -> dict:
    """The figures of this report as of the rebuild `refreshed_at`: read if kept, else
    computed by `compute()` and kept."""
    key = key_for(kind, scope, period, extra)
    stored = (
        ReviewSnapshot.objects.filter(key=key, refreshed_at=refreshed_at)
        .values_list("figures", flat=True)
        .first()
    )
    if stored is not None:
        return figures_module.decode(stored)
    started = time.monotonic()
    figures = compute()
    values = {
        "kind": kind,
        "scope_key": scope.key[:40],
        "start": period.start,
        "end": period.end,
        "refreshed_at": refreshed_at,
        "computed_at": timezone.now(),
        "duration_ms": int((time.monotonic() - started) * 1000),
        "figures": figures_module.encode(figures),
    }
    try:
        with transaction.atomic():
            ReviewSnapshot.objects.update_or_create(key=key, defaults=values)
    except IntegrityError:  # another reader kept it at the same moment: theirs stands
        pass
    return figures


def prune(before: datetime) -> int:
    """Delete the snapshots of rebuilds older than `before` (they are no longer read)."""
    deleted, _ = ReviewSnapshot.objects.filter(refreshed_at__lt=before).delete()
    return deleted
