"""Helpers of the desk's page tests: log a member in, second factor done."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from clauses.accounts.models import Membership
from tests.accounts.factories import MembershipFactory
from tests.desk.conftest import _organisation_for


def login(client: Client, membership: Membership) -> Membership:
    """Log the member in with this membership chosen, two-factor authentication done."""
    user = membership.user
    client.force_login(user)
    device = StaticDevice.objects.create(user=user, name="Codes de test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["clauses_membership_id"] = membership.pk
    session.save()
    return membership


def member_of(obj: object, **kwargs: object) -> Membership:
    """A membership in the organisation of a structure or a coordination."""
    return MembershipFactory(organisation=_organisation_for(obj), **kwargs)


def login_member_of(client: Client, obj: object, **kwargs: object) -> Membership:
    return login(client, member_of(obj, **kwargs))
