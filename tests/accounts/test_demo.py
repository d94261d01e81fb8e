import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts import demo
from clauses.accounts.enums import Role
from clauses.accounts.models import Membership, User
from clauses.network import demo as network_demo

pytestmark = pytest.mark.django_db


def test_refused_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="qu'en mode démonstration"):
        demo.seed(stdout=io.StringIO())
    assert not User.objects.filter(email__endswith="@demo.clauses.example").exists()


def test_seed_creates_one_account_per_role_with_2fa(settings):
    settings.DEMO_MODE = True
    network_demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())  # idempotent
    roles = set(
        Membership.objects.active()
        .filter(user__email__endswith="@demo.clauses.example")
        .values_list("role", flat=True)
    )
    assert roles == {
        Role.BUYER_AGENT,
        Role.COMPANY_CONTACT,
        Role.FACILITATOR,
        Role.COORDINATOR,
        Role.PARTNER,
    }
    admin = User.objects.get(email="admin@demo.clauses.example")
    assert admin.is_superuser and admin.is_staff
    for account in demo.DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(demo.DEMO_PASSWORD)
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert has_device is account.needs_2fa
    facilitator = Membership.objects.get(user__email="facilitateur@demo.clauses.example")
    assert facilitator.facilitator.structure == facilitator.organisation.structure
    assert facilitator.organisation.structure.is_demo
    device = TOTPDevice.objects.get(user=facilitator.user)
    assert f"{totp(device.bin_key):06d}" == demo.current_demo_code()
    assert StaticToken.objects.filter(device__user=facilitator.user).count() == 10
    departmental = Membership.objects.get(user__email="coordination93@demo.clauses.example")
    assert departmental.organisation.coordination.department.code == "93"

    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    printed = out.getvalue()
    assert "acheteur@demo.clauses.example" in printed
    assert demo.DEMO_TOTP_SECRET in printed and "Jeton d'API" in printed
