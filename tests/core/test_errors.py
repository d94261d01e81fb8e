"""Honest errors (#11.8, French error pages): DSFR pages for 400/403/404/500 and the CSRF
failure, French JSON under /api/, bounded pagination, JSON nesting refused before parsing,
and an OpenAPI document that lists the error statuses. DEBUG is off (test settings)."""

import json

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from clauses.access.tokens import create_token
from clauses.accounts.models import Organisation
from clauses.core.apis import MAX_PAGE_SIZE
from clauses.core.guards import MAX_JSON_DEPTH, loads, too_deep
from clauses.urls import urlpatterns as project_urlpatterns
from tests.accounts.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DEEP = ("[" * 100_000 + "]" * 100_000).encode()


@login_not_required
def _boom(request):  # noqa: ANN001, ANN202
    raise RuntimeError("panne simulée")


@login_not_required
def _forbidden(request):  # noqa: ANN001, ANN202
    raise PermissionDenied("Cette page est réservée aux coordinations.")


# A URLconf for the crash tests: the project's, plus two views that fail.
urlpatterns = [
    path("boum/", _boom),
    path("interdit/", _forbidden),
    *project_urlpatterns,
]
handler400 = "clauses.core.errors.bad_request"
handler403 = "clauses.core.errors.permission_denied"
handler404 = "clauses.core.errors.page_not_found"
handler500 = "clauses.core.errors.server_error"


def _french_page(response, status: int, words: str) -> str:  # noqa: ANN001
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "fr-container" in html  # DSFR
    assert words in html
    assert "Traceback" not in html
    return html


def test_404_page_is_french(client):
    _french_page(client.get("/nulle-part/"), 404, "Page introuvable")


def test_400_page_is_french(client):
    _french_page(client.get("/", HTTP_HOST="attaquant.example"), 400, "Requête incorrecte")


def test_403_page_is_french_and_says_why(client, settings):
    settings.ROOT_URLCONF = __name__
    html = _french_page(client.get("/interdit/"), 403, "Accès refusé")
    assert "réservée aux coordinations" in html


def test_500_page_is_french_without_traceback(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    html = _french_page(client.get("/boum/"), 500, "Erreur du serveur")
    assert "panne simulée" not in html


def test_csrf_failure_page_is_french():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/guichet/demande/", {"kind": "social_advice"})
    _french_page(response, 403, "Le formulaire a expiré")


def test_api_unknown_address_is_french_json(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response.json()["detail"] == "Ressource introuvable."


def test_api_crash_is_french_json(client, monkeypatch):
    def crash(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("panne simulée")

    # The commune search API answers from the in-memory index (#15).
    monkeypatch.setattr("clauses.territories.api.search_entries", crash)
    client.raise_request_exception = False
    response = client.get("/api/v1/communes", {"q": "Paris"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Erreur interne" in response.json()["detail"]
    assert "panne" not in response.content.decode()


def test_api_validation_errors_are_french(client):
    response = client.get("/api/v1/communes", {"q": "x" * 500})
    if response.status_code == 422:  # the schema bounds q: the message is French
        body = response.json()
        assert body["detail"] == "Certaines informations sont manquantes ou incorrectes."
        assert all(isinstance(m, str) for ms in body["errors"].values() for m in ms)


# -- pagination ----------------------------------------------------------------------------


@pytest.fixture
def token():
    membership = MembershipFactory(organisation=OrganisationFactory(as_coordination=True))
    organisation = Organisation.objects.get(pk=membership.organisation_id)
    from clauses.access.actors import actor_for_membership

    return create_token(
        actor=actor_for_membership(membership),
        organisation=organisation,
        name="Outil de suivi",
        role=membership.role,
    ).raw


@pytest.mark.parametrize("address", ["/api/v1/desk/requests", "/api/v1/organisations"])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 2**63}, "limit"),
        ({"limit": 2**64 + 5}, "limit"),
        ({"offset": 2**63}, "offset"),
        ({"limit": MAX_PAGE_SIZE + 1}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_pagination_is_bounded(client, token, address, params, field):
    response = client.get(address, params, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Certaines informations sont manquantes ou incorrectes."
    assert field in body["errors"]
    assert any("au plus" in m or "au moins" in m for m in body["errors"][field])


def test_largest_page_is_served(client, token):
    response = client.get(
        "/api/v1/desk/requests",
        {"limit": MAX_PAGE_SIZE, "offset": 10**6},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response.json()["items"] == []


# -- JSON nesting --------------------------------------------------------------------------


def test_depth_scanner():
    assert not too_deep(b'{"a": [1, 2, {"b": "[[[[[[["}]}')
    assert not too_deep(("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH).encode())
    assert too_deep(("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)).encode())
    assert not too_deep(b'"' + b"[" * 1000 + b'"')  # brackets inside a string
    assert not too_deep(b'["\\"' + b"[" * 100 + b'"]')  # escaped quote, then a string
    with pytest.raises(ValueError):
        loads(DEEP)


def _json_operations(client) -> list[tuple[str, str]]:  # noqa: ANN001
    schema = client.get("/api/v1/openapi.json").json()
    operations = []
    for address, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in ("post", "put", "patch") and "application/json" in content:
                operations.append((method, address.replace("{", "").replace("}", "")))
    return operations


@pytest.mark.parametrize("authenticated", [False, True])
def test_deep_json_is_refused_in_french_on_every_json_endpoint(client, token, authenticated):
    operations = _json_operations(client)
    assert len(operations) >= 5
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if authenticated else {}
    client.raise_request_exception = False
    for method, address in operations:
        response = getattr(client, method)(
            address, DEEP, content_type="application/json", **headers
        )
        assert response.status_code == 400, (address, response.status_code)
        assert "trop imbriqué" in response.json()["detail"], address
    # The same guard protects a JSON body sent with another content type.
    response = client.post("/api/v1/desk/route", DEEP, content_type="text/plain")
    assert response.status_code == 400


def test_oversized_json_is_refused(client):
    body = json.dumps({"message": "x" * (3 * 1024 * 1024)})
    response = client.post("/api/v1/desk/route", body, content_type="application/json")
    assert response.status_code == 413
    assert "trop volumineux" in response.json()["detail"]


def test_malformed_json_is_french(client):
    response = client.post(
        "/api/v1/clauses/hours-estimate", b"{nope", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert "JSON" in response.json()["detail"]


# -- the OpenAPI document lists the errors -----------------------------------------------


def test_openapi_documents_error_statuses(client):
    schema = client.get("/api/v1/openapi.json").json()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "errors"}
    for address, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            where = f"{method.upper()} {address}"
            if operation.get("security"):
                assert "401" in responses, where
            if "requestBody" in operation:
                assert {"400", "422"} <= set(responses), where
            if operation.get("parameters"):
                assert "422" in responses, where


def test_endpoints_reading_their_own_body_document_it(client):
    schema = client.get("/api/v1/openapi.json").json()
    declare = schema["paths"]["/api/v1/contractor/declarations"]["post"]
    body = declare["requestBody"]["content"]["application/json"]["schema"]
    assert declare["requestBody"]["required"] is True
    assert body["properties"]["declarations"]["minItems"] == 1
    assert "assignment" in body["properties"]["declarations"]["items"]["properties"]


def test_api_method_not_allowed_is_french_json(client):
    response = client.delete("/api/v1/communes")
    assert response.status_code == 405
    assert response.json()["detail"] == "Méthode non autorisée pour cette adresse."
    assert "GET" in response["Allow"]
