"""Django's Redis cache with one client per pool (#15): the same client for every call of
a thread (no connection opened); `incr` in one atomic step (with `CLAUSES_TEST_REDIS_URL`)."""

import os
import threading
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from clauses.core.rediscache import RedisCache


def test_one_client_per_pool():
    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    assert isinstance(cache, DjangoRedisCache)
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: one pool


def test_each_cache_object_has_its_own_clients():
    """Django keeps one cache object per thread, so a thread never shares its client."""
    first = RedisCache("redis://127.0.0.1:6379/15", {})
    second = RedisCache("redis://127.0.0.1:6379/15", {})
    clients = []
    thread = threading.Thread(target=lambda: clients.append(second._cache.get_client()))
    thread.start()
    thread.join()
    assert clients[0] is not first._cache.get_client()


REDIS_URL = os.environ.get("CLAUSES_TEST_REDIS_URL", "")


@pytest.mark.skipif(
    not REDIS_URL, reason="CLAUSES_TEST_REDIS_URL absent : pas de serveur Redis pour ce test"
)
def test_incr_is_one_atomic_step_that_keeps_the_expiry():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    assert cache.get("missing") is None  # not created (Django's EXISTS + INCRBY could)
    cache.add("window", 0, timeout=60)
    assert [cache.incr("window") for _ in range(3)] == [1, 2, 3]
    assert cache.incr("window", 5) == 8
    assert cache.get("window") == 8
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_and_validate_key("window")) <= 60
    cache.delete("window")
