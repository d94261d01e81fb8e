"""Public API: classify a record, a territory's summary; OpenAPI exact."""

import json

import pytest

from clauses.observatory import services
from tests.observatory.conftest import BUYER_93, market

pytestmark = pytest.mark.django_db
CLASSIFY = "/api/v1/decp/classify"
SUMMARY = "/api/v1/observatory/summary"


def _post(client, body):  # noqa: ANN001, ANN202
    return client.post(CLASSIFY, data=json.dumps(body), content_type="application/json")


def test_classify_a_2024_market(client):
    response = _post(client, {"record": market(social=["Critère social", "Clause sociale"])})
    assert response.status_code == 200
    assert response.json() == {
        "has_social_consideration": True,
        "status": "yes",
        "social_considerations": ["Clause sociale", "Critère social"],
        "warnings": [],
    }


def test_classify_a_tabular_row_and_a_2019_record(client):
    row = {"id": "1", "acheteur_id": BUYER_93, "considerationsSociales": "Sans objet"}
    assert _post(client, {"record": row}).json()["has_social_consideration"] is False
    old = {"id": "1", "acheteur": {"id": BUYER_93}, "_type": "Marché", "lieuExecution": {}}
    answer = _post(client, {"record": old}).json()
    assert answer["status"] == "unknown" and answer["has_social_consideration"] is False
    assert "format 2019" in answer["warnings"][0]


def test_classify_a_record_that_cannot_be_imported_still_answers(client):
    answer = _post(client, {"record": {"considerationsSociales": "Marché réservé"}}).json()
    assert answer["social_considerations"] == ["Marché réservé"]
    assert answer["warnings"][0].startswith("Enregistrement non importable")


@pytest.mark.parametrize(
    "body",
    ["pas du json", "[]", json.dumps({"autre": 1}), json.dumps({"record": [1]}),
     json.dumps({"record": {}, "form": "autre"}),
     json.dumps({"record": {}, "form": {}})],  # found by Schemathesis: was a 500
)  # fmt: skip
def test_classify_refuses_in_french(client, body):
    response = client.post(CLASSIFY, data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith(("Le corps", "Un objet", "« record »", "« form »"))


def test_summary(client, decp_file):
    records = [market("A"), market("B", social=["Sans objet"]), market("C", social=None),
               market("D", amount=3_000_000)]  # fmt: skip
    services.import_file(decp_file(records), wet_run=True)
    answer = client.get(SUMMARY, {"department": "93", "year": 2025}).json()
    assert answer["contracts"] == 4
    assert answer["unknown"] == 1
    assert answer["with_social_consideration"] == 2
    assert answer["share_with_social_consideration"] == pytest.approx(2 / 3, abs=1e-4)
    assert 0 <= answer["amount_share_with_social_consideration"] <= 1
    region = client.get(SUMMARY, {"region": "11"}).json()
    assert region["contracts"] == 4 and region["year"] is None
    empty = client.get(SUMMARY, {"department": "75", "year": 2025}).json()
    assert empty["contracts"] == 0 and empty["share_with_social_consideration"] is None


@pytest.mark.parametrize(
    ("params", "status"),
    [({"department": "00"}, 404), ({"region": "99"}, 404), ({}, 422),
     ({"department": "93", "region": "11"}, 422), ({"department": "93", "year": "abc"}, 422),
     ({"department": "93", "year": "1800"}, 422)],
)  # fmt: skip
def test_summary_errors_in_french(client, params, status):
    response = client.get(SUMMARY, params)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and (
        "inconnu" in detail or "Indiquez" in detail or "année" in detail
    )


def test_openapi_is_exact(client):
    schema = client.get("/api/v1/openapi.json").json()
    classify = schema["paths"][CLASSIFY]["post"]
    assert "security" not in classify
    body = classify["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["record"]
    out = schema["components"]["schemas"]["ClassifyOut"]["properties"]
    labels = out["social_considerations"]["items"]
    assert set(labels["enum"]) == {
        "Clause sociale",
        "Critère social",
        "Marché réservé",
        "Concession réservée",
        "Considération sociale (type non précisé)",
    }
    assert out["status"]["enum"] == ["yes", "no", "unknown"]
    summary = schema["paths"][SUMMARY]["get"]
    year = next(p for p in summary["parameters"] if p["name"] == "year")["schema"]
    assert (year["minimum"], year["maximum"]) == (2000, 2100)
    share = schema["components"]["schemas"]["SummaryOut"]["properties"][
        "share_with_social_consideration"
    ]
    bounded = next(option for option in share["anyOf"] if option.get("type") == "number")
    assert (bounded["minimum"], bounded["maximum"]) == (0, 1)
    assert set(summary["responses"]) == {"200", "404", "422"}


def test_classify_is_rate_limited_per_ip(client, settings):
    """The anonymous classification counts per IP in the shared cache (core.ratelimit)."""
    from django.core.cache import cache

    cache.clear()
    settings.CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR = 1
    body = {"record": {"id": "X", "considerationsSociales": ["Clause sociale"]}}
    first = client.post("/api/v1/decp/classify", body, content_type="application/json")
    second = client.post("/api/v1/decp/classify", body, content_type="application/json")
    assert first.status_code != 429
    assert second.status_code == 429
    assert "Trop d'appels" in second.json()["detail"]
    cache.clear()
