"""Relevance's first page proven exact by a threshold algorithm over impact-ordered postings
(docs/decisions/0030-exact-relevance-by-impact-ordered-postings.md).

articles_searchposting (articles migration 0024) holds, for each article and each lexeme of
its search_vector whose impact is at least FLOOR, that impact: ts_rank(search_vector,
'lexeme', 1) exactly. For a query of plain words, the score (articles/search/ranking.py) is a
sum over the ranked terms of weight x (ts_rank of the own-language reading + EXACT_WEIGHT x
ts_rank of the unstemmed form), bounded from the impacts of the term's lexemes in that article:

- the reading is an OR of lexemes, ranked by PostgreSQL's calc_rank_or: the mean over the
  query's distinct lexemes of each one's share, which is the posting's impact (an absent
  lexeme's share is 0), so it is at most the mean of their impacts in the article's language's
  reading, at most the largest over the readings;
- the unstemmed forms are an OR as well, ranked over search_exact: the mean of the forms'
  shares, each its impact in search_exact, posted under the form marked by UNSTEMMED_MARK
  (articles migration 0025) when at least FLOOR.

So the postings are read in blocks of descending impact, term by term; an article not met
scores at most the sum over terms of BoundedTerm.bound with each lexeme's last impact read (at
least FLOOR), an article met at most the same with its own impacts where they are larger. The articles met
are ranked by the engine's own score, the highest bound first, while a bound can still reach
the page. When the page's last score is above every bound left, no other article can enter
the page: it is proven exact. Otherwise, after the last block (the work cap), the matches
ranked join the other candidates, unproven."""

from __future__ import annotations

import heapq
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from articles.search import where
from articles.search.filters import ArticleFilters
from articles.search.query import MIN_PREFIX_LENGTH, OTHER, ParsedQuery
from articles.search.ranking import ALL_WORDS_WEIGHT, EXACT_WEIGHT, LABEL_WEIGHT, MENTION_WEIGHT, rank
from core.sql import Sql, compose, fetch_all

logger = logging.getLogger(__name__)

# articles migrations 0024 and 0025: every impact not posted is below FLOOR, a lexeme's in
# search_vector and an unstemmed form's (UNSTEMMED_MARK) in search_exact.
FLOOR = 0.02
# The postings read per lexeme in each round (from the best); the last is the work cap.
BLOCKS = (40, 160, 640, 2560)
MAX_MET = 4000  # articles met at most: no further block is read beyond it
# The blocks read without proof after which a proof is long: its last blocks cost most (the
# tail's proofs that fail read all four, 50-150 ms at 1M, most of it in the last two).
LONG_ROUNDS = 2
# The articles met and tested after which a query whose strong matches among them are too few
# to fill a page within MAX_MET at their rate is given up (_futile).
FUTILE_AFTER = 200
# ... and only when that rate, taken this many times over, would still fall short: the matches
# are not spread evenly over the postings (a French article's postings of `dollar` come after
# the English ones' with it in their headline), so a low early rate may rise.
FUTILE_MARGIN = 4
# The articles met ranked in the first statement of a block, the most promising first; each next
# one ranks twice as many: ranking a few articles more than needed costs less than a statement
# more (the 2,535 articles met for `saying` at 100,000 articles, ranked in 51 statements: 92 ms;
# in 6: 53 ms; in 1: 40 ms).
RANKED_AT_ONCE = 50
# The share of the articles tested that matched under which a block's are screened at once.
SCREEN_BELOW = 0.5
# ts_rank computes in single precision: a bound is raised by this share before it is compared.
SLACK = 1e-4

_QUOTED = re.compile(r"'((?:[^'\\]|'')*)'(:[*A-D]+)?")
_NOT_READ = re.compile(r"[!:*\\]")  # a negation, a prefix or weight, an escape
_OPERATOR = re.compile(r"[&|<]")
UNSTEMMED_APART = 300  # the most matches in languages without a stemmer ranked apart
# A query with a prefix ranks, besides the newest matches, the articles whose postings of its
# lexemes and unstemmed forms (those a prefix starts included) of at least this impact sum highest
# (unproven; SearchTuning.prefix_candidates of them, within the filters).
PREFIX_IMPACT = 0.03
# ... but a prefix of the fewest letters starts hundreds of words (`con*`: 872 lexemes and forms,
# 648,000 postings at 1M): only its lexemes' postings of at least this impact are summed (with its
# forms, or from 0.03, `con*` took 56 -> 134 or 216 ms in process, and found none of its page more).
SHORTEST_PREFIX_IMPACT = 0.05
_LAST_CHARACTER = chr(0x10FFFF)  # after every character: the end of a prefix's range
# articles migration 0025: the postings of an unstemmed form (its impact in search_exact) are
# the form after a space (no lexeme holds one).
UNSTEMMED_MARK = " "


@dataclass(frozen=True)
class BoundedTerm:
    coefficient: float  # what the term's reading adds to the score per unit of its rank
    # Each language's reading that is ranked as an OR, as its lexemes: PostgreSQL's calc_rank_or
    # is the mean of the query's distinct lexemes' shares, each share being that lexeme's impact.
    readings: tuple[tuple[str, ...], ...]
    # The unstemmed forms (marked: their postings), ranked as an OR too, and what their rank
    # adds per unit.
    exact: tuple[str, ...] = ()
    exact_coefficient: float = 0.0

    @property
    def lexemes(self) -> tuple[str, ...]:
        """Every lexeme whose postings bound the term."""
        return tuple(sorted({x for reading in self.readings for x in reading} | set(self.exact)))

    def bound(self, impacts: dict[str, float]) -> float:
        """The term's part of the score at most, given an upper bound of each lexeme's impact."""
        reading = max(sum(impacts[x] for x in lexemes) / len(lexemes) for lexemes in self.readings)
        exact = sum(impacts[x] for x in self.exact) / len(self.exact) if self.exact else 0.0
        return self.coefficient * reading + self.exact_coefficient * exact


@dataclass(frozen=True)
class Bounded:
    terms: tuple[BoundedTerm, ...]
    # The articles in languages without a stemmer read a phrase as a phrase (not an OR): their
    # matches are all ranked, as long as they are few (UNSTEMMED_APART).
    unstemmed_apart: bool = False
    constant: float = 0.0  # what every match may add besides the terms (the entities' parts)


@dataclass(frozen=True)
class Candidates:
    scores: dict[int, float]  # the matches ranked from the postings read: {id: the engine's score}
    proven: bool  # the first `top` matches by score are among them, the order exact
    met: int = 0  # the articles met in the postings read

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.scores))


def first_page(
    query: ParsedQuery, filters: ArticleFilters, top: int, *, long: Callable[[], object] | None = None
) -> Candidates | None:
    """The matches ranked from the postings of `query`'s terms, read until the first `top`
    matches in the filters are proven, or the work cap; None when the query's score has no
    bound the postings give (a prefix, a reading ranked as an AND). `long` is called once
    when LONG_ROUNDS blocks have been read without proof."""
    bounded = bounded_terms(query)
    if not bounded:
        return None
    scores: dict[int, float] = {}
    met = 0
    for index, (met, scores, bound) in enumerate(rounds(query, filters, bounded, top), start=1):
        page_last = _top_last(scores, top)
        if bound is not None and page_last is not None and page_last > bound * (1 + SLACK):
            return Candidates(scores, True, met)
        if index == LONG_ROUNDS and page_last is None and long is not None:
            long()
    logger.debug("relevance first page unproven (%s articles met)", met)
    return Candidates(scores, False, met)


def _top_last(scores: dict[int, float], top: int) -> float | None:
    """The `top`-th highest score, None when there are fewer."""
    return heapq.nlargest(top, scores.values())[-1] if len(scores) >= top else None


def rounds(
    query: ParsedQuery, filters: ArticleFilters, bounded: Bounded, top: int
) -> Iterator[tuple[int, dict[int, float], float | None]]:
    """After each block of postings read: the number of articles met, the scores of the
    matches ranked so far, and the bound of the score of every match not ranked (None: no
    bound). An article met is ranked only while its own bound (its impacts read, the frontier
    for the rest) can still reach the `top`-th score: most of those read never need to be.

    Ranking an article tests its match first (reading its vector). When most of those tested
    did not match (an AND's words, a phrase, a filter: a posting holds one word), the articles
    a block may rank are first screened for the ones that match, in one statement (`_matching`:
    a test of each row, cheaper than ranking it), and only the matches are ranked. Both test
    the articles met by id (`where.matching_found`), never through the words' GIN index."""
    matches = where.matching_found(filters, query)  # tested on the articles met, by id
    score = rank(query, "a")
    terms = bounded.terms
    scores: dict[int, float] = {}
    ranked: set[int] = set()
    screened: dict[int, bool] = {}  # per article met and screened, whether it matches
    provable = True
    if bounded.unstemmed_apart:
        # The other languages' reading is not an OR (a phrase): their matches are ranked apart, when few.
        apart = {row[0] for row in fetch_all(_unstemmed(filters, query, UNSTEMMED_APART + 1))}
        provable = len(apart) <= UNSTEMMED_APART
        ranked |= apart
        scores.update(_ranked(score, apart))  # matches already
    lexemes = sorted({lexeme for term in terms for lexeme in term.lexemes})
    floor_bound = bounded.constant + sum(term.bound(dict.fromkeys(lexemes, FLOOR)) for term in terms)
    for block in BLOCKS:
        # A block reads each lexeme's postings from its best: those of the blocks before it too.
        frontier, postings = _read(lexemes, block)
        # An impact not read is at most the lexeme's last one read (its floor once all are read).
        edge = {x: max(frontier[x], FLOOR) for x in lexemes}
        unseen = bounded.constant + sum(term.bound(edge) for term in terms)
        met, pending, upper = _upper_bounds(bounded, lexemes, edge, postings, ranked)
        # When most articles tested so far (those ranked) did not match (have no score), those
        # this block may rank (the page's last score only rises) are screened at once.
        screening = len(scores) < SCREEN_BELOW * len(ranked)
        if screening:
            page_last = _top_last(scores, top)
            reach = pending if page_last is None else pending[: int((upper * (1 + SLACK) >= page_last).sum())]
            screened.update(_matching(matches, [a for a in reach if a not in screened]))
        done, size = 0, RANKED_AT_ONCE
        while done < len(pending):
            page_last = _top_last(scores, top)
            if page_last is not None and upper[done] * (1 + SLACK) < page_last:
                break  # no article met and not ranked can reach the page
            chunk = set(pending[done : done + size])
            done, size = done + len(chunk), 2 * size
            ranked |= chunk
            if screening:
                # A chunk is taken whole: its last articles may lie beyond those screened.
                screened.update(_matching(matches, [a for a in chunk if a not in screened]))
                scores.update(_ranked(score, {a for a in chunk if screened[a]}))
            else:
                scores.update(_ranked(score, chunk, matches))
        left = float(upper[done]) if done < len(pending) else 0.0
        yield met, scores, max(unseen, left) if provable else None
        if all(frontier[x] == 0.0 for x in lexemes) or met >= MAX_MET:
            return  # every posting read (the rest is under FLOOR), or the cap
        strong = sum(1 for value in scores.values() if value > floor_bound * (1 + SLACK))
        if _futile(strong, len(ranked), top):
            return  # too few of the articles met can fill a provable page (a phrase, a filter)


def _upper_bounds(
    bounded: Bounded, lexemes: list[str], edge: dict[str, float], postings: Postings, ranked: set[int]
) -> tuple[int, list[int], np.ndarray]:
    """The number of articles met in `postings`, those not `ranked` yet by their score's
    bound, highest first (ties: the higher id), and those bounds: BoundedTerm.bound of each
    lexeme's impact read in the article where larger than the edge, the edge for the rest (an
    impact not read is at most its lexeme's last one read). Over arrays: a block meets
    thousands of articles (a loop over them took 5-10 ms of a tail query's 100)."""
    articles, row = np.unique(postings.articles, return_inverse=True)
    impacts = np.tile(np.array([edge[x] for x in lexemes]), (len(articles), 1))
    # An article holds one posting per lexeme at most.
    impacts[row, postings.lexemes] = np.maximum(impacts[row, postings.lexemes], postings.impacts)
    upper = np.full(len(articles), bounded.constant)
    column = {lexeme: index for index, lexeme in enumerate(lexemes)}
    for term in bounded.terms:
        readings = [impacts[:, [column[x] for x in reading]].mean(axis=1) for reading in term.readings]
        upper += term.coefficient * np.max(readings, axis=0)
        if term.exact:
            upper += term.exact_coefficient * impacts[:, [column[x] for x in term.exact]].mean(axis=1)
    left = ~np.isin(articles, np.fromiter(ranked, dtype=np.int64, count=len(ranked)))
    articles, upper = articles[left], upper[left]
    order = np.lexsort((articles, upper))[::-1]
    return len(left), articles[order].tolist(), upper[order]


def _futile(strong: int, tested: int, top: int) -> bool:
    """Whether the proof should give up before its cap. A page is proven only when its last
    score is above the bound, which never falls under its floor (every lexeme at FLOOR): it
    needs `top` matches scoring above that floor ("strong"), and only an article holding a
    posting can (with every impact under FLOOR a score is under the floor's bound). Given up
    when fewer than `top` of the `tested` articles met are strong and, even at FUTILE_MARGIN
    times that rate, the articles the cap allows would not hold `top`: a rare phrase of common
    words or a narrow filter (the postings point to articles holding the words, few of which
    match), words found together only in long texts. It proves nothing for such a query; the
    plan's other candidates find its page."""
    return strong < top and tested >= FUTILE_AFTER and FUTILE_MARGIN * strong * MAX_MET < top * tested


def bounded_terms(query: ParsedQuery) -> Bounded | None:
    """The parts of the query's score (ranking.rank) with what bounds each, or None when a
    reading of one, or its unstemmed forms, are not ranked as an OR of lexemes (PostgreSQL's
    calc_rank_or). The other languages' reading of a phrase is
    exempted: those matches are ranked apart. The entities a query names add their constant
    parts (holding every word, each mention) to the bound, and their names' and the other
    words' ranks as parts of their own."""
    if query.has_prefix:
        return None
    if query.weights:
        parts = [
            (weight, term.readings, term.exact)
            for term, weight in zip(query.terms, query.weights, strict=True)
            if weight > 0
        ]
    else:  # ranking.rank: the included words, and the unstemmed ones OR-ed with themselves
        readings = {lang: reading.included for lang, reading in query.readings.items()}
        parts = [(1.0, readings, compose("({q} || {q})", q=query.exact))]
    constant = 0.0
    if query.named:
        constant += ALL_WORDS_WEIGHT
        for group in query.named.groups:
            constant += MENTION_WEIGHT * group.share * group.confidence
            if group.others is not None:
                parts.append((LABEL_WEIGHT, group.others, None))
        parts.append((LABEL_WEIGHT, query.named.labels, None))
    columns = [
        compose(
            "({fr})::text, ({en})::text, ({other})::text, ({exact})::text",
            fr=readings["fr"],
            en=readings["en"],
            other=readings[OTHER],
            exact=exact if exact is not None else Sql("NULL"),
        )
        for _, readings, exact in parts
    ]
    texts = fetch_all(compose("SELECT {columns}", columns=Sql.join(", ", columns)))[0]
    terms, apart = [], False
    for index, (coefficient, _readings, with_exact) in enumerate(parts):
        fr, en, other = (_read_tsquery(text) for text in texts[4 * index : 4 * index + 3])
        if not (fr and en and other and fr[0] and en[0]):
            return None
        apart = apart or not other[0]
        # The other languages' reading when it is not an OR: its matches are ranked apart.
        readings = tuple(tuple(sorted(r[1])) for r in (fr, en, other) if r[0])
        forms: tuple[str, ...] = ()
        if with_exact is not None:
            exact = _read_tsquery(texts[4 * index + 3])
            if not (exact and exact[0]):
                return None
            forms = tuple(UNSTEMMED_MARK + form for form in sorted(exact[1]))
        exact_coefficient = coefficient * EXACT_WEIGHT if with_exact is not None else 0.0
        terms.append(BoundedTerm(coefficient, readings, forms, exact_coefficient))
    return Bounded(tuple(terms), apart, constant)


def _read_tsquery(text: str) -> tuple[bool, set[str]] | None:
    """Whether a tsquery's text is ranked as an OR of its lexemes (one lexeme, or an OR at its
    top), and its lexemes; None with a prefix, a weight, a negation or no lexeme."""
    lexemes = set()
    for match in _QUOTED.finditer(text):
        if match.group(2):
            return None  # a prefix or a weight restriction
        lexemes.add(match.group(1).replace("''", "'"))
    operators = _QUOTED.sub(" ", text)
    if not lexemes or _NOT_READ.search(operators):
        return None
    depth, top_or = 0, len(lexemes) == 1 and not _OPERATOR.search(operators)
    for char in operators:
        depth += {"(": 1, ")": -1}.get(char, 0)
        top_or = top_or or (char == "|" and depth == 0)
    return top_or, lexemes


def prefix_candidates(query: ParsedQuery, filters: ArticleFilters, *, limit: int, narrowed_pool: int) -> Sql | None:
    """For a query with a prefix, which no bound covers (its rank sums every lexeme and every
    unstemmed form it starts, most of them body words under the floor): the `limit` matches
    whose postings of the query's lexemes and forms, and of every lexeme and form a prefix
    starts, sum highest, as the score sums them (French "reporte", stemmed `report`, weighs in
    `reporte*`'s score by its form alone). Through the postings' index, a range of it per prefix (the
    lexemes are ordered by code point: the column's collation is C). When filters narrow the
    matches, the `narrowed_pool` highest sums are tested against them: cut before the filters,
    the first `limit` held a few of a year's matches (`manif*` over 2022: 15 of the page's 20
    missed at 1M)."""
    if not query.has_prefix:
        return None
    texts = fetch_all(compose("SELECT ({exact})::text", exact=query.exact))[0][0]
    postings = []
    for match in _QUOTED.finditer(texts):
        lexeme = match.group(1).replace("''", "'")
        prefix = match.group(2) == ":*"
        shortest = prefix and len(lexeme) <= MIN_PREFIX_LENGTH
        for mark in ("",) if shortest else ("", UNSTEMMED_MARK):
            if prefix:
                found = compose(
                    "s.lexeme >= {start} AND s.lexeme < {end}", start=mark + lexeme, end=mark + lexeme + _LAST_CHARACTER
                )
            else:
                found = compose("s.lexeme = {lexeme}", lexeme=mark + lexeme)
            postings.append(
                compose(
                    "SELECT s.article_id, s.impact FROM articles_searchposting s WHERE s.impact >= {least} AND {found}",
                    least=SHORTEST_PREFIX_IMPACT if shortest else PREFIX_IMPACT,
                    found=found,
                )
            )
    if not postings:
        return None
    return compose(
        "(WITH p AS MATERIALIZED (SELECT s.article_id, sum(s.impact) AS total FROM ({postings}) s"
        " GROUP BY s.article_id ORDER BY total DESC, s.article_id DESC LIMIT {pool})"
        " SELECT a.id FROM p JOIN articles_article a ON a.id = p.article_id WHERE {matches}"
        " ORDER BY p.total DESC, a.id DESC LIMIT {limit})",
        postings=Sql.join(" UNION ALL ", postings),
        pool=narrowed_pool if filters.narrowed else limit,
        matches=where.matching_found(filters, query),
        limit=limit,
    )


def _unstemmed(filters: ArticleFilters, query: ParsedQuery, limit: int) -> Sql:
    return compose(
        "SELECT a.id FROM articles_article a WHERE {matches} LIMIT {limit}",
        matches=where.matching_unstemmed(filters, query),
        limit=limit,
    )


@dataclass(frozen=True)
class Postings:
    """Postings read, as arrays: each one's lexeme (its index in the lexemes read), article and impact."""

    lexemes: np.ndarray
    articles: np.ndarray
    impacts: np.ndarray


def _read(lexemes: list[str], block: int) -> tuple[dict[str, float], Postings]:
    """The first `block` postings of each lexeme, best first: {lexeme: the last impact read,
    0 when the lexeme has no more}, and the postings, as arrays (one row each, aggregated by
    the database: a row a posting cost 3-5 ms a block in Python)."""
    [(indexes, articles, impacts)] = fetch_all(
        compose(
            "SELECT coalesce(array_agg(l.i - 1), '{}'), coalesce(array_agg(p.article_id), '{}'),"
            " coalesce(array_agg(p.impact), '{}') FROM unnest({lexemes}::text[]) WITH ORDINALITY l(lexeme, i)"
            " CROSS JOIN LATERAL (SELECT s.article_id, s.impact FROM articles_searchposting s WHERE s.lexeme = l.lexeme"
            " ORDER BY s.impact DESC, s.article_id DESC LIMIT {block}) p",
            lexemes=lexemes,
            block=block,
        )
    )
    postings = Postings(
        np.array(indexes, dtype=np.intp), np.array(articles, dtype=np.int64), np.array(impacts, dtype=np.float64)
    )
    counts = np.bincount(postings.lexemes, minlength=len(lexemes))
    lowest = np.full(len(lexemes), np.inf)
    np.minimum.at(lowest, postings.lexemes, postings.impacts)
    # 0: every posting of the lexeme read
    frontier = {x: float(lowest[i]) if counts[i] >= block else 0.0 for i, x in enumerate(lexemes)}
    return frontier, postings


def _matching(matches: Sql, ids: list[int]) -> dict[int, bool]:
    """Whether each of `ids` matches (`matches`: the filters and the query over `a`, as
    `where.matching_found` tests rows found by id), in one statement: testing a row costs
    less than ranking it (both vectors read, two ranks), and a phrase's pairs leave most
    articles that do not match unread."""
    if not ids:
        return {}
    rows = fetch_all(
        compose(
            "SELECT a.id FROM articles_article a WHERE a.id = ANY({ids}::bigint[]) AND {matches}",
            ids=sorted(ids),
            matches=matches,
        )
    )
    found = {row[0] for row in rows}
    return {article: article in found for article in ids}


def _ranked(score: Sql, ids: set[int], matches: Sql | None = None) -> dict[int, float]:
    """The scores (`score`: the engine's rank over `a`) of those of `ids` that match
    (`matches`; None: they are matches already)."""
    if not ids:
        return {}
    rows = fetch_all(
        compose(
            "SELECT a.id, {score} FROM articles_article a WHERE a.id = ANY({ids}::bigint[]){matching}",
            score=score,
            ids=sorted(ids),
            matching=compose(" AND {matches}", matches=matches) if matches is not None else Sql(""),
        )
    )
    return dict(rows)
