from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError

from clauses.access.api_auth import MESSAGE_INVALID, MESSAGE_MISSING, TokenAuth
from clauses.access.enums import AuditAction, TokenScope
from clauses.access.models import ApiToken
from clauses.accounts.enums import LoginEventReason, Role
from clauses.accounts.models import AuditEvent, LoginEvent
from clauses.core.tokens import hash_token
from tests.access.conftest import World
from tests.access.factories import make_api_token
from tests.access.helpers import login


def _bearer(raw: str) -> dict:
    return {"authorization": f"Bearer {raw}"}


# -- creation on the page: shown once, stored hashed -----------------------------------


def test_create_shows_the_token_once_and_stores_only_its_hash(world: World, client):
    admin = world.memberships["buyer_org_admin"]
    login(client, admin)
    response = client.post(
        reverse("access:token_create"),
        {"name": "Profil acheteur", "role": Role.BUYER_AGENT, "scope": TokenScope.READ},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_token"]
    assert raw.startswith("clauses_") and len(raw) > 40
    assert "il ne sera plus jamais affiché" in response.content.decode()
    token = ApiToken.objects.get(name="Profil acheteur")
    assert token.token_hash == hash_token(raw)
    assert token.prefix == raw[len("clauses_") :][:8]
    assert token.organisation == admin.organisation
    assert token.created_by == admin.user
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # The list page never shows it again, only its prefix.
    listing = client.get(reverse("access:tokens")).content.decode()
    assert raw not in listing and token.prefix in listing
    # Audited.
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(token.pk))
    assert event.actor_user == admin.user
    assert event.organisation == admin.organisation
    assert event.territory == "93"


def test_create_refuses_a_role_the_organisation_does_not_have(world: World, client):
    login(client, world.memberships["buyer_org_admin"])
    response = client.post(
        reverse("access:token_create"),
        {"name": "Malin", "role": Role.COORDINATOR, "scope": TokenScope.READ_WRITE},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not ApiToken.objects.filter(name="Malin").exists()


def test_create_refuses_an_expiry_in_the_past(world: World, client):
    login(client, world.memberships["buyer_org_admin"])
    response = client.post(
        reverse("access:token_create"),
        {"name": "Vieux", "role": Role.BUYER_AGENT, "scope": "read", "expires_on": "2020-01-01"},
    )
    assert "postérieure à aujourd'hui" in response.context["form"].errors["expires_on"][0]
    assert not ApiToken.objects.filter(name="Vieux").exists()


def test_revoke_is_audited_and_immediate(world: World, client):
    admin = world.memberships["buyer_org_admin"]
    token, raw = make_api_token(admin.organisation)
    assert client.get("/api/v1/me", headers=_bearer(raw)).status_code == 200
    login(client, admin)
    client.post(reverse("access:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin.user
    assert AuditEvent.objects.filter(action=AuditAction.REVOKE, object_id=str(token.pk)).exists()
    client.logout()
    response = client.get("/api/v1/me", headers=_bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"detail": MESSAGE_INVALID}


# -- the API ---------------------------------------------------------------------------


def test_me(world: World, client):
    organisation = world.organisations["structure93"]
    token, raw = make_api_token(organisation, scope=TokenScope.READ_WRITE)
    response = client.get("/api/v1/me", headers=_bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"]["id"] == organisation.pk
    assert body["role"] == Role.FACILITATOR
    assert body["scope"] == "read_write"
    assert body["token_prefix"] == f"clauses_{token.prefix}"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer clauses_inconnu", "Basic abc", "Bearer pas-un-jeton"],
)
def test_missing_or_unknown_token_is_401_in_french(db, client, header):
    headers = {"authorization": header} if header else {}
    response = client.get("/api/v1/organisations", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] in (MESSAGE_MISSING, MESSAGE_INVALID)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_refused_token_is_journalled_with_its_first_characters_only(db, client):
    secret = "clauses_abcdefgh" + "x" * 40
    response = client.get("/api/v1/organisations", headers=_bearer(secret))
    assert response.status_code == 401
    event = LoginEvent.objects.get(reason=LoginEventReason.TOKEN_REFUSED)
    assert event.details == {"door": "api"} and event.ip == "127.0.0.1"
    assert "abcdefgh" in event.email and "x" * 40 not in event.email


def test_expired_token_is_401(world: World, client):
    _, raw = make_api_token(
        world.organisations["buyer93"], expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get("/api/v1/me", headers=_bearer(raw)).status_code == 401


def test_token_of_an_unconfirmed_organisation_is_401(world: World, client):
    organisation = world.organisations["buyer93"]
    _, raw = make_api_token(organisation)
    organisation.is_confirmed = False
    organisation.save()
    assert client.get("/api/v1/me", headers=_bearer(raw)).status_code == 401


def test_demo_token_is_refused_outside_demo_mode(world: World, client, settings):
    _, raw = make_api_token(world.organisations["buyer93"], is_demo=True)
    settings.DEMO_MODE = False
    assert client.get("/api/v1/me", headers=_bearer(raw)).status_code == 401
    settings.DEMO_MODE = True
    assert client.get("/api/v1/me", headers=_bearer(raw)).status_code == 200


def test_read_only_token_is_refused_on_unsafe_methods(world: World):
    _, read_raw = make_api_token(world.organisations["buyer93"], scope=TokenScope.READ)
    _, write_raw = make_api_token(world.organisations["buyer93"], scope=TokenScope.READ_WRITE)
    auth = TokenAuth()
    factory = RequestFactory()
    assert auth(factory.get("/", headers=_bearer(read_raw))).read_only
    for method in ("post", "put", "patch", "delete"):
        with pytest.raises(HttpError) as refused:
            auth(getattr(factory, method)("/", headers=_bearer(read_raw)))
        assert refused.value.status_code == 403
        assert "lecture seule" in refused.value.message
        assert auth(getattr(factory, method)("/", headers=_bearer(write_raw))).can_write
    with pytest.raises(AuthenticationError):
        auth(factory.post("/", headers=_bearer("clauses_nimportequoi")))


def test_last_use_is_recorded_at_most_once_a_minute(
    world: World, client, django_assert_num_queries
):
    token, raw = make_api_token(world.organisations["buyer93"])
    client.get("/api/v1/me", headers=_bearer(raw), REMOTE_ADDR="192.0.2.7")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and token.last_used_ip == "192.0.2.7"
    client.get("/api/v1/me", headers=_bearer(raw), REMOTE_ADDR="192.0.2.8")
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_ip) == (first, "192.0.2.7")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/me", headers=_bearer(raw), REMOTE_ADDR="192.0.2.8")
    token.refresh_from_db()
    assert token.last_used_ip == "192.0.2.8"


def test_organisations_is_paginated_and_bounded(
    world: World, client, django_assert_max_num_queries
):
    _, raw = make_api_token(world.organisations["regional"], role=Role.COORDINATOR)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/organisations", headers=_bearer(raw))
    assert response.status_code == 200
    assert response.json()["count"] >= 10


def test_openapi_declares_the_bearer_scheme_on_protected_operations_only(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"TokenAuth": []}]
    assert schema["paths"]["/api/v1/organisations"]["get"]["security"] == [{"TokenAuth": []}]
    public = [
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "security" not in operation
    ]
    assert public, "les points d'accès publics restent publics"
