"""The "Mon espace" menu shows each role the pages it opens, and costs no query."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from clauses.site.templatetags.workspace import workspace_menu
from tests.access.conftest import World
from tests.access.helpers import login

pytestmark = pytest.mark.django_db

INBOX = reverse("desk:inbox")
CONTROL = reverse("hours:control")
MY_CLAUSES = reverse("hours:my_clauses")
REPORTS = reverse("reporting:index")
AUDIT = reverse("access:audit")
PARTICIPANTS = reverse("followup:participants")
MY_REQUESTS = reverse("desk:my_requests")


def menu(world: World, role: str, path: str = "/") -> list[str]:
    request = RequestFactory().get(path)
    membership = world.memberships.get(role)
    request.user = membership.user
    request.membership = membership
    return [link.url for link in workspace_menu({"request": request})["links"]]


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("buyer_agent", [REPORTS, MY_REQUESTS], [INBOX, CONTROL, PARTICIPANTS, AUDIT]),
        ("company_contact", [MY_CLAUSES], [INBOX, CONTROL, PARTICIPANTS]),
        ("facilitator", [INBOX, CONTROL, PARTICIPANTS, REPORTS], [AUDIT, MY_CLAUSES]),
        ("departmental_coordinator", [INBOX, CONTROL, PARTICIPANTS, AUDIT], [MY_CLAUSES]),
        ("national_coordinator", [REPORTS], [INBOX, CONTROL, PARTICIPANTS]),
    ],
)
def test_links_follow_the_role(world: World, role: str, present: list, absent: list):
    urls = menu(world, role)
    assert set(present) <= set(urls)
    assert not set(absent) & set(urls)


def test_no_query_and_current_page_marked(world: World, django_assert_num_queries):
    with django_assert_num_queries(0):
        request = RequestFactory().get(INBOX)
        membership = world.memberships["facilitator"]
        request.user = membership.user
        request.membership = membership
        context = workspace_menu({"request": request})
    assert context["active"]
    assert [link.url for link in context["links"] if link.current] == [INBOX]


def test_anonymous_has_no_workspace(client):
    html = client.get("/").content.decode()
    assert "Mon espace" not in html


def test_logged_in_page_shows_the_menu(client, world: World):
    login(client, world.memberships["facilitator"])
    html = client.get(reverse("network:overview")).content.decode()
    assert "Mon espace" in html and INBOX in html
