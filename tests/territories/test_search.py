"""fold() and the commune search, on the real communes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.core.text import fold
from clauses.territories.models import Commune
from clauses.territories.search import looks_like_code, looks_like_code_start


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Évry-Courcouronnes", "evry courcouronnes"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Haÿ les Roses", "l hay les roses"),
        ("  St-Denis ", "saint denis"),
        ("Ste-Geneviève-des-Bois", "sainte genevieve des bois"),
        ("ST  OUEN", "saint ouen"),
        ("Neuilly s/ Marne", "neuilly sur marne"),
        ("Bœuf Œil Æ", "boeuf oeil ae"),
        ("Paris 13e", "paris 13e"),
        ("«  »", ""),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_without_expansion():
    assert fold("St", expand=False) == "st"
    assert fold("Stains", expand=False) == "stains"


@given(st.text())
def test_fold_is_idempotent_and_ascii_lowercase(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.lower()
    assert folded == folded.strip()
    assert "  " not in folded


def test_code_shapes():
    assert looks_like_code("93066") and looks_like_code(" 2A004 ")
    assert not looks_like_code("9306") and not looks_like_code("930666")
    assert looks_like_code_start("75") and looks_like_code_start("9106")
    assert not looks_like_code_start("7") and not looks_like_code_start("75013")


def insee_codes(query: str, limit: int = 5) -> list[str]:
    return list(Commune.objects.search(query).values_list("insee", flat=True)[:limit])


pytestmark_db = pytest.mark.django_db


@pytestmark_db
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("evry", "91228"),
        ("EVRY", "91228"),
        ("Évry", "91228"),
        ("st denis", "93066"),
        ("St-Denis", "93066"),
        ("saint-denis", "93066"),
        ("Saint Denis", "93066"),
        ("denis", "93066"),
        ("L'Hay", "94038"),
        ("l hay", "94038"),
        ("lhay les roses", None),
        ("haÿ", "94038"),
        ("roses", "94038"),
        ("93066", "93066"),
        ("91000", "91228"),
        ("paris", "75056"),
        ("Paris 13", "75113"),
        ("paris 13e arrondissement", "75113"),
        ("montreuil", "93048"),
        ("st ouen", "93070"),
        ("Stains", "93072"),
        ("st", "93066"),
    ],
)
def test_first_result(query, first):
    results = insee_codes(query)
    assert (results[0] if results else None) == first


@pytestmark_db
def test_st_also_finds_names_starting_with_st():
    assert "93072" in insee_codes("st", limit=200)  # Stains


@pytestmark_db
def test_postcode_gives_the_arrondissement_then_paris():
    assert insee_codes("75013") == ["75113", "75056"]
    assert insee_codes("75016") == ["75116", "75056"]


@pytestmark_db
def test_postcode_shared_by_several_communes_by_population():
    results = list(Commune.objects.search("77700"))
    assert len(results) > 1
    populations = [commune.population for commune in results]
    assert populations == sorted(populations, reverse=True)


@pytestmark_db
def test_code_start():
    results = insee_codes("750", limit=50)
    assert results[0] == "75056"
    assert "75113" in results
    assert set(insee_codes("9306", limit=50)) >= {"93066", "93061"}


@pytestmark_db
def test_ranking_exact_then_prefix_then_word_prefix_then_population():
    results = list(Commune.objects.search("saint denis")[:10])
    assert results[0].insee == "93066"  # exact
    ranks = [commune.rank for commune in results]
    assert ranks == sorted(ranks)
    prefix = [c for c in results if c.rank == 1]
    assert all(c.search_name.startswith("saint denis") for c in prefix)
    words = [c for c in results if c.rank == 2]
    assert {c.name for c in words} >= {"Vert-Saint-Denis", "L'Île-Saint-Denis"}
    populations = [c.population for c in words]
    assert populations == sorted(populations, reverse=True)


@pytestmark_db
@pytest.mark.parametrize(
    "query", ["", "   ", "%", "_", "'-'", "%%%%", "zzzzzz", "99999", "12", "a" * 500, "2B001"]
)
def test_empty_or_garbage_finds_nothing(query):
    assert insee_codes(query) == []


@pytestmark_db
def test_like_wildcards_are_literal():
    assert insee_codes("saint%denis") == insee_codes("saint denis")  # % is a separator
    assert not Commune.objects.filter(search_name__contains="%").exists()
