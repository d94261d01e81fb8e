"""The pure analysis of a programme line: unit cases with their sources, and properties."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from clauses.markets.presets import _national
from clauses.programme import rules
from clauses.programme.rules import LineFacts, LocalSupply, Recommendation

TODAY = date(2026, 12, 6)
PRESETS = _national()
SUPPLY_93 = LocalSupply("93", siae=4, ea_esat=3, geiq=2, staffing_siae=5, known=True)
NO_SUPPLY = LocalSupply("93", known=True)


def facts(**kwargs) -> LineFacts:
    values = {
        "title": "Ligne",
        "kind": "works",
        "today": TODAY,
        "cpv": "45210000",
        "amount_ht": Decimal(1_000_000),
        "duration_months": 18,
        "presets": PRESETS,
        "supply": NO_SUPPLY,
    }
    values.update(kwargs)
    return LineFacts(**values)


def test_building_works_get_the_worked_example_hours_and_a_clause():
    # RULES.md §2.1 W1: 1,000,000 € × 50 % ÷ 30 €/h × 5 % = 833 hours.
    analysis = rules.analyse_line(facts())
    assert analysis.hours == 833
    assert analysis.recommendations == [Recommendation.INSERTION_CLAUSE]
    assert analysis.family.code == "batiment"
    assert "833" in analysis.advice[0].reason
    assert analysis.obligation.mandatory is False


def test_longest_cpv_prefix_wins():
    assert rules.family_for("45442100", "works").code == "peinture"
    assert rules.family_for("45000000", "works").code == "batiment"
    assert rules.family_for("90910000", "services").code == "proprete"
    assert rules.family_for("99999999", "supplies").code == "fournitures"
    assert rules.family_for(None, "services").code == "services_autres"


def test_painting_uses_its_own_labour_share():
    analysis = rules.analyse_line(facts(cpv="45442100"))
    assert analysis.hours == 1167  # 1,000,000 × 70 % ÷ 30 × 5 % = 1,166.67


def test_mandatory_condition_above_the_european_threshold_after_august_2026():
    # RULES.md §1 W10: works at 6,000,000 € launched 2026-09-01 → mandatory.
    analysis = rules.analyse_line(
        facts(amount_ht=Decimal(6_000_000), launch_date=date(2026, 9, 1), supply=SUPPLY_93)
    )
    assert analysis.obligation.mandatory is True
    assert "L2112-2-1" in analysis.obligation.reason
    assert analysis.primary == Recommendation.INSERTION_CLAUSE
    assert Recommendation.SOCIAL_AWARD_CRITERION in analysis.recommendations


def test_launch_before_august_2026_is_not_mandatory():
    analysis = rules.analyse_line(facts(amount_ht=Decimal(6_000_000), launch_date=date(2026, 5, 1)))
    assert analysis.obligation.mandatory is False
    assert "avant le 21/08/2026" in analysis.obligation.reason


def test_state_threshold_is_lower_for_services():
    # 2026 thresholds: 216,000 € for buyers, 140,000 € for the State (RULES.md §1).
    line = {
        "kind": "services",
        "cpv": "90910000",
        "amount_ht": Decimal(180_000),
        "launch_date": date(2026, 10, 1),
    }
    assert rules.analyse_line(facts(**line)).obligation.mandatory is False
    state = rules.analyse_line(facts(buyer_kind="state", **line))
    assert state.obligation.mandatory is True


def test_cleaning_under_150_hours_gets_no_clause():
    # Inserpropre: under 150 hours, no clause. 50,000 € × 80 % ÷ 20 × 5 % = 100 hours.
    analysis = rules.analyse_line(
        facts(kind="services", cpv="90910000", amount_ht=Decimal(50_000), duration_months=12)
    )
    assert analysis.hours == 100
    assert Recommendation.INSERTION_CLAUSE not in analysis.recommendations
    assert analysis.recommendations == [Recommendation.SOCIAL_AWARD_CRITERION]


def test_local_supply_allows_a_reservation_and_a_lot_when_too_big():
    small = rules.analyse_line(
        facts(
            kind="services",
            cpv="77310000",
            amount_ht=Decimal(150_000),
            duration_months=12,
            supply=SUPPLY_93,
        )
    )
    assert small.recommendations[:2] == [
        Recommendation.RESERVED_SIAE,
        Recommendation.RESERVED_EA_ESAT,
    ]
    assert "le marché entier" in small.advice[0].reason
    big = rules.analyse_line(
        facts(
            kind="services",
            cpv="77310000",
            amount_ht=Decimal(900_000),
            duration_months=12,
            launch_date=date(2026, 6, 1),
            supply=SUPPLY_93,
        )
    )
    assert "un lot" in big.advice[0].reason


def test_too_few_structures_no_reservation():
    analysis = rules.analyse_line(
        facts(
            kind="services",
            cpv="77310000",
            amount_ht=Decimal(150_000),
            supply=LocalSupply("93", siae=2, ea_esat=0, known=True),
        )
    )
    assert Recommendation.RESERVED_SIAE not in analysis.recommendations
    # Green spaces have no sourced preset: a clause with hours to set on review.
    assert analysis.hours is None
    assert analysis.recommendations == [Recommendation.INSERTION_CLAUSE]
    assert "facilitateur" in analysis.advice[0].reason


def test_short_contract_gets_a_criterion_not_a_clause():
    analysis = rules.analyse_line(facts(duration_months=1))
    assert analysis.recommendations == [Recommendation.SOCIAL_AWARD_CRITERION]
    assert "moins de 2 mois" in analysis.advice[0].reason


def test_small_supplies_get_none_with_a_reason():
    analysis = rules.analyse_line(facts(kind="supplies", cpv="30192000", amount_ht=Decimal(20_000)))
    assert analysis.recommendations == [Recommendation.NONE]
    assert "20\u202f000 € HT" in analysis.advice[0].reason


def test_unknown_amount_and_place():
    analysis = rules.analyse_line(facts(amount_ht=None, supply=LocalSupply(), duration_months=None))
    assert analysis.recommendations == [Recommendation.NONE]
    assert analysis.hours is None
    assert any("Lieu d'exécution inconnu" in r for r in analysis.reasons)
    assert "Montant estimé inconnu" in analysis.obligation.reason


def test_a_territory_preset_gives_hours_to_a_family_without_national_source():
    from dataclasses import replace

    preset = replace(PRESETS["batiment"], code="espaces_verts", label="Espaces verts", missing=())
    analysis = rules.analyse_line(
        facts(
            kind="services",
            cpv="77310000",
            amount_ht=Decimal(300_000),
            presets=PRESETS | {"espaces_verts": preset},
        )
    )
    assert analysis.hours == 250


# -- properties ------------------------------------------------------------------------

amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
cpvs = st.one_of(
    st.none(),
    st.sampled_from(
        ["45210000", "45442100", "90910000", "77310000", "55520000", "72000000", "30192000"]
    ),
    st.from_regex(r"\A[0-9]{8}\Z"),
)
supplies = st.builds(
    LocalSupply,
    territory=st.just("93"),
    siae=st.integers(0, 20),
    ea_esat=st.integers(0, 20),
    geiq=st.integers(0, 5),
    staffing_siae=st.integers(0, 5),
    known=st.booleans(),
)
line_facts = st.builds(
    facts,
    kind=st.sampled_from(["works", "supplies", "services"]),
    cpv=cpvs,
    amount_ht=amounts,
    duration_months=st.one_of(st.none(), st.integers(1, 1200)),
    launch_date=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2030, 12, 31))),
    buyer_kind=st.sampled_from(rules.BuyerKind.values),
    supply=supplies,
)


@given(line_facts)
def test_every_line_gets_a_recommendation_with_a_reason(line):
    analysis = rules.analyse_line(line)
    assert analysis.advice
    assert all(a.reason.strip() for a in analysis.advice)
    assert analysis.reasons
    codes = analysis.recommendations
    assert len(codes) == len(set(codes))
    assert set(codes) <= set(Recommendation.values)
    assert Recommendation.NONE not in codes or codes == [Recommendation.NONE]
    assert analysis.hours is None or analysis.hours >= 0
    if analysis.obligation.mandatory:
        assert Recommendation.INSERTION_CLAUSE in codes


@given(line_facts, st.decimals(min_value=0, max_value=10**8, places=2))
def test_hours_and_clause_are_monotone_in_amount(line, extra):
    if line.amount_ht is None:
        return
    from dataclasses import replace

    low = rules.analyse_line(line)
    high = rules.analyse_line(replace(line, amount_ht=line.amount_ht + extra))
    if low.hours is not None:
        assert high.hours is not None and high.hours >= low.hours
    if Recommendation.INSERTION_CLAUSE in low.recommendations:
        assert Recommendation.INSERTION_CLAUSE in high.recommendations
    if low.obligation.mandatory:
        assert high.obligation.mandatory
