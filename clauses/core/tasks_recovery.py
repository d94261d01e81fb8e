"""Tasks interrupted by a killed worker are run again, once (#11, faults survived).

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL/FAILED when it
ends. A worker killed in between (SIGKILL, a machine lost) leaves the task RUNNING for ever:
nobody would run it again. Each worker of Clauses runs under a stable identity
(`manage.py task_worker --worker-id web1-a`): when it starts, the tasks still RUNNING under
its own identity were necessarily interrupted (one process per identity), so they go back to
READY and run again. Tasks whose worker never comes back are requeued after
`--stale-after` minutes by any worker.

Running a task again is safe because the project's tasks are idempotent by construction —
each one re-reads the state it changes: the escalation re-checks each request under a lock
(an escalated request is not overdue any more), the anonymisation skips who is anonymised
already, the DECP import is keyed by the contract's identifier.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def requeue_interrupted(*, worker_id: str, now: datetime, stale_after: timedelta | None) -> int:
    """Put back to READY the RUNNING tasks this worker identity left (and, with
    `stale_after`, any task RUNNING for longer than that). Returns how many."""
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        for result in running:
            own = bool(result.worker_ids) and result.worker_ids[-1] == worker_id
            stale = (
                stale_after is not None
                and result.started_at is not None
                and result.started_at < now - stale_after
            )
            if own or stale:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
    return requeued
