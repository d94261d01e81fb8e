"""Eligibility, validity and outcome rules at their boundaries (docs/domain-rules.md §3, §5,
§7 W9, W9b, W9c, W12), with hypothesis properties."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.followup import rules
from clauses.followup.enums import ExitSituation, OutcomeCategory

D = datetime.date
ON = D(2026, 11, 24)


def facts(**kwargs: object) -> rules.Facts:
    return rules.Facts(assessment_date=kwargs.pop("on", ON), **kwargs)  # type: ignore[arg-type]


def codes(**kwargs: object) -> list[str]:
    return rules.assess(facts(**kwargs)).codes


# -- ages on exact dates -----------------------------------------------------------------


def test_w9c_fifty_on_the_birthday():
    assert rules.is_at_least(D(1976, 11, 24), D(2026, 11, 24), 50)
    assert not rules.is_at_least(D(1976, 11, 25), D(2026, 11, 24), 50)
    assert rules.age_on(D(1976, 11, 24), D(2026, 11, 24)) == 50
    assert rules.age_on(D(1976, 11, 25), D(2026, 11, 24)) == 49


def test_under_26_stops_on_the_26th_birthday():
    assert rules.is_under(D(2000, 11, 25), D(2026, 11, 24), 26)
    assert not rules.is_under(D(2000, 11, 24), D(2026, 11, 24), 26)


def test_leap_day_birth():
    # born 29 February: "birth date ≤ today − 50 years" makes them 50 on 1 March of a
    # non-leap year (today − 50 years = 28 February, before the birth date)
    assert not rules.is_at_least(D(1976, 2, 29), D(2026, 2, 28), 50)
    assert rules.is_at_least(D(1976, 2, 29), D(2026, 3, 1), 50)


@given(st.dates(D(1900, 1, 1), D(2020, 12, 31)), st.dates(D(1950, 1, 1), D(2100, 12, 31)))
def test_age_is_consistent_with_thresholds(birth: datetime.date, on: datetime.date):
    if birth > on:
        return
    age = rules.age_on(birth, on)
    assert rules.is_at_least(birth, on, age)
    assert not rules.is_at_least(birth, on, age + 1)
    assert rules.is_under(birth, on, age + 1)


# -- clause publics ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "expected"), [(None, False), (0, False), (11, False), (12, True), (30, True)]
)
def test_long_term_jobseeker_from_12_months(months, expected):
    assert ("long_term_jobseeker" in codes(jobseeker_months=months)) is expected


@pytest.mark.parametrize("benefit", ["rsa", "ass", "aah", "ai", "invalidity"])
def test_minimum_benefits(benefit):
    result = rules.assess(facts(benefits=frozenset({benefit})))
    assert result.codes == ["minimum_benefits"]
    assert result.criteria[0].sensitive
    assert result.eligible


def test_disabled_worker_is_sensitive_and_sourced():
    result = rules.assess(facts(disability_recognised=True))
    assert result.codes == ["disabled_worker"]
    assert "L5212-13" in result.criteria[0].source
    assert result.criteria[0].sensitive


YOUNG = D(2001, 1, 1)  # 25 on ON


@pytest.mark.parametrize(
    ("birth", "level", "out_months", "expected"),
    [
        (YOUNG, 2, 6, True),  # below CAP/BEP, out of school 6 months
        (YOUNG, 3, 6, False),  # level 3 = CAP/BEP: not "infra niveau 3"
        (YOUNG, 2, 5, False),  # out of school for less than 6 months
        (D(2000, 11, 24), 2, 12, False),  # 26 on the assessment date
        (D(2000, 11, 25), 2, 12, True),  # 26 tomorrow
    ],
)
def test_young_low_qualification(birth, level, out_months, expected):
    found = codes(birth_date=birth, qualification_level=level, out_of_school_months=out_months)
    assert ("young_low_qualification" in found) is expected


def test_young_without_school_facts_says_what_is_missing():
    result = rules.assess(facts(birth_date=YOUNG, qualification_level=1))
    assert not result.eligible
    assert any("scolaire" in message for message in result.missing)
    assert rules.assess(facts()).missing  # no birth date


@pytest.mark.parametrize(
    ("birth", "registered", "expected"),
    [
        (D(1976, 11, 24), True, True),  # W9c: 50 on the day
        (D(1976, 11, 25), True, False),  # 49
        (D(1960, 1, 1), False, False),  # not a jobseeker
    ],
)
def test_senior_jobseeker(birth, registered, expected):
    found = codes(birth_date=birth, jobseeker_months=0 if registered else None)
    assert ("senior_jobseeker" in found) is expected


def test_qpv_resident():
    assert codes(qpv_resident=True) == ["qpv_resident"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("ei", "siae_employee"),
        ("aci", "siae_employee"),
        ("ai", "siae_employee"),
        ("etti", "siae_employee"),
        ("geiq", "geiq_employee"),
        ("ea", "sheltered_worker"),
        ("esat", "sheltered_worker"),
        ("epide", "epide_e2c"),
        ("e2c", "epide_e2c"),
    ],
)
def test_employed_by_a_structure_recognised_by_the_state(kind, code):
    assert codes(employed_by=kind) == [code]


def test_nothing_known_is_not_eligible():
    result = rules.assess(
        facts(birth_date=D(1990, 5, 5), qualification_level=5, out_of_school_months=60)
    )
    assert not result.eligible
    assert result.criteria == []


def test_pass_iae_is_accepted_as_proof():
    result = rules.assess(facts(pass_iae_valid=True))
    assert result.codes == ["iae_pathway"]
    assert result.eligible
    assert all(result.iae.eligible_by_kind.values())
    assert rules.pass_iae_is_valid(D(2026, 11, 24), ON)
    assert not rules.pass_iae_is_valid(D(2026, 11, 23), ON)
    assert not rules.pass_iae_is_valid(None, ON)


# -- IAE referential ---------------------------------------------------------------------


def test_w9_rsa_only_is_eligible_for_any_siae():
    iae = rules.assess(facts(benefits=frozenset({"rsa"}))).iae
    assert iae.level_1 == ("iae_rsa",)
    assert all(iae.eligible_by_kind.values())


def test_w9b_young_and_qpv_eligible_for_ai_etti_only():
    iae = rules.assess(facts(birth_date=YOUNG, qpv_resident=True)).iae
    assert set(iae.level_2) == {"iae_young", "iae_qpv"}
    assert iae.eligible_by_kind == {
        "aci": False,
        "ei": False,
        "eiti": False,
        "ai": True,
        "etti": True,
    }


@pytest.mark.parametrize(
    ("months", "level_1", "level_2"),
    [(11, (), ()), (12, (), ("iae_deld",)), (23, (), ("iae_deld",)), (24, ("iae_detld",), ())],
)
def test_iae_jobseeker_levels(months, level_1, level_2):
    iae = rules.iae_criteria(facts(jobseeker_months=months))
    assert iae.level_1 == level_1
    assert iae.level_2 == level_2


def test_iae_three_level_2_for_aci():
    iae = rules.iae_criteria(facts(birth_date=YOUNG, qpv_resident=True, qualification_level=3))
    assert len(iae.level_2) == 3  # level 3 counts for the IAE ("ou infra"), not for the clause
    assert all(iae.eligible_by_kind.values())


@given(st.integers(0, 3), st.integers(0, 6), st.sampled_from(["aci", "ei", "eiti", "ai", "etti"]))
def test_iae_eligibility_is_monotonic(level_1, level_2, kind):
    if rules.iae_eligibility(level_1, level_2, kind):
        assert rules.iae_eligibility(level_1 + 1, level_2, kind)
        assert rules.iae_eligibility(level_1, level_2 + 1, kind)
    if level_1 >= 1:
        assert rules.iae_eligibility(level_1, level_2, kind)


# -- the facilitator's decision ----------------------------------------------------------


def test_derogation_needs_a_motivated_opinion():
    assert rules.decision_error(criteria_codes=[], derogation=True, prescriber_opinion="  ")
    assert (
        rules.decision_error(
            criteria_codes=[], derogation=True, prescriber_opinion="Avis de la mission locale"
        )
        is None
    )
    assert rules.decision_error(criteria_codes=[], derogation=False, prescriber_opinion="")
    assert (
        rules.decision_error(
            criteria_codes=["qpv_resident"], derogation=False, prescriber_opinion=""
        )
        is None
    )


@pytest.mark.parametrize(
    ("age", "max_age", "ok"),
    [(90, 90, True), (91, 90, False), (400, None, True), (-1, None, False)],
)
def test_proof_age(age, max_age, ok):
    assert rules.proof_is_recent(ON - datetime.timedelta(days=age), max_age, ON) is ok


# -- validity ----------------------------------------------------------------------------


def test_valid_until_24_months_from_first_contract():
    assert rules.valid_until(D(2026, 3, 1), 24) == D(2028, 2, 29)
    assert rules.valid_until(D(2026, 1, 15), 24) == D(2028, 1, 14)
    assert rules.valid_until(D(2026, 1, 31), 1) == D(2026, 2, 27)
    with pytest.raises(ValueError, match="au moins un mois"):
        rules.valid_until(D(2026, 1, 1), 0)


@given(st.dates(D(2000, 1, 1), D(2090, 12, 31)), st.integers(1, 120))
def test_valid_until_properties(start, months):
    end = rules.valid_until(start, months)
    assert end >= start
    assert end < rules.add_months(start, months)
    assert rules.valid_until(start, months + 1) > end


# -- outcomes (W12) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("situation", "months", "category"),
    [
        (ExitSituation.CDD, 7, OutcomeCategory.LASTING_JOB),
        (ExitSituation.CDD, 3, OutcomeCategory.TRANSITION_JOB),
        (ExitSituation.CDD, 6, OutcomeCategory.TRANSITION_JOB),
        (ExitSituation.TEMPORARY, 12, OutcomeCategory.LASTING_JOB),
        (ExitSituation.CDD, None, OutcomeCategory.TRANSITION_JOB),
        (ExitSituation.CDI, None, OutcomeCategory.LASTING_JOB),
        (ExitSituation.QUALIFYING_TRAINING, None, OutcomeCategory.POSITIVE_EXIT),
        (ExitSituation.OTHER_SIAE, None, OutcomeCategory.POSITIVE_EXIT),
        (ExitSituation.SUBSIDISED_CONTRACT, None, OutcomeCategory.TRANSITION_JOB),
        (ExitSituation.JOBSEEKER, None, OutcomeCategory.OTHER),
        (ExitSituation.INACTIVE, None, OutcomeCategory.OTHER),
    ],
)
def test_w12_outcome_categories(situation, months, category):
    assert rules.outcome_category(situation, months) == category


# -- retention ---------------------------------------------------------------------------


def test_anonymisation_due_at_the_retention_date():
    assert rules.anonymisation_due(D(2024, 11, 24), 24, ON)
    assert not rules.anonymisation_due(D(2024, 11, 25), 24, ON)
    assert not rules.anonymisation_due(None, 24, ON)


def test_every_criterion_has_a_source_and_a_unique_code():
    assert len(rules.CRITERIA_BY_CODE) == len(rules.ALL_CRITERIA)
    assert all(spec.source for spec in rules.ALL_CRITERIA)
