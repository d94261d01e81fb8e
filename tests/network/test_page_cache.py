"""Cached public pages and lookups stay true (#15): a second visit reads no database, and
a change of a facilitator, a structure's coverage or a commune shows on every page at once."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clauses.core.pagecache import network_version
from clauses.territories.models import Commune, Ept
from tests.network.factories import FacilitatorFactory, FacilitatorStructureFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reseau/",
    "/reseau/departements/93/",
    "/reseau/trouver-mon-facilitateur/?commune=93066",
    "/api/v1/communes/93066/facilitation",
    "/api/v1/network/departments",
]


@pytest.fixture
def facilitator():
    structure = FacilitatorStructureFactory(
        name="Structure Cache", epts=[Ept.objects.get(name="Plaine Commune")]
    )
    return FacilitatorFactory(structure=structure, first_name="Awa", last_name="Diallo")


def _bodies(client) -> dict[str, str]:
    bodies = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    return bodies


def test_urls_are_the_public_pages(client):
    from django.urls import reverse

    assert reverse("network:overview") == PAGES[1]
    assert reverse("network:department", args=["93"]) == PAGES[2]
    assert reverse("network:find") + "?commune=93066" == PAGES[3]


def test_second_visit_reads_no_database(client, facilitator, django_assert_max_num_queries):
    first = _bodies(client)
    with django_assert_max_num_queries(0):
        second = _bodies(client)
    assert second == first


def test_a_changed_facilitator_changes_every_page(client, facilitator):
    before = _bodies(client)
    assert "Diallo" in before[PAGES[2]] and "Diallo" in before[PAGES[3]]
    assert "Awa Diallo" in before[PAGES[4]]

    facilitator.is_active = False  # leaves their post: counts and names change everywhere
    facilitator.save()

    after = _bodies(client)
    for url in PAGES:
        assert after[url] != before[url], f"{url} served stale"
    assert "Diallo" not in after[PAGES[2]] and "Diallo" not in after[PAGES[3]]
    assert "Awa Diallo" not in after[PAGES[4]]


def test_a_renamed_facilitator_shows_at_once(client, facilitator):
    _bodies(client)
    facilitator.last_name = "Keita"
    facilitator.save()
    after = _bodies(client)
    assert "Keita" in after[PAGES[2]] and "Keita" in after[PAGES[3]]
    assert "Awa Keita" in after[PAGES[4]]


def test_coverage_change_through_m2m_shows_at_once(client, facilitator):
    assert "Awa Diallo" in client.get(PAGES[4]).content.decode()
    facilitator.structure.epts.clear()
    assert "Awa Diallo" not in client.get(PAGES[4]).content.decode()


def test_commune_search_follows_a_renamed_commune(client):
    url = "/api/v1/communes?q=saint-denis"
    assert any(c["insee"] == "93066" for c in client.get(url).json())
    commune = Commune.objects.get(insee="93066")
    commune.name = "Saint-Denis-la-Plaine"
    commune.save()
    names = [c["name"] for c in client.get(url).json() if c["insee"] == "93066"]
    assert names == ["Saint-Denis-la-Plaine"]


def test_a_reference_load_bumps_the_version():
    before = network_version()
    call_command("load_network", wet_run=True, verbosity=0)  # no change: same version
    assert network_version() == before


def test_signed_in_pages_are_not_cached(client, facilitator, django_user_model):
    user = django_user_model.objects.create_user(email="cache@example.fr", password="x" * 12)
    client.force_login(user)
    response = client.get("/reseau/")
    assert response.status_code == 200
    assert "Se déconnecter" in response.content.decode()
    client.logout()
    assert "Se déconnecter" not in client.get("/reseau/").content.decode()


def test_cached_pages_carry_no_nonce_and_a_strict_policy(client):
    for url in PAGES[:4]:
        for _ in range(2):  # the miss and the hit
            response = client.get(url)
            assert "nonce" not in response.content.decode()
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_routing_dry_run_follows_the_network(client):
    def route() -> dict:
        response = client.post(
            "/api/v1/desk/route",
            {"kind": "social_advice", "execution_communes": ["93066"]},
            content_type="application/json",
        )
        assert response.status_code == 200
        return response.json()

    before = route()
    FacilitatorStructureFactory(
        name="Structure Orientation", epts=[Ept.objects.get(name="Plaine Commune")]
    )
    after = route()
    assert after != before
    assert "Structure Orientation" in str(after)


def _every_lookup(client) -> dict[str, int]:
    """Every public page and lookup API of #15 once: the number of queries each sent."""
    sent = {}
    for url in [*PAGES, "/api/v1/communes?q=saint-denis"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        sent[url] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/desk/route",
            {"kind": "social_advice", "execution_communes": ["93066"]},
            content_type="application/json",
        )
        assert response.status_code == 200
    sent["routing dry run"] = len(queries)
    return sent


def test_every_page_and_lookup_recomputes_after_a_facilitator_change(client, facilitator):
    _every_lookup(client)
    assert set(_every_lookup(client).values()) == {0}  # all cached, the dry run included
    facilitator.phone = "01 02 03 04 05"
    facilitator.save()
    recomputed = _every_lookup(client)
    assert all(recomputed.values()), recomputed  # nothing served from before the change


def test_a_write_bumps_the_version_again_when_it_commits(facilitator):
    """A visitor served between the write and the commit saw the old rows under the new
    version: the commit bumps it once more, so that entry is stale too. (The test runs in
    a transaction that never commits: the registered callback is run by hand.)"""
    from clauses.core import pagecache

    facilitator.last_name = "Keita"
    facilitator.save()
    facilitator.structure.save()
    pending = [
        c for _ids, c, _robust in connection.run_on_commit if c is pagecache._bump_after_commit
    ]
    assert len(pending) == 1  # one bump at the commit, however many rows were written
    during = network_version()
    pending[0]()
    assert network_version() != during


HEADERS = ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary")


def test_whole_responses_are_served_before_the_middleware(client, facilitator):
    """A visitor without a session gets the kept response, headers included, from
    CachedPageMiddleware: no view, no session, no query."""
    from django.core.cache import cache

    from clauses.core import pagecache

    for url in PAGES:
        miss = client.get(url)
        assert not client.cookies, url  # the public pages set no cookie
        keys = pagecache.CachedPageMiddleware._key(miss.wsgi_request)
        assert keys is not None, url
        version, kept = cache.get(keys)
        assert version == network_version() and kept[0] == 200, url
        hit = client.get(url)
        assert hit.content == miss.content, url
        for header in HEADERS:
            if header in miss:
                assert hit[header] == miss[header], (url, header)


def test_a_visitor_with_a_session_goes_the_normal_way(client, facilitator):
    client.get("/reseau/")
    client.cookies["sessionid"] = "not-a-session"
    response = client.get("/reseau/")
    assert response.status_code == 200 and "Diallo" in client.get(PAGES[2]).content.decode()
    facilitator.last_name = "Keita"
    facilitator.save()
    assert "Keita" in client.get(PAGES[2]).content.decode()


def test_only_the_network_paths_are_looked_up(rf):
    from clauses.core.pagecache import CachedPageMiddleware

    assert CachedPageMiddleware._key(rf.get("/guichet/demande/")) is None
    assert CachedPageMiddleware._key(rf.post("/reseau/")) is None
    assert CachedPageMiddleware._key(rf.get("/reseau/", HTTP_AUTHORIZATION="Bearer x")) is None
    assert CachedPageMiddleware._key(rf.get("/reseau/")) is not None


def test_a_response_setting_a_cookie_is_not_kept(rf):
    from django.core.cache import cache
    from django.http import HttpResponse

    from clauses.core.pagecache import CachedPageMiddleware, share

    def view(request):
        share(request)
        response = HttpResponse("personal")
        response.set_cookie("mine", "1")
        return response

    request = rf.get("/reseau/?cookie=1")
    CachedPageMiddleware(view)(request)
    assert cache.get(CachedPageMiddleware._key(request)) is None


def test_health_reads_no_database(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/sante/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
