"""Django's Redis cache, with one Redis client per connection pool instead of one per call
(#15).

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new `redis.Redis`
object for every cache operation (its constructor fills a table of ~160 response
callbacks): measured here, 129 µs of CPU per `get_many` against 55 µs with the client kept,
on every cached page hit and every rate-limit count. A `redis.Redis` over a connection
pool is safe to share, and Django already keeps one cache object (so one pool) per thread.

`incr` is one atomic round trip (a Lua script: increment only an existing key) instead of
Django's `EXISTS` then `INCRBY`: one round trip less for every rate-limit count, and no
window key left without expiry when it expires between the two commands (`INCRBY` on a
missing key would create it with no TTL: a limit that never resets).

Same behaviour otherwise; selected by `REDIS_URL` in the settings.
"""

from typing import Any

from django.core.cache.backends import redis

# Increment an existing key; nil (None) when it does not exist.
INCR_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then
  return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class RedisCacheClient(redis.RedisCacheClient):
    def incr(self, key: Any, delta: int) -> int:  # noqa: ANN401
        client = self.get_client(key, write=True)
        script = self.__dict__.get("_incr_existing")
        if script is None:
            script = self.__dict__["_incr_existing"] = client.register_script(INCR_EXISTING)
        value = script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:  # noqa: ANN401
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: Any, params: dict) -> None:  # noqa: ANN401
        super().__init__(server, params)
        self._class = RedisCacheClient
