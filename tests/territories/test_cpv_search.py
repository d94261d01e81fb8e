"""CPV autocomplete: `CpvCode.objects.search` (code begun or words, accents ignored,
divisions and groups first), the public htmx partial `territories:cpv_search`, and the CPV
fields of the markets forms that use it (a picked suggestion fills the code; without
JavaScript an 8-digit code, a clear French error otherwise)."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clauses.markets.forms import LotForm, MarketForm, clean_cpv_text
from clauses.markets.presets import presets_for
from clauses.territories.models import CpvCode
from clauses.territories.views import SUGGESTIONS

pytestmark = pytest.mark.django_db

URL = "/territoires/cpv/recherche/"


def codes(query: str) -> list[str]:
    return list(CpvCode.objects.search(query).values_list("code8", flat=True)[:SUGGESTIONS])


# ---------------------------------------------------------------------------------------
# The queryset


def test_url_name():
    assert reverse("territories:cpv_search") == URL


def test_code_prefix_broadest_first():
    found = codes("452")
    assert found[0] == "45200000"  # the group before its classes
    assert "45210000" in found
    assert all(code.startswith("452") for code in found)
    levels = list(CpvCode.objects.search("452").values_list("level", flat=True)[:SUGGESTIONS])
    assert levels == sorted(levels)


def test_two_digits_give_the_division_first():
    assert codes("45")[0] == "45000000"


@pytest.mark.parametrize("query", ["45210000", "45210000-2", " 45210000 ", "45210000 – Travaux"])
def test_whole_code_with_check_digit_or_chosen_label(query):
    assert codes(query)[0] == "45210000"


@pytest.mark.parametrize(
    "query",
    ["bâtiments scolaires", "batiments scolaires", "BATIMENTS SCOLAIRES", "bât scol"],
)
def test_words_with_or_without_accents(query):
    assert "45214200" in codes(query)


def test_words_all_required_and_at_a_word_start():
    found = CpvCode.objects.search("construction batiments")
    assert found.exists()
    for cpv in found:
        assert " batiments" in f" {cpv.search_label}"
        assert " construction" in f" {cpv.search_label}"
    # "iment" starts no word: no match in the middle of a word.
    assert not CpvCode.objects.search("iments scolaires").exists()


def test_words_broadest_first():
    levels = list(CpvCode.objects.search("travaux").values_list("level", flat=True)[:50])
    assert levels == sorted(levels)
    assert codes("travaux construction")[0] == "45000000"


@pytest.mark.parametrize("query", ["", "   ", "--", "zzzqqqxw", "99999999"])
def test_unknown_or_empty(query):
    assert codes(query) == []


# ---------------------------------------------------------------------------------------
# The partial


def test_partial_is_public_and_lists_at_most_ten_options(client):
    response = client.get(URL, {"q": "45"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert html.count("<option ") == SUGGESTIONS
    assert '<option value="45000000 – Travaux de construction">' in html


def test_partial_reads_the_field_name_htmx_sends(client):
    html = unescape(client.get(URL, {"cpv": "bâtiments scolaires"}).content.decode())
    assert '<option value="45214200 – Travaux de construction de bâtiments scolaires">' in html


def test_partial_escapes_and_answers_nothing_to_unknown(client):
    response = client.get(URL, {"q": "<script>zzz"})
    assert response.status_code == 200
    assert "<option" not in response.content.decode()
    assert "<script>zzz" not in response.content.decode()


def test_partial_bounded_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get(URL, {"q": "travaux"})


def test_post_is_refused(client):
    assert client.post(URL, {"q": "45"}).status_code == 405


# ---------------------------------------------------------------------------------------
# The markets forms


@pytest.mark.parametrize(
    "typed",
    ["45210000", " 45210000-2 ", "45210000 – Travaux de construction de bâtiments"],
)
def test_clean_reads_the_code_or_the_chosen_suggestion(typed):
    assert clean_cpv_text(typed).code8 == "45210000"


def test_clean_empty_is_none():
    assert clean_cpv_text("  ") is None


def test_clean_words_not_picked_ask_for_a_code():
    with pytest.raises(ValidationError) as error:
        clean_cpv_text("travaux de peinture")
    assert "Indiquez le code CPV à 8 chiffres" in error.value.messages[0]


def test_clean_unknown_code_is_named():
    with pytest.raises(ValidationError) as error:
        clean_cpv_text("99999999")
    assert error.value.messages[0].startswith("Ce code CPV est inconnu : 99999999")


def test_market_form_field_is_wired_to_the_partial():
    html = str(MarketForm()["cpv"].as_field_group())
    assert 'list="suggestions-cpv-marche"' in html
    assert '<datalist id="suggestions-cpv-marche"></datalist>' in html
    assert f'hx-get="{URL}"' in html
    assert 'hx-target="#suggestions-cpv-marche"' in html


def test_lot_form_has_its_own_cpv_field():
    form = LotForm(
        {"number": "2", "title": "Peinture", "cpv": "45442100 – Travaux de peinture"},
        presets=presets_for(None),
    )
    assert 'list="suggestions-cpv-lot"' in str(form["cpv"].as_field_group())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cpv"].code8 == "45442100"
    bad = LotForm({"number": "2", "title": "Peinture", "cpv": "peinture"}, presets={})
    assert not bad.is_valid()
    assert "Indiquez le code CPV à 8 chiffres" in bad.errors["cpv"][0]
