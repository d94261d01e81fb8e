"""Declaring, controlling and counting hours; progress and alerts from the database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clauses.accounts.models import AuditEvent
from clauses.followup.models import Participant
from clauses.hours import policies, rules, selectors, services
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import CountingSettings, GlobalisationAgreement, HourDeclaration
from clauses.markets.models import SocialConsideration
from tests.hours.conftest import TODAY, HoursWorld

D = Decimal
pytestmark = pytest.mark.django_db


def declare(hw: HoursWorld, month: date, hours: int | None = 100, **kw: object) -> HourDeclaration:
    assignment = kw.pop("assignment", hw.assignment)
    return services.declare_hours(
        actor=hw.actor("company"),
        assignment=assignment,
        month=month,
        hours=None if hours is None else D(hours),
        today=TODAY,
        **kw,
    )


def validate(hw: HoursWorld, declaration: HourDeclaration) -> HourDeclaration:
    return services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="validate"
    )


def test_declare_then_validate_counts_and_audits(hw):
    declaration = declare(hw, date(2026, 3, 1))
    assert declaration.status == DeclarationStatus.SUBMITTED
    assert declaration.counted_hours == 0
    validate(hw, declaration)
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VALIDATED
    assert declaration.counted_hours == 100
    assert declaration.counting_rule == rules.RULE_HOURS_WORKED
    assert declaration.declared_hours == 100  # declared value kept apart
    assert declaration.controlled_at is not None
    assert list(declaration.events.values_list("kind", flat=True)) == [
        "declared",
        "control_validate",
    ]
    assert AuditEvent.objects.filter(object_id=str(declaration.pk)).exists()


def test_same_values_again_change_nothing(hw):
    first = declare(hw, date(2026, 3, 1))
    again = declare(hw, date(2026, 3, 1))
    assert first.pk == again.pk
    assert first.events.count() == 1


def test_only_the_employer_declares(hw):
    with pytest.raises(PermissionDenied):
        services.declare_hours(
            actor=hw.actor("other_company"),
            assignment=hw.assignment,
            month=date(2026, 3, 1),
            hours=D(10),
        )
    with pytest.raises(PermissionDenied):
        services.declare_hours(
            actor=hw.actor("facilitator"),
            assignment=hw.assignment,
            month=date(2026, 3, 1),
            hours=D(10),
        )


@pytest.mark.parametrize(
    ("month", "hours", "field"),
    [
        (date(2026, 7, 1), 10, "month"),  # future
        (date(2025, 8, 1), 10, "month"),  # before the assignment
        (date(2026, 3, 1), -1, "hours"),
        (date(2026, 3, 1), 744, "hours"),
        (date(2026, 3, 1), None, "hours"),
    ],
)
def test_declaration_refused_in_french(hw, month, hours, field):
    with pytest.raises(ValidationError) as error:
        declare(hw, month, hours)
    assert field in error.value.message_dict


def test_amount_only_for_subcontracting_and_converted(hw):
    with pytest.raises(ValidationError):
        declare(hw, date(2026, 3, 1), None, amount_ht=D(6000))
    siae = hw.assign(hw.new_participant("Sam Bara"), hw.lot, modality="subcontract_siae")
    declaration = declare(hw, date(2026, 3, 1), None, amount_ht=D(6000), assignment=siae)
    assert declaration.base_hours == 100  # 6 000 × 0,5 ÷ 30
    validate(hw, declaration)
    assert declaration.counted_hours == 100
    assert declaration.counting_rule == rules.RULE_AMOUNT_CONVERTED


def test_territory_settings_convert_and_cap_training(hw):
    CountingSettings.objects.create(
        coordination=hw.base.s93.coordination,
        department=hw.market.buyer.department,
        labour_share=D("0.8"),
        hourly_cost=D(20),
        training_monthly_cap=D(20),
    )
    training = declare(hw, date(2026, 3, 1), 50, is_training=True)
    validate(hw, training)
    assert (training.counted_hours, training.counting_rule) == (20, rules.RULE_TRAINING_CAPPED)


def test_validity_window_boundaries_and_recount(hw):
    hw.validation.valid_until = date(2026, 3, 15)
    hw.validation.save()
    march, april = declare(hw, date(2026, 3, 1)), declare(hw, date(2026, 4, 1))
    validate(hw, march)
    validate(hw, april)
    assert march.counted_hours == D("48.39")  # 15 days of 31
    assert april.counted_hours == 0
    assert april.counting_rule == rules.RULE_OUT_OF_ELIGIBILITY
    # A new validation from 16 March: recounting gives the hours back.
    hw.validate(hw.participant, date(2026, 3, 16))
    assert services.recount_participant(hw.participant) == 2
    march.refresh_from_db()
    april.refresh_from_db()
    assert (march.counted_hours, april.counted_hours) == (100, 100)


def test_withdrawn_validation_counts_nothing(hw):
    from django.utils import timezone

    hw.validation.withdrawn_at = timezone.now()
    hw.validation.save()
    declaration = validate(hw, declare(hw, date(2026, 3, 1)))
    assert declaration.counted_hours == 0


def test_same_person_cannot_exceed_the_monthly_ceiling_across_assignments(hw):
    """Double counting: the same person (followup's identity key, even under another
    participant record of another company) declared on two assignments in one month may
    not add up to more than 208 h."""
    declare(hw, date(2026, 3, 1), 150)
    twin = Participant.objects.create(  # the same person, followed by another structure
        first_name="Alex", last_name="Martin", structure=hw.base.s75, identity_key="k-alex"
    )
    _, lot2, _ = hw.new_market(company=hw.other_company)
    other = hw.assign(twin, lot2, company=hw.other_company)
    with pytest.raises(ValidationError, match="déjà 150"):
        services.declare_hours(
            actor=hw.actor("other_company"),
            assignment=other,
            month=date(2026, 3, 1),
            hours=D(60),
            today=TODAY,
        )
    # 58 h fit (150 + 58 = 208); a refused declaration frees its hours.
    services.declare_hours(
        actor=hw.actor("other_company"),
        assignment=other,
        month=date(2026, 3, 1),
        hours=D(58),
        today=TODAY,
    )


def test_control_is_for_the_following_facilitator_with_reason(hw):
    declaration = declare(hw, date(2026, 3, 1))
    for who in ("facilitator75", "company", "buyer", "coordinator75"):
        with pytest.raises(PermissionDenied):
            services.control_declaration(
                actor=hw.actor(who), declaration=declaration, decision="validate"
            )
    with pytest.raises(ValidationError):
        services.control_declaration(
            actor=hw.actor("facilitator"), declaration=declaration, decision="reject"
        )
    services.control_declaration(
        actor=hw.actor("coordinator93"),
        declaration=declaration,
        decision="request_fix",
        reason="Joindre le relevé d'heures.",
    )
    assert declaration.status == DeclarationStatus.FIX_REQUESTED
    with pytest.raises(ValidationError):
        validate(hw, declaration)  # not awaiting control any more
    with pytest.raises(ValidationError, match="motif de la correction"):
        declare(hw, date(2026, 3, 1), 90)  # a change is a correction: its reason first
    fixed = declare(hw, date(2026, 3, 1), 90, reason="Relevé signé joint.")
    assert fixed.status == DeclarationStatus.SUBMITTED
    services.control_declaration(
        actor=hw.actor("facilitator"), declaration=fixed, decision="reject", reason="Doublon."
    )
    assert fixed.status == DeclarationStatus.REJECTED and fixed.counted_hours == 0
    with pytest.raises(ValidationError, match="motif"):
        declare(hw, date(2026, 3, 1), 80)  # a refused declaration is corrected with a reason


def test_progress_counts_only_the_clauses_own_lot(hw):
    validate(hw, declare(hw, date(2026, 3, 1), 200))
    _, lot2, clause2 = hw.new_market(target=500)
    lou = hw.new_participant("Lou Petit")
    hw.validate(lou, date(2025, 1, 1))
    on_other = hw.assign(lou, lot2)
    validate(hw, declare(hw, date(2026, 3, 1), 50, assignment=on_other))
    declare(hw, date(2026, 4, 1), 30)  # submitted, not counted
    items = {
        i.clause.pk: i
        for i in selectors.clause_progress(
            SocialConsideration.objects.filter(pk__in=[hw.clause.pk, clause2.pk]), today=TODAY
        )
    }
    mine = items[hw.clause.pk].progress
    assert (mine.declared, mine.validated, mine.counted) == (230, 200, 200)
    assert mine.achieved_percent == 20
    assert mine.behind_schedule  # 20 % done, 50 % of the time gone
    assert items[clause2.pk].progress.counted == 50


def test_globalisation_moves_surplus_no_carry_over_otherwise(hw):
    hw.clause.calculated_hours = 100
    hw.clause.save()
    validate(hw, declare(hw, date(2026, 3, 1), 160))
    _, lot2, clause2 = hw.new_market(target=200)
    clauses = SocialConsideration.objects.filter(pk__in=[hw.clause.pk, clause2.pk])
    by_id = {i.clause.pk: i for i in selectors.clause_progress(clauses, today=TODAY)}
    assert by_id[clause2.pk].progress.counted == 0  # no carry-over
    agreement = GlobalisationAgreement.objects.create(
        company=hw.company, reference="GLOB-1", signed_on=date(2026, 1, 1)
    )
    agreement.clauses.set([hw.clause, clause2])
    by_id = {i.clause.pk: i for i in selectors.clause_progress(clauses, today=TODAY)}
    assert by_id[clause2.pk].progress.counted == 60
    assert by_id[clause2.pk].globalised == 60
    assert by_id[hw.clause.pk].progress.counted == 100


def test_ended_short_alert_with_penalty(hw):
    market, lot, clause = hw.new_market(
        start_date=date(2025, 1, 1), end_date=date(2025, 12, 31), target=300
    )
    ended = hw.assign(hw.new_participant("Noa Roy"), lot, start=date(2025, 1, 1))
    hw.validate(ended.participant, date(2025, 1, 1))
    validate(hw, declare(hw, date(2025, 11, 1), 100, assignment=ended))
    found = {a.clause.pk: a for a in selectors.alerts(hw.actor("facilitator"), today=TODAY)}
    assert found[clause.pk].progress.ended_short
    assert found[clause.pk].progress.penalty == D(10_000)  # 200 h × 50 €
    group = selectors.market_progress(hw.actor("buyer"), market.pk, today=TODAY)
    assert group is not None and group.progress.penalty == D(10_000)


def test_progress_queries_are_bounded(hw, django_assert_max_num_queries):
    for n in range(5):
        _, lot, _ = hw.new_market()
        a = hw.assign(hw.new_participant(f"P{n} Nom"), lot)
        validate(hw, declare(hw, date(2026, 3, 1), 10, assignment=a))
    actor = hw.actor("facilitator")
    with django_assert_max_num_queries(8):
        items = selectors.progress_for_actor(actor, today=TODAY)
    assert len(items) == 6


def test_policies_scope(hw):
    declaration = declare(hw, date(2026, 3, 1))
    seen = {
        who: policies.visible_declarations(hw.actor(who)).filter(pk=declaration.pk).exists()
        for who in (
            "company",
            "other_company",
            "facilitator",
            "facilitator75",
            "coordinator93",
            "coordinator75",
            "buyer",
        )
    }
    assert seen == {
        "company": True,
        "other_company": False,
        "facilitator": True,
        "facilitator75": False,
        "coordinator93": True,
        "coordinator75": False,
        "buyer": False,
    }
    # The buyer reads progress counts of its clause.
    assert policies.visible_clauses(hw.actor("buyer")).filter(pk=hw.clause.pk).exists()
    assert not policies.visible_clauses(hw.actor("buyer75")).filter(pk=hw.clause.pk).exists()
