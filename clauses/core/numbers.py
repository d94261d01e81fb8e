"""Numbers typed by people, the French way: "2 400 000", "1 234,5", "151.67", "850 000 €".

Spaces of every kind are grouping (ordinary, non-breaking U+00A0, narrow non-breaking
U+202F that French formatting uses, thin U+2009, figure U+2007); a comma or a dot is the
decimal separator; a trailing "€" is ignored. Anything else — "1e30", "inf", "NaN",
"1.234,5", letters — is refused with a French message (`NumberError`), and so is a number
beyond `maximum` (by default `LIMIT`, far above any amount or number of hours the project
counts): a value that large would only overflow a decimal column or a rounding later.
Numbers already typed (int, float, Decimal from JSON or a spreadsheet cell) get the same
checks; a bool is not a number.
"""

import re
from decimal import Decimal, InvalidOperation

SPACES = " \u00a0\u202f\u2009\u2007"
LIMIT = Decimal("1e15")
_SPACES = str.maketrans("", "", SPACES)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


class NumberError(ValueError):
    """Why a value is not an acceptable number, in French (`str(error)`)."""


class NumberOutOfRange(NumberError):
    """A number, but beyond the bounds asked (or absurdly large)."""


class NumberNotFinite(NumberError):
    """Infinity or NaN, typed or computed."""


def french(number: Decimal | int) -> str:
    """A number written the French way, for messages: 1000000 → "1 000 000" (narrow
    no-break spaces), 2.5 → "2,5"."""
    text = f"{Decimal(number).normalize():,f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _shown(value: object) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:40] + "…"


def _to_decimal(value: object, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberError(f"« {_shown(value)} » n'est pas {what}.")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
        if number is None:
            raise NumberNotFinite("un nombre fini est attendu.")
    else:
        text = str(value).translate(_SPACES).removesuffix("€").translate(_SPACES)
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            try:
                special = not Decimal(text).is_finite()
            except InvalidOperation:
                special = False
            if special:
                raise NumberNotFinite("un nombre fini est attendu.")
            raise NumberError(f"« {_shown(value)} » n'est pas {what}.")
        number = Decimal(text.replace(",", "."))
    if not number.is_finite():
        raise NumberNotFinite("un nombre fini est attendu.")
    return number


def _bounded(
    number: Decimal, value: object, minimum: Decimal | int | None, maximum: Decimal | int
) -> None:
    if number > maximum:
        raise NumberOutOfRange(f"« {_shown(value)} » est trop grand ({french(maximum)} au plus).")
    if minimum is not None and number < minimum:
        raise NumberOutOfRange(f"« {_shown(value)} » est trop petit ({french(minimum)} au moins).")
    if number < -LIMIT:
        raise NumberOutOfRange(f"« {_shown(value)} » est trop petit.")


def parse_decimal(
    value: object,
    *,
    places: int | None = 2,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int = LIMIT,
) -> Decimal | None:
    """The number in `value`, rounded to `places` decimals (None: as typed), or None for
    an empty value. Raises `NumberError` with a French message otherwise.

    >>> parse_decimal("1 234,5")
    Decimal('1234.50')
    """
    number = _to_decimal(value, "un nombre")
    if number is None:
        return None
    _bounded(number, value, minimum, maximum)
    if places is None:
        return number
    return number.quantize(Decimal(1).scaleb(-places))


def parse_integer(
    value: object, *, minimum: int | None = None, maximum: int = int(LIMIT)
) -> int | None:
    """The whole number in `value` ("2 400 000" → 2400000; a spreadsheet's 18.0 → 18), or
    None for an empty value. Raises `NumberError` with a French message otherwise."""
    number = _to_decimal(value, "un nombre entier")
    if number is None:
        return None
    if number != number.to_integral_value():
        raise NumberError(f"« {_shown(value)} » n'est pas un nombre entier.")
    _bounded(number, value, minimum, maximum)
    return int(number)
