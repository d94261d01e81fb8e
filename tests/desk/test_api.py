"""The desk API: route (dry run), filing (JSON and multipart), private follow, token inbox,
French per-field errors, rate limits and honeypot."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from clauses.access.tokens import create_token
from clauses.desk import services
from clauses.desk.models import Attachment, Request
from tests.desk.conftest import actor_for, at, request_data
from tests.desk.test_attachments import EXE, PDF

pytestmark = pytest.mark.django_db

BASE = "/api/v1/desk"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def api_body(**overrides):
    data = request_data()
    body = {k: v for k, v in data.items() if not k.startswith("market_")}
    body["market"] = {
        "subject": data["market_subject"],
        "cpv": data["market_cpv"],
        "estimated_amount": 1200000,
        "planned_publication_date": "2030-01-15",
        "duration_months": 18,
    }
    body.update(overrides)
    return body


def test_route_is_a_dry_run(client, network):
    response = client.post(
        f"{BASE}/route",
        {"kind": "social_advice", "buyer_siret": "", "execution_communes": ["93066", "93001"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["target"] == {
        "level": "structure",
        "id": network.plaine.pk,
        "name": "Structure Plaine Commune",
        "email": "plaine@demo.clauses.example",
    }
    assert body["rule"] == "single_structure"
    assert "Plaine Commune" in body["reason"]
    assert not Request.objects.exists()


def test_route_errors_are_french_and_name_the_field(client, network):
    response = client.post(
        f"{BASE}/route",
        {"kind": "autre", "buyer_siret": "12345678901234", "execution_communes": ["93999", "ABC"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"kind", "buyer_siret", "execution_communes"}
    assert "clé de contrôle" in errors["buyer_siret"][0]
    assert any("93999" in m for m in errors["execution_communes"])


def test_file_request_201(client, network, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/requests", api_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    request = Request.objects.get()
    assert body["reference"] == request.reference
    assert body["target"]["id"] == network.plaine.pk
    assert body["reason"] == request.routing_reason
    assert "jeton=" in body["follow_url"]
    assert len(mailoutbox) == 2
    assert request.market_duration_months == 18


def test_file_request_422_on_every_field(client, network):
    body = api_body(
        kind="",
        buyer_name="",
        buyer_siret="abc",
        contact_name="",
        contact_email="pas-une-adresse",
        contact_phone="<script>",
        execution_communes="93066",  # a string is split, accepted
        execution_departments=["99"],
        region_wide="peut-être",
        message="",
        market={
            "subject": "x" * 301,
            "cpv": "99999999",
            "estimated_amount": "beaucoup",
            "planned_publication_date": "15/01/2030",
            "duration_months": "deux ans",
        },
    )
    response = client.post(f"{BASE}/requests", body, content_type="application/json")
    assert response.status_code == 422
    payload = response.json()
    assert payload["detail"] == "Certaines informations sont manquantes ou incorrectes."
    errors = payload["errors"]
    assert set(errors) == {
        "kind",
        "buyer_name",
        "buyer_siret",
        "contact_name",
        "contact_email",
        "contact_phone",
        "execution_departments",
        "region_wide",
        "message",
        "market.subject",
        "market.cpv",
        "market.estimated_amount",
        "market.planned_publication_date",
        "market.duration_months",
    }
    assert errors["market.estimated_amount"] == [
        "Montant estimé : un nombre est attendu (en euros hors taxes)."
    ]
    assert errors["buyer_siret"] == [
        "SIRET de l'acheteur : le numéro SIRET ne doit contenir que des chiffres."
    ]
    assert not Request.objects.exists()


def test_invalid_json_and_market_type(client, network):
    response = client.post(f"{BASE}/requests", "{pas du json", content_type="application/json")
    assert response.status_code == 422
    assert "JSON" in response.json()["errors"]["__all__"][0]
    response = client.post(
        f"{BASE}/requests", api_body(market="oui"), content_type="application/json"
    )
    assert response.status_code == 422
    assert "market" in response.json()["errors"]


def test_honeypot(client, network):
    response = client.post(
        f"{BASE}/requests",
        api_body(site_web="http://spam.example"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Request.objects.exists()


def test_rate_limit_per_ip(client, network, settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 2
    for n in range(2):
        body = api_body(contact_email=f"agent{n}@ville-test.fr")
        assert (
            client.post(f"{BASE}/requests", body, content_type="application/json").status_code
            == 201
        )
    response = client.post(f"{BASE}/requests", api_body(), content_type="application/json")
    assert response.status_code == 429
    assert "Trop de demandes" in response.json()["detail"]
    # Another address from another connection is not concerned.
    other = client.post(
        f"{BASE}/requests", api_body(), content_type="application/json", REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 201


def test_rate_limit_per_contact_email(client, network, settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY = 1
    first = client.post(f"{BASE}/requests", api_body(), content_type="application/json")
    assert first.status_code == 201
    again = client.post(
        f"{BASE}/requests", api_body(), content_type="application/json", REMOTE_ADDR="10.9.9.9"
    )
    assert again.status_code == 429
    assert "adresse électronique" in again.json()["detail"]


def test_failed_filings_do_not_use_the_allowance(client, network, settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 1
    for _ in range(3):
        response = client.post(
            f"{BASE}/requests", api_body(buyer_siret="1"), content_type="application/json"
        )
        assert response.status_code == 422
    assert (
        client.post(f"{BASE}/requests", api_body(), content_type="application/json").status_code
        == 201
    )


def test_multipart_with_files(client, network):
    data = {k: v for k, v in api_body().items() if k != "market"}
    data["execution_communes"] = ["93066", "93001"]
    data["execution_departments"] = []
    data["region_wide"] = "false"
    data["market.subject"] = "Nettoyage des locaux"
    data["market.estimated_amount"] = "250 000,50"
    data["files"] = [SimpleUploadedFile("ccap.pdf", PDF, content_type="application/pdf")]
    response = client.post(f"{BASE}/requests/multipart", data)
    assert response.status_code == 201, response.content
    request = Request.objects.get()
    assert request.market_estimated_amount == 250000.50
    assert request.execution_communes.count() == 2
    assert Attachment.objects.get().original_name == "ccap.pdf"


def test_multipart_disguised_file_is_refused(client, network):
    data = {k: v for k, v in api_body().items() if k != "market"}
    data["files"] = [SimpleUploadedFile("ccap.pdf", EXE, content_type="application/pdf")]
    response = client.post(f"{BASE}/requests/multipart", data)
    assert response.status_code == 422
    assert (
        "« ccap.pdf » n'est pas un fichier accepté" in response.json()["errors"]["attachments"][0]
    )


def test_follow_with_the_private_token(client, network):
    filed = services.file_request(data=request_data(), now=at(2026, 6, 5))
    facilitator = actor_for(network.plaine)
    services.reply(
        actor=facilitator, desk_request=filed.request, body="Bonjour !", now=at(2026, 6, 8)
    )
    services.add_internal_note(actor=facilitator, desk_request=filed.request, body="Secret interne")
    url = f"{BASE}/requests/{filed.request.reference}"
    response = client.get(url, {"token": filed.raw_follow_token})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "waiting_buyer"
    assert body["status_label"] == "En attente de l'acheteur"
    assert body["target"]["name"] == "Structure Plaine Commune"
    assert [m["body"] for m in body["messages"]] == ["Bonjour !"]
    assert "Secret interne" not in response.content.decode()
    assert len(body["assignments"]) == 1


@pytest.mark.parametrize("token", ["", "mauvais-jeton"])
def test_follow_wrong_or_missing_token_is_404(client, network, token):
    filed = services.file_request(data=request_data(), now=at(2026, 6, 5))
    response = client.get(f"{BASE}/requests/{filed.request.reference}", {"token": token})
    assert response.status_code == 404
    assert (
        response.json()["detail"]
        == "Demande introuvable : vérifiez la référence et le lien de suivi."
    )


def test_inbox_with_a_token(client, network):
    mine = services.file_request(data=request_data(), now=at(2026, 6, 5)).request
    services.file_request(data=request_data(execution_communes=["93048"]), now=at(2026, 6, 5))
    from clauses.accounts.models import Organisation

    actor = actor_for(network.plaine)
    raw = create_token(
        actor=actor,
        organisation=Organisation.objects.get(pk=actor.organisation_id),
        name="Logiciel de suivi",
        role="facilitator",
    ).raw
    response = client.get(f"{BASE}/requests", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert [item["reference"] for item in response.json()["items"]] == [mine.reference]


def test_inbox_without_token_is_401(client, network):
    response = client.get(f"{BASE}/requests")
    assert response.status_code == 401


def test_route_refuses_null_where_the_schema_says_a_list(client):
    """Found by Schemathesis: `"execution_departments": null` was routed (200)."""
    body = {"kind": "social_advice", "execution_departments": None}
    response = client.post(f"{BASE}/route", body, content_type="application/json")
    assert response.status_code == 422
    assert "execution_departments" in response.json()["errors"]
