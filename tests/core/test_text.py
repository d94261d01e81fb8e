"""clauses.core.text: the two foldings."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from clauses.core.text import compact, fold, letters_and_digits, strip_accents


def _identity_name_before(value: str) -> str:
    """followup.identity.normalise_name as it was before it used `compact`: the identity
    keys already stored depend on it staying the same."""
    decomposed = unicodedata.normalize("NFKD", value)
    letters = (char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in letters if char.isalnum()).upper()


def test_fold_examples():
    assert fold("L'Haÿ-les-Roses") == "l hay les roses"
    assert fold("  St-Denis ") == "saint denis"
    assert fold("St", expand=False) == "st"
    assert fold("Neuilly s/ Marne") == "neuilly sur marne"
    assert fold("Cœur d’Alène") == "coeur d alene"


def test_compact_examples():
    assert compact(" Éloïse-Marie d’Arc ") == "eloisemariedarc"
    assert compact("Procédure adaptée") == "procedureadaptee"
    assert compact("Début d'exécution") == compact("debut d execution")
    assert strip_accents("Évry") == "Evry"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_compact_is_idempotent_and_keeps_the_identity_key(text):
    assert compact(compact(text)) == compact(text)
    assert letters_and_digits(text).upper() == _identity_name_before(text)
