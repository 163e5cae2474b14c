"""Every full-text query of the archive: the partner API and the reader's /search/ page.

Design (see research/fts.md §4-6):
- the stored, weighted `search_vector` (GIN) finds matches; the query is
  `websearch_to_tsquery` in French, English and simple configs OR-ed together, so either
  language's stemming matches and accents never matter (unaccent is in every config);
- prefix terms (`econom*`) go through `to_tsquery('newsroom_simple', 'econom:*')`, because
  websearch syntax drops the star and stemming a prefix breaks it;
- ranking never touches every match: under RANK_ALL_BELOW estimated matches (no phrase)
  all are ranked, otherwise only the newest RANK_CANDIDATES; the newest matches are found
  by a date-index walk, a bounded window of the newest rows, or a GIN scan of every match,
  chosen from the EXPLAIN estimate (see search_articles; measured in benchmarks/search.py);
- pages are keyset pages on (key, id) descending, key being the rank, the publication
  time or an entity's popularity; no OFFSET, no COUNT(*) on broad queries (the EXPLAIN
  estimate is returned instead, exact when a plan collected every match anyway or the
  estimate is below COUNT_EXACT_BELOW);
- `ts_headline` runs on the returned page only, and its output is escaped before the
  highlight marks become <mark>.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.db import connection

MAX_QUERY_LENGTH = 200
MIN_PREFIX_LENGTH = 3
RANK_CANDIDATES = 300  # broad queries rank their newest 300 matches
RANK_ALL_BELOW = 2000  # estimated matches under which every match is ranked (not for phrases)
RANK_MIN_CANDIDATES = 100  # fewest candidates ranked when there are more matches (5 pages)
WINDOW_ROWS = 5000  # the newest rows a bounded walk reads before giving up
# The longest walk: taken when the estimate says the wanted matches lie within half of it
# (relevance's candidates of a word in 5% of a date range: "earli*" in English since a
# date, 150 ms through GIN and the date index, 15 ms down the date index).
WALK_WINDOW_ROWS = 20000
BITMAP_WINDOW_ROWS = 100000  # then the newest rows whose matches are taken through GIN and the date index
BITMAP_WINDOW_MIN_ESTIMATE = 10000  # (for queries without a phrase, from this estimate)
# Above this estimate (and without a phrase) the newest matches are found by walking the
# (published_at, id) index; below it every match is collected through GIN, then sorted.
WALK_ABOVE = 20000
COUNT_EXACT_BELOW = 1000
HEADLINE_INPUT_CHARS = 20000  # the most of an article a snippet is cut from
HEADLINE_FIRST_CHARS = 3000  # what is read first (see headlines)
REAL_MAX = 3.4028234e38  # largest PostgreSQL real (float4)
BIGINT_MAX = 2**63 - 1
ENTITY_KINDS = ("person", "organisation", "place")
NO_ENTITY = -1  # what an unknown entity filter becomes: no article mentions it

RELEVANCE = "relevance"
NEWEST = "-published_at"
ORDERINGS = (RELEVANCE, NEWEST)

_PREFIX_RE = re.compile(r"(?<![\w\"-])(\w+)\*")
# An excluded term as websearch_to_tsquery reads one: "-" at the start of a word, then a word,
# prefix* or "phrase"; an "OR" just before it goes with it (it would be left dangling).
_EXCLUDED_RE = re.compile(r'(?i:\bOR\s+)?(?<![^\s(])-\s*(?!-)("[^"]*"?|[^\s"()]+)')
_WORD_RE = re.compile(r"\w")
# A quoted phrase as websearch_to_tsquery reads one (an unclosed quote runs to the end).
_PHRASE_RE = re.compile(r'"([^"]*)"?')
_OR_RE = re.compile(r"(?i)\bor\b")
# Phrases whose text is words and plain punctuation: read alike by websearch_to_tsquery's
# phrase and by to_tsvector, which the pair filter relies on.
_PLAIN_PHRASE_RE = re.compile(r"[\w\s'’.,-]+")
_ANY_LANGUAGE = (
    "(websearch_to_tsquery('newsroom_fr', %s) || websearch_to_tsquery('newsroom_en', %s)"
    " || websearch_to_tsquery('newsroom_simple', %s))"
)
_START, _STOP = "\x02", "\x03"

CONFIG_CASE = (
    "CASE a.language WHEN 'fr' THEN 'newsroom_fr'::regconfig WHEN 'en' THEN 'newsroom_en'::regconfig "
    "ELSE 'newsroom_simple'::regconfig END"
)


class SearchError(ValueError):
    """A bad parameter; `param` names it for the client's error message."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class ArticleFilters:
    q: str = ""
    person: int | None = None
    organisation: int | None = None
    place: int | None = None
    language: str = ""
    section: str = ""
    source: str = ""
    published_after: datetime | None = None
    published_before: datetime | None = None
    ordering: str = ""


@dataclass
class Page:
    ids: list[int]
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_is_estimate: bool
    snippets: dict[int, str] = field(default_factory=dict)


@dataclass
class Cursor:
    key: float | str | int
    id: int
    backwards: bool = False

    def encode(self) -> str:
        raw = json.dumps({"k": self.key, "i": self.id, "b": int(self.backwards)}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, key_type: type) -> Cursor:
        try:
            padded = value + "=" * (-len(value) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
            key, ident, backwards = data["k"], int(data["i"]), bool(data.get("b"))
            if not 0 <= ident <= BIGINT_MAX:  # ids are positive bigints
                raise ValueError(ident)
            if key_type is datetime:
                key = datetime.fromisoformat(key)  # bound as a datetime: PostgreSQL never parses it
            elif key_type is float:
                key = float(key)
                if not abs(key) <= REAL_MAX:  # the SQL casts it to real; NaN fails this too
                    raise ValueError(key)
            else:
                key = int(key)
                if not -BIGINT_MAX <= key <= BIGINT_MAX:  # compared with bigint columns
                    raise ValueError(key)
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError, AttributeError):
            raise SearchError("cursor", "Invalid cursor: use the next/previous links as given.") from None
        return cls(key=key, id=ident, backwards=backwards)


# --- Query parsing --------------------------------------------------------------------


@dataclass
class ParsedQuery:
    sql: str  # a tsquery expression
    params: list
    has_phrase: bool
    # The "phrases" every match must hold, as websearch_to_tsquery reads them, when their
    # word pairs can narrow the candidates (with_phrase_pairs); none when words are OR-ed.
    phrases: list[str] = field(default_factory=list)
    # Set by with_phrase_pairs: the pair condition (SQL over `a`) and whether it stands for
    # every phrase of the query, so that the pairs' estimate is the phrases' too.
    pairs_sql: str = ""
    pairs_params: list = field(default_factory=list)
    pairs_cover: bool = False
    # The included words outside the phrases (a tsquery expression, or "" when there are
    # none), which the estimate of the pairs is made with.
    rest_sql: str = ""
    rest_params: list = field(default_factory=list)


def _terms(text: str) -> tuple[list[str], list, list[str]]:
    """tsquery SQL fragments, to be AND-ed, for the words, "phrases" and prefix* terms of
    `text`, and the text of its "phrases"."""
    prefixes = _PREFIX_RE.findall(text)
    for prefix in prefixes:
        if len(prefix) < MIN_PREFIX_LENGTH:
            raise SearchError("q", f"Prefix searches need at least {MIN_PREFIX_LENGTH} letters before the *.")
    words = _PREFIX_RE.sub(" ", text)
    parts, params = [], []
    if _WORD_RE.search(words):
        parts.append(_ANY_LANGUAGE)
        params += [words, words, words]
    for prefix in prefixes:
        parts.append("to_tsquery('newsroom_simple', %s)")
        params.append(prefix.casefold() + ":*")
    return parts, params, _PHRASE_RE.findall(words)


def parse_query(q: str) -> ParsedQuery | None:
    """The tsquery SQL for a web-search string; None for a blank one; SearchError("q") when
    it has nothing to find (only operators, only excluded words, a too short prefix).

    Excluded terms (-word, -"phrase", -prefix*) are taken out and negated once over all
    three configurations: inside each configuration's websearch_to_tsquery, the French
    "!'football'" would let through an English article indexed with 'footbal'.
    """
    q = q.strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError("q", f"Ensure this value has at most {MAX_QUERY_LENGTH} characters.")
    if "\x00" in q:
        raise SearchError("q", "Null characters are not allowed.")
    if not q:
        return None
    excluded = [term for term in _EXCLUDED_RE.findall(q) if _WORD_RE.search(term)]
    included = " ".join(_EXCLUDED_RE.sub(" ", q).split())
    parts, params, phrases = _terms(included)
    if not parts:
        if excluded:
            raise SearchError("q", "Give at least one word to find: -word only excludes.")
        raise SearchError("q", "There is nothing to search for: give at least one word.")
    sql = "(" + " && ".join(parts) + ")"
    if excluded:
        negated, negated_params = [], []
        for term in excluded:
            term_parts, term_params, _ = _terms(term)
            negated.append("!!(" + " && ".join(term_parts) + ")")
            negated_params += term_params
        # '' && !!x is !x, which matches nearly everything and no index can find: when the
        # parser keeps no lexeme of the included words (e.g. only "²"), match nothing.
        sql = f"(CASE WHEN numnode({sql}) = 0 THEN ''::tsquery ELSE {sql} && {' && '.join(negated)} END)"
        params = params + params + negated_params
    # Only a phrase to find makes estimates unreliable; an excluded one is tested on rows
    # the other words already found.
    if _OR_RE.search(included) or not all(_PLAIN_PHRASE_RE.fullmatch(p) for p in phrases):
        phrases = []  # an OR-ed phrase is not required; an odd one is not read as to_tsvector would
    rest_parts, rest_params, _ = _terms(_PHRASE_RE.sub(" ", included)) if phrases else ([], [], [])
    return ParsedQuery(
        sql=sql,
        params=params,
        has_phrase='"' in included,
        phrases=phrases,
        rest_sql=" && ".join(rest_parts),
        rest_params=rest_params,
    )


PAIR_CONFIGS = ("newsroom_fr", "newsroom_en", "newsroom_simple")  # the readings OR-ed in _ANY_LANGUAGE


def with_phrase_pairs(query: ParsedQuery) -> ParsedQuery:
    """The query with a condition on `search_pairs` (articles migration 0007) for its phrases.

    An article matches when one of the three readings matches, and a reading's phrase holds
    only where the article has that reading's adjacent word pairs: so each phrase asks for
    the pairs of its French, English or simple reading (newsroom_word_pairs of to_tsvector
    of the phrase: the lexemes and positions websearch_to_tsquery gives it). A reading with
    no adjacent pair (one word, or stop words between) asks for nothing, and the phrase is
    then left to the exact test alone. One query, only for queries with phrases."""
    if not query.phrases:
        return query
    expressions = [f"newsroom_word_pairs(to_tsvector('{config}', %s))" for config in PAIR_CONFIGS]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT " + ", ".join(expressions * len(query.phrases)),
            [phrase for phrase in query.phrases for _ in PAIR_CONFIGS],
        )
        row = cur.fetchone()
    clauses, params, covered = [], [], True
    for i in range(len(query.phrases)):
        readings = row[i * len(PAIR_CONFIGS) : (i + 1) * len(PAIR_CONFIGS)]
        if not all(readings):
            covered = False
            continue
        distinct = list(dict.fromkeys(tuple(sorted(pairs)) for pairs in readings))
        clauses.append("(" + " OR ".join(["a.search_pairs @> %s::integer[]"] * len(distinct)) + ")")
        params += [list(pairs) for pairs in distinct]
    return replace(query, pairs_sql=" AND ".join(clauses), pairs_params=params, pairs_cover=covered and bool(clauses))


# --- Articles ---------------------------------------------------------------------------


def _article_where(
    filters: ArticleFilters,
    query: ParsedQuery | None,
    *,
    window: tuple | None = None,
    walk: bool = False,
    words: bool = True,
    pairs: bool = True,
) -> tuple[str, list]:
    """The WHERE clause of the filters. With `window` (the (published_at, id) of its oldest
    row), only rows from there up are considered. With `walk`, the text match is written so
    that no GIN plan can take it (`IS TRUE`): the rows are read down the date index and tested
    (the phrases' pairs, a way into an index only, are left out).

    When the query is phrases only and their pairs stand for every one (pairs_cover), the
    index is asked for the pairs alone and the match is an exact test of the rows found
    (hidden from GIN too): the words' index would return every article holding the
    phrases' words, more than the pairs do, and kept the planner from adding the date index
    to the bitmap of a window ("david cameron", newest 100,000 rows: 86 ms, then 29 ms).
    Words outside the phrases stay with the GIN match, where the words' posting lists are
    intersected (on their own, a common word's list is read whole: 67 ms for "minister").
    For estimates, `pairs` leaves the pairs out, and `words` (false) keeps of the text match
    only the words outside the phrases, which the pairs stand for."""
    clauses = ["a.status = 'published'", "a.published_at <= now()"]
    params: list = []
    if window:
        clauses.append("a.published_at >= %s AND (a.published_at, a.id) >= (%s, %s)")
        params += [window[0], *window]
    use_pairs = bool(query and query.pairs_sql and pairs and not walk)
    exact_only = walk or (use_pairs and query.pairs_cover and not query.rest_sql)
    if query and words:
        clauses.append(f"(a.search_vector @@ {query.sql}) IS TRUE" if exact_only else f"a.search_vector @@ {query.sql}")
        params += query.params
    elif query and query.rest_sql:
        clauses.append(f"a.search_vector @@ ({query.rest_sql})")
        params += query.rest_params
    if use_pairs:
        clauses.append(query.pairs_sql)
        params += query.pairs_params
    entity_ids = [getattr(filters, kind) for kind in ENTITY_KINDS if getattr(filters, kind) is not None]
    if entity_ids:
        # The ids are resolved already (resolve_entities): the article's entity_ids array,
        # kept by the database, holds them all; its GIN index meets the words' index.
        clauses.append("a.entity_ids @> %s::bigint[]")
        params.append(entity_ids)
    if filters.language:
        clauses.append("a.language = %s")
        params.append(filters.language)
    for name, table in (("section", "articles_section"), ("source", "articles_source")):
        value = getattr(filters, name)
        if value:
            clauses.append(
                f"a.{name}_id IN (SELECT t.id FROM {table} t WHERE t.slug = %s OR lower(t.name) = lower(%s))"
            )
            params += [value, value]
    if filters.published_after:
        clauses.append("a.published_at >= %s")
        params.append(filters.published_after)
    if filters.published_before:
        clauses.append("a.published_at <= %s")
        params.append(filters.published_before)
    return " AND ".join(clauses), params


def resolve_entities(filters: ArticleFilters) -> ArticleFilters:
    """The filters with each entity id replaced by the id its articles are found under: a
    merged entity's survivor (merging repoints every older merge at the survivor, so one hop
    is enough). An unknown id, or one of another kind, becomes NO_ENTITY, which no article has.
    One query, and none without an entity filter."""
    wanted = {kind: getattr(filters, kind) for kind in ENTITY_KINDS if getattr(filters, kind) is not None}
    if not wanted:
        return filters
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, kind, coalesce(merged_into_id, id) FROM entities_entity WHERE id = ANY(%s)",
            [list(wanted.values())],
        )
        found = {(ident, kind): survivor for ident, kind, survivor in cur.fetchall()}
    return replace(filters, **{kind: found.get((ident, kind), NO_ENTITY) for kind, ident in wanted.items()})


def estimate_rows(sql: str, params: list) -> int:
    """The planner's row estimate for a query (EXPLAIN, no execution)."""
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


# First-page window boundaries, per process: {(database, rows, after, before): (expires, boundary)}.
_WINDOW_CACHE: dict[tuple, tuple[float, tuple | None]] = {}
_WINDOW_CACHE_MAX = 256


def _window(filters: ArticleFilters, position: Cursor | None, rows: int) -> tuple | None:
    """(published_at, id) of the `rows`-th newest published article below the cursor and in
    the filters' dates, or None when there are fewer: then the window holds every such row
    and what it finds is complete.

    A window is "every row from the boundary up", so any boundary gives a true prefix of the
    date order and correct results; only its size drifts as articles come and go. The
    boundaries of first pages (no cursor: every relevance page, and page 1 in date order)
    are therefore shared for SEARCH_WINDOW_CACHE_SECONDS within a process: on a million
    rows, finding the 100,000th newest costs 13-21 ms, paid by every search otherwise."""
    ttl = settings.SEARCH_WINDOW_CACHE_SECONDS
    key = (connection.settings_dict["NAME"], rows, filters.published_after, filters.published_before)
    if ttl > 0 and position is None:
        cached = _WINDOW_CACHE.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    condition, params = "", []
    if position:
        condition = "AND (a.published_at, a.id) < (%s::timestamptz, %s)"
        params = [position.key, position.id]
    if filters.published_after:
        condition += " AND a.published_at >= %s"
        params.append(filters.published_after)
    if filters.published_before:
        condition += " AND a.published_at <= %s"
        params.append(filters.published_before)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT a.published_at, a.id FROM articles_article a WHERE a.status = 'published'"
            f" AND a.published_at <= now() {condition} ORDER BY a.published_at DESC, a.id DESC OFFSET %s LIMIT 1",
            [*params, rows - 1],
        )
        row = cur.fetchone()
    boundary = tuple(row) if row else None
    if ttl > 0 and position is None:
        if len(_WINDOW_CACHE) >= _WINDOW_CACHE_MAX:
            _WINDOW_CACHE.clear()  # date filters vary without bound; the common keys refill at once
        _WINDOW_CACHE[key] = (time.monotonic() + ttl, boundary)
    return boundary


def search_articles(filters: ArticleFilters, *, cursor: str | None = None, page_size: int = 20) -> Page:
    """One page of published articles matching the filters, as ids in display order.

    How the newest matches are found (for date order, and for the candidates that broad
    relevance queries rank), by the planner's estimate of the number of matches:
    - dense (>= WALK_ABOVE, no phrase): the planner walks the (published_at, id) index and
      tests each row: a few rows give a page;
    - a phrase, or a density that should give enough matches among the newest WINDOW_ROWS
      rows: those rows only are walked and tested (bounded work: a phrase's estimate can be
      wrong either way, and an unbounded walk past rare matches reads the whole table); if
      they do not hold enough matches, as below;
    - otherwise: every match is collected through the GIN index (bitmap scan), then sorted;
      this also counts them exactly.
    Relevance ranks every match when the estimate is under RANK_ALL_BELOW (and there is no
    phrase), else the newest RANK_CANDIDATES matches.
    """
    query = parse_query(filters.q) if filters.q else None
    ordering = filters.ordering or (RELEVANCE if query else NEWEST)
    if ordering not in ORDERINGS:
        raise SearchError("ordering", f"Select one of: {', '.join(ORDERINGS)}.")
    if ordering == RELEVANCE and not query:
        ordering = NEWEST
    filters = resolve_entities(filters)
    if query:
        query = with_phrase_pairs(query)
    where, params = _article_where(filters, query)
    # One EXPLAIN estimates the matches and the published rows in the filters' dates. The
    # planner reads a phrase as its words AND-ed and multiplies their selectivities as if
    # they were independent: "david cameron" was estimated at 3,749 articles for 12,859.
    # With phrase pairs, the pairs (with the words outside the phrases) are estimated too,
    # from the pairs' own statistics; when they stand for every phrase (pairs_cover) that
    # estimate is the one kept, otherwise the smaller of the two.
    branches = [(where, params)]
    if query and query.pairs_sql:
        branches = [_article_where(filters, query, pairs=False), _article_where(filters, query, words=False)]
    dates = ArticleFilters(published_after=filters.published_after, published_before=filters.published_before)
    branches.append(_article_where(dates, None))
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (FORMAT JSON) "
            + " UNION ALL ".join(f"SELECT 1 FROM articles_article a WHERE {sql}" for sql, _ in branches),
            [param for _, branch_params in branches for param in branch_params],
        )
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    *matches, published = (max(1, int(p["Plan Rows"])) for p in plan[0]["Plan"]["Plans"])
    estimate = matches[-1] if query and query.pairs_cover else min(matches)
    # A phrase's estimate is reliable when its pairs were estimated (pairs_cover).
    phrase = bool(query) and query.has_phrase and not query.pairs_cover
    # Matches a window must hold to be used: a page and one more row in date order; for
    # relevance RANK_CANDIDATES, or RANK_MIN_CANDIDATES from the wider window (the newest
    # matches of the newest BITMAP_WINDOW_ROWS articles are then the candidates).
    wanted = RANK_CANDIDATES if ordering == RELEVANCE else page_size + 1
    # A walk down the date index reads about wanted * published / estimate rows (some 5 us
    # each): cheap for a page in date order, not for relevance's 300 candidates of a word in
    # 2% of the archive (12,000 rows, 60-80 ms, where the bitmap window takes 30).
    walk = estimate >= WALK_ABOVE and not phrase and 2 * wanted * published <= estimate * WALK_WINDOW_ROWS
    result = None
    if query and not walk and not (ordering == RELEVANCE and estimate < RANK_ALL_BELOW and not phrase):
        position = Cursor.decode(cursor, float if ordering == RELEVANCE else datetime) if cursor else None
        sample = None  # (rows walked, matches found) when the narrow window fell short
        for rows, walk_window in ((WINDOW_ROWS, True), (WALK_WINDOW_ROWS, True), (BITMAP_WINDOW_ROWS, False)):
            if position and position.backwards:
                break
            if rows == WALK_WINDOW_ROWS and (ordering != RELEVANCE or phrase or sample):
                # Only for relevance's candidates (a page in date order needs no more than
                # the narrow walk), only where the estimate is to be trusted (the planner puts
                # any word missing from its statistics at 0.4% of the rows, as dense as a
                # page in date order would need here), and not after a narrow walk fell short.
                continue
            if not phrase and estimate * rows < 2 * wanted * published:
                continue  # too few matches expected among these rows
            if not (walk_window or phrase or estimate >= BITMAP_WINDOW_MIN_ESTIMATE):
                continue  # without a phrase to recheck, collecting a few thousand matches is as cheap
            needed = wanted if walk_window or ordering == NEWEST else RANK_MIN_CANDIDATES
            if sample and sample[1] * rows < needed * sample[0]:
                # The narrow window is a sample of the newest rows, better than the planner's
                # guess for a phrase: at its density the wider one falls short too.
                continue
            window = _window(filters, position if ordering == NEWEST else None, rows) if published >= rows else None
            window_where, window_params = _article_where(filters, query, window=window, walk=walk_window)
            strategy = "window" if walk_window else "window-scan"
            result = _page(query, ordering, window_where, window_params, strategy, cursor, page_size)
            if window is None:  # the window held every row
                if strategy == "window-scan":
                    result.total = result.found
                break
            if result.found >= needed:
                break
            sample = (rows, result.found)
            result = None  # too few matches among the newest rows: a wider window, or them all
    if result is None:
        if ordering == RELEVANCE and estimate < RANK_ALL_BELOW and not phrase:
            strategy = "all"
        else:
            strategy = "walk" if walk else "scan"
        if strategy == "walk":
            # Down the date index the exact test is all there is to do: with the pairs the
            # planner would rather collect every article holding them.
            walk_where, walk_params = _article_where(filters, query, pairs=False)
            result = _page(query, ordering, walk_where, walk_params, strategy, cursor, page_size)
        else:
            result = _page(query, ordering, where, params, strategy, cursor, page_size)
    ids = result.ids
    count, count_is_estimate = estimate, True
    if result.total is not None:
        count, count_is_estimate = result.total, False
    elif estimate < COUNT_EXACT_BELOW:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM articles_article a WHERE {where} LIMIT %s) t",
                [*params, COUNT_EXACT_BELOW * 10],
            )
            count = cur.fetchone()[0]
        count_is_estimate = count >= COUNT_EXACT_BELOW * 10
    if cursor is None and count_is_estimate:
        # A first page with no next one holds every match: the planner's estimate (3,977
        # for a word absent from the archive) must not be shown beside no results. With a
        # next page, there is at least one more.
        if result.next_cursor is None:
            count, count_is_estimate = len(ids), False
        else:
            count = max(count, len(ids) + 1)
    snippets = headlines(ids, query) if query and ids else {}
    return Page(ids, result.next_cursor, result.previous_cursor, count, count_is_estimate, snippets)


@dataclass
class _Result:
    ids: list[int]
    next_cursor: str | None
    previous_cursor: str | None
    found: int  # window: the matches found among its rows (as many as were asked for, at most)
    total: int | None  # the exact number of matches, when the strategy counted them all


def _page(
    query: ParsedQuery | None,
    ordering: str,
    where: str,
    params: list,
    strategy: str,
    cursor: str | None,
    page_size: int,
) -> _Result:
    """One page by one strategy: "all" (rank every match), "walk" (the planner's plan,
    meant to walk the date index), "scan" (collect every match, count them, sort), and
    "window" / "window-scan", the walk and the scan within a window of the newest rows
    (`where` holds its bound), which report how many matches they found there."""
    in_window = strategy.startswith("window")
    scan = strategy in ("scan", "window-scan")
    total_sql = ""
    if ordering == RELEVANCE:
        if strategy == "all":
            inner = f"SELECT a.id, ts_rank(a.search_vector, {query.sql}) AS k FROM articles_article a WHERE {where}"
            inner_params, total_sql = query.params + params, "(SELECT count(*) FROM s)"
        elif scan:
            # The matches are collected apart (a fence: the planner must not walk the date
            # index for them), counted, and only the newest are ranked.
            inner = (
                f"WITH m AS MATERIALIZED (SELECT a.id, a.published_at FROM articles_article a WHERE {where})"
                f" SELECT c.id, ts_rank(r.search_vector, {query.sql}) AS k, c.total FROM ("
                "SELECT m.id, count(*) OVER () AS total FROM m"
                f" ORDER BY m.published_at DESC, m.id DESC LIMIT {RANK_CANDIDATES}) c"
                " JOIN articles_article r ON r.id = c.id"
            )
            inner_params, total_sql = params + query.params, "s.total"
        else:
            inner = (
                f"SELECT c.id, ts_rank(c.search_vector, {query.sql}) AS k FROM (SELECT a.id, a.search_vector"
                f" FROM articles_article a WHERE {where} ORDER BY a.published_at DESC, a.id DESC"
                f" LIMIT {RANK_CANDIDATES}) c"
            )
            inner_params = query.params + params
            if in_window:
                total_sql = "(SELECT count(*) FROM s)"  # the candidates found
        ids, nxt, prev, value = keyset_page(
            inner,
            inner_params,
            key_sql="s.k",
            key_type=float,
            cursor=cursor,
            page_size=page_size,
            materialize=True,
            total_sql=total_sql,
        )
        if in_window:
            return _Result(ids, nxt, prev, value or 0, None)
        return _Result(ids, nxt, prev, len(ids), value)
    inner = f"SELECT a.id, a.published_at AS k FROM articles_article a WHERE {where}"
    materialize = bool(query) and scan
    ids, nxt, prev, value = keyset_page(
        inner,
        params,
        key_sql="s.k",
        key_type=datetime,
        cursor=cursor,
        page_size=page_size,
        materialize=materialize,
        total_sql="(SELECT count(*) FROM s)" if materialize else "",
    )
    if strategy == "window-scan":
        return _Result(ids, nxt, prev, value or 0, None)
    found = page_size + 1 if nxt and not (cursor and Cursor.decode(cursor, datetime).backwards) else len(ids)
    return _Result(ids, nxt, prev, found, value)


def keyset_page(
    inner_sql: str,
    params: list,
    *,
    key_sql: str,
    key_type: type,
    cursor: str | None,
    page_size: int,
    materialize: bool = False,
    total_sql: str = "",
) -> tuple[list[int], str | None, str | None, int | None]:
    """A page of `inner_sql` (rows of id, k) ordered by (k, id) descending, with cursors; with
    `total_sql` (an SQL expression over `s`), also its value, read from the first row of the
    page in the same statement (or, for a page past the end, by one more; None when `s` is
    empty on a first page)."""
    position = Cursor.decode(cursor, key_type) if cursor else None
    cast = {float: "real", datetime: "timestamptz", int: "bigint"}[key_type]
    condition, order, extra = "", "DESC", []
    if position:
        op = ">" if position.backwards else "<"
        condition = f"WHERE ({key_sql}, s.id) {op} (%s::{cast}, %s)"
        order = "ASC" if position.backwards else "DESC"
        extra = [position.key, position.id]
    prefix = "WITH s AS MATERIALIZED (" + inner_sql + ") " if materialize else ""
    source = "s" if materialize else f"({inner_sql}) s"
    total_column = f", {total_sql}" if total_sql else ""
    sql = (
        f"{prefix}SELECT s.id, {key_sql}{total_column} FROM {source} {condition}"
        f" ORDER BY {key_sql} {order}, s.id {order} LIMIT %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *extra, page_size + 1])
        rows = cur.fetchall()
    total = rows[0][2] if rows and total_sql else None
    if total_sql and not rows and position:
        # Past the last row the total is still needed, and must not depend on the cursor:
        # plans are chosen from it, and every page of a search must choose alike.
        with connection.cursor() as cur:
            cur.execute(f"{prefix}SELECT {total_sql} FROM {source} LIMIT 1", params)
            row = cur.fetchone()
        total = row[0] if row else 0
    more = len(rows) > page_size
    rows = rows[:page_size]
    if position and position.backwards:
        rows.reverse()

    def encode(row, backwards: bool) -> str:
        key = row[1].isoformat() if isinstance(row[1], datetime) else row[1]
        return Cursor(key=key, id=row[0], backwards=backwards).encode()

    has_next = more if not (position and position.backwards) else True
    has_previous = bool(position) and (more if position.backwards else True)
    next_cursor = encode(rows[-1], False) if rows and has_next else None
    previous_cursor = encode(rows[0], True) if rows and has_previous else None
    return [row[0] for row in rows], next_cursor, previous_cursor, total


def headlines(ids: list[int], query: ParsedQuery) -> dict[int, str]:
    """Highlighted snippets for the given articles only: escaped text with <mark> around hits.

    The headline is shown above the snippet, so the snippet is cut from the standfirst and
    body (the headline only for an article with neither). ts_headline parses all the text
    it is given, as to_tsvector does (about 0.25 ms per 1,000 characters): a page of long
    French stories took 45 ms. So the first HEADLINE_FIRST_CHARS are read first, and only
    an article whose standfirst or body matches but whose first pass marked nothing has the
    rest read (from a word a little before the cut, so that a hit across it is whole): its
    hits all lie further on. The search vector tells which match: an article found by its
    headline or caption alone is not read further."""
    options = 'StartSel=\x02, StopSel=\x03, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'
    sql = (
        f"WITH q AS MATERIALIZED (SELECT {query.sql} AS q),"
        f" t AS MATERIALIZED (SELECT a.id, a.search_vector AS v, {CONFIG_CASE} AS config,"
        " left(translate(coalesce(nullif(concat_ws(' — ', nullif(a.standfirst, ''), nullif(a.body_text, '')), ''),"
        f" a.headline), E'\\x02\\x03', ''), {HEADLINE_INPUT_CHARS}) AS text"
        " FROM articles_article a WHERE a.id = ANY(%s))"
        " , f AS MATERIALIZED (SELECT t.*, ts_headline(t.config, left(t.text, %s), q.q, %s) AS h FROM t, q)"
        " SELECT f.id, CASE WHEN strpos(f.h, E'\\x02') = 0 AND length(f.text) > %s"
        " AND ts_filter(f.v, '{b,c}') @@ q.q THEN ts_headline(f.config,"
        " regexp_replace(substr(f.text, %s), '^\\S*\\s+', ''), q.q, %s) ELSE f.h END FROM f, q"
    )
    rest_from = HEADLINE_FIRST_CHARS - MAX_QUERY_LENGTH  # a hit across the cut is read whole
    with connection.cursor() as cur:
        cur.execute(sql, [*query.params, ids, HEADLINE_FIRST_CHARS, options, HEADLINE_FIRST_CHARS, rest_from, options])
        return {row[0]: mark(row[1]) for row in cur.fetchall()}


def mark(headline: str) -> str:
    """Escape a ts_headline result, then turn its private highlight markers into <mark>."""
    return html.escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")


# --- Entities -----------------------------------------------------------------------------

# Lists hold active entities that published articles mention (article_count is kept by the
# tagging, publishing and curation services): one named only in a draft or an embargoed
# story must not show its name.
_LISTED_ENTITY = "e.kind = %s AND e.status = 'active' AND e.article_count > 0"


def search_entities(*, kind: str, q: str = "", cursor: str | None = None, page_size: int = 20) -> Page:
    """Active entities of one kind that published articles mention, most mentioned first; with
    `q`, prefix and typo-tolerant matches on names and aliases (pg_trgm), best match first."""
    q = q.strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError("q", f"Ensure this value has at most {MAX_QUERY_LENGTH} characters.")
    if "\x00" in q:
        raise SearchError("q", "Null characters are not allowed.")
    if not q:
        inner = f"SELECT e.id, e.article_count::bigint AS k FROM entities_entity e WHERE {_LISTED_ENTITY}"
        params: list = [kind]
        ids, nxt, prev, _ = keyset_page(inner, params, key_sql="s.k", key_type=int, cursor=cursor, page_size=page_size)
        estimate = estimate_rows(f"SELECT 1 FROM entities_entity e WHERE {_LISTED_ENTITY}", params)
        return Page(ids, nxt, prev, estimate, True)
    norm = " ".join(q.casefold().split())
    like = norm.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # Score: a prefix match of the name or an alias outranks any fuzzy match; then trigram
    # similarity; popularity breaks ties. Rounded so the keyset cursor survives float4.
    inner = f"""
        SELECT e.id, round((
            greatest(
                CASE WHEN lower(f_unaccent(e.name)) LIKE lower(f_unaccent(%s)) THEN 2 ELSE 0 END
                    + similarity(lower(f_unaccent(e.name)), lower(f_unaccent(%s))),
                coalesce(al.score, 0)
            ) * 1000))::bigint * 1000000 + least(e.article_count, 999999) AS k
        FROM entities_entity e
        LEFT JOIN (
            SELECT a.entity_id, max(
                CASE WHEN lower(f_unaccent(a.name)) LIKE lower(f_unaccent(%s)) THEN 2 ELSE 0 END
                    + similarity(lower(f_unaccent(a.name)), lower(f_unaccent(%s)))) AS score
            FROM entities_alias a
            WHERE a.kind = %s AND (lower(f_unaccent(a.name)) LIKE lower(f_unaccent(%s))
                                   OR lower(f_unaccent(a.name)) %% lower(f_unaccent(%s)))
            GROUP BY a.entity_id
        ) al ON al.entity_id = e.id
        WHERE {_LISTED_ENTITY} AND (
            lower(f_unaccent(e.name)) LIKE lower(f_unaccent(%s))
            OR lower(f_unaccent(e.name)) %% lower(f_unaccent(%s))
            OR al.entity_id IS NOT NULL)
    """
    params = [like, norm, like, norm, kind, like, norm, kind, like, norm]
    ids, nxt, prev, _ = keyset_page(
        inner, params, key_sql="s.k", key_type=int, cursor=cursor, page_size=page_size, materialize=True
    )
    if nxt or prev:
        return Page(ids, nxt, prev, estimate_rows(inner, params), True)
    return Page(ids, nxt, prev, len(ids), False)
