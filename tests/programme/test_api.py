"""POST /api/v1/programme/analyse: dry run, no account, French 422s, OpenAPI."""

import pytest

from clauses.programme.models import Programme
from tests.network.factories import PartnerFactory

URL = "/api/v1/programme/analyse"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


@pytest.mark.django_db
def test_analyse_as_the_issue_specifies(client):
    for n in range(3):
        PartnerFactory(kind="ei", naf="81.21Z", siret=f"1234567890{n:04d}")
    body = {
        "buyer_kind": "local_authority",
        "lines": [
            {
                "title": "Nettoyage des écoles",
                "cpv": "90910000",
                "kind": "services",
                "department": "93",
                "amount_ht": 180000,
                "duration_months": 36,
                "launch_date": "2026-10-01",
            },
            {
                "title": "Gros travaux",
                "cpv": "45210000",
                "kind": "works",
                "commune": "93066",
                "amount_ht": "6000000",
                "duration_months": 24,
                "launch_date": "2026-09-01",
            },
        ],
    }
    response = post(client, body)
    assert response.status_code == 200, response.json()
    cleaning, works = response.json()["lines"]
    assert cleaning["recommendations"][0] == "reserved_siae"
    assert "insertion_clause" in cleaning["recommendations"]
    assert cleaning["hours"] == 360  # 180,000 × 80 % ÷ 20 €/h × 5 % (P = 1, no staff)
    assert cleaning["local_supply"]["siae"] >= 3  # the directory has real ones too
    assert cleaning["obligation"] == {
        "mandatory": False,
        "reason": cleaning["obligation"]["reason"],
    }
    assert works["obligation"]["mandatory"] is True
    assert works["hours"] == 5000
    assert works["recommendations"][0] == "insertion_clause"
    assert works["local_supply"]["department"] == "93"
    assert all(isinstance(r, str) and r for r in works["reasons"])
    assert not Programme.objects.exists()  # nothing stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"lines": [{"title": "x", "kind": "works"}]}, "buyer_kind", "obligatoire"),
        (
            {"buyer_kind": "martian", "lines": [{"title": "x", "kind": "works"}]},
            "buyer_kind",
            "valeur inconnue",
        ),
        ({"buyer_kind": "state", "lines": []}, "lines", "au moins 1"),
        (
            {"buyer_kind": "state", "lines": [{"title": "x", "kind": "boats"}]},
            "lines.0.kind",
            "valeur inconnue",
        ),
        (
            {"buyer_kind": "state", "lines": [{"title": "x", "kind": "works", "amount_ht": -1}]},
            "lines.0.amount_ht",
            "au moins 0",
        ),
        (
            {
                "buyer_kind": "state",
                "lines": [{"title": "x", "kind": "works", "duration_months": 5000}],
            },
            "lines.0.duration_months",
            "au plus 1200",
        ),
        (
            {"buyer_kind": "state", "lines": [{"title": "x", "kind": "works", "cpv": "12"}]},
            "lines.0.cpv",
            "format invalide",
        ),
        (
            {
                "buyer_kind": "state",
                "lines": [{"title": "x", "kind": "works", "cpv": "99999999"}],
            },
            "lines.0.cpv",
            "inconnu",
        ),
        (
            {"buyer_kind": "state", "lines": [{"title": "x", "kind": "works", "department": "99"}]},
            "lines.0.department",
            "inconnu",
        ),
        (
            {
                "buyer_kind": "state",
                "lines": [{"title": "x", "kind": "works", "launch_date": "demain"}],
            },
            "lines.0.launch_date",
            "date",
        ),
        (
            {"buyer_kind": "state", "lines": [{"title": "x", "kind": "works"}] * 201},
            "lines",
            "au plus 200",
        ),
    ],
)
def test_impossible_input_answers_422_in_french(client, body, field, message):
    response = post(client, body)
    assert response.status_code == 422
    data = response.json()
    assert data["detail"] == "Certaines informations sont manquantes ou incorrectes."
    assert message in " ".join(data["errors"][field])


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["pas du json", "[1, 2]", '"texte"'])
def test_a_body_that_is_not_an_object_answers_422(client, raw):
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


@pytest.mark.django_db
def test_openapi_documents_the_body_with_literals_and_bounds(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/programme/analyse"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]["buyer_kind"]["enum"]) >= {"local_authority", "state"}
    line = body["properties"]["lines"]["items"]
    assert line["properties"]["kind"]["enum"] == ["works", "supplies", "services"]
    assert body["properties"]["lines"]["maxItems"] == 200
    assert "422" in operation["responses"]
    assert not operation.get("security")


def test_the_public_analysis_is_rate_limited_per_ip(client, settings):
    """An anonymous dry run, counted per IP in the shared cache (core.ratelimit): beyond
    the allowance, a French 429, documented."""
    from django.core.cache import cache

    cache.clear()
    settings.CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR = 2
    body = {"buyer_kind": "local_authority", "lines": []}
    answers = [
        client.post("/api/v1/programme/analyse", body, content_type="application/json")
        for _ in range(3)
    ]
    assert [a.status_code for a in answers][-1] == 429
    assert "Trop d'appels" in answers[-1].json()["detail"]
    schema = client.get("/api/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/programme/analyse"]["post"]["responses"]
    cache.clear()


@pytest.mark.parametrize("bad", [{"launch_date": 0}, {"duration_months": "12"}])
def test_values_of_the_wrong_json_type_are_refused(client, bad):
    """Found by Schemathesis: a number for the launch date was read as a timestamp, a text
    for the duration as a number; the schema says otherwise, so does the server now."""
    line = {"title": "Travaux", "kind": "works", **bad}
    body = {"buyer_kind": "local_authority", "lines": [line]}
    response = client.post("/api/v1/programme/analyse", body, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {f"lines.0.{next(iter(bad))}"}
