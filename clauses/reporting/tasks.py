"""Background work of the reports (django-tasks): rebuilding the aggregates.

`refresh_aggregates` is enqueued after each batch of declarations (imports, forms,
controls: `services.declarations_changed`, with the batch's markets and months) and by a
scheduler (cron, systemd timer) every night without arguments — a full rebuild, which
`manage.py refresh_report_aggregates` also runs from the command line.
"""

from django_tasks import task

from clauses.reporting import aggregates, services


@task()
def refresh_aggregates(
    assignments: list[int] | None = None,
    months: list[str] | None = None,
    markets: list[int] | None = None,
) -> int:
    """Rebuild the aggregates of the reviews (all of them, or those of some markets — given,
    or found from some assignments — and the closed years of some months); returns the
    number of rows written."""
    if assignments is not None:
        markets = sorted(set(markets or []) | set(services.market_ids(assignments)))
    return aggregates.refresh(
        markets=markets,
        months=services.months_of(months) if months is not None else None,
    ).rows
