"""Hour-target calculator and the L2112-2-1 obligation check, on RULES.md's worked examples."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.markets.rules import (
    HOUR_PRESETS,
    CalculationError,
    MarketKind,
    check_social_obligation,
    estimate_cleaning_hours,
    estimate_hours,
    eu_threshold,
    round_hours,
    to_decimal,
)

D = Decimal


class TestStandardMethod:
    def test_w1_building_works_833_hours(self) -> None:
        # RULES.md W1: 1,000,000 € HT, 50 %, 5 %, 30 €/h → 833 h.
        estimate = estimate_hours(
            amount_ht=D(1_000_000),
            labour_share=D("0.5"),
            hourly_cost=D(30),
            insertion_rate=D("0.05"),
        )
        assert estimate.hours == 833
        assert estimate.recommendation == "clause"
        assert "500\u202f000 €" in estimate.formula
        assert "833,33 heures, arrondies à 833 heures" in estimate.formula
        assert estimate.parameters["labour_share"] == "0.5"

    def test_w3_labour_share_presets(self) -> None:
        shares = {
            code: HOUR_PRESETS[code].labour_share
            for code in ("peinture", "maconnerie", "charpente_metallique", "batiment")
        }
        assert shares == {
            "peinture": D("0.70"),
            "maconnerie": D("0.50"),
            "charpente_metallique": D("0.20"),
            "batiment": D("0.50"),
        }
        assert all(preset.source for preset in HOUR_PRESETS.values())

    def test_rounding_halves_up(self) -> None:
        assert round_hours(D("833.5")) == 834
        assert round_hours(D("833.49")) == 833

    def test_zero_amount_recommends_no_clause(self) -> None:
        estimate = estimate_hours(
            amount_ht=D(0), labour_share=D("0.5"), hourly_cost=D(30), insertion_rate=D("0.05")
        )
        assert estimate.hours == 0
        assert estimate.recommendation == "no_clause"
        assert estimate.warnings

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"amount_ht": D(-1)}, "négatif"),
            ({"labour_share": D("1.2")}, "entre 0 et 1"),
            ({"hourly_cost": D(0)}, "strictement positif"),
            ({"insertion_rate": D("-0.01")}, "entre 0 et 1"),
        ],
    )
    def test_impossible_input(self, kwargs: dict[str, Decimal], message: str) -> None:
        values = {
            "amount_ht": D(1000),
            "labour_share": D("0.5"),
            "hourly_cost": D(30),
            "insertion_rate": D("0.05"),
        } | kwargs
        with pytest.raises(CalculationError, match=message):
            estimate_hours(**values)

    def test_to_decimal_accepts_french_input_and_refuses_text(self) -> None:
        assert to_decimal("1 000 000,50", "Montant") == D("1000000.50")
        with pytest.raises(CalculationError, match="n'est pas un nombre"):
            to_decimal("beaucoup", "Montant")
        with pytest.raises(CalculationError):
            to_decimal("NaN", "Montant")
        with pytest.raises(CalculationError):
            to_decimal(True, "Montant")


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
rates = st.decimals(min_value=0, max_value=1, places=3)
costs = st.decimals(min_value=1, max_value=200, places=2)


@given(amounts, amounts, rates, costs, rates)
def test_monotone_in_amount_and_never_negative(
    a: Decimal, b: Decimal, share: Decimal, cost: Decimal, rate: Decimal
) -> None:
    low, high = sorted([a, b])
    kwargs = {"labour_share": share, "hourly_cost": cost, "insertion_rate": rate}
    low_hours = estimate_hours(amount_ht=low, **kwargs).hours
    high_hours = estimate_hours(amount_ht=high, **kwargs).hours
    assert 0 <= low_hours <= high_hours


@given(amounts, rates, costs, rates, rates)
def test_monotone_in_rate(
    amount: Decimal, share: Decimal, cost: Decimal, r1: Decimal, r2: Decimal
) -> None:
    low, high = sorted([r1, r2])
    kwargs = {"amount_ht": amount, "labour_share": share, "hourly_cost": cost}
    assert (
        estimate_hours(insertion_rate=low, **kwargs).hours
        <= estimate_hours(insertion_rate=high, **kwargs).hours
    )


class TestCleaningMethod:
    def test_w4d_coefficient_and_deduction(self) -> None:
        # C = 20 / 0.8 = 25; A = 600,000 over 36 months; S = 300 h/month:
        # P = 1 − 300 × 25 / 16,666.67 = 0.55; I = 0.55 × 600,000 / 25 × 5 % = 660 h.
        estimate = estimate_cleaning_hours(
            amount_ht=D(600_000),
            duration_months=D(36),
            transferred_staff_monthly_hours=D(300),
            labour_share=D("0.8"),
            hourly_cost=D(20),
            insertion_rate=D("0.05"),
        )
        assert estimate.hours == 660
        assert "Coefficient C = 20 € ÷ 80 % = 25,00" in estimate.formula
        assert estimate.recommendation == "clause"

    def test_under_150_hours_no_clause(self) -> None:
        estimate = estimate_cleaning_hours(
            amount_ht=D(60_000),
            duration_months=D(12),
            transferred_staff_monthly_hours=D(0),
            labour_share=D("0.8"),
            hourly_cost=D(20),
            insertion_rate=D("0.05"),
        )
        assert estimate.hours == 120
        assert estimate.recommendation == "no_clause"
        assert "150 heures" in estimate.warnings[0]

    def test_transferred_staff_exceeding_potential_gives_zero(self) -> None:
        estimate = estimate_cleaning_hours(
            amount_ht=D(100_000),
            duration_months=D(12),
            transferred_staff_monthly_hours=D(1000),
            labour_share=D("0.8"),
            hourly_cost=D(20),
            insertion_rate=D("0.05"),
        )
        assert estimate.hours == 0
        assert estimate.recommendation == "no_clause"
        assert "personnel transférable" in estimate.warnings[0]

    @given(
        amounts,
        st.integers(min_value=1, max_value=120),
        st.decimals(min_value=0, max_value=100_000, places=1),
    )
    def test_never_negative(self, amount: Decimal, months: int, staff: Decimal) -> None:
        estimate = estimate_cleaning_hours(
            amount_ht=amount,
            duration_months=D(months),
            transferred_staff_monthly_hours=staff,
            labour_share=D("0.8"),
            hourly_cost=D(20),
            insertion_rate=D("0.05"),
        )
        assert estimate.hours >= 0
        assert estimate.hours == 0 or estimate.hours >= 1

    def test_bad_duration(self) -> None:
        with pytest.raises(CalculationError, match="au moins un mois"):
            estimate_cleaning_hours(
                amount_ht=D(1),
                duration_months=D(0),
                transferred_staff_monthly_hours=D(0),
                labour_share=D("0.8"),
                hourly_cost=D(20),
                insertion_rate=D("0.05"),
            )


class TestObligation:
    def test_w10_works_above_threshold_after_start(self) -> None:
        check = check_social_obligation(
            estimated_amount_ht=D(6_000_000),
            market_kind=MarketKind.WORKS,
            buyer_is_state=False,
            consultation_date=date(2026, 9, 1),
            defence_or_security=False,
        )
        assert check.mandatory
        assert check.threshold == D(5_404_000)
        assert "L2112-2-1" in check.reason

    def test_before_start_date_not_mandatory(self) -> None:
        check = check_social_obligation(
            estimated_amount_ht=D(6_000_000),
            market_kind=MarketKind.WORKS,
            buyer_is_state=False,
            consultation_date=date(2026, 8, 20),
            defence_or_security=False,
        )
        assert not check.mandatory
        assert "21/08/2026" in check.reason

    def test_start_day_is_flagged(self) -> None:
        check = check_social_obligation(
            estimated_amount_ht=D(300_000),
            market_kind=MarketKind.SERVICES,
            buyer_is_state=False,
            consultation_date=date(2026, 8, 21),
            defence_or_security=False,
        )
        assert check.mandatory
        assert "22 août 2026" in check.reason

    def test_threshold_boundary_and_state(self) -> None:
        on = date(2026, 10, 1)
        assert eu_threshold(MarketKind.SUPPLIES, buyer_is_state=True, on=on) == D(140_000)
        assert eu_threshold(MarketKind.SERVICES, buyer_is_state=False, on=on) == D(216_000)
        at = check_social_obligation(
            estimated_amount_ht=D(216_000),
            market_kind=MarketKind.SERVICES,
            buyer_is_state=False,
            consultation_date=on,
            defence_or_security=False,
        )
        below = check_social_obligation(
            estimated_amount_ht=D("215999.99"),
            market_kind=MarketKind.SERVICES,
            buyer_is_state=False,
            consultation_date=on,
            defence_or_security=False,
        )
        assert at.mandatory and not below.mandatory

    def test_dated_thresholds_2025(self) -> None:
        assert eu_threshold(MarketKind.WORKS, buyer_is_state=False, on=date(2025, 6, 1)) == D(
            5_538_000
        )

    def test_defence_excluded(self) -> None:
        check = check_social_obligation(
            estimated_amount_ht=D(10**8),
            market_kind=MarketKind.WORKS,
            buyer_is_state=True,
            consultation_date=date(2027, 1, 1),
            defence_or_security=True,
        )
        assert not check.mandatory
        assert "défense" in check.reason

    def test_negative_amount(self) -> None:
        with pytest.raises(CalculationError):
            check_social_obligation(
                estimated_amount_ht=D(-1),
                market_kind=MarketKind.WORKS,
                buyer_is_state=False,
                consultation_date=date(2027, 1, 1),
                defence_or_security=False,
            )
