"""Background work of the desk (django-tasks): the escalation round.

`escalate_overdue_requests` is enqueued by a scheduler (cron, systemd timer) every working
morning — `manage.py escalate_desk_requests --wet-run` does the same from the command line.
"""

from django_tasks import task

from clauses.desk import services


@task()
def escalate_overdue_requests() -> list[str]:
    """Escalate every untaken request past its delay; returns the references escalated."""
    return [escalation.reference for escalation in services.escalate_overdue()]
