"""How people type a commune, and how we match it.

"evry" must find Évry-Courcouronnes, "st denis" Saint-Denis, "75013" Paris 13e and Paris,
"L'Haÿ" L'Haÿ-les-Roses. Names are folded once, at load time, into `Commune.search_name`:
lower case, no accents, every separator a single space, and the abbreviations people use
expanded ("st" → "saint"). The query is folded the same way, so matching is a plain
prefix/contains on an indexed column and works the same on SQLite and PostgreSQL (the
column is already lower-case ASCII, so the case sensitivity of LIKE does not matter).
"""

import re
import unicodedata

# Abbreviations of French place names, expanded on both sides of the match.
ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
}

MAX_QUERY_LENGTH = 100

# "Neuilly s/ Marne": "s/" is "sur" when it starts a word.
_SUR = re.compile(r"(?<![a-z0-9])s/")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


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
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_text = _SUR.sub(" sur ", ascii_text.translate(_LIGATURES))
    words = _NOT_ALPHANUMERIC.split(ascii_text)
    if expand:
        words = [ABBREVIATIONS.get(word, word) for word in words]
    return " ".join(word for word in words if word)


def looks_like_code(text: str) -> bool:
    """A postcode or an INSEE code: five characters, digits except 2A/2B for Corsica."""
    return bool(re.fullmatch(r"\d{5}|2[ABab]\d{3}", text.strip()))


def looks_like_code_start(text: str) -> bool:
    """The first two to four digits of a postcode or INSEE code, typed in an autocomplete."""
    return bool(re.fullmatch(r"\d{2,4}|2[ABab]\d{0,2}", text.strip()))
