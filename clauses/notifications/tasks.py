"""Background work of notifications (django-tasks): the daily digest and the eligibilities
about to expire.

`send_notification_digests` and `notify_expiring_eligibilities` are enqueued by a scheduler
every morning — `manage.py send_notification_digest` and `manage.py
notify_expiring_eligibilities` do the same from the command line.
"""

from django_tasks import task

from clauses.notifications import expiring, services


@task()
def send_notification_digests() -> int:
    """One email per person who chose the daily digest; returns the emails sent."""
    return services.send_digests()


@task()
def notify_expiring_eligibilities() -> int:
    """Each eligibility ending within 30 days announced once; returns how many."""
    return expiring.notify_expiring()
