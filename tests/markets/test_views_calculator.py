"""The public hour calculator page: GET form, htmx result, French numbers, errors."""

import re
from html import unescape

import pytest

CALCULATOR = "/marches/calculateur/"


def hours(html: str) -> int | None:
    match = re.search(r'data-hours="(\d+)"', html)
    return int(match.group(1)) if match else None


@pytest.mark.django_db
def test_anonymous_opens_the_empty_calculator(client):
    response = client.get(CALCULATOR)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert html.count("<h1") == 1
    assert "Bâtiment, moyenne des lots" in html
    assert "mefsud77" in html  # the source of the presets is shown
    assert hours(html) is None
    assert 'style="' not in html


@pytest.mark.django_db
def test_w1_gives_833_hours_with_the_building_preset(client):
    response = client.get(CALCULATOR, {"preset": "batiment", "amount_ht": "1 000 000"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert hours(html) == 833
    assert "arrondies à 833 heures" in html
    assert "Une clause d'insertion est possible" in html


@pytest.mark.django_db
def test_w1_with_explicit_parameters_typed_the_french_way(client):
    response = client.get(
        CALCULATOR,
        {
            "amount_ht": "1\u202f000\u202f000,50",
            "labour_share": "50",
            "hourly_cost": "30",
            "insertion_rate": "5",
        },
    )
    assert hours(response.content.decode()) == 833


@pytest.mark.django_db
def test_french_input_with_spaces_and_decimal_comma(client):
    response = client.get(CALCULATOR, {"preset": "batiment", "amount_ht": "1 000 000,50"})
    html = unescape(response.content.decode())
    assert hours(html) == 833
    assert "1\u202f000\u202f000,50 € HT" in html


@pytest.mark.django_db
def test_a_preset_field_can_be_overridden(client):
    response = client.get(
        CALCULATOR, {"preset": "batiment", "amount_ht": "1000000", "insertion_rate": "10"}
    )
    assert hours(response.content.decode()) == 1667


@pytest.mark.django_db
def test_cleaning_preset_uses_duration_and_transferred_staff(client):
    response = client.get(
        CALCULATOR,
        {
            "preset": "proprete",
            "amount_ht": "900000",
            "duration_months": "36",
            "transferred_staff_monthly_hours": "600",
        },
    )
    assert hours(response.content.decode()) == 720


@pytest.mark.django_db
def test_cleaning_below_150_hours_warns_and_recommends_no_clause(client):
    response = client.get(
        CALCULATOR, {"preset": "proprete", "amount_ht": "50000", "duration_months": "12"}
    )
    html = unescape(response.content.decode())
    assert "Moins de 150 heures" in html
    assert "ne pas mettre en place de clause" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"preset": "batiment", "amount_ht": "beaucoup"}, "n'est pas un nombre"),
        ({"amount_ht": "1000000"}, "ce champ est obligatoire"),
        (
            {
                "amount_ht": "1000",
                "labour_share": "150",
                "hourly_cost": "30",
                "insertion_rate": "5",
            },
            "inférieur ou égal à 100",
        ),
        (
            {"amount_ht": "1000", "labour_share": "50", "hourly_cost": "0", "insertion_rate": "5"},
            "strictement positif",
        ),
        ({"preset": "inconnu", "amount_ht": "1000"}, "Sélectionnez un choix valide"),
        ({"preset": "proprete", "amount_ht": "1000"}, "ce champ est obligatoire"),
    ],
)
def test_errors_are_in_french_and_the_page_still_renders(client, params, message):
    response = client.get(CALCULATOR, params)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert hours(html) is None
    assert message in html
    assert 'id="resume-erreurs"' in html


@pytest.mark.django_db
def test_htmx_returns_only_the_result(client):
    params = {"preset": "batiment", "amount_ht": "1000000"}
    partial = client.get(CALCULATOR, params, headers={"HX-Request": "true"}).content.decode()
    assert "<h1" not in partial and "<html" not in partial
    assert hours(partial) == 833
    full = client.get(CALCULATOR, params).content.decode()
    assert partial.strip() in full


@pytest.mark.django_db
def test_presets_of_the_territory_apply_when_a_departement_is_chosen(client):
    from clauses.markets.models import HourPresetSetting
    from clauses.network.enums import CoordinationLevel
    from clauses.network.models import Coordination
    from clauses.territories.models import Department

    department = Department.objects.get(code="93")
    HourPresetSetting.objects.create(
        coordination=Coordination.objects.get(
            level=CoordinationLevel.DEPARTMENTAL, department=department
        ),
        department=department,
        code="batiment",
        label="Bâtiment en Seine-Saint-Denis",
        insertion_rate="0.10",
        source="Coordination 93, délibération 2026",
        verified=True,
    )
    params = {"preset": "batiment", "amount_ht": "1000000"}
    html = client.get(CALCULATOR, {**params, "departement": "93"}).content.decode()
    assert hours(html) == 1667
    assert "Coordination 93, délibération 2026" in html
    assert hours(client.get(CALCULATOR, params).content.decode()) == 833
