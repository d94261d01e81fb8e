"""The observatory's demo: the file follows the official schema's required fields, seed_demo
imports it, links the demo markets and shows one discrepancy each way, opportunities, and
pages for the demo facilitator and coordinator."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.models import Membership
from clauses.observatory import demo
from clauses.observatory.models import PublishedContract
from tests.access.helpers import login
from tests.observatory.conftest import DATA

pytestmark = pytest.mark.django_db


def test_demo_file_has_every_required_field_of_the_official_schema():
    schema = json.loads((DATA / "schema_decp_v2.0.3.json").read_text())
    data = json.loads(demo.DEMO_FILE.read_text())
    for key in ("marche", "contrat-concession"):
        definition = schema["definitions"][key]
        allowed = definition["properties"]["considerationsSociales"]
        assert allowed
        for record in data["marches"][key]:
            missing = set(definition["required"]) - set(record)
            assert not missing, (record["id"], missing)
            if key == "marche":
                nature = definition["properties"]["nature"]["enum"]
                procedure = definition["properties"]["procedure"]["enum"]
                assert record["nature"] in nature and record["procedure"] in procedure


def _login(client, email: str) -> None:  # noqa: ANN001
    login(client, Membership.objects.get(user__email=email))


def test_seed_demo_shows_the_observatory(client, settings):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)  # twice: same rows
    assert "Observatoire : 23 contrats publiés" in out.getvalue()
    assert PublishedContract.objects.filter(source=demo.SOURCE).count() == 23
    year = timezone.localdate().year - 1
    assert set(PublishedContract.objects.values_list("year", flat=True)) == {year}

    _login(client, "facilitateur@demo.clauses.example")
    query = f"?territoire=93&annee={year}"
    page = client.get(reverse("observatory:discrepancies") + query)
    assert [m.reference for m in page.context["followed_page"].object_list] == ["DEMO-2026-005"]
    assert [c.decp_id for c in page.context["unfollowed_page"].object_list] == ["2025DSS0103"]
    opportunities = client.get(reverse("observatory:opportunities") + query)
    assert len(opportunities.context["page"].object_list) >= 3
    index = client.get(reverse("observatory:index") + query)
    assert index.status_code == 200
    modified = PublishedContract.objects.get(decp_id="2025DSS0005")
    assert (float(modified.amount), modified.duration_months) == (960000, 30)

    client.logout()
    _login(client, "coordination93@demo.clauses.example")
    assert client.get(reverse("observatory:index") + query).status_code == 200
    client.logout()
    _login(client, "acheteur@demo.clauses.example")
    assert client.get(reverse("observatory:index")).status_code == 404
