"""The boundaries of the newest-rows windows that window plans read, those of first pages
shared per process for a while (docs/decisions/0004-window-plans-and-cache.md)."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

from articles.models import Article
from articles.search.filters import ArticleFilters
from articles.search.where import PUBLISHED
from core.pagination import Cursor
from core.sql import Sql, compose, fetch_one, table


class BoundaryCache:
    """First-page window boundaries of this process: {(database, rows, after, before):
    (expires, boundary)}, emptied whole when full (date filters vary without bound; the
    common keys refill at once)."""

    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._entries: dict[tuple, tuple[float, tuple | None]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple) -> tuple[bool, tuple | None]:
        expires, boundary = self._entries.get(key, (0.0, None))
        return expires > time.monotonic(), boundary

    def put(self, key: tuple, boundary: tuple | None, *, ttl: float) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + ttl, boundary)

    def clear(self) -> None:
        self._entries.clear()


boundary_cache = BoundaryCache()


def window_boundary(filters: ArticleFilters, *, below: Cursor | None, rows: int) -> tuple | None:
    """(published_at, id) of the `rows`-th newest published article below the cursor and in
    the filters' dates, or None when there are fewer: then the window holds every such row
    and what it finds is complete.

    A window is every row from its boundary up, so any boundary gives a true prefix of the
    date order and correct results; only its size drifts as articles come and go. So the
    boundaries of first pages (no cursor: every relevance page, and page 1 in date order)
    are shared for SEARCH_WINDOW_CACHE_SECONDS within a process."""
    ttl = settings.SEARCH_WINDOW_CACHE_SECONDS
    shared = ttl > 0 and below is None
    key = (connection.settings_dict["NAME"], rows, filters.published_after, filters.published_before)
    if shared:
        fresh, boundary = boundary_cache.get(key)
        if fresh:
            return boundary
    row = fetch_one(_boundary_query(filters, below, rows))
    boundary = tuple(row) if row else None
    if shared:
        boundary_cache.put(key, boundary, ttl=ttl)
    return boundary


def _boundary_query(filters: ArticleFilters, below: Cursor | None, rows: int) -> Sql:
    conditions = []
    if below:
        conditions.append(compose("(a.published_at, a.id) < ({key}::timestamptz, {id})", key=below.key, id=below.id))
    if filters.published_after:
        conditions.append(compose("a.published_at >= {after}", after=filters.published_after))
    if filters.published_before:
        conditions.append(compose("a.published_at <= {before}", before=filters.published_before))
    return compose(
        "SELECT a.published_at, a.id FROM {articles} a WHERE {where}"
        " ORDER BY a.published_at DESC, a.id DESC OFFSET {offset} LIMIT 1",
        articles=table(Article),
        where=Sql.join(" AND ", [PUBLISHED, *conditions]),
        offset=rows - 1,
    )
