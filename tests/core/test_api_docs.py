"""The API describes itself: OpenAPI JSON and its documentation page, public."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_address_leads_to_the_documentation(client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"swagger-ui-init.js" in page.content  # served locally, no CDN


def test_openapi_lists_every_public_endpoint_in_french(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "API Clauses"
    for path in [
        "/api/v1/communes",
        "/api/v1/communes/{insee}/facilitation",
        "/api/v1/network/departments",
        "/api/v1/desk/route",
        "/api/v1/desk/requests",
        "/api/v1/clauses/hours-estimate",
        "/api/v1/clauses/obligation-check",
    ]:
        assert path in schema["paths"], path
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert "security" in schema["paths"]["/api/v1/me"]["get"]  # token endpoints declare it
    assert "security" not in schema["paths"]["/api/v1/communes"]["get"]  # public ones do not
