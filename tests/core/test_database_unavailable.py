"""The database not answering is a temporary state, not a bug (#11, faults survived): pages
and the API answer a French 503 with Retry-After, never a traceback. (The real restart is
caused in tests/ops/test_faults.py.)"""

import json

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from clauses.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


@login_not_required
def _database_down(request):  # noqa: ANN001, ANN202
    raise OperationalError("server closed the connection unexpectedly")


@login_not_required
def _connection_gone(request):  # noqa: ANN001, ANN202
    raise InterfaceError("connection already closed")


urlpatterns = [
    path("base-absente/", _database_down),
    path("api/base-absente/", _connection_gone),
    *project_urlpatterns,
]
handler500 = "clauses.core.errors.server_error"


@pytest.fixture
def crashing_client(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def test_a_page_answers_a_french_503_when_the_database_is_down(crashing_client):
    response = crashing_client.get("/base-absente/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Service momentanément indisponible" in html
    assert "server closed" not in html
    assert "Traceback" not in html


def test_the_api_answers_french_json_503_when_the_connection_is_gone(crashing_client):
    response = crashing_client.get("/api/base-absente/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = json.loads(response.content)
    assert "indisponible" in json.dumps(body, ensure_ascii=False)


def test_other_crashes_stay_500(crashing_client, settings):
    @login_not_required
    def _bug(request):  # noqa: ANN001, ANN202
        raise RuntimeError("bogue")

    urlpatterns.insert(0, path("bogue/", _bug))
    try:
        response = crashing_client.get("/bogue/")
    finally:
        urlpatterns.pop(0)
    assert response.status_code == 500
    assert "Retry-After" not in response
