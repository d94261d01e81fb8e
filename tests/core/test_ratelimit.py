"""One atomic rate limiter for every public door (core.ratelimit)."""

import threading
from datetime import datetime

import pytest
from django.core.cache import cache

from clauses.core import ratelimit

NOW = datetime(2026, 12, 6, 10, 30)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_window_passes_exactly_its_limit_under_parallel_calls():
    limit = ratelimit.hourly("test:door", "192.0.2.1", 5, "trop", NOW)
    passed: list[bool] = []

    def call() -> None:
        passed.append(ratelimit.take(limit))

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert passed.count(True) == 5


def test_take_all_takes_every_window_or_none():
    wide = ratelimit.hourly("test:a", "x", 10, "a", NOW)
    narrow = ratelimit.daily("test:b", "x", 1, "plus de place", NOW)
    ratelimit.take_all([wide, narrow])
    with pytest.raises(ratelimit.RateLimited, match="plus de place"):
        ratelimit.take_all([wide, narrow])
    assert cache.get(wide.key) == 1  # the refused call gave its slot back


def test_keys_hold_no_address_in_clear():
    limit = ratelimit.hourly("test:door", "192.0.2.1", 5, "trop", NOW)
    assert "192.0.2.1" not in limit.key


def test_public_calls_have_their_allowance(settings):
    settings.CLAUSES_PUBLIC_API_MAX_CALLS_PER_IP_PER_HOUR = 1
    ratelimit.count_public_call(door="programme", ip="192.0.2.9", now=NOW)
    ratelimit.count_public_call(door="decp", ip="192.0.2.9", now=NOW)  # another door
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.count_public_call(door="programme", ip="192.0.2.9", now=NOW)
