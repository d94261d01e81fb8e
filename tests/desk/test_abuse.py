"""The desk's abuse protection (#11.6, #12.8): atomic rate limits shared through the cache,
separate allowances for routing and filing, an acknowledgement that relays no free text, and
the "new follow link" page (same answer whether or not the reference and address match)."""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache, caches
from django.test import override_settings
from django.urls import reverse

from clauses.desk import abuse, services
from clauses.desk.models import Request
from tests.desk.conftest import request_data
from tests.desk.test_api import BASE, api_body

NOW = datetime(2026, 6, 5, 10, tzinfo=ZoneInfo("Europe/Paris"))
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/6",
        "KEY_PREFIX": "clauses-tests-security",
    }
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_CACHE["default"]["LOCATION"], socket_timeout=0.5).ping()
    except Exception:
        return False
    return True


def _parallel_filings(count: int) -> list[bool]:
    """`count` threads ask for a filing slot at the same instant; each holds it a moment
    (the filing's work) and reports whether it got one."""
    barrier = threading.Barrier(count)
    results: list[bool] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        barrier.wait()
        try:
            with abuse.filing_allowance(ip="192.0.2.7", email=f"agent{n}@ville.fr", now=NOW):
                time.sleep(0.01)
        except abuse.RateLimited:
            ok = False
        else:
            ok = True
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_parallel_filings_pass_exactly_the_limit(settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 5
    results = _parallel_filings(20)
    assert results.count(True) == 5
    assert results.count(False) == 15


@pytest.mark.skipif(not _redis_available(), reason="Redis n'écoute pas sur 127.0.0.1:6379")
def test_the_limit_holds_on_a_shared_redis_cache(settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 5
    with override_settings(CACHES=REDIS_CACHE):
        caches["default"].clear()
        try:
            results = _parallel_filings(20)
        finally:
            caches["default"].clear()
    assert results.count(True) == 5


def test_a_refused_filing_gives_its_slot_back(settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 1
    with pytest.raises(ValueError), abuse.filing_allowance(ip="192.0.2.1", email=None, now=NOW):
        raise ValueError("formulaire refusé")
    with abuse.filing_allowance(ip="192.0.2.1", email=None, now=NOW):
        pass
    with (
        pytest.raises(abuse.RateLimited) as error,
        abuse.filing_allowance(ip="192.0.2.1", email=None, now=NOW),
    ):
        pass
    assert error.value.message == abuse.IP_LIMIT_MESSAGE


def test_windows_per_hour_and_per_day(settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 2
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY = 3
    for _ in range(2):
        with abuse.filing_allowance(ip="192.0.2.1", email="a@b.fr", now=NOW):
            pass
    with pytest.raises(abuse.RateLimited) as error:
        with abuse.filing_allowance(ip="192.0.2.1", email="a@b.fr", now=NOW):
            pass
    assert error.value.message == abuse.IP_LIMIT_MESSAGE
    # The next hour the IP may file again; the address still counts for the day, and a
    # refusal on the address gives the IP's slot back.
    later = NOW.replace(hour=11)
    with abuse.filing_allowance(ip="192.0.2.1", email="A@B.fr ", now=later):
        pass
    with pytest.raises(abuse.RateLimited) as error:
        with abuse.filing_allowance(ip="192.0.2.1", email="a@b.fr", now=later):
            pass
    assert error.value.message == abuse.EMAIL_LIMIT_MESSAGE
    with abuse.filing_allowance(ip="192.0.2.1", email="autre@b.fr", now=later):
        pass


@pytest.mark.django_db
def test_filings_do_not_lock_out_the_routing_api(client, network, settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR = 5
    settings.CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR = 3
    for n in range(5):
        body = api_body(contact_email=f"agent{n}@ville-test.fr")
        assert (
            client.post(f"{BASE}/requests", body, content_type="application/json").status_code
            == 201
        )
    assert (
        client.post(f"{BASE}/requests", api_body(), content_type="application/json").status_code
        == 429
    )
    route = {"kind": "social_advice", "execution_communes": ["93066"]}
    for _ in range(3):
        assert (
            client.post(f"{BASE}/route", route, content_type="application/json").status_code == 200
        )
    # The routing API has its own allowance, and using it up does not touch the filings.
    limited = client.post(f"{BASE}/route", route, content_type="application/json")
    assert limited.status_code == 429
    assert "orientation" in limited.json()["detail"]


@pytest.mark.django_db
def test_acknowledgement_relays_none_of_the_form_text(
    network, mailoutbox, django_capture_on_commit_callbacks
):
    spam = "Gagnez 1000 € sur https://spam.example"
    with django_capture_on_commit_callbacks(execute=True):
        filed = services.file_request(
            data=request_data(
                contact_name=spam,
                buyer_name=f"Mairie {spam}",
                market_subject=spam,
                message=f"{spam}\n" * 10,
                contact_email="victime@example.org",
            ),
            attachments=[],
        )
    acknowledgement = next(m for m in mailoutbox if m.to == ["victime@example.org"])
    assert filed.request.reference in acknowledgement.subject
    assert filed.follow_url in acknowledgement.body
    assert reverse("desk:new_follow_link") in acknowledgement.body
    assert "spam.example" not in acknowledgement.body + acknowledgement.subject
    assert "Gagnez" not in acknowledgement.body + acknowledgement.subject


# ---------------------------------------------------------------------------------------
# Lost follow link


def _filed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.file_request(data=request_data(), attachments=[])


@pytest.mark.django_db
def test_wrong_token_is_a_french_page_pointing_to_a_new_link(client, network):
    filed = services.file_request(data=request_data(), attachments=[])
    url = reverse("desk:follow", kwargs={"reference": filed.request.reference})
    response = client.get(url, {"jeton": "faux"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Ce lien de suivi ne fonctionne pas" in html
    assert reverse("desk:new_follow_link") in html


@pytest.mark.django_db
def test_new_follow_link_same_answer_whether_or_not_it_matches(
    client, network, mailoutbox, django_capture_on_commit_callbacks
):
    filed = _filed(django_capture_on_commit_callbacks)
    reference = filed.request.reference
    mailoutbox.clear()
    url = reverse("desk:new_follow_link")
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        wrong = client.post(url, {"reference": reference, "contact_email": "autre@exemple.fr"})
        unknown = client.post(
            url, {"reference": "GRCS-2026-999999", "contact_email": "camille.martin@ville-test.fr"}
        )
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        right = client.post(
            url, {"reference": reference.lower(), "contact_email": "Camille.Martin@ville-test.fr"}
        )
    assert wrong.status_code == unknown.status_code == right.status_code == 200
    assert wrong.content == unknown.content == right.content

    (email,) = mailoutbox
    assert email.to == ["camille.martin@ville-test.fr"]
    new_token = email.body.split("jeton=", 1)[1].split()[0]
    # The old link stops working, the new one opens the page.
    follow = reverse("desk:follow", kwargs={"reference": reference})
    assert client.get(follow, {"jeton": filed.raw_follow_token}).status_code == 404
    assert client.get(follow, {"jeton": new_token}).status_code == 200


@pytest.mark.django_db
def test_new_follow_link_is_rate_limited(
    client, network, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR = 10
    filed = _filed(django_capture_on_commit_callbacks)
    mailoutbox.clear()
    url = reverse("desk:new_follow_link")
    data = {"reference": filed.request.reference, "contact_email": "camille.martin@ville-test.fr"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(abuse.FOLLOW_LINKS_PER_REFERENCE_PER_DAY + 2):
            response = client.post(url, data, REMOTE_ADDR="10.0.0.1")
    # At most a few emails a day to one contact, whoever asks and from wherever.
    assert len(mailoutbox) == abuse.FOLLOW_LINKS_PER_REFERENCE_PER_DAY
    assert "Trop de demandes de nouveau lien" in response.content.decode()
    # Per IP as well.
    settings.CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR = 2
    cache.clear()
    for n in range(3):
        response = client.post(url, {"reference": f"GRCS-2026-00000{n}", "contact_email": "x@y.fr"})
    assert "Trop de demandes de nouveau lien" in response.content.decode()
    assert Request.objects.count() == 1


@pytest.mark.django_db
def test_new_follow_link_refuses_robots(client, network, mailoutbox):
    response = client.post(
        reverse("desk:new_follow_link"),
        {"reference": "GRCS-2026-000001", "contact_email": "a@b.fr", "site_web": "x"},
    )
    assert response.status_code == 200
    assert "pas pu être enregistrée" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"kind": "social_advice", "execution_departments": {}},
        {"kind": "social_advice", "execution_communes": [93066]},
        {"kind": "social_advice", "region_wide": "oui"},
        {"kind": 3},
    ],
)
def test_routing_refuses_what_its_schema_refuses(client, network, body):
    """Found by Schemathesis: an empty object where a list is expected was accepted."""
    response = client.post(f"{BASE}/route", body, content_type="application/json")
    assert response.status_code == 422
