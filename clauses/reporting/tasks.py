"""Background work of the reports (django-tasks): rebuilding the aggregates.

`refresh_aggregates` is enqueued after imports and controls, and by a scheduler (cron,
systemd timer) every night — `manage.py refresh_report_aggregates` does the same from the
command line.
"""

from django_tasks import task

from clauses.reporting import aggregates


@task()
def refresh_aggregates() -> int:
    """Rebuild the hours aggregates of the reviews; returns the number of rows."""
    return aggregates.refresh().rows
