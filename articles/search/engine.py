"""search_articles: one page of a search, from the filters to ids, count and snippets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial

from articles.search import where
from articles.search.estimate import estimate_matches
from articles.search.facets import DEFAULT_FACET_SIZE, FacetTuning, count_facets
from articles.search.filters import NEWEST, ORDERINGS, RELEVANCE, UPDATED, ArticleFilters, resolve_entities
from articles.search.named import with_named_entities
from articles.search.phrase_pairs import with_phrase_pairs
from articles.search.planner import (
    DEFAULT_TUNING,
    Attempt,
    Estimate,
    Plan,
    SearchTuning,
    Shortfall,
    choose_plans,
    count_limit,
    counts_exactly,
    rank_all_unproven,
    worth_trying,
)
from articles.search.plans import (
    ARTICLES,
    FULL_PLANS,
    WINDOW_PLANS,
    Found,
    Search,
    proven_first_page,
    rank_all,
    recently_updated,
)
from articles.search.query import ParsedQuery, SearchError, parse_query
from articles.search.snippets import headlines
from articles.search.weights import with_term_weights
from articles.search.windows import window_boundary
from core.beside import beside, beside_stoppable, workers_at_hand
from core.pagination import INVALID_CURSOR, Cursor, InvalidCursor, Page, decode_cursor, first_page_with
from core.sql import compose, fetch_one

logger = logging.getLogger(__name__)

# The plans whose page counts every match (Found.total) when tried first.
COUNTING_PLANS = (Plan.RANK_ALL, Plan.SCAN)
# The statements a page's snippets are found in, beside the caller (_snippets).
SNIPPET_PARTS = 2


def search_articles(
    filters: ArticleFilters,
    *,
    cursor: str | None = None,
    page_size: int = 20,
    tuning: SearchTuning = DEFAULT_TUNING,
    facets: tuple[str, ...] | list[str] = (),
    facet_size: int = DEFAULT_FACET_SIZE,
    facet_tuning: FacetTuning | None = None,
) -> Page:
    """One page of published articles matching the filters, as ids in display order, with
    the number of matches (exact, or the planner's estimate for broad queries) and, for a
    text query, highlighted snippets and the known entities it names. `cursor` is a next/previous cursor of an earlier page.
    With `facets` (names from facets.FACETS), the page also counts the most frequent values
    of each over every match (`Page.facets`, docs/search.md#facets). The facets and the
    snippets are found beside the caller (core/beside.py) until it first reads them.
    SearchError names a bad parameter. How the page is found: docs/search.md."""
    search = _search(filters, cursor=cursor, page_size=page_size, tuning=tuning)
    estimate = estimate_matches(search.filters, search.query)
    # The facets need the matches' condition and their estimate only: counted on a connection
    # of their own while the page is found (core/beside.py).
    counted = (
        beside(
            partial(
                count_facets,
                search.filters,
                search.query,
                names=facets,
                size=facet_size,
                estimate=estimate.matches,
                tuning=facet_tuning,
            )
        )
        if facets
        else None
    )
    attempts = _attempts(search, estimate)
    # A small result set is counted, up to a limit: beside the page when its plan will not
    # count the matches itself.
    counting = (
        beside(partial(_count_up_to, search, count_limit(search.tuning)))
        if counts_exactly(estimate, search.tuning) and not (attempts and attempts[0].plan in COUNTING_PLANS)
        else None
    )
    found = _find(search, attempts, estimate)
    count, count_is_estimate = _count(search, estimate, found, counting)
    page = found.page
    snippets = _snippets(page.ids, search.query) if search.query and page.ids else dict
    named = list(search.query.named.entities) if search.query and search.query.named else []
    return Page(
        page.ids,
        page.next_cursor,
        page.previous_cursor,
        count,
        count_is_estimate,
        named,
        pending_snippets=snippets,
        pending_facets=counted or _no_facets,
    )


def _no_facets() -> None:
    return None


def _snippets(ids: list[int], query: ParsedQuery) -> Callable[[], dict[int, str]]:
    """The page's snippets, found beside the caller's own reads of the page (its articles,
    their entities) and given when the caller first reads them: in SNIPPET_PARTS statements,
    each over a share of the page, for ts_headline is a page's costliest work in the database
    and the parts run on as many cores (docs/decisions/0037-snippets-in-parts.md). In one
    statement when there are no workers to run them on: in turn, parts would only cost more."""
    count = max(1, min(SNIPPET_PARTS, workers_at_hand()))
    size = -(-len(ids) // count)  # ceiling
    parts = [beside(partial(headlines, ids[start : start + size], query)) for start in range(0, len(ids), size)]
    return lambda: {article: snippet for part in parts for article, snippet in part().items()}


def _search(filters: ArticleFilters, *, cursor: str | None, page_size: int, tuning: SearchTuning) -> Search:
    """The request validated (query, ordering, cursor: each read once), entities resolved."""
    query = parse_query(filters.q) if filters.q else None
    ordering = _ordering(filters.ordering, query)
    position = _position(cursor, ordering)
    filters = resolve_entities(filters)
    query = with_phrase_pairs(query) if query else None
    filtered = bool(filters.entities() or filters.mentioning)
    query = with_named_entities(query, filters.q, language=filters.language, filtered=filtered) if query else None
    query = with_term_weights(query) if query and ordering == RELEVANCE else query
    return Search(filters, query, ordering, position, page_size, tuning)


def _ordering(ordering: str, query: ParsedQuery | None) -> str:
    ordering = ordering or (RELEVANCE if query else NEWEST)
    if ordering not in ORDERINGS:
        raise SearchError("ordering", f"Select one of: {', '.join(ORDERINGS)}.")
    return NEWEST if ordering == RELEVANCE and not query else ordering


def _position(cursor: str | None, ordering: str) -> Cursor | None:
    if not cursor:
        return None
    try:
        return decode_cursor(cursor, key_type=float if ordering == RELEVANCE else datetime)
    except InvalidCursor:
        raise SearchError("cursor", INVALID_CURSOR) from None


def _attempts(search: Search, estimate: Estimate) -> list[Attempt]:
    """The plans to try in order (planner.choose_plans); none in update order, which has one."""
    if search.ordering == UPDATED:
        return []
    return choose_plans(
        estimate=estimate,
        ordering=search.ordering,
        page_size=search.page_size,
        has_query=search.query is not None,
        backwards=bool(search.cursor and search.cursor.backwards),
        tuning=search.tuning,
        narrowed=search.filters.narrowed,
    )


def _find(search: Search, attempts: list[Attempt], estimate: Estimate) -> Found:
    """The page, from the first plan that gives it."""
    if not attempts:
        return recently_updated(search)  # one plan: down the index of update times
    if search.ranked and attempts[0].plan is not Plan.RANK_ALL:
        return _proven_or_candidates(search, attempts, estimate)
    return _planned(search, attempts)


def _proven_or_candidates(search: Search, attempts: list[Attempt], estimate: Estimate) -> Found:
    """A ranked page whose plan ranks candidates: when the impact postings prove the first
    page, it is read; when they do not, the candidates' plans give it, with the matches the
    proof ranked among the candidates.

    A first page's candidates need nothing from the proof but the matches it ranked, which are
    merged with theirs after (pagination.first_page_with): when the proof runs long
    (impact.LONG_ROUNDS), they are found beside it on a connection of their own (core/beside.py),
    and stopped if it proves the page. A page after the first ranks the candidates with the
    matches the proof ranked, in one statement."""
    pending: tuple[Callable[[], Found | None], Callable[[], None]] | None = None
    apart = _candidates_apart(search)
    if apart is not None:

        def start() -> None:
            nonlocal pending
            pending = beside_stoppable(partial(_unproven, apart, attempts, estimate))

        search = replace(search, on_long_proof=start)
    proven = proven_first_page(search)
    if proven is not None:
        if pending is not None:
            pending[1]()  # stopped: the page is proven
        return proven
    if pending is not None:
        found = pending[0]()
        return replace(found, page=first_page_with(found.page, search.strongest.scored, page_size=search.page_size))
    return _unproven(search, attempts, estimate)


def _candidates_apart(search: Search) -> Search | None:
    """The search without the proof, whose candidates' page can be found apart from it and
    merged after: a first page of words (a prefix's candidates come from its proof's fields)."""
    if search.cursor is not None or search.query.has_prefix or not search.tuning.prove_first_page:
        return None
    return replace(search, tuning=replace(search.tuning, prove_first_page=False))


def _unproven(search: Search, attempts: list[Attempt], estimate: Estimate) -> Found:
    """A ranked page the postings did not prove: when the matches are few, every one ranked
    (on every page alike); otherwise the candidates' plans."""
    if not search.strongest.proven and rank_all_unproven(estimate, search.tuning, prefix=search.query.has_prefix):
        return rank_all(search)
    return _planned(search, attempts)


def _planned(search: Search, attempts: list[Attempt]) -> Found:
    """The page from the first plan that gives it: a window that falls short of the matches
    it needs is a sample that decides whether the next one is worth reading."""
    shortfall = None
    for attempt in attempts:
        if not worth_trying(attempt, shortfall):
            continue
        logger.debug("search plan %s (%s rows)", attempt.plan.name, attempt.rows, extra={"search_plan": attempt})
        if not attempt.in_window:
            return FULL_PLANS[attempt.plan](search)
        boundary = _boundary(search, attempt.rows) if attempt.bounded else None
        found = WINDOW_PLANS[attempt.plan](search, boundary, attempt)
        if boundary is None or attempt.gives_page(found.found):  # None: the window held every row
            return found
        shortfall = Shortfall(attempt.rows, found.found)
    raise AssertionError("choose_plans ends with a plan that always gives the page")


def _boundary(search: Search, rows: int) -> tuple | None:
    # Date order's windows start below the cursor; relevance's always hold the newest rows.
    below = search.cursor if search.ordering == NEWEST else None
    return window_boundary(search.filters, below=below, rows=rows)


def _count(search: Search, estimate: Estimate, found: Found, counting: Callable[[], int] | None) -> tuple[int, bool]:
    """The number of matches and whether it is an estimate: exact when the plan counted every
    match or the estimate is small (counted up to a limit: `counting`, when it was started
    beside the page), else the planner's estimate, for no COUNT(*) runs over a broad query."""
    if found.total is not None:
        count, count_is_estimate = found.total, False
    elif counts_exactly(estimate, search.tuning):
        count = counting() if counting else _count_up_to(search, count_limit(search.tuning))
        count_is_estimate = count >= count_limit(search.tuning)
    else:
        count, count_is_estimate = estimate.matches, True
    if search.cursor is None and count_is_estimate:
        # A first page with no next one holds every match: the planner's estimate (far from
        # 0 for a word absent from the archive) must not be shown beside no results. With a
        # next page, there is at least one more.
        if found.page.next_cursor is None:
            return len(found.page.ids), False
        return max(count, len(found.page.ids) + 1), True
    return count, count_is_estimate


def _count_up_to(search: Search, limit: int) -> int:
    matches = where.matching(search.filters, search.query)
    statement = compose(
        "SELECT count(*) FROM (SELECT 1 FROM {articles} a WHERE {where} LIMIT {limit}) t",
        articles=ARTICLES,
        where=matches,
        limit=limit,
    )
    return fetch_one(statement)[0]
