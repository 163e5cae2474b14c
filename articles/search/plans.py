"""One function per search plan (planner.Plan), each reading one keyset page of the matches:
by rank, or newest first (docs/decisions/0004-window-plans-and-cache.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from articles.models import Article
from articles.search import impact, where
from articles.search.filters import RELEVANCE, ArticleFilters
from articles.search.planner import Plan, SearchTuning
from articles.search.query import ParsedQuery
from articles.search.ranking import rank
from core.pagination import Cursor, KeysetPage, keyset_page
from core.sql import Sql, compose, table

ARTICLES = table(Article)
COUNT_ROWS = "(SELECT count(*) FROM s)"  # the rows a page is cut from, counted in the same statement


@dataclass(frozen=True)
class Search:
    """One page asked for, validated: what every plan reads."""

    filters: ArticleFilters  # entity ids resolved
    query: ParsedQuery | None  # with its phrase pairs
    ordering: str
    cursor: Cursor | None
    page_size: int
    tuning: SearchTuning

    @property
    def ranked(self) -> bool:
        return self.ordering == RELEVANCE


@dataclass(frozen=True)
class Found:
    page: KeysetPage
    found: int = 0  # a window plan's matches among its rows (as many as it asked for, at most)
    total: int | None = None  # the number of matches, when the plan counted them all


def rank_all(search: Search) -> Found:
    rows = compose(
        "SELECT a.id, {rank} AS k FROM {articles} a WHERE {where}",
        rank=rank(search.query, "a"),
        articles=ARTICLES,
        where=where.matching(search.filters, search.query),
    )
    page = _page(search, rows, materialize=True, total=COUNT_ROWS)
    return Found(page, total=page.total)


def walk(search: Search) -> Found:
    matches = where.matching_words(search.filters, search.query)
    if search.ranked:
        return Found(_page(search, _newest_ranked(search, matches), materialize=True))
    return Found(_page(search, _newest_first(matches)))


def scan(search: Search) -> Found:
    page = _scanned(search, where.matching(search.filters, search.query))
    return Found(page, total=page.total)


def window_walk(search: Search, boundary: tuple | None) -> Found:
    matches = where.walking_window(search.filters, search.query, boundary)
    if search.ranked:
        page = _page(search, _newest_ranked(search, matches), materialize=True, total="s.newest")
        return Found(page, found=page.total or 0)
    page = _page(search, _newest_first(matches))  # windows only go forwards
    return Found(page, found=search.page_size + 1 if page.next_cursor else len(page.ids))


def window_scan(search: Search, boundary: tuple | None) -> Found:
    page = _scanned(search, where.scanning_window(search.filters, search.query, boundary))
    found = page.total or 0
    return Found(page, found=found, total=found if boundary is None else None)  # None: every row


def recently_updated(search: Search) -> Found:
    """The matches, most recently updated first (no window: partners catching up read the
    newest changes, which the index of update times gives in order)."""
    rows = compose(
        "SELECT a.id, {modified_at} AS k FROM {articles} a WHERE {where}",
        modified_at=where.MODIFIED_AT,
        articles=ARTICLES,
        where=where.matching(search.filters, search.query),
    )
    return Found(_page(search, rows))


FULL_PLANS: dict[Plan, Callable[[Search], Found]] = {Plan.RANK_ALL: rank_all, Plan.WALK: walk, Plan.SCAN: scan}
WINDOW_PLANS: dict[Plan, Callable[[Search, tuple | None], Found]] = {
    Plan.WINDOW_WALK: window_walk,
    Plan.WINDOW_SCAN: window_scan,
}


def _page(search: Search, rows: Sql, *, materialize: bool = False, total: str = "") -> KeysetPage:
    return keyset_page(rows, cursor=search.cursor, page_size=search.page_size, materialize=materialize, total=total)


def _scanned(search: Search, matches: Sql) -> KeysetPage:
    """Every match collected and counted: ranked among the newest, or newest first."""
    if search.ranked:
        return _page(search, _newest_ranked_of_all(search, matches), materialize=True, total="s.total")
    counted = search.query is not None
    return _page(search, _newest_first(matches), materialize=counted, total=COUNT_ROWS if counted else "")


def _newest_first(matches: Sql) -> Sql:
    return compose("SELECT a.id, a.published_at AS k FROM {articles} a WHERE {where}", articles=ARTICLES, where=matches)


def _newest_ranked(search: Search, matches: Sql) -> Sql:
    """The candidates ranked: the newest matches, found as the planner likes (down the date
    index), and the strongest (`_strongest_candidates`); `s.newest` counts the former."""
    return compose(
        "WITH n AS MATERIALIZED (SELECT a.id FROM {articles} a WHERE {where}"
        " ORDER BY a.published_at DESC, a.id DESC LIMIT {candidates})"
        " SELECT c.id, {rank} AS k, (SELECT count(*) FROM n) AS newest FROM {articles} c"
        " WHERE c.id IN ((SELECT n.id FROM n) UNION {strongest})",
        articles=ARTICLES,
        where=matches,
        candidates=search.tuning.rank_candidates,
        rank=rank(search.query, "c"),
        strongest=_strongest_candidates(search),
    )


def _newest_ranked_of_all(search: Search, matches: Sql) -> Sql:
    """Every match collected and counted (`s.total`), the newest candidates and the
    strongest ranked."""
    return compose(
        "{collected}, n AS (SELECT m.id FROM m ORDER BY m.published_at DESC, m.id DESC LIMIT {candidates})"
        " SELECT c.id, {rank} AS k, (SELECT count(*) FROM m) AS total FROM {articles} c"
        " WHERE c.id IN ((SELECT n.id FROM n) UNION {strongest})",
        collected=_collected_apart(matches),
        candidates=search.tuning.rank_candidates,
        rank=rank(search.query, "c"),
        articles=ARTICLES,
        strongest=_strongest_candidates(search),
    )


def _strongest_candidates(search: Search) -> Sql:
    """The matches of any age that the strongest signals of the score point to, as indexes
    give them without reading the vectors: the query in the headline (weight A), in the
    standfirst (B), a mention of an entity it names (docs/decisions/0025-relevance-candidates-by-signal.md).
    Of each signal's first `signal_rows` articles (in table order: a bound on the work), the
    `rank_signal_candidates` with the shortest body, for the score is divided by the length
    (octet_length reads a TOASTed body's size from its header, without fetching it); then
    those that match. None for a query with a prefix: its index scan reads the postings of
    every word it starts (50 ms for `con*` in the standfirsts of 100,000 articles), which grows
    with the archive."""
    bounded = (
        impact.first_page(search.query, search.filters, search.page_size) if search.tuning.prove_first_page else None
    )
    met = compose("SELECT unnest({ids}::bigint[])", ids=list(bounded.ids)) if bounded else None
    if bounded and bounded.proven:
        return met  # the first page is among them (articles/search/impact.py)
    if search.query.has_prefix:
        prefixed = impact.prefix_candidates(search.query, search.filters) if search.tuning.prove_first_page else None
        return prefixed or Sql("SELECT NULL::integer WHERE FALSE")
    tuning = search.tuning
    signals = [where.in_lead(search.filters, search.query, field) for field in where.LEAD_FIELDS]
    if search.query.named:
        signals.append(where.mentioning_named(search.filters, search.query))
    return Sql.join(
        " UNION ",
        ([met] if met else [])
        + [
            compose(
                "(WITH c AS MATERIALIZED (SELECT s.id FROM (SELECT a.id, a.body_text FROM {articles} a"
                " WHERE {signal} LIMIT {rows}) s ORDER BY octet_length(s.body_text), s.id DESC LIMIT {limit})"
                " SELECT a.id FROM c JOIN {articles} a ON a.id = c.id WHERE {matches})",
                articles=ARTICLES,
                signal=signal,
                rows=tuning.signal_rows,
                limit=tuning.rank_signal_candidates,
                matches=where.matching(search.filters, search.query),
            )
            for signal in signals
        ],
    )


def _collected_apart(matches: Sql) -> Sql:
    """The matches as CTE `m` behind a fence: collected through GIN, for the planner must not
    walk the date index for them."""
    return compose(
        "WITH m AS MATERIALIZED (SELECT a.id, a.published_at FROM {articles} a WHERE {where})",
        articles=ARTICLES,
        where=matches,
    )
