import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts import services
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.models import LoginEvent
from tests.accounts.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:otp_enrol")
VERIFY = reverse("accounts:otp_verify")
ACCOUNT = reverse("accounts:account")


def facilitator_membership():
    return MembershipFactory(organisation=OrganisationFactory(as_structure=True))


def current_code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(client, user):
    client.force_login(user)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page  # the QR code is inline markup
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert services.totp_secret(device) in page  # the secret is shown as text
    response = client.post(ENROL, {"token": current_code(device)})
    assert response.status_code == 302
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", codes_page)
    assert len(codes) == 10
    return device, codes


def test_buyer_is_not_required():
    membership = MembershipFactory()
    assert services.user_needs_2fa(membership.user) is False


def test_required_role_is_blocked_until_enrolled(client):
    user = facilitator_membership().user
    assert services.user_needs_2fa(user)
    client.force_login(user)
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response.url.startswith(ENROL)
    # Enrolment and logout stay open.
    assert client.get(ENROL).status_code == 200


def test_buyer_opens_pages_without_2fa(client):
    client.force_login(MembershipFactory().user)
    assert client.get(ACCOUNT).status_code == 200


def test_enrolment_then_codes_shown_once(client):
    user = facilitator_membership().user
    device, codes = enrol(client, user)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ACCOUNT).status_code == 200
    # Shown once: the page is gone afterwards.
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_wrong_code_at_enrolment(client):
    user = facilitator_membership().user
    client.force_login(user)
    client.get(ENROL)
    response = client.post(ENROL, {"token": "000000"})
    assert "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_login_asks_for_code_then_opens(client):
    user = facilitator_membership().user
    device, codes = enrol(client, user)
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    response = client.get(ACCOUNT)
    assert response.url.startswith(VERIFY)
    response = client.post(VERIFY, {"token": "123456"})
    assert "Code incorrect ou expiré" in response.content.decode()
    assert LoginEvent.objects.filter(reason=LoginEventReason.OTP_FAILED).count() == 1
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()
    response = client.post(VERIFY, {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get(ACCOUNT).status_code == 200


def test_recovery_code_works_once(client):
    user = facilitator_membership().user
    _device, codes = enrol(client, user)
    client.logout()
    for expected_ok in (True, False):
        client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
        response = client.post(VERIFY, {"token": codes[0]})
        if expected_ok:
            assert response.status_code == 302
            assert client.get(ACCOUNT).status_code == 200
            assert LoginEvent.objects.filter(reason=LoginEventReason.RECOVERY_CODE_USED).exists()
            client.logout()
        else:
            assert "Code incorrect ou expiré" in response.content.decode()


def test_regenerate_recovery_codes(client):
    user = facilitator_membership().user
    _device, codes = enrol(client, user)
    response = client.post(reverse("accounts:recovery_codes_regenerate"))
    new_codes = re.findall(r"<code>([a-z2-7]{8})</code>", client.get(response.url).content.decode())
    assert len(new_codes) == 10 and set(new_codes) != set(codes)
    assert not StaticToken.objects.filter(token=codes[0]).exists()
