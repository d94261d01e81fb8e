"""Background work of the follow-up (django-tasks): the anonymisation round.

`anonymise_expired_participants` is enqueued by a scheduler (cron, systemd timer) every
night — `manage.py anonymise_participants --wet-run` does the same from the command line.
"""

from django_tasks import task

from clauses.followup import services


@task()
def anonymise_expired_participants() -> list[int]:
    """Anonymise every participant past the retention delay; returns their ids."""
    return services.anonymise_participants(wet_run=True)
