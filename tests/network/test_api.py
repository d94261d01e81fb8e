"""Network API: facilitation of a commune, the network by département."""

import pytest

from clauses.network import demo
from tests.network.factories import FacilitatorFactory, FacilitatorStructureFactory

pytestmark = pytest.mark.django_db


def test_facilitation_of_a_commune(client, django_assert_max_num_queries):
    from clauses.territories.models import Commune, Ept

    structure = FacilitatorStructureFactory(
        name="Structure API", epts=[Ept.objects.get(name="Plaine Commune")]
    )
    FacilitatorFactory(structure=structure, first_name="Awa", last_name="Diallo")
    FacilitatorFactory(structure=structure, communes=[Commune.objects.get(insee="93001")])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/communes/93066/facilitation")
    assert response.status_code == 200
    body = response.json()
    assert body["commune"] == {
        "insee": "93066",
        "name": "Saint-Denis",
        "department": "93",
        "postcodes": ["93200", "93210", "93380"],
    }
    assert [link["level"] for link in body["chain"]] == ["national", "regional", "departmental"]
    assert body["chain"][1] == {
        "level": "regional",
        "name": "GIP Maximilien (MACS)",
        "email": "macs@maximilien.fr",
    }
    assert body["chain"][2]["name"] == "Conseil départemental Seine-Saint-Denis"
    assert body["structures"] == [
        {
            "id": structure.pk,
            "name": "Structure API",
            "email": structure.email,
            "phone": structure.phone,
        }
    ]
    assert [f["name"] for f in body["facilitators"]] == ["Awa Diallo"]
    assert body["facilitators"][0]["structure"] == "Structure API"


def test_facilitation_of_a_paris_arrondissement_with_demo_data(
    client, django_assert_max_num_queries
):
    demo.seed(stdout=__import__("io").StringIO())
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/communes/75119/facilitation")
    body = response.json()
    assert body["commune"]["department"] == "75"
    assert body["chain"][2]["name"] == "Association EPEC"
    assert [s["name"] for s in body["structures"]] == ["Pôle parisien des clauses sociales (démo)"]
    assert body["facilitators"]
    assert all(f["email"].endswith("@demo.clauses.example") for f in body["facilitators"])


@pytest.mark.parametrize("insee", ["99999", "59350", "abc"])
def test_unknown_commune_is_a_french_404(client, insee):
    response = client.get(f"/api/v1/communes/{insee}/facilitation")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Commune inconnue")


def test_commune_outside_the_covered_regions_is_a_404(client):
    from clauses.network.models import Coordination

    Coordination.objects.regional().update(region=None)
    response = client.get("/api/v1/communes/93066/facilitation")
    assert response.status_code == 404
    assert "n'est pas dans une région couverte" in response.json()["detail"]


def test_departments(client, django_assert_max_num_queries):
    demo.seed(stdout=__import__("io").StringIO())
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/network/departments")
    assert response.status_code == 200
    rows = response.json()
    assert [r["department"] for r in rows] == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert rows[0] == {
        "department": "75",
        "name": "Paris",
        "coordination": "Association EPEC",
        "facilitators": 23,
        "structures": 1,
    }
    assert sum(r["facilitators"] for r in rows) == 123
    assert sum(r["structures"] for r in rows) == 48


def test_openapi_describes_the_network_in_french(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/communes/{insee}/facilitation" in schema["paths"]
    assert "/api/v1/network/departments" in schema["paths"]
    assert "Chaîne des coordinations" in str(schema["paths"])
