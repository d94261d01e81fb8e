"""The demo declarations: mixed statuses, a clause behind schedule, idempotent."""

import io
from datetime import date

import pytest
from django.utils import timezone

from clauses.hours import demo, selectors
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.markets.models import SocialConsideration

pytestmark = pytest.mark.django_db


def test_demo_declarations_are_rebuilt_idempotently(hw):
    today = timezone.localdate()
    hw.participant.is_demo = True
    hw.participant.save()
    hw.assignment.start_date = date(today.year - 1, today.month, 1)
    hw.assignment.save()
    _, lot2, _ = hw.new_market()
    other = hw.assign(hw.new_participant("Demo Deux"), lot2, start=hw.assignment.start_date)
    other.participant.is_demo = True
    other.participant.save()
    hw.validate(other.participant, hw.assignment.start_date)
    hw.validation.valid_from = hw.assignment.start_date
    hw.validation.save()
    out = io.StringIO()
    demo.seed(stdout=out)
    first = HourDeclaration.objects.count()
    demo.seed(stdout=out)
    assert HourDeclaration.objects.count() == first > 0
    statuses = set(HourDeclaration.objects.values_list("status", flat=True))
    assert {DeclarationStatus.VALIDATED, DeclarationStatus.SUBMITTED} <= statuses
    items = selectors.clause_progress(SocialConsideration.objects.filter(pk=hw.clause.pk))
    assert items[0].progress.counted > 0


def test_demo_without_assignments_says_so(db):
    out = io.StringIO()
    demo.seed(stdout=out)
    assert "aucune mission" in out.getvalue()
