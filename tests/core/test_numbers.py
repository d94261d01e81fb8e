"""clauses.core.numbers: numbers typed the French way, absurd ones refused in French."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.core.numbers import (
    NumberError,
    NumberNotFinite,
    NumberOutOfRange,
    french,
    parse_decimal,
    parse_integer,
)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("2 400 000", Decimal("2400000.00")),
        ("1 234,5", Decimal("1234.50")),
        ("1\u202f234,5", Decimal("1234.50")),  # narrow no-break space (French formatting)
        ("1\u00a0234,5", Decimal("1234.50")),  # no-break space
        ("151.67", Decimal("151.67")),
        ("850 000 €", Decimal("850000.00")),
        (" -3 ", Decimal("-3.00")),
        (",5", Decimal("0.50")),
        (12, Decimal("12.00")),
        (12.5, Decimal("12.50")),
        (Decimal("7.125"), Decimal("7.12")),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_parse_decimal(typed, number):
    assert parse_decimal(typed) == number


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("beaucoup", "« beaucoup » n'est pas un nombre."),
        ("1e30", "« 1e30 » n'est pas un nombre."),
        ("1.234,5", "n'est pas un nombre"),
        ("inf", "un nombre fini est attendu."),
        ("NaN", "un nombre fini est attendu."),
        (float("inf"), "un nombre fini est attendu."),
        (float("nan"), "un nombre fini est attendu."),
        (Decimal("Infinity"), "un nombre fini est attendu."),
        (1e30, "est trop grand"),
        (-1e30, "est trop petit"),
        (10**40, "est trop grand"),
        (True, "n'est pas un nombre"),
    ],
)
def test_absurd_numbers_are_refused_in_french(typed, message):
    with pytest.raises(NumberError, match=message):
        parse_decimal(typed)


def test_the_kind_of_refusal_is_a_class():
    with pytest.raises(NumberNotFinite):
        parse_decimal("inf")
    with pytest.raises(NumberOutOfRange):
        parse_decimal(1e30)
    with pytest.raises(NumberOutOfRange):
        parse_integer("-3", minimum=0)


def test_bounds_are_said_in_french():
    with pytest.raises(NumberError, match="1\u202f000 au plus"):
        parse_decimal("1 500", maximum=1000)
    with pytest.raises(NumberError, match="0 au moins"):
        parse_decimal("-1", minimum=0)
    assert parse_decimal("1,005", places=None) == Decimal("1.005")


def test_parse_integer():
    assert parse_integer("2 400 000") == 2_400_000
    assert parse_integer(18.0) == 18
    assert parse_integer("18,0") == 18
    assert parse_integer("") is None
    for typed in ("18,5", 18.5, "dix"):
        with pytest.raises(NumberError, match="n'est pas un nombre entier"):
            parse_integer(typed)
    with pytest.raises(NumberError, match="1\u202f200 au plus"):
        parse_integer("5000", maximum=1200)


def test_french():
    assert french(Decimal("2400000")) == "2\u202f400\u202f000"
    assert french(Decimal("2.50")) == "2,5"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_a_number_written_the_french_way_reads_back(number):
    assert parse_decimal(french(number)) == number
    assert parse_decimal(str(number)) == number


@given(st.text(max_size=30))
def test_anything_typed_is_a_number_or_a_french_error(text):
    try:
        number = parse_decimal(text)
    except NumberError as exc:
        assert str(exc)
    else:
        assert number is None or number.is_finite()
