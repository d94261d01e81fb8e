import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_verified(client, user):
    """Log in and pass the second factor (as after a TOTP code)."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """Emails are sent on commit; a test never commits, so run those callbacks at once."""
    monkeypatch.setattr(
        "clauses.accounts.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )
