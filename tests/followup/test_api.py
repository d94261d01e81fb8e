"""POST /api/v1/eligibility/assess: token auth (facilitators, coordinators), examples, 422."""

import pytest

from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent
from tests.access.factories import make_api_token
from tests.markets.conftest import departmental, organisation_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/eligibility/assess"


@pytest.fixture
def headers(world):
    _, raw = make_api_token(organisation_of(world.s93), role=Role.FACILITATOR)
    return {"authorization": f"Bearer {raw}"}


def post(client, headers, body):
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_w9c_senior_jobseeker_on_the_exact_date(client, headers):
    response = post(
        client,
        headers,
        {"birth_date": "1976-11-24", "assessment_date": "2026-11-24", "jobseeker_months": 3},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["eligible"] is True
    assert [c["code"] for c in data["criteria"]] == ["senior_jobseeker"]
    assert data["criteria"][0]["source"]
    assert "iae_senior" in data["iae"]["level_2"]


def test_w9_rsa(client, headers):
    data = post(client, headers, {"assessment_date": "2026-11-24", "benefits": ["rsa"]}).json()
    assert data["iae"]["level_1"] == ["iae_rsa"]
    assert all(data["iae"]["eligible_by_kind"].values())
    assert data["criteria"][0]["sensitive"] is True


def test_w9b_young_qpv(client, headers):
    data = post(
        client,
        headers,
        {"birth_date": "2001-01-01", "assessment_date": "2026-11-24", "qpv_resident": True},
    ).json()
    assert data["iae"]["eligible_by_kind"]["ai"] is True
    assert data["iae"]["eligible_by_kind"]["aci"] is False
    assert data["missing"]  # qualification level needed for the young criterion


def test_nothing_is_stored(client, headers):
    before = AuditEvent.objects.count()
    post(client, headers, {"employed_by": "geiq"})
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birth_date": "24/11/1976"}, "birth_date"),
        ({"jobseeker_months": -1}, "jobseeker_months"),
        ({"benefits": ["rsa", "loto"]}, "benefits"),
        ({"employed_by": "banque"}, "employed_by"),
        ({"qpv_resident": "peut-être"}, "qpv_resident"),
        ({"birth_date": "2030-01-01", "assessment_date": "2026-01-01"}, "birth_date"),
        ({"inconnu": 1}, "inconnu"),
    ],
)
def test_422_in_french(client, headers, body, field):
    response = post(client, headers, body)
    assert response.status_code == 422
    data = response.json()
    assert data["detail"] == "Certaines informations sont manquantes ou incorrectes."
    assert field in data["errors"]


def test_invalid_json(client, headers):
    response = client.post(URL, "pas du json", content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_auth(client, world):
    assert client.post(URL, {}, content_type="application/json").status_code == 401
    _, raw = make_api_token(world.company, role=Role.COMPANY_CONTACT)
    response = client.post(
        URL, {}, content_type="application/json", headers={"authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 403
    assert "structure facilitatrice" in response.json()["detail"]
    _, raw = make_api_token(organisation_of(departmental("93")), role=Role.COORDINATOR)
    response = client.post(
        URL,
        {"qpv_resident": True},
        content_type="application/json",
        headers={"authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200


def test_in_the_openapi_description(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/eligibility/assess"]["post"]
    assert "IAE" in operation["description"]
    assert "birth_date" in str(operation["requestBody"])


def test_no_body_is_refused(client, headers):
    """Found by Schemathesis: the body is required, an empty one answered 200 (#11.10)."""
    response = client.post(URL, b"", content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "obligatoire" in response.json()["detail"]
