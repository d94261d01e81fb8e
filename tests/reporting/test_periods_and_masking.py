from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.reporting import masking, periods


def test_presets():
    assert periods.year(2025) == periods.Period(date(2025, 1, 1), date(2025, 12, 31))
    assert periods.quarter(2025, 4) == periods.Period(date(2025, 10, 1), date(2025, 12, 31))
    assert periods.quarter(2024, 1).end == date(2024, 3, 31)
    assert periods.last_12_months(date(2026, 6, 15)) == periods.Period(
        date(2025, 6, 1), date(2026, 5, 31)
    )
    assert periods.last_12_months(date(2026, 1, 3)) == periods.year(2025)
    with pytest.raises(ValueError):
        periods.Period(date(2025, 2, 1), date(2025, 1, 31))


def test_boundaries_include_the_start_day_and_exclude_the_day_after_the_end():
    period = periods.Period(date(2025, 3, 15), date(2025, 6, 15))
    assert period.contains(date(2025, 3, 15))
    assert period.contains(date(2025, 6, 15))
    assert not period.contains(date(2025, 6, 16))
    assert not period.contains(date(2025, 3, 14))
    assert period.end_exclusive == date(2025, 6, 16)
    # A month counts by its first day: March (1 March) is out, June (1 June) is in.
    assert period.months() == [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]


def test_masking_of_a_lone_count():
    assert str(masking.mask_count(3, 5)) == "< 5"
    assert str(masking.mask_count(0, 5)) == "0"
    assert str(masking.mask_count(5, 5)) == "5"


def test_secondary_suppression_masks_the_next_smallest():
    cells, total = masking.mask_breakdown([2, 10, 7, 30], limit=5)
    assert [str(c) for c in cells] == ["< 5", "10", "s", "30"]
    assert str(total) == "49"


def test_a_cell_masked_to_protect_another_never_reads_under_the_threshold():
    """#12.3: the cell holding 11 was printed « < 5 »: a lie. It reads « s »."""
    cells, _ = masking.mask_breakdown([3, 11, 40], limit=5)
    assert [str(c) for c in cells] == ["< 5", "s", "40"]
    assert [c.secondary for c in cells] == [False, True, False]


def test_the_legend_explains_both_marks():
    primary, secondary = masking.legend(5)
    assert "« < 5 »" in primary and "moins de 5 personnes" in primary
    assert "« s »" in secondary and "secret secondaire" in secondary


def test_small_total_masks_everything_but_zeros():
    cells, total = masking.mask_breakdown([1, 0, 3], limit=5)
    assert [str(c) for c in cells] == ["< 5", "0", "< 5"]
    assert total.masked


def test_without_total_only_primary_suppression():
    cells, _ = masking.mask_breakdown([2, 10, 7], total_shown=False, limit=5)
    assert [c.masked for c in cells] == [True, False, False]


@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8),
    st.integers(min_value=2, max_value=11),
)
def test_a_masked_cell_can_never_be_recomputed_from_the_total(values, limit):
    cells, total = masking.mask_breakdown(values, limit=limit)
    assert [c.value for c in cells] == values
    for cell in cells:
        assert not (0 < cell.value < limit) or cell.masked  # primary
        assert cell.masked or cell.value == 0 or cell.value >= limit or total.masked
    masked = [c for c in cells if c.masked]
    for cell in masked:  # a mark never lies: « < limit » only on a value under the limit
        assert cell.secondary == (cell.value >= limit)
        assert (str(cell) == "s") == cell.secondary
    if not total.masked:
        assert len(masked) != 1  # one lone unknown would equal total − the others
    if 0 < sum(values) < limit:
        assert total.masked
