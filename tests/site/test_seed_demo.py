"""seed_demo end to end, twice: it succeeds, changes no count the second time, and each demo
account sees a coherent demo (the demo company holds the lots of the demo assignments) and
meaningful reports: enough people for the masking threshold, hours in several départements,
declarations over the last fourteen months within the hours rules, outcomes of every kind."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Min, Sum
from django.utils import timezone

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.demo import DEMO_COMPANY_NAME
from clauses.accounts.models import Membership
from clauses.desk import policies as desk_policies
from clauses.followup import policies as followup_policies
from clauses.followup.enums import OutcomeCategory
from clauses.followup.models import Assignment, EligibilityValidation, Outcome, Participant
from clauses.hours import policies as hours_policies
from clauses.hours import rules as hours_rules
from clauses.hours import selectors as hours_selectors
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.markets.models import LotContractor, Market, SocialConsideration
from clauses.reporting import periods, queries
from clauses.reporting import policies as reporting_policies

pytestmark = pytest.mark.django_db


def _actor(key: str) -> Actor:
    membership = Membership.objects.select_related("organisation").get(
        user__email=f"{key}@demo.clauses.example"
    )
    return actor_for_membership(membership, user=membership.user)


def _counts() -> dict[str, int]:
    return {
        "markets": Market.objects.filter(is_demo=True).count(),
        "participants": Participant.objects.filter(is_demo=True).count(),
        "assignments": Assignment.objects.filter(participant__is_demo=True).count(),
        "declarations": HourDeclaration.objects.filter(is_demo=True).count(),
        "validations": EligibilityValidation.objects.filter(participant__is_demo=True).count(),
        "outcomes": Outcome.objects.filter(participant__is_demo=True).count(),
        "counted": HourDeclaration.objects.filter(is_demo=True).aggregate(n=Sum("counted_hours"))[
            "n"
        ],
    }


def test_seed_demo_twice_is_coherent_for_every_role(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["declarations"] > 0

    assert first["participants"] >= 40
    assert first["validations"] >= first["participants"]

    facilitator = _actor("facilitateur")
    assert desk_policies.visible_requests(facilitator).exists()
    own = Participant.objects.filter(is_demo=True, structure__in=facilitator.structure_ids)
    assert own.count() >= 20  # the 93 ones; the others are followed in 75, 92, 94
    assert followup_policies.visible_participants(facilitator).filter(is_demo=True).count() == (
        own.count()
    )
    to_control = hours_policies.visible_declarations(facilitator).filter(
        status=DeclarationStatus.SUBMITTED
    )
    assert to_control.exists()
    agreements = hours_policies.visible_agreements(facilitator)
    assert agreements.count() == 1
    assert agreements.get().company.name == DEMO_COMPANY_NAME

    buyer = _actor("acheteur")
    markets = Market.objects.filter(pk__in=hours_policies.visible_markets(buyer).values("pk"))
    assert markets.filter(buyer__name="Ville de Démo-sur-Seine (démo)").count() >= 5
    followed = [
        hours_selectors.market_progress(buyer, market.pk)
        for market in markets.filter(lots__assignments__isnull=False).distinct()
    ]
    assert followed and any(group.progress.declared > 0 for group in followed if group)
    assert not hours_policies.visible_declarations(buyer).exists()  # counts only

    company = _actor("entreprise")
    assert company.organisation_id is not None
    assert Membership.objects.get(
        user__email="entreprise@demo.clauses.example"
    ).organisation.name == (DEMO_COMPANY_NAME)
    clauses = hours_selectors.contractor_clauses(company)
    assert len(clauses) >= 3
    assert any(item.progress.declared > 0 for item in clauses)
    assert hours_policies.declarable_assignments(company).count() >= 2
    assert hours_policies.visible_declarations(company).exists()
    assert followup_policies.visible_participants(company).exists()

    _check_reports()
    _check_hours_rules()
    _check_markets()


def _check_reports() -> None:
    """What the reports count (clauses.reporting.queries), for the demo roles."""
    today = timezone.localdate()
    last_12 = periods.last_12_months(today)
    this_year = periods.year(today.year)

    buyer = _actor("acheteur")
    scope = reporting_policies.buyer_scope(buyer, buyer.organisation_id)
    for period in (last_12, this_year):
        profile = queries.profile(scope.markets, period)
        assert profile["total"] >= 5, period
        assert queries.hours(scope.markets, period).counted > 0, period

    regional = _actor("coordination-regionale")
    region = reporting_policies.regional_dashboard_region(regional)
    scope = reporting_policies.region_scope(regional, region.code, region=region)
    by_department = queries.hours_by_department(scope.markets, last_12)
    assert len([code for code, hours in by_department.items() if hours > 0]) >= 4
    assert {"75", "92", "93", "94"} <= set(by_department)
    profile = queries.profile(scope.markets, last_12)
    assert profile["female"] >= 5 and profile["male"] >= 5
    assert min(profile["lt_26"], profile["age_26_49"], profile["gte_50"]) >= 5
    assert profile["qpv"] >= 5
    assert len(queries.eligibility(scope.markets, last_12)) >= 5
    modalities = queries.assignments_by(scope.markets, last_12, "modality")
    assert {"etti", "geiq", "ai", "cocontract_siae"} <= set(modalities)
    assert set(queries.outcomes(scope.markets, this_year)) == set(OutcomeCategory.values)

    department = _actor("coordination93")
    scope = reporting_policies.department_scope(department, "93")
    assert queries.profile(scope.markets, last_12)["total"] >= 5
    assert queries.network(department_codes=["93"]).structures > 0


def _check_hours_rules() -> None:
    today = timezone.localdate()
    declarations = HourDeclaration.objects.filter(is_demo=True).select_related(
        "assignment__participant"
    )
    statuses = set(declarations.values_list("status", flat=True))
    assert set(DeclarationStatus.values) <= statuses
    first = declarations.aggregate(first=Min("month"))["first"]
    assert first <= hours_rules.add_months(today.replace(day=1), -13)
    per_person = defaultdict(lambda: 0)
    for declaration in declarations:
        assignment = declaration.assignment
        assert declaration.month >= assignment.start_date.replace(day=1)
        assert assignment.end_date is None or declaration.month <= assignment.end_date
        key = (assignment.participant.identity_key, declaration.month)
        per_person[key] += declaration.base_hours
        if declaration.status == DeclarationStatus.VALIDATED:
            assert declaration.counting_rule != hours_rules.RULE_NOT_VALIDATED
        else:
            assert declaration.counted_hours == 0
    assert max(per_person.values()) <= hours_rules.MONTHLY_CEILING_HOURS
    progress = hours_selectors.clause_progress(
        SocialConsideration.objects.filter(lot__market__is_demo=True)
    )
    assert any(item.progress.behind_schedule for item in progress)
    assert any(item.progress.ended_short and item.progress.penalty for item in progress)


def _check_markets() -> None:
    state = Market.objects.filter(
        is_demo=True, buyer__name="Direction régionale de l'État démo (démo)"
    )
    assert state.filter(
        lots__considerations__isnull=False, lots__assignments__isnull=False
    ).exists()
    departments = set(
        Market.objects.filter(is_demo=True, lots__assignments__isnull=False).values_list(
            "execution_communes__department__code",
            "following_structure__coordination__department__code",
        )
    )
    assert {"75", "92", "94"} <= {code for code, _ in departments}
    assert all(market == structure for market, structure in departments)
    holders = LotContractor.objects.filter(lot__market__is_demo=True, role="holder")
    assert holders.filter(organisation__name=DEMO_COMPANY_NAME).count() >= 5
    other = holders.exclude(lot__market__execution_communes__department__code="93")
    assert other.exclude(organisation__name=DEMO_COMPANY_NAME).exists()
