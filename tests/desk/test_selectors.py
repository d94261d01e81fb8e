"""Inbox filters, dashboard figures computed in the database, the portable median, and the
query budgets of both."""

from datetime import date

import pytest

from clauses.desk import selectors, services
from clauses.desk.enums import RequestStatus
from clauses.desk.models import Request
from tests.desk.conftest import actor_for, at, request_data

pytestmark = pytest.mark.django_db

TODAY = date(2026, 7, 1)


@pytest.fixture
def filed(network):
    """Five requests in 93 and one in Paris, various dates, kinds and statuses."""
    plaine = actor_for(network.plaine)
    items = {
        "old_structure": services.file_request(data=request_data(), now=at(2026, 5, 4)).request,
        "montreuil": services.file_request(
            data=request_data(execution_communes=["93048"], kind="social_advice"),
            now=at(2026, 6, 26),
        ).request,
        "dep93": services.file_request(
            data=request_data(
                execution_communes=[],
                execution_departments=["93"],
                market_planned_publication_date="2026-01-01",
            ),
            now=at(2026, 6, 29),
        ).request,
        "answered": services.file_request(data=request_data(), now=at(2026, 6, 1)).request,
        "closed": services.file_request(data=request_data(), now=at(2026, 6, 2)).request,
        "paris": services.file_request(
            data=request_data(execution_communes=["75119"]), now=at(2026, 6, 30)
        ).request,
    }
    services.reply(actor=plaine, desk_request=items["answered"], body="Bonjour", now=at(2026, 6, 4))
    services.reply(actor=plaine, desk_request=items["closed"], body="Bonjour", now=at(2026, 6, 3))
    services.close(
        actor=plaine, desk_request=items["closed"], outcome="advice_given", now=at(2026, 6, 5)
    )
    return items


def refs(queryset) -> set[str]:  # noqa: ANN001
    return {r.reference for r in queryset}


def test_inbox_filters(network, filed):
    regional = actor_for(network.regional)
    everything = refs(selectors.inbox(regional, today=TODAY))
    assert everything == refs(filed.values())
    assert refs(selectors.inbox(regional, today=TODAY, status="closed")) == {
        filed["closed"].reference
    }
    assert filed["closed"].reference not in refs(
        selectors.inbox(regional, today=TODAY, status="open")
    )
    assert refs(selectors.inbox(regional, today=TODAY, kind="social_advice")) == {
        filed["montreuil"].reference
    }
    in_75 = refs(selectors.inbox(regional, today=TODAY, department="75"))
    assert in_75 == {filed["paris"].reference}
    assert filed["dep93"].reference in refs(selectors.inbox(regional, today=TODAY, department="93"))
    assert refs(selectors.inbox(regional, today=TODAY, age="7")) == {
        filed["montreuil"].reference,
        filed["dep93"].reference,
        filed["paris"].reference,
    }
    assert refs(selectors.inbox(regional, today=TODAY, age="old")) == {
        filed["old_structure"].reference
    }
    assert refs(selectors.inbox(regional, today=TODAY, timing="after_publication")) == {
        filed["dep93"].reference
    }
    overdue = refs(selectors.inbox(regional, today=TODAY, overdue=True))
    assert overdue == {filed["old_structure"].reference}
    assert refs(selectors.inbox(regional, today=TODAY, search=filed["paris"].reference)) == {
        filed["paris"].reference
    }


def test_inbox_is_scoped_by_the_policies(network, filed):
    # Montreuil (two structures) went to the departmental coordination, not to Est A.
    assert refs(selectors.inbox(actor_for(network.est_a), today=TODAY)) == set()
    dep93 = refs(selectors.inbox(actor_for(network.dep93), today=TODAY))
    assert filed["paris"].reference not in dep93
    assert filed["montreuil"].reference in dep93


def test_inbox_query_budget(network, filed, django_assert_max_num_queries):
    regional = actor_for(network.regional)
    with django_assert_max_num_queries(1):
        rows = list(selectors.inbox(regional, today=TODAY, status="open", department="93"))
        for row in rows:
            assert row.target_name
            str(row.taken_by or "")


def test_dashboard_figures(network, filed, django_assert_max_num_queries):
    regional = actor_for(network.regional)
    with django_assert_max_num_queries(10):
        figures = selectors.dashboard(regional, today=TODAY)
    assert figures.total == 6
    assert figures.open_count == 5
    assert figures.overdue_count == 1
    assert [r.reference for r in figures.overdue] == [filed["old_structure"].reference]
    assert {r.key: r.count for r in figures.per_department}["93"] == 5
    assert {r.key: r.count for r in figures.per_department}["75"] == 1
    assert {r.key: r.count for r in figures.per_kind}["social_advice"] == 1
    assert sum(r.count for r in figures.per_week) == 6
    assert figures.per_week[-1].key == "2026-06-29"
    assert figures.per_week[-1].count == 2
    assert figures.routed_automatically_share == 1.0
    assert figures.before_publication_share == pytest.approx(5 / 6)
    # Answered after 3 working days (1 → 4 June) and 1 (2 → 3 June): median 2.
    assert figures.answered == 2
    assert figures.median_first_response_working_days == 2.0


def test_the_national_coordination_gets_figures_only(network, filed):
    figures = selectors.dashboard(actor_for(network.national), today=TODAY)
    assert figures.total == 6
    assert figures.overdue == []
    assert not selectors.inbox(actor_for(network.national), today=TODAY).exists()


def test_median_is_portable(network, filed):
    qs = Request.objects.all()
    Request.objects.update(first_response_working_days=None)
    assert selectors.median(qs, "first_response_working_days") is None
    for value, request in zip([5, 1, 3], Request.objects.order_by("pk"), strict=False):
        Request.objects.filter(pk=request.pk).update(first_response_working_days=value)
    assert selectors.median(qs, "first_response_working_days") == 3.0
    Request.objects.filter(pk=Request.objects.order_by("pk")[3].pk).update(
        first_response_working_days=10
    )
    assert selectors.median(qs, "first_response_working_days") == 4.0


def test_inbox_lists_in_workflow_order_then_most_urgent_first(network, filed):
    regional = actor_for(network.regional)
    rows = list(selectors.inbox(regional, today=TODAY))
    ranks = [list(RequestStatus).index(RequestStatus(r.status)) for r in rows]
    assert ranks == sorted(ranks)
    assert rows[-1] == filed["closed"]
    new = [r for r in rows if r.status == RequestStatus.NEW]
    assert [r.first_response_due for r in new] == sorted(r.first_response_due for r in new)


def test_counts_by_department_count_each_request_once_per_department(network):
    both_ways = services.file_request(
        data=request_data(execution_communes=["93066", "93048"], execution_departments=["93"]),
        now=at(2026, 6, 1),
    ).request
    two_departments = services.file_request(
        data=request_data(execution_communes=["93066", "75119"]), now=at(2026, 6, 2)
    ).request
    whole_94 = services.file_request(
        data=request_data(execution_communes=[], execution_departments=["94"]),
        now=at(2026, 6, 3),
    ).request
    requests = Request.objects.filter(pk__in=[both_ways.pk, two_departments.pk, whole_94.pk])
    codes = ["75", "93", "94", "95"]
    counts = selectors.counts_by_department(requests, codes)
    assert counts == {"75": 1, "93": 2, "94": 1, "95": 0}
    # The same as the per-département condition, request by request.
    for code in codes:
        assert counts[code] == requests.filter(selectors.in_department(code)).count()
    assert set(requests.filter(selectors.in_departments(["93", "94"]))) == {
        both_ways,
        two_departments,
        whole_94,
    }
    assert list(requests.filter(selectors.in_departments(["95"]))) == []
