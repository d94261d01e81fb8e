"""The regional dashboard (map and tables) and the national aggregates by region."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses.accounts.enums import Role
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import organisation_of
from tests.reporting.conftest import Dataset
from tests.reporting.test_query_budgets import BUDGETS

pytestmark = pytest.mark.django_db


def _coordinator(client, level: str) -> None:  # noqa: ANN001
    coordination = Coordination.objects.filter(level=level).first()
    if coordination is None:
        pytest.fail(f"Aucune coordination de niveau {level} dans les données de référence.")
    membership = MembershipFactory(
        organisation=organisation_of(coordination), role=Role.COORDINATOR
    )
    login(client, membership)


def test_regional_dashboard_shows_the_map(dataset: Dataset, client, django_assert_max_num_queries):
    _coordinator(client, CoordinationLevel.REGIONAL)
    with django_assert_max_num_queries(BUDGETS["regional_dashboard"]):
        response = client.get(reverse("reporting:dashboard") + "?periode=year&annee=2025")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="img"' in page and "Heures comptées par département" in page


def test_national_sees_every_region_and_the_consolidation(dataset: Dataset, client):
    _coordinator(client, CoordinationLevel.NATIONAL)
    page = client.get(reverse("reporting:dashboard") + "?periode=year&annee=2025").content.decode()
    assert "Île-de-France" in page and "Généré" not in page
    response = client.get(reverse("reporting:consolidation", args=[2025]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[3][0] == "Territoire" and rows[3][1] == "Heures d'insertion comptées"
    idf = next(r for r in rows[4:] if r[0].startswith("11"))
    assert idf[1] > 0 and idf[6] > 0  # hours, markets with clauses
    # A buyer's clause report is not the national coordination's to read.
    assert (
        client.get(reverse("reporting:clause_report", args=[dataset.buyers[0].pk])).status_code
        == 404
    )
