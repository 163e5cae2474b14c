"""The cache backend: Redis, with an outage read as cache misses rather than errors.

What the cache holds here can be lost: the API's throttle counters, and the entities'
co-mention lists and timelines (entities.selectors), which are computed again on a miss; an
invalidation lost in an outage leaves a list stale for at most COMENTION_CACHE_SECONDS. With
Redis down (restarting, a failover, a full disk) an API answer must still be served, so reads
miss, writes are dropped and a warning is logged (at most once a minute per process), and
throttling fails open until Redis returns. Tagging does not depend on this: its broker outage
handling is in entities.services (the owed-tagging sweep).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
_WARN_EVERY = 60.0


def _survives_outage(operation: Callable, *, answer: Callable) -> Callable:
    """The cache `operation`, except that when Redis cannot be reached it logs the outage and
    returns `answer(...)`, called with the operation's own arguments."""

    @functools.wraps(operation)
    def survive(self: ResilientRedisCache, *args, **kwargs):
        try:
            return operation(self, *args, **kwargs)
        except OUTAGE as exc:
            self._outage(operation.__name__, exc)
            return answer(*args, **kwargs)

    return survive


def _nothing(*args, **kwargs) -> None:
    return None


def _not_done(*args, **kwargs) -> bool:
    return False


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _outage(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= _WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable (%s: %s); serving without it", operation, exc)

    # During an outage a read misses and a write reports it did nothing.
    get = _survives_outage(RedisCache.get, answer=lambda key, default=None, version=None: default)
    get_many = _survives_outage(RedisCache.get_many, answer=lambda *args, **kwargs: {})
    has_key = _survives_outage(RedisCache.has_key, answer=_not_done)
    add = _survives_outage(RedisCache.add, answer=_not_done)
    incr = _survives_outage(RedisCache.incr, answer=_nothing)  # there is nothing to count with
    set = _survives_outage(RedisCache.set, answer=_nothing)
    set_many = _survives_outage(RedisCache.set_many, answer=lambda data, *args, **kwargs: list(data))  # not stored
    touch = _survives_outage(RedisCache.touch, answer=_not_done)
    delete = _survives_outage(RedisCache.delete, answer=_not_done)
    delete_many = _survives_outage(RedisCache.delete_many, answer=_nothing)
