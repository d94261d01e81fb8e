"""#11.5: every way in — site login, admin login, second factor, password reset — goes
through the same throttle (the login journal: 5 failures per address, 20 per IP in 15 min)
and writes the same journal. Each test failed before: /admin/login/ had its own form with
no throttle nor journal, a wrong second-factor code could be retried by logging in again,
and password reset sent one email per request."""

import pytest
from django.core import mail
from django.urls import reverse

from clauses.accounts import services
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.models import LoginEvent
from tests.accounts.factories import PASSWORD, MembershipFactory, UserFactory
from tests.accounts.test_two_factor import VERIFY, enrol, facilitator_membership

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/?next=/admin/"
RESET = reverse("accounts:password_reset")
WRONG = "mauvais-mot-de-passe"


def admin_attempt(client, email, password=WRONG):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password})


class TestAdminLogin:
    def test_failures_are_journalled_and_throttled_like_the_site_login(self, client):
        UserFactory(email="admin@gip.fr", is_staff=True, is_superuser=True)
        for _ in range(5):
            admin_attempt(client, "admin@gip.fr")
        failures = LoginEvent.objects.filter(reason=LoginEventReason.BAD_CREDENTIALS)
        assert failures.count() == 5
        assert failures.first().details == {"door": "admin"}
        response = admin_attempt(client, "admin@gip.fr", PASSWORD)
        assert "Trop de tentatives de connexion ont échoué" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_site_lock_also_closes_the_admin_door(self, client):
        UserFactory(email="admin@gip.fr", is_staff=True, is_superuser=True)
        for _ in range(5):
            client.post(reverse("accounts:login"), {"username": "admin@gip.fr", "password": WRONG})
        admin_attempt(client, "admin@gip.fr", PASSWORD)
        assert "_auth_user_id" not in client.session

    def test_success_is_journalled_and_opens_the_admin(self, client):
        user = UserFactory(email="admin@gip.fr", is_staff=True, is_superuser=True)
        response = admin_attempt(client, "admin@gip.fr", PASSWORD)
        assert response.status_code == 302 and response.url == "/admin/"
        event = LoginEvent.objects.get(reason=LoginEventReason.SUCCESS)
        assert event.actor_user == user and event.details == {"door": "admin"}

    def test_the_admin_login_page_is_the_site_form(self, client):
        response = client.get("/admin/login/")
        assert response.status_code == 302 and response.url.endswith("?next=/admin/")
        page = client.get(ADMIN_LOGIN).content.decode()
        assert "Adresse électronique" in page and 'value="/admin/"' in page
        assert 'action="/admin/login/"' in page  # posted back through the admin door

    def test_a_logged_in_account_without_admin_access_gets_a_403_not_a_loop(self, client):
        client.force_login(MembershipFactory().user)
        assert client.get(ADMIN_LOGIN).status_code == 403


class TestSecondFactor:
    def test_wrong_codes_lock_the_step_even_after_a_new_login(self, client):
        user = facilitator_membership().user
        _device, codes = enrol(client, user)
        client.logout()
        for _ in range(3):  # logging in again does not give a fresh series of guesses
            client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
            client.post(VERIFY, {"token": "123456"})
            client.post(VERIFY, {"token": "654321"})
        response = client.post(VERIFY, {"token": codes[0]})  # even a good code
        assert "Trop de codes incorrects" in response.content.decode()
        assert LoginEvent.objects.filter(reason=LoginEventReason.THROTTLED).exists()
        assert not LoginEvent.objects.filter(reason=LoginEventReason.RECOVERY_CODE_USED).exists()


class TestPasswordReset:
    def test_emails_are_limited_per_address(self, client):
        UserFactory(email="oubli@ville.fr")
        for _ in range(services.PASSWORD_RESET_MAX_PER_EMAIL + 2):
            response = client.post(RESET, {"email": "oubli@ville.fr"})
            assert response.status_code == 302  # the same answer every time
            assert response.url == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == services.PASSWORD_RESET_MAX_PER_EMAIL
        journal = LoginEvent.objects.filter(email="oubli@ville.fr")
        assert journal.filter(reason=LoginEventReason.PASSWORD_RESET).count() == 3
        assert journal.filter(reason=LoginEventReason.THROTTLED).count() == 2
        assert journal.first().details == {"door": "password_reset"}

    def test_emails_are_limited_per_ip(self, client):
        for n in range(services.PASSWORD_RESET_MAX_PER_IP + 3):
            UserFactory(email=f"agent{n}@ville.fr")
            client.post(RESET, {"email": f"agent{n}@ville.fr"})
        assert len(mail.outbox) == services.PASSWORD_RESET_MAX_PER_IP

    def test_unknown_and_known_addresses_get_the_same_answer(self, client):
        UserFactory(email="connu@ville.fr")
        known = client.post(RESET, {"email": "connu@ville.fr"})
        unknown = client.post(RESET, {"email": "inconnu@ville.fr"})
        assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
        assert len(mail.outbox) == 1
        assert LoginEvent.objects.filter(reason=LoginEventReason.PASSWORD_RESET).count() == 2


@pytest.mark.django_db
def test_a_burst_of_reset_requests_cannot_pass_the_limit():
    """All read the same journal count at once; the atomic slot in the shared cache lets
    exactly the allowance through."""
    import threading

    from django.db import connections

    from clauses.accounts import services

    allowed: list[bool] = []

    def ask() -> None:
        allowed.append(services.password_reset_allowed(email="rafale@example.fr", ip=None))
        connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == services.PASSWORD_RESET_MAX_PER_EMAIL
