"""How people type a commune, and how we match it.

"evry" must find Évry-Courcouronnes, "st denis" Saint-Denis, "75013" Paris 13e and Paris,
"L'Haÿ" L'Haÿ-les-Roses. Names are folded once, at load time, into `Commune.search_name`:
lower case, no accents, every separator a single space, and the abbreviations people use
expanded ("st" → "saint"). The query is folded the same way, so matching is a plain
prefix/contains on an indexed column and works the same on SQLite and PostgreSQL.
"""

import re
import unicodedata

# Abbreviations of French place names, expanded on both sides of the match.
ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "s/": "sur",
}

_SEPARATORS = re.compile(r"[\s\-'’‘`´.,;:/_()]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, abbreviations expanded.

    >>> fold("L'Haÿ-les-Roses")
    'l hay les roses'
    >>> fold("  St-Denis ")
    'saint denis'
    """
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words = [ABBREVIATIONS.get(word, word) for word in _SEPARATORS.split(ascii_text) if word]
    return " ".join(words)


def looks_like_code(text: str) -> bool:
    """A postcode or an INSEE code: five characters, digits except 2A/2B for Corsica."""
    return bool(re.fullmatch(r"\d{5}|2[ABab]\d{3}", text.strip()))
