"""The demo (#12 « Done when »): every demo account has a notification waiting, the demo
facilitator an « éligibilité à décider » (a person working with no eligibility in force),
and seeding emails nobody."""

from io import StringIO

import pytest
from django.core.management import call_command

from clauses.accounts.demo import DEMO_ACCOUNTS
from clauses.notifications import demo
from clauses.notifications.enums import NotificationKind
from clauses.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_every_demo_account_has_a_notification_waiting(settings, mailoutbox):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    for account in DEMO_ACCOUNTS:
        assert Notification.objects.filter(
            recipient__email=account.email, read_at__isnull=True
        ).exists(), account.key
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    notified = [m for m in mailoutbox if m.subject.startswith("[Clauses]")]
    assert notified == []
    facilitator = next(a for a in DEMO_ACCOUNTS if a.key == "facilitator")
    to_decide = Notification.objects.filter(kind=NotificationKind.ELIGIBILITY_TO_DECIDE)
    assert to_decide.filter(recipient__email=facilitator.email).exists()
    before = to_decide.count()
    demo.seed(stdout=StringIO())  # idempotent
    assert to_decide.count() == before
