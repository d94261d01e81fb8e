"""Folding text for matching: accents, case, spaces, apostrophes and hyphens.

Two foldings, one definition each:

- `fold(text)`: lower-case ASCII words separated by single spaces, abbreviations of French
  place names expanded ("St-Denis" → "saint denis"). For searches and search columns.
- `compact(text)`: lower-case letters and digits only, accents removed, nothing between
  them ("Procédure adaptée" → "procedureadaptee", "d'Arc" → "darc"). For matching labels,
  headers and names typed by people. The follow-up's identity key hashes
  `letters_and_digits(name).upper()`: changing it changes every key (followup/identity.py).
"""

import re
import unicodedata

# Abbreviations of French place names, expanded on both sides of a match.
ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
}

# "Neuilly s/ Marne": "s/" is "sur" when it starts a word.
_SUR = re.compile(r"(?<![a-z0-9])s/")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


def strip_accents(text: str) -> str:
    """The text without its combining marks ("Évry" → "Evry"); ligatures are kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str, *, expand: bool = True) -> str:
    """Lower-case ASCII words separated by single spaces, abbreviations expanded.

    Every character that is not a letter or a digit once accents are removed is a
    separator (hyphens, apostrophes, dots…). `fold(fold(x)) == fold(x)`.

    >>> fold("L'Haÿ-les-Roses")
    'l hay les roses'
    >>> fold("  St-Denis ")
    'saint denis'
    >>> fold("St", expand=False)
    'st'
    """
    text = text.lower().translate(_LIGATURES)
    ascii_text = _SUR.sub(" sur ", strip_accents(text).translate(_LIGATURES))
    words = _NOT_ALPHANUMERIC.split(ascii_text)
    if expand:
        words = [ABBREVIATIONS.get(word, word) for word in words]
    return " ".join(word for word in words if word)


def letters_and_digits(text: str) -> str:
    """The letters and digits of the text, accents removed, case kept ("d’Éva" → "dEva")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum())


def compact(text: str) -> str:
    """Lower-case letters and digits only, without accents: spaces, apostrophes, hyphens
    and punctuation removed.

    >>> compact(" Éloïse-Marie d’Arc ")
    'eloisemariedarc'
    """
    return letters_and_digits(text).lower()


VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿæœ")


def of_place(name: str) -> str:
    """« de » before a place name as French writes it: « d'Aubervilliers », « du
    Blanc-Mesnil », « des Lilas », « de La Courneuve », « de Paris » (#12.12). A leading h
    keeps « de » (most place names start with an aspirated h: « de Houilles »)."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name[:1].lower() in VOWELS:
        return f"d'{name}"
    return f"de {name}"
