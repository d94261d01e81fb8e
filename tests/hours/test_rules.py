"""The counting rules (clauses/hours/rules.py), each with its source, and their properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.hours import rules
from clauses.hours.rules import DeclarationFacts, PoolMember, Settings

D = Decimal


def facts(**overrides: object) -> DeclarationFacts:
    data = {
        "month": date(2026, 3, 1),
        "modality": "direct_cdd",
        "validated": True,
        "declared_hours": D(100),
        "assignment_start": date(2026, 1, 1),
        "eligibility_windows": ((date(2025, 1, 1), date(2026, 12, 31)),),
    }
    data.update(overrides)
    return DeclarationFacts(**data)  # type: ignore[arg-type]


def test_ceiling_is_48_hours_a_week():
    assert rules.MONTHLY_CEILING_HOURS == D(208)


def test_fte_is_1600_hours_w6():
    assert (D(25_124_684) / rules.FTE_HOURS).quantize(D(1)) == 15703


def test_hours_worked_count_as_declared():
    counted = rules.count_declaration(facts(), Settings())
    assert counted.hours == D(100)
    assert counted.rule == rules.RULE_HOURS_WORKED


def test_not_validated_counts_nothing():
    counted = rules.count_declaration(facts(validated=False), Settings())
    assert (counted.hours, counted.rule) == (0, rules.RULE_NOT_VALIDATED)


def test_month_outside_eligibility_counts_nothing():
    window = ((date(2024, 1, 1), date(2026, 2, 28)),)
    counted = rules.count_declaration(facts(eligibility_windows=window), Settings())
    assert (counted.hours, counted.rule) == (0, rules.RULE_OUT_OF_ELIGIBILITY)


def test_validity_ends_on_the_last_day_of_the_month_counts_whole():
    window = ((date(2024, 4, 1), date(2026, 3, 31)),)
    assert rules.count_declaration(facts(eligibility_windows=window), Settings()).hours == 100


def test_validity_ending_mid_month_counts_pro_rata():
    # 31 days in March, valid until the 15th: 15/31 of 100 h.
    window = ((date(2024, 3, 16), date(2026, 3, 15)),)
    counted = rules.count_declaration(facts(eligibility_windows=window), Settings())
    assert counted.hours == D("48.39")
    assert counted.rule == rules.RULE_PARTLY_ELIGIBLE


def test_validity_starting_on_the_first_day_counts_whole():
    window = ((date(2026, 3, 1), None),)
    start, end = rules.eligibility_window(window[0][0], None, months=24)
    assert end == date(2028, 2, 29)
    counted = rules.count_declaration(facts(eligibility_windows=((start, end),)), Settings())
    assert counted.hours == 100


def test_default_validity_is_24_months_minus_a_day():
    assert rules.eligibility_window(date(2025, 9, 1), None) == (date(2025, 9, 1), date(2027, 8, 31))
    assert rules.eligibility_window(date(2025, 9, 1), None, months=12)[1] == date(2026, 8, 31)


def test_only_days_of_the_assignment_are_weighed():
    # Assignment starts 16 March, validity from 16 March: all worked days covered.
    counted = rules.count_declaration(
        facts(
            assignment_start=date(2026, 3, 16),
            eligibility_windows=((date(2026, 3, 16), date(2028, 3, 15)),),
        ),
        Settings(),
    )
    assert counted.hours == 100


def test_month_outside_assignment_counts_nothing():
    counted = rules.count_declaration(facts(assignment_start=date(2026, 4, 1)), Settings())
    assert counted.rule == rules.RULE_OUT_OF_ASSIGNMENT


def test_siae_employees_are_eligible_by_status():
    counted = rules.count_declaration(
        facts(modality="etti", eligibility_windows=(), eligible_by_status=True), Settings()
    )
    assert counted.hours == 100


def test_subcontracting_amount_is_converted():
    # 6 000 € × 50 % ÷ 30 € = 100 h (docs/domain-rules.md §4.2, §2.1 ratio).
    counted = rules.count_declaration(
        facts(
            modality="subcontract_siae",
            declared_hours=None,
            declared_amount_ht=D(6000),
            eligible_by_status=True,
        ),
        Settings(),
    )
    assert (counted.hours, counted.rule) == (D(100), rules.RULE_AMOUNT_CONVERTED)
    territory = Settings(labour_share=D("0.8"), hourly_cost=D(20))
    assert rules.convert_amount(D(6000), labour_share=D("0.8"), hourly_cost=D(20)) == 240
    assert (
        rules.count_declaration(
            facts(
                modality="subcontract_ea_esat",
                declared_hours=None,
                declared_amount_ht=D(6000),
                eligible_by_status=True,
            ),
            territory,
        ).hours
        == 240
    )


def test_conversion_refuses_nonsense():
    with pytest.raises(rules.RuleError):
        rules.convert_amount(D(-1), labour_share=D("0.5"), hourly_cost=D(30))
    with pytest.raises(rules.RuleError):
        rules.convert_amount(D(1), labour_share=D("0.5"), hourly_cost=D(0))


def test_training_counted_capped_or_excluded():
    training = facts(is_training=True, declared_hours=D(80))
    assert rules.count_declaration(training, Settings()).rule == rules.RULE_TRAINING
    assert rules.count_declaration(training, Settings()).hours == 80
    capped = rules.count_declaration(training, Settings(training_monthly_cap=D(35)))
    assert (capped.hours, capped.rule) == (D(35), rules.RULE_TRAINING_CAPPED)
    excluded = rules.count_declaration(training, Settings(training_counted=False))
    assert (excluded.hours, excluded.rule) == (0, rules.RULE_TRAINING_EXCLUDED)


def test_no_bonus_by_default_and_a_set_one_applies():
    cdi = facts(modality="direct_cdi")
    assert rules.count_declaration(cdi, Settings()).hours == 100
    bonus = rules.count_declaration(cdi, Settings(cdi_bonus=D("1.5")))
    assert (bonus.hours, bonus.rule) == (D(150), rules.RULE_BONUS)
    apprentice = facts(modality="apprenticeship")
    assert rules.count_declaration(apprentice, Settings(alternance_bonus=D(2))).hours == 200
    assert rules.count_declaration(apprentice, Settings(cdi_bonus=D(2))).hours == 100


def test_check_hours_negative_absurd_and_double():
    rules.check_hours(D(208))
    for bad in (D(-1), D("208.01"), D(744)):
        with pytest.raises(rules.RuleError):
            rules.check_hours(bad)
    with pytest.raises(rules.RuleError, match="déjà 150"):
        rules.check_hours(D(60), already_declared=D(150))


def test_future_month_refused():
    rules.check_month(date(2026, 6, 1), today=date(2026, 6, 15))
    with pytest.raises(rules.RuleError):
        rules.check_month(date(2026, 7, 1), today=date(2026, 6, 30))


def test_no_carry_over_without_agreement_and_globalisation_with_one():
    # Two clauses of one agreement: 300 h over on A fill B's 200 h shortfall.
    moves = rules.allocate_globalised(
        [PoolMember(1, D(1000), D(1300)), PoolMember(2, D(500), D(300))]
    )
    assert moves == {1: D(-200), 2: D(200)}
    # A lone clause (no agreement) keeps its hours.
    assert rules.allocate_globalised([PoolMember(1, D(100), D(500))]) == {1: D(0)}


amounts = st.decimals(min_value=0, max_value=5000, places=2)


@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=6))
def test_globalisation_preserves_the_pool_and_targets(pairs):
    members = [PoolMember(i, t, c) for i, (t, c) in enumerate(pairs)]
    moves = rules.allocate_globalised(members)
    assert sum(moves.values()) == 0
    for m in members:
        after = m.own_counted + moves[m.clause_id]
        if moves[m.clause_id] < 0:
            assert after >= m.target  # a giver never drops below its target
        if moves[m.clause_id] > 0:
            assert after <= m.target  # a taker never receives above its target


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 1)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 1)),
    st.integers(min_value=0, max_value=400),
    st.decimals(min_value=0, max_value=208, places=2),
)
def test_counted_never_exceeds_declared_without_bonus(month, start, days, hours):
    window = ((start, start.fromordinal(start.toordinal() + days)),)
    counted = rules.count_declaration(
        facts(
            month=month.replace(day=1),
            declared_hours=hours,
            eligibility_windows=window,
            assignment_start=None,
        ),
        Settings(),
    )
    assert 0 <= counted.hours <= hours


@given(st.decimals(min_value=0, max_value=10**7, places=2))
def test_conversion_is_monotonic_and_non_negative(amount):
    low = rules.convert_amount(amount, labour_share=D("0.5"), hourly_cost=D(30))
    high = rules.convert_amount(amount + 30, labour_share=D("0.5"), hourly_cost=D(30))
    assert 0 <= low <= high


def test_progress_share_elapsed_and_behind():
    p = rules.progress(
        target=1000,
        declared=D(400),
        validated=D(300),
        counted=D(200),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        today=date(2026, 7, 1),
    )
    assert p.achieved_share == D("0.2")
    assert p.elapsed_percent == 50
    assert p.behind_schedule  # 20 % < 50 % − 15
    assert not p.ended_short and p.penalty is None
    assert p.fte == D("0.13")
    on_time = rules.progress(
        target=1000,
        declared=D(400),
        validated=D(400),
        counted=D(400),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        today=date(2026, 7, 1),
    )
    assert not on_time.behind_schedule


def test_progress_ended_short_with_penalty():
    p = rules.progress(
        target=1000,
        declared=D(900),
        validated=D(800),
        counted=D(750),
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        today=date(2026, 1, 5),
        penalty_per_hour=D(50),
    )
    assert p.ended_short and not p.behind_schedule
    assert p.missing_hours == 250
    assert p.penalty == D(12_500)
    no_penalty = rules.progress(
        target=1000,
        declared=D(0),
        validated=D(0),
        counted=D(0),
        start=None,
        end=None,
        today=date(2026, 1, 5),
        closed=True,
    )
    assert no_penalty.ended_short and no_penalty.penalty is None


def test_elapsed_share_bounds():
    assert rules.elapsed_share(date(2026, 1, 1), date(2026, 12, 31), date(2025, 1, 1)) == 0
    assert rules.elapsed_share(date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1)) == 1
    assert rules.elapsed_share(None, date(2026, 12, 31), date(2026, 5, 1)) is None
