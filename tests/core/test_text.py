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


def test_of_place_elides_and_contracts_as_french_does():
    from clauses.core.text import of_place

    assert of_place("Aubervilliers") == "d'Aubervilliers"
    assert of_place("Épinay-sur-Seine") == "d'Épinay-sur-Seine"
    assert of_place("Le Blanc-Mesnil") == "du Blanc-Mesnil"
    assert of_place("Les Lilas") == "des Lilas"
    assert of_place("La Courneuve") == "de La Courneuve"
    assert of_place("Paris") == "de Paris"
    assert of_place("Houilles") == "de Houilles"
