"""French company identifiers, checked with python-stdnum (length, digits, Luhn key).

La Poste's establishments (SIRET starting with 356000000) do not follow the Luhn key;
python-stdnum knows that exception, so they are accepted.
"""

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siren, siret


def _compact(value: str) -> str:
    return "".join(value.split()).replace(".", "").replace("-", "")


def validate_siret(value: str) -> None:
    number = _compact(value)
    if not number.isdigit():
        raise ValidationError("Le numéro SIRET ne doit contenir que des chiffres.", code="digits")
    try:
        siret.validate(number)
    except InvalidLength:
        raise ValidationError(
            "Le numéro SIRET doit comporter 14 chiffres.", code="length"
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            "La clé de contrôle du SIRET est incorrecte.", code="checksum"
        ) from None
    except InvalidFormat:
        raise ValidationError("Le numéro SIRET est mal formé.", code="format") from None


def validate_siren(value: str) -> None:
    number = _compact(value)
    if not number.isdigit():
        raise ValidationError("Le numéro SIREN ne doit contenir que des chiffres.", code="digits")
    try:
        siren.validate(number)
    except InvalidLength:
        raise ValidationError("Le numéro SIREN doit comporter 9 chiffres.", code="length") from None
    except InvalidChecksum:
        raise ValidationError(
            "La clé de contrôle du SIREN est incorrecte.", code="checksum"
        ) from None
    except InvalidFormat:
        raise ValidationError("Le numéro SIREN est mal formé.", code="format") from None


def normalize_company_number(value: str) -> str:
    """Remove the spaces, dots and dashes people type in a SIRET or SIREN."""
    return _compact(value or "")


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to `prefix` (used to make valid demo SIRETs)."""
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            number = int(char)
            if index % 2 == 1:
                number *= 2
                if number > 9:
                    number -= 9
            total += number
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover
