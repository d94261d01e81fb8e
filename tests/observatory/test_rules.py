"""The classification rule (observatory/rules.py): worked cases and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.observatory import rules
from clauses.observatory.enums import ContractKind, SocialStatus

POSITIVE = ["Clause sociale", "Critère social", "Marché réservé", "Concession réservée"]
NONE = ["Pas de considération sociale", "Sans objet", "", "Non"]
ANY_VALUE = st.sampled_from(POSITIVE + NONE + ["Oui", "n'importe quoi"])


@pytest.mark.parametrize(
    ("value", "status", "labels"),
    [
        ({"considerationSociale": ["Clause sociale", "Critère social"]}, "yes",
         ("Clause sociale", "Critère social")),
        ({"considerationSociale": ["Pas de considération sociale"]}, "no", ()),
        ({"considerationSociale": "Marché réservé"}, "yes", ("Marché réservé",)),
        ("Clause sociale, Critère social", "yes", ("Clause sociale", "Critère social")),
        ("Critère social ; Clause sociale", "yes", ("Clause sociale", "Critère social")),
        ("Sans objet", "no", ()),
        ("", "no", ()),
        (None, "no", ()),
        ([], "no", ()),
        ({}, "no", ()),
        ("CLAUSE  SOCIALE", "yes", ("Clause sociale",)),
        ("critere social", "yes", ("Critère social",)),
        ("Oui", "yes", (rules.UNSPECIFIED,)),
        ("Blabla", "unknown", ()),
        (42, "no", ()),
    ],
)  # fmt: skip
def test_worked_cases(value, status, labels):
    result = rules.classify(value)
    assert result.status == status
    assert result.labels == labels
    assert result.has_social_consideration == (status == "yes")


def test_the_2019_format_is_unknown_not_none():
    result = rules.classify(None, present=False)
    assert result.status == SocialStatus.UNKNOWN
    assert result.warnings == rules.ABSENT_WARNINGS


def test_a_concession_reserved_is_social_and_wrong_labels_warn():
    assert rules.classify(["Concession réservée"], concession=True).warnings == ()
    assert rules.classify(["Concession réservée"]).warnings  # on a market: counted, warned
    assert rules.classify(["Marché réservé"], concession=True).status == "yes"


def test_contradiction_keeps_the_consideration_with_a_warning():
    result = rules.classify(["Clause sociale", "Pas de considération sociale"])
    assert result.status == "yes"
    assert any("à la fois" in warning for warning in result.warnings)


@given(st.lists(ANY_VALUE, max_size=6))
def test_order_and_duplicates_do_not_matter(values):
    a = rules.classify({"considerationSociale": values})
    b = rules.classify({"considerationSociale": list(reversed(values)) + values})
    assert (a.status, a.labels) == (b.status, b.labels)


@given(st.lists(ANY_VALUE, max_size=6))
def test_list_and_joined_string_agree(values):
    listed = rules.classify({"considerationSociale": values})
    joined = rules.classify(", ".join(values))
    assert (listed.status, listed.labels) == (joined.status, joined.labels)


@given(st.lists(ANY_VALUE, max_size=6), st.sampled_from(POSITIVE))
def test_any_social_label_makes_it_social(values, label):
    assert rules.classify(values + [label]).status == SocialStatus.YES


@given(st.lists(st.sampled_from(NONE), max_size=5))
def test_none_values_only_mean_none(values):
    assert rules.classify(values).status == SocialStatus.NO


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=20), children, max_size=3),
    max_leaves=10,
))  # fmt: skip
def test_never_raises_on_any_json(value):
    result = rules.classify(value)
    assert result.status in SocialStatus.values
    assert set(result.labels) <= {*POSITIVE, rules.UNSPECIFIED}


@pytest.mark.parametrize(
    ("code", "type_code", "department"),
    [
        ("93200", "Code postal", "93"),
        ("97411", "Code postal", "974"),
        ("20000", "Code postal", "2A"),
        ("20200", "Code postal", "2B"),
        ("2A004", "Code commune", "2A"),
        ("75056", "Code commune", "75"),
        ("75", "Code département", "75"),
        ("1", "Code département", "01"),
        ("11", "Code région", ""),
        ("FR", "Code pays", ""),
        ("", "Code postal", ""),
    ],
)
def test_department_from_place(code, type_code, department):
    assert rules.department_from_place(code, type_code) == department


def test_kind_from_cpv_and_nature():
    assert rules.kind_from_cpv("45210000") == ContractKind.WORKS
    assert rules.kind_from_cpv("30190000") == ContractKind.SUPPLIES
    assert rules.kind_from_cpv("48000000") == ContractKind.SUPPLIES
    assert rules.kind_from_cpv("90910000") == ContractKind.SERVICES
    assert rules.kind_from_cpv("") == ""
    assert rules.kind_from_nature("Concession de travaux") == ContractKind.WORKS
    assert rules.kind_from_nature("Concession de service public") == ContractKind.SERVICES
