"""The public calculator and obligation API: worked examples W1 and W10
(docs/domain-rules.md §7), numbers as JSON numbers or strings, and every 422 in French."""

import pytest

from clauses.markets import services

HOURS = "/api/v1/clauses/hours-estimate"
PRESETS = "/api/v1/clauses/hours-presets"
OBLIGATION = "/api/v1/clauses/obligation-check"


def post(client, url: str, body: object):  # noqa: ANN001, ANN201
    return client.post(url, body, content_type="application/json")


# -- hours ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_w1_explicit_parameters(client):
    response = post(
        client,
        HOURS,
        {"amount_ht": 1_000_000, "labour_share": 0.5, "hourly_cost": 30, "insertion_rate": 0.05},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["hours"] == 833
    assert set(body) >= {"hours", "formula", "parameters", "recommendation", "warnings"}
    assert "833" in body["formula"] and "500\u202f000 €" in body["formula"]
    assert body["parameters"]["labour_share"] == "0.5"
    assert body["recommendation"] == "clause"
    assert body["warnings"] == []


@pytest.mark.django_db
def test_w1_numbers_as_strings_with_a_french_comma(client):
    response = post(
        client,
        HOURS,
        {
            "amount_ht": "1 000 000",
            "labour_share": "0,5",
            "hourly_cost": "30",
            "insertion_rate": "0.05",
        },
    )
    assert response.status_code == 200
    assert response.json()["hours"] == 833


@pytest.mark.django_db
def test_w1_through_the_building_preset(client):
    response = post(client, HOURS, {"amount_ht": "1000000", "preset": "batiment"})
    assert response.status_code == 200
    body = response.json()
    assert body["hours"] == 833
    assert body["parameters"]["preset"] == "batiment"
    assert "mefsud77" in body["parameters"]["source"]


@pytest.mark.django_db
def test_a_preset_is_overridable_field_by_field(client):
    response = post(
        client, HOURS, {"amount_ht": 1_000_000, "preset": "batiment", "insertion_rate": "0.10"}
    )
    assert response.json()["hours"] == 1667  # 1 666.67 rounded
    assert response.json()["parameters"]["hourly_cost"] == "30"


@pytest.mark.django_db
def test_cleaning_preset_takes_duration_and_transferred_staff(client):
    # A = 900 000 over 36 months, S = 600 h/month, C = 20 / 0.8 = 25:
    # P = 1 − (600 × 25) / 25 000 = 0.4 ; I = 0.4 × 900 000 / 25 × 5 % = 720 h.
    response = post(
        client,
        HOURS,
        {
            "amount_ht": 900_000,
            "preset": "proprete",
            "duration_months": 36,
            "transferred_staff_monthly_hours": "600",
        },
    )
    assert response.status_code == 200
    assert response.json()["hours"] == 720
    assert response.json()["parameters"]["method"] == "cleaning"


@pytest.mark.django_db
def test_cleaning_below_150_hours_recommends_no_clause(client):
    response = post(
        client, HOURS, {"amount_ht": 50_000, "preset": "proprete", "duration_months": 12}
    )
    body = response.json()
    assert body["hours"] == 100  # 50 000 ÷ 25 × 5 %
    assert body["recommendation"] == "no_clause"
    assert any("150" in w for w in body["warnings"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"amount_ht": -5, "labour_share": 0.5, "hourly_cost": 30, "insertion_rate": 0.05},
            "ne peut pas être négatif",
        ),
        (
            {"amount_ht": 1000, "labour_share": 50, "hourly_cost": 30, "insertion_rate": 0.05},
            "entre 0 et 1",
        ),
        (
            {"amount_ht": 1000, "labour_share": 0.5, "hourly_cost": 0, "insertion_rate": 0.05},
            "strictement positif",
        ),
        (
            {"amount_ht": 1000, "labour_share": 0.5, "hourly_cost": 30, "insertion_rate": 2},
            "entre 0 et 1",
        ),
        ({"amount_ht": 1000, "preset": "inconnu"}, "Préréglage inconnu"),
        ({"amount_ht": "beaucoup", "preset": "batiment"}, "n'est pas un nombre"),
        ({"amount_ht": [1], "preset": "batiment"}, "un nombre est attendu"),
        ({"amount_ht": True, "preset": "batiment"}, "un nombre est attendu"),
        ({"preset": "batiment"}, "Montant HT : ce champ est obligatoire"),
        ({"amount_ht": 1000, "labour_share": 0.5}, "Coût horaire chargé : ce champ"),
        ({"amount_ht": 1000, "preset": "proprete"}, "Durée du marché (mois) : ce champ"),
        (
            {"amount_ht": 1000, "preset": "proprete", "duration_months": 0},
            "au moins un mois",
        ),
        ({"amount_ht": "NaN", "preset": "batiment"}, "nombre fini"),
        ({"amount_ht": 1000, "preset": "batiment", "method": "magie"}, "Méthode inconnue"),
        ({"amount_ht": 1000, "preset": "batiment", "department": 93}, "Département"),
    ],
)
def test_impossible_input_answers_422_in_french(client, body, expected):
    response = post(client, HOURS, body)
    assert response.status_code == 422
    assert expected in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"{pas du json", b"[1, 2]", "\xff".encode("latin-1")])
def test_a_body_that_is_not_a_json_object_answers_422_in_french(client, raw):
    response = client.post(HOURS, raw, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] in (
        "Le corps de la requête n'est pas du JSON valide.",
        "Un objet JSON est attendu.",
    )


@pytest.mark.django_db
def test_presets_list(client):
    response = client.get(PRESETS)
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["batiment"]["labour_share"] == "0.5"
    assert rows["batiment"]["hourly_cost"] == "30"
    assert rows["proprete"]["method"] == "cleaning"
    for row in rows.values():
        assert set(row) >= {"code", "label", "labour_share", "hourly_cost", "insertion_rate"}
        assert row["source"]


@pytest.mark.django_db
def test_presets_of_a_department_and_the_estimate_uses_them(client, world):
    coordinator = world.actor("coordinator93")
    services.save_hour_preset(
        actor=coordinator,
        department_code="93",
        code="batiment",
        label="Bâtiment (93)",
        source="Coordination 93, délibération de test",
        hourly_cost="25",
        verified=True,
    )
    rows = {row["code"]: row for row in client.get(PRESETS + "?department=93").json()}
    assert rows["batiment"]["hourly_cost"] == "25"
    assert rows["batiment"]["labour_share"] == "0.5"  # kept from the national default
    assert "Seine-Saint-Denis" in rows["batiment"]["territory"]
    national = {row["code"]: row for row in client.get(PRESETS).json()}
    assert national["batiment"]["hourly_cost"] == "30"
    response = post(
        client, HOURS, {"amount_ht": 1_000_000, "preset": "batiment", "department": "93"}
    )
    assert response.json()["hours"] == 1000  # 500 000 / 25 × 5 %


# -- obligation -------------------------------------------------------------------------


def _obligation(**overrides: object) -> dict:
    body = {
        "estimated_amount_ht": 6_000_000,
        "market_kind": "works",
        "buyer_is_state": False,
        "consultation_date": "2026-09-01",
        "defence_or_security": False,
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_w10_works_above_the_threshold_after_august_2026(client):
    response = post(client, OBLIGATION, _obligation())
    assert response.status_code == 200
    body = response.json()
    assert body["mandatory"] is True
    assert body["threshold"] == "5404000"
    assert "L2112-2-1" in body["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "mandatory", "threshold"),
    [
        ({"consultation_date": "2026-08-20"}, False, None),
        ({"defence_or_security": True}, False, None),
        ({"estimated_amount_ht": "5403999.99"}, False, "5404000"),
        ({"market_kind": "services", "estimated_amount_ht": "216000"}, True, "216000"),
        (
            {"market_kind": "supplies", "estimated_amount_ht": "150000", "buyer_is_state": "true"},
            True,
            "140000",
        ),
        ({"market_kind": "supplies", "estimated_amount_ht": "150000"}, False, "216000"),
    ],
)
def test_obligation_cases(client, overrides, mandatory, threshold):
    body = post(client, OBLIGATION, _obligation(**overrides)).json()
    assert body["mandatory"] is mandatory
    assert body["threshold"] == threshold


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"estimated_amount_ht": -1}, "estimated_amount_ht"),
        ({"estimated_amount_ht": "six millions"}, "estimated_amount_ht"),
        ({"estimated_amount_ht": None}, "estimated_amount_ht"),
        ({"market_kind": "travaux"}, "market_kind"),
        ({"consultation_date": "01/09/2026"}, "consultation_date"),
        ({"consultation_date": None}, "consultation_date"),
        ({"buyer_is_state": "peut-être"}, "buyer_is_state"),
        ({"defence_or_security": 3}, "defence_or_security"),
        ({"consultation_date": "2023-05-01", "defence_or_security": False}, "consultation_date"),
    ],
)
def test_obligation_bad_input_answers_422(client, overrides, field):
    response = post(client, OBLIGATION, _obligation(**overrides))
    if field == "consultation_date" and overrides.get("consultation_date") == "2023-05-01":
        # before 2026-08-21: not mandatory, no threshold needed — a valid answer
        assert response.status_code == 200
        return
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert field in errors
    assert all(message[0].isupper() for message in errors[field])


def test_the_openapi_description_documents_the_bodies(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/clauses/hours-estimate"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "amount_ht" in body["properties"]
    assert "security" not in operation or operation["security"] in ([], [{}])
