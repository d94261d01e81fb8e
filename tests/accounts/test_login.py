from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from clauses.accounts import services
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.models import LoginEvent
from tests.accounts.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


WRONG = "mauvais-mot-de-passe"


def attempt(client, email, password=WRONG):
    return client.post(LOGIN, {"username": email, "password": password})


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "Adresse électronique" in response.content.decode()


def test_successful_login_is_logged(client):
    user = UserFactory(email="agent@ville.fr")
    MembershipFactory(user=user)
    response = attempt(client, "Agent@Ville.fr", PASSWORD)
    assert response.status_code == 302
    event = LoginEvent.objects.get()
    assert (event.actor_user, event.success, event.reason) == (user, True, LoginEventReason.SUCCESS)
    assert event.ip == "127.0.0.1"


def test_failed_login_is_logged_with_french_error(client):
    UserFactory(email="agent@ville.fr")
    response = attempt(client, "agent@ville.fr")
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    event = LoginEvent.objects.get()
    assert (event.email, event.success, event.reason) == (
        "agent@ville.fr",
        False,
        LoginEventReason.BAD_CREDENTIALS,
    )
    attempt(client, "inconnu@ville.fr")
    assert LoginEvent.objects.filter(email="inconnu@ville.fr", success=False).exists()


class TestThrottling:
    def test_sixth_attempt_is_locked_even_with_the_right_password(self, client):
        UserFactory(email="agent@ville.fr")
        for _ in range(5):
            attempt(client, "agent@ville.fr")
        response = attempt(client, "agent@ville.fr", PASSWORD)
        assert "Trop de tentatives de connexion ont échoué" in response.content.decode()
        assert "_auth_user_id" not in client.session
        assert LoginEvent.objects.filter(reason=LoginEventReason.THROTTLED).count() == 1

    def test_other_email_is_not_affected(self, client):
        UserFactory(email="agent@ville.fr")
        other = UserFactory(email="autre@ville.fr")
        MembershipFactory(user=other)
        for _ in range(5):
            attempt(client, "agent@ville.fr")
        response = attempt(client, "autre@ville.fr", PASSWORD)
        assert response.status_code == 302

    def test_lock_expires(self, client):
        user = UserFactory(email="agent@ville.fr")
        MembershipFactory(user=user)
        start = timezone.now()
        with mock.patch("django.utils.timezone.now", return_value=start):
            for _ in range(5):
                attempt(client, "agent@ville.fr")
            assert services.login_locked_until(email="agent@ville.fr", ip=None)
        later = start + timedelta(minutes=15, seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            assert services.login_locked_until(email="agent@ville.fr", ip=None) is None
            response = attempt(client, "agent@ville.fr", PASSWORD)
        assert response.status_code == 302

    def test_per_ip_limit(self, client, settings):
        settings.CLAUSES_LOGIN_MAX_FAILURES_PER_IP = 3
        for n in range(3):
            attempt(client, f"personne{n}@ville.fr")
        response = attempt(client, "nouvelle@ville.fr")
        assert "Trop de tentatives" in response.content.decode()


class TestDeactivation:
    def test_deactivated_user_cannot_log_in_and_history_is_kept(self, client):
        membership = MembershipFactory()
        user = membership.user
        services.deactivate_user(user=user, by=user)
        membership.refresh_from_db()
        user.refresh_from_db()
        assert not user.is_active and user.deactivated_at
        assert not membership.is_active and membership.ended_at and membership.ended_by == user
        response = attempt(client, user.email, PASSWORD)
        assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
        assert LoginEvent.objects.get().reason == LoginEventReason.INACTIVE

    def test_user_deactivates_own_account(self, client):
        membership = MembershipFactory()
        client.force_login(membership.user)
        response = client.post(reverse("accounts:deactivate"), {"confirm": "on"})
        assert response.status_code == 302
        membership.user.refresh_from_db()
        assert not membership.user.is_active
        assert "_auth_user_id" not in client.session
