"""The follow-up demo: fictitious participants on the demo markets (93, and 75, 92, 94), one
followed by two contractors, positions and candidates; idempotent (run twice, markets rebuilt
between)."""

import io

import pytest

from clauses.followup import demo, demo_reset
from clauses.followup.models import Assignment, Candidate, Participant

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(settings, django_capture_on_commit_callbacks):
    from clauses.access import demo as access_demo
    from clauses.accounts import demo as accounts_demo
    from clauses.desk import demo as desk_demo
    from clauses.markets import demo as markets_demo
    from clauses.network import demo as network_demo

    settings.DEMO_MODE = True
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        for module in (network_demo, accounts_demo, access_demo, desk_demo):
            module.seed(stdout=out)
        for _ in range(2):
            for module in (demo_reset, markets_demo, demo):
                module.seed(stdout=out)
    participants = Participant.objects.filter(is_demo=True)
    assert participants.count() == len(demo.PEOPLE)
    assert {p.department.code for p in participants} == {"75", "92", "93", "94"}
    twice = [p for p in participants if p.assignments.values("employer").distinct().count() == 2]
    assert len(twice) == 1
    assert Assignment.objects.filter(participant__is_demo=True).count() == len(demo.PEOPLE) + 1
    assert Candidate.objects.filter(is_demo=True).count() == 2
    assert "deux entreprises" in out.getvalue()


def test_demo_shows_a_withdrawal_and_a_mission_before_eligibility(settings):
    """#12.1 / #12.2: after the demo, a validation withdrawn because the person is no longer
    eligible (the page says the hours before stay counted) and a mission that began before
    the person's eligibility (the page warns)."""
    from clauses.access import demo as access_demo
    from clauses.accounts import demo as accounts_demo
    from clauses.desk import demo as desk_demo
    from clauses.followup.models import EligibilityValidation
    from clauses.followup.selectors import eligibility_warnings
    from clauses.markets import demo as markets_demo
    from clauses.network import demo as network_demo

    settings.DEMO_MODE = True
    out = io.StringIO()
    for module in (network_demo, accounts_demo, access_demo, desk_demo, demo_reset, markets_demo):
        module.seed(stdout=out)
    demo.seed(stdout=out)
    demo.seed_eligibility_cases(stdout=out)
    withdrawn = EligibilityValidation.objects.get(
        participant__is_demo=True, withdrawn_at__isnull=False
    )
    assert withdrawn.withdrawal_kind == "ended"
    assert "fin d'éligibilité" in out.getvalue()
    warned = [
        p
        for p in Participant.objects.filter(is_demo=True)
        if eligibility_warnings(p, p.assignments.all())
    ]
    assert warned and "avant l'éligibilité" in out.getvalue()
