"""Home, network overview and département pages: public, in French, bounded queries."""

import re

import pytest
from django.urls import reverse

from tests.network.factories import FacilitatorFactory, FacilitatorStructureFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_home_presents_clauses_missions_network_practices_and_desks(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = _text(response)
    assert html.count("<h1") == 1
    assert "clause d'insertion" in html
    for mission in ["Promouvoir", "Conseiller", "Animer", "Accompagner", "Évaluer"]:
        assert f">{mission}</h3>" in html
    for level in ["Alliance Villes Emploi", "GIP Maximilien", "coordinations départementales"]:
        assert level in html
    assert "en amont de la publication" in html
    assert "programmation achat" in html
    assert 'href="mailto:macs@maximilien.fr"' in html
    assert 'href="mailto:guichetvert@maximilien.fr"' in html
    assert "Déposer une demande au guichet" in html
    assert 'href="mailto:macs@maximilien.fr?subject=Demande%20d%27accompagnement' in html
    assert f'href="{reverse("network:find")}"' in html
    assert "Trouver mon facilitateur" in html


def test_home_shows_the_live_numbers_of_the_network(client, seine_saint_denis_network):
    html = _text(client.get(reverse("home")))
    assert re.search(r"3 facilitateurs</strong>\s*dans <strong>2 structures", html)


def test_home_without_structures_says_the_network_is_being_filled_in(client):
    assert "en cours de référencement" in _text(client.get(reverse("home")))


def test_home_query_budget(client, django_assert_max_num_queries, seine_saint_denis_network):
    with django_assert_max_num_queries(3):
        assert client.get(reverse("home")).status_code == 200


def test_overview_table_has_every_department_and_totals(client, seine_saint_denis_network):
    response = client.get(reverse("network:overview"))
    assert response.status_code == 200
    html = _text(response)
    assert "<caption>Le réseau par département" in html
    for name, coordination in [
        ("Paris (75)", "Association EPEC"),
        ("Seine-Saint-Denis (93)", "Conseil départemental Seine-Saint-Denis"),
        ("Val-d&#x27;Oise (95)", "Association AVEC"),
    ]:
        assert name in html
        assert coordination in html
    row_93 = re.search(r"Seine-Saint-Denis \(93\)</a>.*?</tr>", html, re.S).group(0)
    assert re.findall(r'fr-cell--right">(\d+)<', row_93) == ["3", "2"]
    tfoot = re.search(r"<tfoot>.*</tfoot>", html, re.S).group(0)
    assert "Total" in tfoot and ">3<" in tfoot and ">2<" in tfoot


def test_overview_map_links_every_department_with_a_text_alternative(client):
    html = _text(client.get(reverse("network:overview")))
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'aria-labelledby="carte-titre"' in svg and 'id="carte-titre"' in svg
    assert "style=" not in svg
    assert not re.search(r'[xy]="\d+,\d', svg), "coordonnées localisées (virgule décimale)"
    for code in ["75", "77", "78", "91", "92", "93", "94", "95"]:
        assert f'href="{reverse("network:department", args=[code])}"' in svg
    assert svg.count("<path") == 8
    assert svg.count("<title") == 9  # the map, and each département
    assert "sous forme de texte" in html


def test_overview_query_budget(client, django_assert_max_num_queries, seine_saint_denis_network):
    with django_assert_max_num_queries(4):
        assert client.get(reverse("network:overview")).status_code == 200


def test_department_page_shows_coordinations_structures_and_facilitators(
    client, seine_saint_denis_network
):
    response = client.get(reverse("network:department", args=["93"]))
    assert response.status_code == 200
    html = _text(response)
    assert "<h1>Le réseau des clauses sociales : Seine-Saint-Denis (93)</h1>" in html
    assert "Conseil départemental Seine-Saint-Denis" in html
    assert "Coordination locale Plaine Commune" in html
    assert "Territoire : Plaine Commune (EPT)" in html
    assert "Territoire : 3 communes" in html
    assert "Nadia Benali" in html and "Facilitatrice" in html
    nadia = seine_saint_denis_network["facilitators"][0]
    assert f'href="mailto:{nadia.email}"' in html
    assert 'href="tel:0612345678"' in html
    assert "3 facilitateurs" in html
    assert 'aria-current="true">Le réseau</a>' in html  # the menu shows where we are


def test_department_page_counts_partners_by_kind_and_paginates(client, seine_saint_denis_network):
    html = _text(client.get(reverse("network:department", args=["93"])))
    assert re.search(r"GEIQ : \d+</a>", html)
    assert "Entreprise d&#x27;insertion (EI)" in html
    geiq = _text(client.get(reverse("network:department", args=["93"]), {"type": "geiq"}))
    assert "GEIQ BTP 93" in geiq and "Régie de quartier 0" not in geiq


def test_department_partner_pages(client, seine_saint_denis_network):
    total = PartnerFactory._meta.model.objects.filter(department__code="93").count()
    last_page = -(-total // 20)
    html = _text(client.get(reverse("network:department", args=["93"]), {"page": last_page}))
    assert f"page {last_page} sur {last_page}" in html
    if last_page > 1:
        assert "Page précédente</a>" in html


def test_department_query_budget_does_not_grow_with_the_network(
    client, django_assert_max_num_queries, seine_saint_denis_network
):
    url = reverse("network:department", args=["93"])
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for _ in range(5):
        structure = FacilitatorStructureFactory()
        FacilitatorFactory.create_batch(3, structure=structure)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("code", ["69", "2A", "999", "abc"])
def test_department_outside_the_region_is_not_found(client, code):
    assert client.get(reverse("network:department", args=[code])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("network:overview"),
        reverse("network:find"),
        reverse("network:find") + "?q=saint",
        reverse("network:find") + "?commune=93066",
        reverse("network:department", args=["93"]),
    ],
)
def test_pages_are_public_and_french(client, url, seine_saint_denis_network):
    response = client.get(url)
    assert response.status_code == 200
    html = _text(response)
    assert '<html lang="fr"' in html
    assert html.count("<h1") == 1
    assert 'id="contenu"' in html
    assert 'style="' not in html  # the CSP refuses inline styles
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "identifiants en double"
