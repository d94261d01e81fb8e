"""The pure checks of one declaration (`rules.check_entry`): examples and properties."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from clauses.hours import rules

TODAY = date(2026, 6, 15)
ASSIGNMENT = rules.AssignmentFacts(
    pk=7,
    own=True,
    start=date(2025, 9, 1),
    end=None,
    subcontracting=False,
    person_name="alexmartin",
)


def facts(**overrides: object) -> rules.EntryFacts:
    values = {"today": TODAY, "assignment_id": 7, "assignment": ASSIGNMENT}
    values.update(overrides)
    return rules.EntryFacts(**values)  # type: ignore[arg-type]


def entry(hours: str | None = "100", **overrides: object) -> rules.Entry:
    values = {
        "line": 2,
        "assignment_id": 7,
        "month": date(2026, 3, 1),
        "hours": None if hours is None else Decimal(hours),
    }
    values.update(overrides)
    return rules.Entry(**values)  # type: ignore[arg-type]


def fields(reasons: list[rules.Reason]) -> list[str]:
    return [r.field for r in reasons]


def test_a_right_entry_has_no_reason():
    assert rules.check_entry(facts(), entry()) == []


def test_assignment_unknown_foreign_or_missing():
    unknown = rules.check_entry(facts(assignment=None), entry())[0].message
    assert "inconnue de votre entreprise" in unknown
    foreign = rules.AssignmentFacts(7, False, date(2025, 1, 1), None, False, "x")
    # The same words for another company's mission: no way to enumerate ids (#11.9).
    assert rules.check_entry(facts(assignment=foreign), entry())[0].message == unknown
    missing = rules.check_entry(facts(assignment_id=None, assignment=None), entry())
    assert fields(missing) == ["assignment"]


def test_month_future_too_old_outside_the_assignment():
    assert fields(rules.check_entry(facts(), entry(month=date(2026, 7, 1)))) == ["month"]
    old = rules.check_entry(facts(), entry(month=date(2023, 1, 1)))
    assert any("trop ancien" in r.message for r in old)
    outside = rules.check_entry(facts(), entry(month=date(2025, 8, 1)))
    assert "hors des dates de la mission" in outside[0].message


def test_value_rules():
    assert fields(rules.check_entry(facts(), entry(None))) == ["hours"]
    assert fields(rules.check_entry(facts(), entry("-1"))) == ["hours"]
    assert fields(rules.check_entry(facts(), entry("209"))) == ["hours"]
    both = rules.check_entry(facts(), entry("10", amount_ht=Decimal(100)))
    assert "pas les deux" in both[0].message
    assert (
        "sous-traitance" in rules.check_entry(facts(), entry(None, amount_ht=Decimal(1)))[0].message
    )


def test_named_person_must_match():
    reasons = rules.check_entry(
        facts(typed_name="quelquundautre"), entry(participant_name="Quelqu'un d'autre")
    )
    assert fields(reasons) == ["participant"]


def test_same_assignment_and_month_twice_in_a_batch():
    reasons = rules.check_entry(facts(earlier_line=2), entry(line=5))
    assert "déjà à la ligne 2" in reasons[0].message


def test_a_change_is_a_correction_that_needs_its_reason():
    standing = rules.StandingDeclaration("validated", "Validée", Decimal(140), None, False)
    reasons = rules.check_entry(facts(existing=standing), entry("10"))
    assert fields(reasons) == ["reason"]
    assert "140 h" in reasons[0].message and "validée" in reasons[0].message
    assert (
        rules.check_entry(facts(existing=standing), entry("10", reason="Erreur de saisie.")) == []
    )
    # the same values again: not a correction, nothing to explain
    assert rules.check_entry(facts(existing=standing), entry("140")) == []


def test_ceiling_across_assignments_and_batch_lines():
    alone = rules.check_entry(facts(person_hours=Decimal(150)), entry("100"))
    assert "déjà 150" in alone[0].message
    batch = rules.check_entry(
        facts(batch_lines=(2,), batch_hours=Decimal(150)), entry("100", line=3)
    )
    assert "lignes 2, 3" in batch[0].message


hours = st.decimals(min_value=-50, max_value=400, places=2)
months = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31))


@given(
    value=hours,
    month=months,
    person=st.decimals(min_value=0, max_value=300, places=2),
    batch=st.decimals(min_value=0, max_value=300, places=2),
    own=st.booleans(),
)
def test_accepted_entries_respect_every_rule(value, month, person, batch, own):
    assignment = rules.AssignmentFacts(7, own, date(2025, 9, 1), date(2026, 12, 31), False, "a")
    given_facts = facts(
        assignment=assignment,
        person_hours=person,
        batch_hours=batch,
        batch_lines=(1,) if batch else (),
    )
    reasons = rules.check_entry(given_facts, entry(str(value), month=month))
    assert all(
        r.message and r.message[0].islower() or r.message[0] in "«0123456789" for r in reasons
    )
    if not reasons:
        assert own
        assert 0 <= value <= rules.MONTHLY_CEILING_HOURS
        assert value + person + batch <= rules.MONTHLY_CEILING_HOURS
        assert rules.first_of_month(month) <= rules.first_of_month(TODAY)
        assert rules.last_of_month(month) >= assignment.start
        assert rules.first_of_month(month) <= assignment.end
    else:
        assert all(r.field in ("", "assignment", "month", "hours", "reason") for r in reasons)


@given(value=st.decimals(min_value=0, max_value=208, places=2), month=months)
def test_within_the_ceiling_and_dates_nothing_is_refused(value, month):
    if rules.first_of_month(month) > rules.first_of_month(TODAY) or month < date(2025, 9, 1):
        return
    if month < rules.add_months(rules.first_of_month(TODAY), -rules.OLDEST_MONTHS):
        return
    assert rules.check_entry(facts(), entry(str(value), month=month)) == []


# -- uncounted hours explained (#12.1) ----------------------------------------------------


def test_each_rule_that_leaves_hours_out_is_explained_in_french():
    detail = {
        "windows": [["2026-04-10", "2028-04-09"]],
        "assignment": ["2025-09-01", "2026-12-31"],
        "training_cap": "20",
    }
    expected = {
        rules.RULE_NOT_VALIDATED: "pas validée",
        rules.RULE_OUT_OF_ELIGIBILITY: "hors de la période d'éligibilité de la personne "
        "(éligibilité validée du 10/04/2026 au 09/04/2028)",
        rules.RULE_PARTLY_ELIGIBLE: "au prorata des jours couverts",
        rules.RULE_OUT_OF_ASSIGNMENT: "hors des dates de la mission (du 01/09/2025 au 31/12/2026)",
        rules.RULE_TRAINING_EXCLUDED: "formation ne sont pas comptées",
        rules.RULE_TRAINING_CAPPED: "plafond mensuel du territoire (20 h)",
    }
    assert set(expected) == set(rules.UNCOUNTED_LABELS)
    for rule, fragment in expected.items():
        sentence = rules.uncounted_reason(rule, {**detail, "steps": [rule]})
        assert fragment in sentence, (rule, sentence)
        assert sentence[0].isupper() and sentence.endswith(".")


def test_rules_that_count_everything_say_nothing():
    for rule in (rules.RULE_HOURS_WORKED, rules.RULE_AMOUNT_CONVERTED, rules.RULE_TRAINING):
        assert rules.uncounted_reason(rule, {"steps": [rule]}) == ""
    assert rules.uncounted_reason(rules.RULE_BONUS, {"steps": ["hours_worked", "bonus"]}) == ""


def test_no_eligibility_at_all_and_old_details_without_windows():
    sentence = rules.uncounted_reason(rules.RULE_OUT_OF_ELIGIBILITY, {"windows": []})
    assert "aucune éligibilité validée ne couvre ce mois" in sentence
    summed = rules.uncounted_reason(rules.RULE_OUT_OF_ELIGIBILITY)  # no detail: no dates
    assert summed.startswith("Le mois est hors de la période d'éligibilité de la personne :")
    steps = {"steps": ["hours_worked", "partly_eligible", "training_capped"]}
    both = rules.uncounted_reason(rules.RULE_TRAINING_CAPPED, steps)
    assert "prorata" in both and "plafond" in both


@given(st.sampled_from(sorted(rules.RULE_LABELS)), st.dictionaries(st.text(), st.text()))
def test_any_stored_detail_gives_a_sentence_never_an_error(rule, junk):
    assert isinstance(rules.uncounted_reason(rule, junk), str)


def test_a_broken_training_cap_is_left_out():
    sentence = rules.uncounted_reason(rules.RULE_TRAINING_CAPPED, {"training_cap": "n'importe"})
    assert sentence.endswith("plafond mensuel du territoire.")
