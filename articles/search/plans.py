"""One function per search plan (planner.Plan), each reading one keyset page of the matches:
by rank, or newest first (docs/decisions/0004-window-plans-and-cache.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from articles.models import Article
from articles.search import impact, where
from articles.search.filters import RELEVANCE, ArticleFilters
from articles.search.planner import Attempt, Plan, SearchTuning
from articles.search.query import ParsedQuery
from articles.search.ranking import PREFIX_FIELDS, best_field, rank
from core.beside import kept_property
from core.pagination import Cursor, KeysetPage, first_keyset_page, keyset_page, within_reach
from core.sql import Sql, compose, explain, fetch_all, fetch_one, table

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
    # Called once when the impact postings' proof of the first page runs long (impact.first_page).
    on_long_proof: Callable[[], object] | None = field(default=None, compare=False, repr=False)

    @property
    def ranked(self) -> bool:
        return self.ordering == RELEVANCE

    @kept_property
    def strongest(self) -> Strongest:
        """The strongest candidates of a ranked search, found once for every plan tried
        (a window that falls short is followed by another, over the same candidates). Without
        cached_property's lock (core.beside.kept_property): a search's candidates found beside
        another's proof (engine._proven_or_candidates) would wait for the proof to end."""
        return _strongest_candidates(self)


@dataclass(frozen=True)
class Strongest:
    """The candidates a ranked plan adds to the newest matches: `scored`, the matches the
    impact postings had ranked already by the engine's own score ({id: score}, never ranked
    again), and `others`, a statement of ids still to rank (None: none)."""

    scored: dict[int, float]
    others: Sql | None
    proven: bool = False  # the first page is the highest of `scored` (then `others` is None)


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


def window_walk(search: Search, boundary: tuple | None, attempt: Attempt) -> Found:
    matches = where.walking_window(search.filters, search.query, boundary)
    if search.ranked:
        page = _page(search, _newest_ranked(search, matches), materialize=True, total="s.newest")
        return Found(page, found=page.total or 0)
    page = _page(search, _newest_first(matches))  # windows only go forwards
    return Found(page, found=search.page_size + 1 if page.next_cursor else len(page.ids))


def window_scan(search: Search, boundary: tuple | None, attempt: Attempt) -> Found:
    matches = where.scanning_window(search.filters, search.query, boundary, dates_indexed=attempt.dates_indexed)
    page = _scanned(search, matches)
    found = page.total or 0
    return Found(page, found=found, total=found if boundary is None else None)  # None: every row


def proven_first_page(search: Search) -> Found | None:
    """The first page of a ranked search when the impact postings proved it
    (articles/search/impact.py): the matches they ranked, highest first, with nothing more
    to read; None when they did not. The pages after it rank the same candidates (the
    newest and these, `_newest_ranked`), after its cursor."""
    strongest = search.strongest
    if search.cursor is not None or not strongest.proven:
        return None
    more = len(strongest.scored) > search.page_size or _matches_beyond(search, strongest.scored)
    return Found(first_keyset_page(strongest.scored, page_size=search.page_size, more=more))


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
WINDOW_PLANS: dict[Plan, Callable[[Search, tuple | None, Attempt], Found]] = {
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
    index), and the strongest (`Search.strongest`); `s.newest` counts the former."""
    return _ranked_candidates(
        search,
        compose(
            "WITH n AS MATERIALIZED (SELECT a.id FROM {articles} a WHERE {where}"
            " ORDER BY a.published_at DESC, a.id DESC LIMIT {candidates})",
            articles=ARTICLES,
            where=matches,
            candidates=search.tuning.rank_candidates,
        ),
        Sql("(SELECT count(*) FROM n) AS newest"),
    )


def _newest_ranked_of_all(search: Search, matches: Sql) -> Sql:
    """Every match collected and counted (`s.total`), the newest candidates and the
    strongest ranked."""
    return _ranked_candidates(
        search,
        compose(
            "{collected}, n AS (SELECT m.id FROM m ORDER BY m.published_at DESC, m.id DESC LIMIT {candidates})",
            collected=_collected_apart(matches),
            candidates=search.tuning.rank_candidates,
        ),
        Sql("(SELECT count(*) FROM m) AS total"),
    )


def _ranked_candidates(search: Search, newest: Sql, counted: Sql) -> Sql:
    """Rows (id, k, the count) of the candidates: the newest (CTE `n` of `newest`) and the
    strongest statement's ranked by the engine's score, those the postings scored already
    taken with their scores as they are (the same expression gave them)."""
    strongest = search.strongest
    to_rank = Sql("(SELECT n.id FROM n)")
    if strongest.others is not None:
        to_rank = compose("({newest} UNION {others})", newest=to_rank, others=strongest.others)
    ranked = compose(
        "SELECT c.id, {rank} AS k, {counted} FROM {articles} c WHERE c.id IN {to_rank}",
        rank=rank(search.query, "c"),
        counted=counted,
        articles=ARTICLES,
        to_rank=to_rank,
    )
    # Of those the postings scored (thousands when the proof read to its cap), only those the
    # page can hold are given: any other that the candidates hold ranks there with the same
    # score, beyond the page. Planning `<> ALL` over 5,000 ids took 12 ms (`saying` at 1M).
    scored = within_reach(strongest.scored, cursor=search.cursor, page_size=search.page_size)
    if not scored:
        return compose("{newest} {ranked}", newest=newest, ranked=ranked)
    ids = list(scored)
    return compose(
        "{newest} {ranked} AND c.id <> ALL({ids}::bigint[])"
        " UNION ALL SELECT p.id, p.k, {counted} FROM unnest({ids}::bigint[], {scores}::real[]) p(id, k)",
        newest=newest,
        ranked=ranked,
        ids=ids,
        counted=counted,
        scores=[scored[i] for i in ids],
    )


def _strongest_candidates(search: Search) -> Strongest:
    """The matches of any age that the strongest signals of the score point to, as indexes
    give them without reading the vectors: the query in the headline (weight A), in the
    standfirst (B), a mention of an entity it names (docs/decisions/0025-relevance-candidates-by-signal.md).
    Of each signal's first `signal_rows` articles (in table order: a bound on the work), the
    `rank_signal_candidates` with the shortest body, for the score is divided by the length
    (octet_length reads a TOASTed body's size from its header, without fetching it); then
    those that match. Not for a query with a prefix: its index scan reads the postings of
    every word it starts (50 ms for `con*` in the standfirsts of 100,000 articles), which grows
    with the archive.

    Before them, the matches met in the impact postings (articles/search/impact.py), ranked
    there already: when they prove the first page, they are the only strongest candidates."""
    bounded = (
        impact.first_page(search.query, search.filters, search.page_size, long=search.on_long_proof)
        if search.tuning.prove_first_page
        else None
    )
    scored = dict(bounded.scores) if bounded else {}
    if bounded and bounded.proven:
        return Strongest(scored, None, proven=True)  # the first page is among them (articles/search/impact.py)
    if search.query.has_prefix:
        if not search.tuning.prove_first_page:
            return Strongest(scored, None)
        fields = _best_fields(search)
        if fields is not None and search.query.prefix_alone and search.cursor is None:
            # Its score is its best field's: the first page is the best of these, in that order.
            return Strongest({ident: _FIELD_SCORES[index] for ident, index in fields.items()}, None, proven=True)
        others = [compose("(SELECT unnest({ids}::bigint[]))", ids=list(fields)) if fields else None]
        if not search.query.prefix_alone:
            others.append(
                impact.prefix_candidates(
                    search.query,
                    search.filters,
                    limit=search.tuning.prefix_candidates,
                    narrowed_pool=search.tuning.prefix_narrowed_pool,
                )
            )
        others = [statement for statement in others if statement is not None]
        return Strongest(scored, Sql.join(" UNION ", others) if others else None)
    tuning = search.tuning
    signals = [where.in_lead(search.filters, search.query, field) for field in where.LEAD_FIELDS]
    if search.query.named:
        signals.append(where.mentioning_named(search.filters, search.query))
    return Strongest(
        scored,
        Sql.join(
            " UNION ",
            [
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
        ),
    )


# The field each of ranking.PREFIX_FIELDS stands for (None: the body or caption), and its score
# as the ranking statement gives it (a real).
_PREFIX_FIELD_COLUMNS = ("headline", "standfirst", None)
_FIELD_SCORES = tuple(float(np.float32(score)) for _weights, score in PREFIX_FIELDS)


def _best_fields(search: Search) -> dict[int, int] | None:
    """For a query with a prefix: for each field a prefix's rank is given by
    (ranking.PREFIX_FIELDS), the newest page's worth of the matches (by id, as equal scores
    rank) whose best field holding what the prefix matches is that one. For a prefix alone,
    whose score is its best field's constant, they hold the page exactly: the newest of the
    headlines', then of the standfirsts', then of the rest; after a cursor, the fields ranked
    above it are left out and its own field's matches taken after its id. Where the prefix is
    one term of several, they are candidates for the first page. Returned as {id: the index of
    its best field in PREFIX_FIELDS}; None when the query has no prefix ranked apart, or after a
    cursor backwards or past a page of several terms.

    Each row's best field is tested on the newest `prefix_walk_rows` articles, down the
    primary key (4-5 µs a row: `con*` has 21 headlines among its newest few hundred); a field
    with too few there is looked for below them through its own index (`thu*` has 255
    headlines among a million articles), every row found tested. No estimate could choose:
    the planner has no statistics of a prefix's words in the headlines (19,901 rows estimated
    for each of the benchmark's prefixes, 0 to 81,270 found)."""
    query = search.query
    prefixes = tuple(term.prefix for term in query.terms if term.prefix is not None)
    cursor = search.cursor
    if not prefixes or (cursor is not None and (cursor.backwards or not query.prefix_alone)):
        return None  # ranked as a whole (more than MAX_RANKED_TERMS terms); a later page of several terms
    wanted: dict[int, int | None] = {}  # per field: the id its matches are wanted below (None: any)
    for index, (_weights, score) in enumerate(PREFIX_FIELDS):
        ranked, key = np.float32(score), np.float32(cursor.key if cursor else np.inf)  # compared as reals, as SQL does
        if ranked < key:
            wanted[index] = None
        elif ranked == key:
            wanted[index] = cursor.id  # that field's matches after the cursor
        # else: that field's matches all rank before the cursor
    limit = search.page_size + 1
    field = best_field(prefixes, "a")
    boundary = fetch_all(
        compose(
            "SELECT a.id FROM {articles} a ORDER BY a.id DESC OFFSET {rows} LIMIT 1",
            articles=ARTICLES,
            rows=search.tuning.prefix_walk_rows,
        )
    )
    lowest = boundary[0][0] if boundary else None  # None: the walk reads every article
    walked = fetch_all(
        compose(
            "SELECT a.id, {field} FROM {articles} a WHERE {matches} ORDER BY a.id DESC",
            field=field,
            articles=ARTICLES,
            matches=where.newest_rows(search.filters, query, lowest),
        )
    )
    found: dict[int, list[int]] = {index: [] for index in wanted}
    for ident, index in walked:
        if index in wanted and len(found[index]) < limit and (wanted[index] is None or ident < wanted[index]):
            found[index].append(ident)
    ids = {ident: index for index, idents in found.items() for ident in idents}
    short = {
        index: lowest if below is None else min(below, lowest)  # the id its matches are still wanted below
        for index, below in wanted.items()
        if lowest is not None and len(found[index]) < limit
    }
    lead = {index: upper for index, upper in short.items() if _PREFIX_FIELD_COLUMNS[index] is not None}
    if lead:
        # The headline's and standfirst's matches in one statement: a date range's bitmap is read once.
        matches = where.prefixes_in_lead(
            search.filters,
            query,
            tuple(_PREFIX_FIELD_COLUMNS[index] for index in lead),
            max(lead.values()),
            dates_indexed=_dates_indexed(search),
        )
        statement = compose(
            "WITH f AS MATERIALIZED (SELECT a.id, {field} AS b FROM {articles} a WHERE {matches})"
            " SELECT r.id, r.b FROM (SELECT f.id, f.b, row_number() OVER (PARTITION BY f.b ORDER BY f.id DESC) AS n"
            " FROM f WHERE {wanted}) r WHERE r.n <= {limit}",
            field=field,
            articles=ARTICLES,
            matches=matches,
            wanted=Sql.join(
                " OR ", [compose("(f.b = {b} AND f.id < {upper})", b=b, upper=upper) for b, upper in lead.items()]
            ),
            limit=limit,
        )
        ids.update(fetch_all(statement))
    for index, upper in short.items():
        if index in lead:
            continue
        statement = compose(
            "WITH f AS MATERIALIZED (SELECT a.id FROM {articles} a WHERE {matches} AND {field} = {index})"
            " SELECT f.id FROM f ORDER BY f.id DESC LIMIT {limit}",
            articles=ARTICLES,
            matches=where.matching_below(search.filters, query, upper),
            field=field,
            index=index,
            limit=limit,
        )
        ids.update((row[0], index) for row in fetch_all(statement))
    return ids


def _dates_indexed(search: Search) -> bool:
    """Whether the filters' dates hold few enough published articles (the planner's estimate)
    for their index to be ANDed with a prefix's fields' (SearchTuning.prefix_dates_indexed_below)."""
    filters = search.filters
    if not (filters.published_after or filters.published_before):
        return False
    dates = compose(
        "SELECT 1 FROM {articles} a WHERE {dates}", articles=ARTICLES, dates=where.published_in_dates(filters)
    )
    return explain(dates)["Plan Rows"] < search.tuning.prefix_dates_indexed_below


def _matches_beyond(search: Search, ids: dict[int, float]) -> bool:
    """Whether any match is not among `ids`."""
    statement = compose(
        "SELECT EXISTS (SELECT 1 FROM {articles} a WHERE {where} AND a.id <> ALL({ids}::bigint[]))",
        articles=ARTICLES,
        where=where.matching(search.filters, search.query),
        ids=list(ids),
    )
    return fetch_one(statement)[0]


def _collected_apart(matches: Sql) -> Sql:
    """The matches as CTE `m` behind a fence: collected through GIN, for the planner must not
    walk the date index for them."""
    return compose(
        "WITH m AS MATERIALIZED (SELECT a.id, a.published_at FROM {articles} a WHERE {where})",
        articles=ARTICLES,
        where=matches,
    )
