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


def test_demo_stories_late_eligibility_correction_refusal(hw):
    """With the demo company: a person validated 45 days into the mission (hours that did
    not count, explained), a correction with its reason, a refusal with its reason."""
    from clauses.accounts.demo import DEMO_COMPANY_NAME
    from clauses.hours import rules

    today = timezone.localdate()
    hw.company.name = DEMO_COMPANY_NAME
    hw.company.save()
    start = date(today.year - 1, today.month, 1)
    hw.assignment.start_date = start
    hw.assignment.save()
    hw.participant.is_demo = True
    hw.participant.save()
    hw.validation.valid_from = start
    hw.validation.save()
    _, lot2, _ = hw.new_market()
    other = hw.assign(hw.new_participant("Demo Deux", key="k-deux"), lot2, start=start)
    other.participant.is_demo = True
    other.participant.save()
    hw.validate(other.participant, start)
    out = io.StringIO()
    demo.seed(stdout=out)
    text = out.getvalue()
    assert "éligibilité validée 45 jours après le début" in text
    assert "correction de la déclaration" in text and "refusée avec son motif" in text
    uncounted = HourDeclaration.objects.filter(
        counting_rule__in=[rules.RULE_OUT_OF_ELIGIBILITY, rules.RULE_PARTLY_ELIGIBLE],
        status=DeclarationStatus.VALIDATED,
    )
    assert uncounted.exists()
    assert all("éligibilité" in d.uncounted_reason for d in uncounted)
    corrected = HourDeclaration.objects.get(events__kind="corrected")
    assert corrected.status == DeclarationStatus.SUBMITTED
    assert corrected.events.get(kind="corrected").reason == demo.CORRECTION_REASON
    refused = HourDeclaration.objects.filter(rejection_reason=demo.REFUSAL_REASON)
    assert refused.filter(status=DeclarationStatus.REJECTED).count() == 1
    demo.seed(stdout=io.StringIO())  # idempotent, stories included
    assert HourDeclaration.objects.filter(events__kind="corrected").count() == 1
