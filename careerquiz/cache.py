"""Django's Redis cache, failing open: with Redis down the site answers as if the cache were empty.

Everything we keep in the cache can be rebuilt or done without: throttle
counters (so throttling is off during an outage), the partner origins CORS
checks (read from the database instead), compiled pages (rendered again). A
Redis outage must not turn those into 500s, so every operation that fails to
reach Redis logs one warning per outage and returns what an empty cache would.
After a failure the cache is skipped for `RETRY_SECONDS`, so a Redis that
hangs costs one timeout per process per window, not one per request.

/healthz/ still sees the outage: it writes and reads back a value, which an
unreachable cache cannot do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Not only unreachable: a Redis that is full (OOM) or a read-only replica refuses
# commands, which must not turn pages into 500s either.
FAILURES = (RedisError, OSError)


class _ReusedClients(RedisCacheClient):
    """Django's client makes a `redis.Redis` per operation, which costs more than the
    operation itself on loopback; one per connection pool (thread-safe) serves them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    # The private helpers below are Django's own (RedisCacheClient); the stubs omit them.
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


# Until when each Redis counts as down. Django makes a cache object per thread; kept
# here, an outage costs a process one timeout and one warning, not one per thread.
_DOWN_UNTIL: dict[str, float] = {}


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients
        self._servers_key = " ".join(self._servers)  # type: ignore[attr-defined]  # Django's
        self._scripts: dict[tuple[int, str], Any] = {}  # redis-py Script, by client and text

    @property
    def _down_until(self) -> float:
        return _DOWN_UNTIL.get(self._servers_key, 0.0)

    @_down_until.setter
    def _down_until(self, until: float) -> None:
        _DOWN_UNTIL[self._servers_key] = until

    def _call[T](self, fallback: T, operation: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = operation()
        except FAILURES as error:
            if not self._down_until:
                logger.warning(
                    "Redis is unreachable or failing (%s): caching and throttling are off "
                    "until it answers; retrying every %.0f s.",
                    error,
                    RETRY_SECONDS,
                )
            self._down_until = time.monotonic() + RETRY_SECONDS
            return fallback
        if self._down_until:
            logger.warning("Redis answers again: caching and throttling are back on.")
            self._down_until = 0.0
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(default, partial(super().get, key, default, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call({}, partial(super().get_many, keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(False, partial(super().has_key, key, version))

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call(False, partial(super().add, key, value, timeout, version))

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call(None, partial(super().set, key, value, timeout, version))

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._call([], partial(super().set_many, data, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call(False, partial(super().touch, key, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # An unreachable counter reads as "the first request": fail open, never raise.
        return self._call(delta, partial(super().incr, key, delta, version))

    def count_in_windows(self, keys: list[str], expiries: list[int], script: str) -> list[int]:
        """careerquiz.web.counters: run its counting script over every key, one round trip.

        By EVALSHA: the script's text travels once per process (a NOSCRIPT answer, as
        after a Redis restart, loads it again), not with every request.
        """
        full_keys = [self.make_and_validate_key(key) for key in keys]

        def run() -> list[int]:
            client = self._cache.get_client(full_keys[0], write=True)
            counting = self._scripts.get((id(client), script))
            if counting is None:
                counting = self._scripts[(id(client), script)] = client.register_script(script)
            return [int(used) for used in counting(keys=full_keys, args=expiries)]

        return self._call([1] * len(keys), run)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(False, partial(super().delete, key, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call(None, partial(super().delete_many, keys, version))

    def clear(self) -> None:
        self._call(None, super().clear)
