"""The identity key: recognise the same person across contractors and markets of a
territory without exposing any company's data to another.

key = HMAC-SHA256(secret, "LASTNAME|FIRSTNAME|birth") where names are normalised (accents,
case, spaces, hyphens and apostrophes removed) and `birth` is the ISO birth date when known,
else the birth year. The secret is `CLAUSES_FOLLOWUP_IDENTITY_SECRET` (else derived from
`SECRET_KEY`): without it the key cannot be recomputed from a name, so it reveals nothing.
Changing the secret breaks the recognition of people already recorded.
"""

import datetime
import hashlib
import hmac

from django.conf import settings

from clauses.core.text import letters_and_digits


def normalise_name(value: str) -> str:
    """ "Éloïse-Marie d'Arc " → "ELOISEMARIEDARC" (a property test in tests/core/test_text.py
    proves it equal to the folding the stored keys were made with)."""
    return letters_and_digits(value).upper()


def _secret() -> bytes:
    configured = getattr(settings, "CLAUSES_FOLLOWUP_IDENTITY_SECRET", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(f"clauses.followup.identity:{settings.SECRET_KEY}".encode()).digest()


def identity_key(
    *,
    last_name: str,
    first_name: str,
    birth_date: datetime.date | None = None,
    birth_year: int | None = None,
) -> str:
    """The keyed hash of a person's identity; "" when it cannot be formed (no name, no birth
    year): such a record is never matched with another."""
    last, first = normalise_name(last_name), normalise_name(first_name)
    if birth_date is not None:
        birth = birth_date.isoformat()
    elif birth_year is not None:
        birth = str(birth_year)
    else:
        return ""
    if not last or not first:
        return ""
    message = f"{last}|{first}|{birth}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()
