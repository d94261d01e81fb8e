"""Django's Redis cache with one client per pool (#15): the same client for every call of
a thread (no connection is opened by these tests)."""

import threading

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
