"""Background work of the follow-up (django-tasks): the anonymisation round.

`anonymise_expired_participants` is enqueued by a scheduler (cron, systemd timer) every
night — `manage.py anonymise_participants --wet-run` does the same from the command line.
"""

from django_tasks import task

from clauses.followup import services


@task()
def anonymise_expired_participants() -> list[int]:
    """Anonymise every participant past the retention delay, and the candidates never
    hired past the same delay; returns the participants' ids."""
    ids = services.anonymise_participants(wet_run=True)
    services.anonymise_candidates(wet_run=True)
    return ids
