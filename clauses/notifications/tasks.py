"""Background work of notifications (django-tasks): the daily digest.

`send_notification_digests` is enqueued by a scheduler every morning — `manage.py
send_notification_digest` does the same from the command line.
"""

from django_tasks import task

from clauses.notifications import services


@task()
def send_notification_digests() -> int:
    """One email per person who chose the daily digest; returns the emails sent."""
    return services.send_digests()
