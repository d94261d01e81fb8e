from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from clauses.accounts.models import Membership


def login(client: Client, membership: Membership | None) -> None:
    """Log the member in, second factor done, with this membership chosen in the switcher.
    None: stay anonymous."""
    if membership is None:
        return
    user = membership.user
    client.force_login(user)
    device = StaticDevice.objects.create(user=user, name="Codes de test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["clauses_membership_id"] = membership.pk
    session.save()
