"""The history admin is read only and its lists open for a superuser."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts.models import User
from tests.history.engine_support import fw as fw  # noqa: F401
from tests.history.engine_support import hw as hw  # noqa: F401
from tests.history.engine_support import row
from tests.history.engine_support import world as world  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser(email="admin@demo.clauses.example", password="x")
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.mark.parametrize("model", ["mappingprofile", "historyupload", "historyimport"])
def test_lists_open_and_nothing_is_added_there(hw, admin_client, model):
    record = hw.run([row()])
    assert admin_client.get(reverse(f"admin:history_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:history_{model}_add")).status_code == 403
    if model == "historyimport":
        change = reverse("admin:history_historyimport_change", args=[record.pk])
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {}).status_code == 403
