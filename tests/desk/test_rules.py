"""The desk's routing rule and working-day arithmetic (clauses/desk/rules.py)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clauses.desk.enums import RequestKind, RoutingRule, TargetLevel
from clauses.desk.rules import (
    RoutingFacts,
    Target,
    add_working_days,
    easter_sunday,
    french_public_holidays,
    is_working_day,
    route,
    working_days_between,
)

NATIONAL = Target(TargetLevel.NATIONAL, 1, "Alliance Villes Emploi")
REGIONAL = Target(TargetLevel.REGIONAL, 2, "GIP Maximilien", "macs@maximilien.fr")
GREEN = Target(TargetLevel.GREEN_DESK, None, "Guichet vert", "guichetvert@maximilien.fr")
DEPARTMENTS = ["75", "77", "78", "91", "92", "93", "94", "95"]
DEPARTMENTAL = {
    code: Target(TargetLevel.DEPARTMENTAL, 10 + i, f"Coordination {code}")
    for i, code in enumerate(DEPARTMENTS)
}
STRUCTURE_A = Target(TargetLevel.STRUCTURE, 100, "Structure A")
STRUCTURE_B = Target(TargetLevel.STRUCTURE, 101, "Structure B")
LOCAL = Target(TargetLevel.LOCAL, 50, "Coordination locale Plaine Commune")


def facts(**overrides: object) -> RoutingFacts:
    values: dict[str, object] = {
        "kind": RequestKind.SOCIAL_ADVICE,
        "national": NATIONAL,
        "regional": REGIONAL,
        "green_desk": GREEN,
        "departmental": DEPARTMENTAL,
    }
    values.update(overrides)
    return RoutingFacts(**values)  # type: ignore[arg-type]


class TestRouteBranches:
    def test_environmental_goes_to_green_desk_whatever_the_places(self) -> None:
        decision = route(
            facts(
                kind=RequestKind.ENVIRONMENTAL,
                communes={"93066": "93"},
                structures_covering_all=(STRUCTURE_A,),
            )
        )
        assert decision.target == GREEN
        assert decision.rule == RoutingRule.ENVIRONMENTAL
        assert "guichet vert" in decision.reason

    def test_outside_region_goes_to_national_with_places_in_reason(self) -> None:
        decision = route(facts(outside_places=("60", "69123")))
        assert decision.target == NATIONAL
        assert decision.rule == RoutingRule.OUTSIDE_REGION
        assert "60" in decision.reason and "69123" in decision.reason

    def test_no_place_at_all_goes_to_regional(self) -> None:
        decision = route(facts())
        assert decision.target == REGIONAL
        assert decision.rule == RoutingRule.NO_PLACE

    def test_agreement_wins_over_territory(self) -> None:
        decision = route(
            facts(
                communes={"93066": "93", "75056": "75"},
                agreement_structure=STRUCTURE_B,
                structures_covering_all=(STRUCTURE_A,),
            )
        )
        assert decision.target == STRUCTURE_B
        assert decision.rule == RoutingRule.AGREEMENT
        assert "convention" in decision.reason

    def test_single_structure_covering_all_communes(self) -> None:
        decision = route(
            facts(communes={"93066": "93", "93001": "93"}, structures_covering_all=(STRUCTURE_A,))
        )
        assert decision.target == STRUCTURE_A
        assert decision.rule == RoutingRule.SINGLE_STRUCTURE
        assert "2 communes" in decision.reason

    def test_several_structures_go_to_departmental_coordination(self) -> None:
        decision = route(
            facts(communes={"93066": "93"}, structures_covering_all=(STRUCTURE_A, STRUCTURE_B))
        )
        assert decision.target == DEPARTMENTAL["93"]
        assert decision.rule == RoutingRule.SINGLE_DEPARTMENT
        assert "plusieurs structures" in decision.reason

    def test_one_department_without_structure_goes_to_its_coordination(self) -> None:
        decision = route(facts(communes={"77288": "77", "77186": "77"}))
        assert decision.target == DEPARTMENTAL["77"]
        assert "77" in decision.reason

    def test_one_department_with_local_coordination_covering_all(self) -> None:
        decision = route(facts(communes={"93066": "93"}, local_covering_all=(LOCAL,)))
        assert decision.target == LOCAL
        assert decision.rule == RoutingRule.SINGLE_DEPARTMENT

    def test_whole_department_goes_to_departmental_even_if_a_structure_covers_it(self) -> None:
        decision = route(
            facts(departments=frozenset({"95"}), structures_covering_all=(STRUCTURE_A,))
        )
        assert decision.target == DEPARTMENTAL["95"]
        assert "tout le département" in decision.reason

    def test_several_departments_go_to_regional(self) -> None:
        decision = route(facts(communes={"93066": "93", "75056": "75"}))
        assert decision.target == REGIONAL
        assert decision.rule == RoutingRule.SEVERAL_DEPARTMENTS
        assert "75, 93" in decision.reason

    def test_commune_and_other_department_go_to_regional(self) -> None:
        decision = route(facts(communes={"93066": "93"}, departments=frozenset({"94"})))
        assert decision.target == REGIONAL

    def test_region_wide_goes_to_regional(self) -> None:
        decision = route(facts(region_wide=True))
        assert decision.target == REGIONAL
        assert "toute la région" in decision.reason

    def test_partly_outside_region_goes_to_regional(self) -> None:
        decision = route(facts(communes={"93066": "93"}, outside_places=("60",)))
        assert decision.target == REGIONAL
        assert "hors de la région" in decision.reason

    def test_department_without_coordination_falls_back_to_regional(self) -> None:
        decision = route(facts(communes={"93066": "93"}, departmental={}))
        assert decision.target == REGIONAL


# Property tests: every input gets exactly one target with a reason, and the target is in
# the coordination chain of the places (or the green desk, the national level when no place
# is in the region, or the buyer's own structure under an agreement).
communes_strategy = st.dictionaries(
    st.from_regex(r"\A[0-9]{5}\Z", fullmatch=True), st.sampled_from(DEPARTMENTS), max_size=6
)


@st.composite
def routing_facts(draw: st.DrawFn) -> RoutingFacts:
    communes = draw(communes_strategy)
    covering = draw(st.lists(st.sampled_from([STRUCTURE_A, STRUCTURE_B]), max_size=2, unique=True))
    return facts(
        kind=draw(st.sampled_from(list(RequestKind))),
        communes=communes,
        departments=frozenset(draw(st.sets(st.sampled_from(DEPARTMENTS), max_size=3))),
        region_wide=draw(st.booleans()),
        outside_places=tuple(draw(st.lists(st.sampled_from(["60", "69123", "13"]), max_size=2))),
        agreement_structure=draw(st.none() | st.just(STRUCTURE_B)),
        structures_covering_all=tuple(covering) if communes else (),
        local_covering_all=tuple(draw(st.lists(st.just(LOCAL), max_size=1))) if communes else (),
    )


@given(routing_facts())
def test_every_input_gets_one_target_with_a_reason(given_facts: RoutingFacts) -> None:
    decision = route(given_facts)
    assert isinstance(decision.target, Target)
    assert decision.reason.strip()
    assert decision.reason[0].isupper()


@given(routing_facts())
def test_target_stays_in_the_coordination_chain(given_facts: RoutingFacts) -> None:
    decision = route(given_facts)
    places_departments = set(given_facts.departments) | set(given_facts.communes.values())
    in_region = bool(places_departments or given_facts.region_wide)
    allowed = {REGIONAL}
    if given_facts.kind == RequestKind.ENVIRONMENTAL:
        allowed = {GREEN}
    elif not in_region:
        allowed = {NATIONAL} if given_facts.outside_places else {REGIONAL}
    elif given_facts.agreement_structure:
        allowed = {given_facts.agreement_structure}
    else:
        allowed |= {DEPARTMENTAL[code] for code in places_departments}
        allowed |= set(given_facts.structures_covering_all) | set(given_facts.local_covering_all)
    assert decision.target in allowed
    if decision.target.level == TargetLevel.STRUCTURE and not given_facts.agreement_structure:
        assert decision.target in given_facts.structures_covering_all
    if decision.target.level == TargetLevel.DEPARTMENTAL:
        assert places_departments == {
            code for code, target in DEPARTMENTAL.items() if target == decision.target
        }


class TestWorkingDays:
    @pytest.mark.parametrize(
        ("year", "expected"),
        [
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2038, date(2038, 4, 25)),
        ],
    )
    def test_easter(self, year: int, expected: date) -> None:
        assert easter_sunday(year) == expected

    def test_eleven_holidays_with_movable_feasts_2026(self) -> None:
        holidays = french_public_holidays(2026)
        assert len(holidays) == 11
        assert holidays[date(2026, 4, 6)] == "Lundi de Pâques"
        assert holidays[date(2026, 5, 14)] == "Ascension"
        assert holidays[date(2026, 5, 25)] == "Lundi de Pentecôte"

    def test_weekend_and_holidays_are_not_working_days(self) -> None:
        assert not is_working_day(date(2026, 11, 28))  # Saturday
        assert not is_working_day(date(2026, 11, 11))  # Armistice, a Wednesday
        assert is_working_day(date(2026, 11, 25))
        assert not is_working_day(date(2026, 11, 25), [date(2026, 11, 25)])

    def test_friday_plus_two_is_tuesday(self) -> None:
        assert add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)

    def test_delay_skips_holidays(self) -> None:
        # Tuesday 10 November 2026 + 2 working days: the 11th is Armistice → Friday 13th.
        assert add_working_days(date(2026, 11, 10), 2) == date(2026, 11, 13)
        # Christmas week: Thursday 24 December + 1 → Monday 28 December.
        assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)

    def test_zero_days_and_negative(self) -> None:
        assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 28)
        with pytest.raises(ValueError, match="positif"):
            add_working_days(date(2026, 11, 28), -1)

    @given(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
        st.integers(min_value=0, max_value=30),
    )
    def test_add_and_count_agree(self, start: date, days: int) -> None:
        due = add_working_days(start, days)
        assert working_days_between(start, due) == days
        assert days == 0 or is_working_day(due)
