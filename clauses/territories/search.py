"""How people type a commune, and how we match it.

"evry" must find Évry-Courcouronnes, "st denis" Saint-Denis, "75013" Paris 13e and Paris,
"L'Haÿ" L'Haÿ-les-Roses. Names are folded once, at load time, into `Commune.search_name`
with `clauses.core.text.fold`:
lower case, no accents, every separator a single space, and the abbreviations people use
expanded ("st" → "saint"). The query is folded the same way, so matching is a plain
prefix/contains on an indexed column and works the same on SQLite and PostgreSQL (the
column is already lower-case ASCII, so the case sensitivity of LIKE does not matter).
"""

import re

MAX_QUERY_LENGTH = 100


def looks_like_code(text: str) -> bool:
    """A postcode or an INSEE code: five characters, digits except 2A/2B for Corsica."""
    return bool(re.fullmatch(r"\d{5}|2[ABab]\d{3}", text.strip()))


def looks_like_code_start(text: str) -> bool:
    """The first two to four digits of a postcode or INSEE code, typed in an autocomplete."""
    return bool(re.fullmatch(r"\d{2,4}|2[ABab]\d{0,2}", text.strip()))
