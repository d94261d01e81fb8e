"""GET /api/v1/communes and /api/v1/communes/{insee}: public, French, cheap."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/communes"


def test_search_shape_and_order(client):
    response = client.get(URL, {"q": "st denis"})
    assert response.status_code == 200
    body = response.json()
    assert body[0] == {
        "insee": "93066",
        "name": "Saint-Denis",
        "department": "93",
        "postcodes": ["93200", "93210", "93380"],
    }
    assert all(set(item) == {"insee", "name", "department", "postcodes"} for item in body)


def test_search_by_postcode(client):
    body = client.get(URL, {"q": "75013"}).json()
    assert [(c["insee"], c["name"]) for c in body] == [
        ("75113", "Paris 13e Arrondissement"),
        ("75056", "Paris"),
    ]
    assert body[0]["postcodes"] == ["75013"]
    assert "75013" in body[1]["postcodes"]


def test_search_returns_at_most_20(client):
    body = client.get(URL, {"q": "saint"}).json()
    assert len(body) == 20


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "  "}, {"q": "---"}, {"q": "xyzxyz"}])
def test_empty_or_unknown_query_is_an_empty_list(client, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.json() == []


def test_search_query_budget(client, django_assert_max_num_queries):
    from clauses.territories.index import current_index

    with django_assert_max_num_queries(2):  # once per process and network version
        current_index()
    with django_assert_max_num_queries(0):  # answered from memory
        body = client.get(URL, {"q": "saint"}).json()
    assert len(body) == 20
    with django_assert_max_num_queries(0):
        client.get(URL, {"q": "75013"})


def test_detail(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(f"{URL}/75113")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Paris 13e Arrondissement"
    assert body["kind"] == "arrondissement"
    assert body["parent"] == "75056"
    assert body["department"] == "75"
    assert body["epci"] == "200054781"
    assert body["ept"] is None
    assert body["population"] > 100_000
    saint_denis = client.get(f"{URL}/93066").json()
    assert saint_denis["ept"] == "200057867"
    assert saint_denis["parent"] is None


def test_unknown_commune_is_a_french_404(client):
    response = client.get(f"{URL}/99999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Commune inconnue : 99999"}


def test_openapi_describes_in_french(client):
    schema = client.get("/api/v1/openapi.json").json()
    search = schema["paths"]["/api/v1/communes"]["get"]
    assert "liste vide" in search["description"]
    assert search["parameters"][0]["description"].startswith("Texte saisi")
