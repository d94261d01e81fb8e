"""The in-memory commune index (#15) answers exactly what the queryset answers: the same
communes, the same ranks, in the same order (population, then the folded name, then the
primary key when two communes have the same population)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clauses.territories import index
from clauses.territories.models import Commune

pytestmark = pytest.mark.django_db

TEXTS = [
    "saint",
    "saint-d",
    "st denis",
    "st",
    "mont",
    "vil",
    "paris",
    "Paris 13",
    "75011",
    "75013",
    "77700",
    "91000",
    "93066",
    "2A004",
    "93",
    "750",
    "9306",
    "bois",
    "argenteuil",
    "champ",
    "la",
    "lès",
    "L'Haÿ",
    "roses",
    "sur marne",
    "noisy",
    "ivry",
    "77",
    "versailles",
    "mee",
    "plessis",
    "e",
    "zzzz",
    "",
    "%",
    "_",
    "a" * 500,
]


def _key(commune: Commune) -> tuple:
    return (getattr(commune, "rank", None) or 0, -commune.population, commune.search_name)


def expected(text: str, limit: int) -> list[tuple[str, int | None]]:
    """The queryset's first `limit` answers, its ties broken like the index."""
    rows = sorted(Commune.objects.search(text), key=lambda c: (*_key(c), c.pk))
    return [(c.insee, getattr(c, "rank", None)) for c in rows[:limit]]


def answered(text: str, limit: int) -> list[tuple[str, int | None]]:
    found = index.search_communes(text, limit)
    entries = index.search_entries(text, limit)  # the API's rows, from memory only
    assert [(e.insee, e.name, e.department, list(e.postcodes)) for e in entries] == [
        (c.insee, c.name, c.department.code, c.postcode_list) for c in found
    ]
    return [(c.insee, getattr(c, "rank", None)) for c in found]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("limit", [1, 6, 20, 500])
def test_the_index_answers_like_the_queryset(text, limit):
    assert answered(text, limit) == expected(text, limit)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet="aeiloprstuvyéèç -'0123456789", max_size=8)
    | st.sampled_from(["saint ", "st ", "la ", "le ", "sur ", "sous ", "les ", "9", "7"])
)
def test_typed_texts_agree(text):
    assert answered(text, 20) == expected(text, 20)


def test_a_changed_commune_is_seen_at_once():
    before = answered("saint-denis", 20)
    last, rank = before[-1]
    assert rank == 2 and before[2] != (last, 2)
    commune = Commune.objects.get(insee=last)  # a later word, the least populated listed
    commune.population = 10_000_000
    commune.save()  # bumps the network version: every process rebuilds its index
    after = answered("saint-denis", 20)
    assert after[2] == (last, 2)  # the first of the later words (exact, prefix, then it)
    assert after == expected("saint-denis", 20)


def test_one_index_per_version(django_assert_num_queries):
    index.search_communes("paris", 5)  # built
    with django_assert_num_queries(1):  # the rows by primary key, nothing else
        index.search_communes("montreuil", 5)
