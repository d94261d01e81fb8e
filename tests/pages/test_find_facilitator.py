"""Trouver mon facilitateur: the form without JavaScript, and the htmx suggestions."""

import re

import pytest
from django.urls import reverse

from clauses.territories.models import Commune

pytestmark = pytest.mark.django_db
URL = reverse("network:find")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _html(response) -> str:
    return response.content.decode()


def _linked_communes(html: str) -> list[str]:
    return re.findall(r"\?commune=(\w+)", html)


def _results_block(html: str) -> str:
    return re.search(r'<div id="resultats-recherche">(.*?)</div>', html, re.S).group(1)


def test_empty_form_has_a_labelled_field_and_htmx_autocomplete(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = _html(response)
    assert '<label for="id_q" class="fr-label">' in html
    assert "Commune ou code postal" in html
    assert 'hx-get="/reseau/trouver-mon-facilitateur/"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'id="statut-recherche" role="status"' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_evry_shows_evry_courcouronnes_and_its_network(client, seine_saint_denis_network):
    response = client.get(URL, {"q": "evry"})
    assert response.status_code == 200
    html = _html(response)
    assert "Vos interlocuteurs pour Évry-Courcouronnes (91)" in html
    assert "Inclusiv&#x27;Essonne" in html  # departmental coordination of Essonne
    assert "Alliance Villes Emploi" in html
    assert f'href="{reverse("network:department", args=["91"])}"' in html
    # The other commune is one click away.
    assert "Ce n'est pas la bonne commune ?" in html
    assert "?commune=77175" in html


def test_paris_13_postcode_gives_the_arrondissement(client):
    html = _html(client.get(URL, {"q": "75013"}))
    paris_13 = Commune.objects.get(insee="75113")
    assert f"Vos interlocuteurs pour {paris_13.name} (75)" in html
    assert "arrondissement de Paris" in html
    assert "Association EPEC" in html


def test_unknown_commune_says_so(client):
    response = client.get(URL, {"q": "zzzz"})
    assert response.status_code == 200
    html = _html(response)
    assert "Aucune commune ne correspond à « zzzz »" in html
    assert "Île-de-France" in html
    assert "Vos interlocuteurs" not in html


def test_commune_outside_the_region_says_so(client):
    html = _html(client.get(URL, {"q": "69001"}))
    assert "Aucune commune ne correspond à « 69001 »" in html
    assert "Alliance Villes Emploi" in html


def test_unknown_insee_code_is_not_found(client):
    response = client.get(URL, {"commune": "99999"})
    assert response.status_code == 404
    assert "Aucune commune ne correspond à « 99999 »" in _html(response)


def test_several_matches_give_a_list_of_links(client):
    html = _html(client.get(URL, {"q": "saint"}))
    links = _linked_communes(_results_block(html))
    assert len(links) == 10
    assert "Vos interlocuteurs" not in html
    assert "précisez votre recherche" in html


def test_choosing_a_commune_shows_its_facilitators_with_contacts(client, seine_saint_denis_network):
    response = client.get(URL, {"commune": "93066"})  # Saint-Denis, in Plaine Commune
    html = _html(response)
    assert "Vos interlocuteurs pour Saint-Denis (93)" in html
    assert "Les 2 personnes à contacter" in html
    assert 'value="Saint-Denis"' in html  # the field shows the chosen commune
    for name in ["Nadia Benali", "Julien Martin"]:
        assert name in html
    assert "Awa Diallo" not in html  # her structure covers other communes
    assert "Maison de l&#x27;emploi Plaine Commune" in html
    assert "Coordination locale Plaine Commune" in html
    nadia = seine_saint_denis_network["facilitators"][0]
    assert f'href="mailto:{nadia.email}"' in html
    assert 'href="tel:0612345678"' in html
    # The chain, national first.
    order = [
        html.index(name)
        for name in [
            "Alliance Villes Emploi",
            "GIP Maximilien (MACS)",
            "Conseil départemental Seine-Saint-Denis",
            "Coordination locale Plaine Commune",
        ]
    ]
    assert order == sorted(order)
    mailto = re.search(r'href="(mailto:macs@maximilien.fr\?subject=[^"]+)"', html).group(1)
    assert "Saint-Denis%20%2893066%29" in mailto
    assert "courriel pré-rempli" in html


def test_find_query_budget(client, django_assert_max_num_queries, seine_saint_denis_network):
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"q": "saint denis"}).status_code == 200


@pytest.mark.parametrize("query", ["saint", "evry", "75013", "st maur", "930", "zzzz"])
def test_htmx_suggestions_list_the_same_communes_as_the_full_page(client, query):
    partial = client.get(URL, {"q": query}, **HTMX)
    assert partial.status_code == 200
    partial_html = _html(partial)
    assert "<html" not in partial_html
    assert 'hx-swap-oob="innerHTML"' in partial_html
    page_html = _html(client.get(URL, {"q": query}))
    in_partial = _linked_communes(partial_html)
    if "Vos interlocuteurs pour" in page_html:
        # One clear match: the page shows it first, then lists the others.
        others = re.search(r'id="autres-communes".*?</ul>', page_html, re.S)
        assert in_partial[1:] == (_linked_communes(others.group(0)) if others else [])
    else:
        assert in_partial == _linked_communes(_results_block(page_html))
    if query == "zzzz":
        assert in_partial == []
        assert "Aucune commune ne correspond à « zzzz »" in partial_html


def test_htmx_partial_announces_the_number_of_results(client):
    html = _html(client.get(URL, {"q": "evry"}, **HTMX))
    assert "2 communes correspondent à « evry »" in html
    assert "?commune=91228" in html


def test_htmx_with_an_empty_query_clears_the_suggestions(client):
    html = _html(client.get(URL, {"q": ""}, **HTMX))
    assert _linked_communes(html) == []
    assert "Aucune commune" not in html
