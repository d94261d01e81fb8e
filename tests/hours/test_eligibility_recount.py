"""Counted hours follow eligibility: the follow-up's services notify (`eligibility_changed`)
and hours recounts; `recount_hours` recounts everything (dry run unless --wet-run)."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from clauses.followup import services as followup_services
from clauses.followup.signals import eligibility_changed
from clauses.hours import services
from clauses.hours.models import HourDeclaration
from tests.hours.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _criteria():
    followup_services.load_national_criteria(wet_run=True)


def _validated(hw, month: date, hours: int = 100) -> HourDeclaration:
    declaration = services.declare_hours(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=month,
        hours=Decimal(hours),
        today=TODAY,
    )
    return services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="validate"
    )


def _counted(declaration: HourDeclaration) -> Decimal:
    declaration.refresh_from_db()
    return declaration.counted_hours


def test_the_receiver_is_connected():
    assert eligibility_changed.has_listeners()


def test_withdrawing_then_validating_eligibility_changes_counted_hours(hw):
    march = _validated(hw, date(2026, 3, 1))
    assert _counted(march) == 100
    followup_services.withdraw_validation(
        actor=hw.actor("facilitator"), validation=hw.validation, reason="Justificatif faux"
    )
    assert _counted(march) == 0  # no validation in force any more
    followup_services.validate_eligibility(
        actor=hw.actor("facilitator"),
        participant=hw.participant,
        criteria_codes=[],
        derogation=True,
        prescriber_opinion="Avis motivé de la mission locale",
        on=date(2026, 2, 1),
    )
    assert _counted(march) == 100


def test_creating_an_assignment_recounts_the_person(hw):
    march = _validated(hw, date(2026, 3, 1))
    # Counts drift (e.g. written by hand): the next notification repairs them.
    HourDeclaration.objects.filter(pk=march.pk).update(counted_hours=Decimal(1))
    followup_services.create_assignment(
        actor=hw.actor("facilitator"),
        participant=hw.participant,
        lot=hw.lot,
        employer=hw.company,
        modality="direct_cdd",
        start_date=date(2026, 5, 1),
    )
    assert _counted(march) == 100


def test_recount_hours_command_is_a_dry_run_unless_wet(hw):
    march = _validated(hw, date(2026, 3, 1))
    HourDeclaration.objects.filter(pk=march.pk).update(counted_hours=Decimal(1))
    out = StringIO()
    call_command("recount_hours", stdout=out)
    assert "1 déclaration(s) à recalculer" in out.getvalue()
    assert _counted(march) == 1
    out = StringIO()
    call_command("recount_hours", "--wet-run", stdout=out)
    assert f"Déclaration n° {march.pk}" in out.getvalue()
    assert _counted(march) == 100
    out = StringIO()
    call_command("recount_hours", "--wet-run", stdout=out)
    assert "0 déclaration(s) recalculée(s)" in out.getvalue()
