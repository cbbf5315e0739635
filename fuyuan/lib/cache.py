"""A Redis cache that pages survive: when Redis is unreachable, the cache is simply empty.

Everything the platform keeps in the cache can be computed again from the database, so a
Redis outage must cost speed, never a page. Reads answer "not cached", writes and deletes are
dropped, and after a failure Redis is left alone for ``RETRY_AFTER`` seconds (default 5) so
that each request does not wait for a connection timeout again. ``incr``/``decr`` still raise:
a counter that silently stays at zero would be wrong, not slow.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

T = TypeVar("T")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# location → monotonic time until which Redis is considered down (shared by all threads)
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class _OneClientPerPool(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every operation: 70 µs of CPU (it fills a table of
    response callbacks), twice what a ``GET`` itself costs, on every page (the session, a list's cached count).
    One ``redis.Redis`` per connection pool is enough: it takes a connection from the pool for each command, so
    the threads that share it do not share a connection (redis-py documents it as safe to share)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own attributes, which its type stubs leave out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool
        self._location = server if isinstance(server, str) else ",".join(server)
        self._retry_after = float(params.get("RETRY_AFTER", 5))

    def _guard(self, operation: Callable[[], T], fallback: T) -> T:
        if _down_until.get(self._location, 0.0) > time.monotonic():
            return fallback
        try:
            return operation()
        except UNAVAILABLE as exc:
            with _lock:
                first = _down_until.get(self._location, 0.0) <= time.monotonic()
                _down_until[self._location] = time.monotonic() + self._retry_after
            if first:
                log.warning("cache unavailable, serving without it for %s s: %s", self._retry_after, exc)
            return fallback

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._guard(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).clear(), None)
