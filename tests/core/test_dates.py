"""clauses.core.dates: month arithmetic."""

import calendar
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from clauses.core.dates import add_months, first_of_month, last_of_month

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert add_months(date(2024, 1, 15), -13) == date(2022, 12, 15)
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)


@given(days, st.integers(-1200, 1200))
def test_add_months_lands_in_the_right_month(day, months):
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])


@given(days, st.integers(-600, 600))
def test_add_months_on_a_first_day_is_reversible(day, months):
    first = first_of_month(day)
    assert add_months(add_months(first, months), -months) == first


@given(days)
def test_first_and_last_of_month(day):
    assert first_of_month(day) <= day <= last_of_month(day)
    assert first_of_month(day).day == 1
    assert (last_of_month(day) + (date(2000, 1, 2) - date(2000, 1, 1))).day == 1
