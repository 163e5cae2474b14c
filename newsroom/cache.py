"""The cache backend: Redis, with an outage read as cache misses rather than errors.

What the cache holds here can be lost: the API's throttle counters, and the entities'
co-mention lists and timelines (entities.selectors), which are computed again on a miss; an
invalidation lost in an outage leaves a list stale for at most COMENTION_CACHE_SECONDS. With Redis down (restarting, a failover, a full disk) an API answer must still be served, so
reads miss, writes are dropped and a warning is logged (at most once a minute per process),
and throttling fails open until Redis returns. Tagging does not depend on this: its broker
outage handling is in entities.services (the owed-tagging sweep).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
_WARN_EVERY = 60.0


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _outage(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= _WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable (%s: %s); serving without it", operation, exc)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OUTAGE as exc:
            self._outage("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except OUTAGE as exc:
            self._outage("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except OUTAGE as exc:
            self._outage("has_key", exc)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OUTAGE as exc:
            self._outage("add", exc)
            return False

    def incr(self, key, delta=1, version=None):
        """The new value; None during an outage (there is nothing to count with)."""
        try:
            return super().incr(key, delta, version)
        except OUTAGE as exc:
            self._outage("incr", exc)
            return None

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except OUTAGE as exc:
            self._outage("set", exc)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except OUTAGE as exc:
            self._outage("set_many", exc)
            return list(data)  # the keys that were not stored

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except OUTAGE as exc:
            self._outage("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except OUTAGE as exc:
            self._outage("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except OUTAGE as exc:
            self._outage("delete_many", exc)
