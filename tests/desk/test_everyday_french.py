"""Desk parts of #12.11 and #12.12: amounts typed the French way, dates and plurals as
French writes them, the « optionnel » mark agreed with the form's notice, the inbox's
status and deadline first (a phone shows the first columns), dashboard chart labels that
do not overlap once the chart is drawn at 1280 px or on a 390 px phone."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.desk import services
from clauses.desk.charts import label_width
from clauses.desk.models import Request
from clauses.desk.views import DASHBOARD_CHART_WIDTH
from tests.desk.conftest import request_data
from tests.desk.test_views import FORM_URL, form_data
from tests.desk.test_views_helpers import login_member_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("2 400 000", 2400000),
        ("2\u202f400\u202f000 €", 2400000),
        ("450 000,50", Decimal("450000.50")),
    ],
)
def test_amounts_typed_the_french_way_are_accepted(client, network, typed, amount):
    response = client.post(FORM_URL, form_data(estimated_amount=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Request.objects.get().market_estimated_amount == amount


def test_the_form_notice_names_the_mark_it_shows(client, db):
    html = client.get(FORM_URL).content.decode()
    assert "Sauf mention « optionnel »" in html and "facultatif" not in html
    assert "(optionnel)" in html.lower()


def test_one_working_day_is_singular(client, network, settings):
    settings.CLAUSES_DESK_FIRST_RESPONSE_WORKING_DAYS = 1
    response = client.post(FORM_URL, form_data(), follow=True)
    html = unescape(response.content.decode())
    assert "(1 jour ouvré)" in html and "1 jours" not in html


def test_inbox_dates_and_columns(client, network):
    services.file_request(
        data=request_data(execution_communes=["93066"]),
        now=timezone.now().replace(month=12, day=6),
    )
    login_member_of(client, network.plaine)
    html = client.get("/guichet/boite/").content.decode()
    assert "6 déc. " in html and "Déc" not in html
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    assert headers[:3] == ["Référence", "Statut", "Première réponse"]


def test_dashboard_chart_labels_fit_their_bars(client, network):
    for days in (0, 7, 14):
        services.file_request(
            data=request_data(execution_communes=["93066"]),
            now=timezone.now() - timedelta(days=days),
        )
    login_member_of(client, network.regional, role=Role.COORDINATOR)
    response = client.get("/guichet/tableau-de-bord/")
    charts = response.context["charts"]
    for name in ("weeks", "departments"):
        chart = charts[name]
        slot = (chart.width - 52) / len(chart.bars)
        for bar in chart.bars:
            assert label_width(bar.shown_label) <= slot, (name, bar.shown_label, slot)
            assert bar.label in unescape(response.content.decode())  # full label kept
    # Drawn no wider than this, the text stays legible on a 390 px phone (≥ 10 px).
    assert DASHBOARD_CHART_WIDTH <= 400
    assert 12 * (350 / DASHBOARD_CHART_WIDTH) >= 10
