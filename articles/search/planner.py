"""Which plans find a search's page, decided from the planner's estimate alone: pure
functions of an Estimate and a SearchTuning, no database (docs/decisions/0004-window-plans-and-cache.md).

Every plan pages through exactly the matches a plain query finds; they differ in what they
read to find the newest ones (for date order, and for the candidates broad relevance
queries rank): a walk down the (published_at, id) index, a window of the newest rows
(walked, or collected through GIN), or every match collected through GIN."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from articles.search.filters import NEWEST, RELEVANCE


class Plan(Enum):
    RANK_ALL = "rank every match"
    WALK = "walk the date index, testing each row"
    SCAN = "collect every match through GIN, then sort"
    WINDOW_WALK = "walk the newest rows, testing each"
    WINDOW_SCAN = "collect the matches among the newest rows through GIN and the date index"


@dataclass(frozen=True)
class SearchTuning:
    """Every threshold of the plan choice (docs/decisions/0004-window-plans-and-cache.md)."""

    rank_candidates: int = 300  # the newest matches a broad relevance query ranks
    # ... with, for each of the strongest signals (the query in the headline, in the standfirst,
    # a named entity mentioned), the shortest matches that have it, whatever their age
    rank_signal_candidates: int = 300
    # ... or, when the score has a bound the impact-ordered postings give, the matches met in
    # them until the first page is proven exact (articles/search/impact.py)
    prove_first_page: bool = True
    # ... or, for a query with a prefix, the matches whose postings of the words it starts sum
    # highest (articles/search/impact.py, prefix_candidates), taken from this many when filters
    # narrow the matches
    prefix_candidates: int = 300
    prefix_narrowed_pool: int = 3000
    # A prefix's newest matches in each of its fields (plans._best_fields) are looked for among
    # this many newest articles, each row tested; a field with too few there, through its index.
    prefix_walk_rows: int = 5000
    # ... ANDed with the date index when the filters' dates hold fewer published articles than
    # this (the planner's estimate), and otherwise tested on each row the field's index finds.
    prefix_dates_indexed_below: int = 100000
    signal_rows: int = 1000  # the articles read per signal (through its index, in table order)
    rank_all_below: int = 2000  # estimated matches under which every match is ranked (no phrase)
    # ... and, when the impact postings did not prove the first page, under which every match is
    # ranked all the same, unless an AND (estimated low): a word found in bodies only has no
    # posting, and its best matches are rarely the newest (rank_all_unproven).
    rank_all_unproven_below: int = 5000
    rank_min_candidates: int = 100  # the fewest candidates ranked when there are more matches (5 pages)
    window_rows: int = 5000  # the newest rows a bounded walk reads before giving up
    walk_window_rows: int = 20000  # the longest walk: relevance's candidates within half of it
    bitmap_window_rows: int = 100000  # the newest rows whose matches are taken through GIN and the date index
    # The estimate from which a query without a phrase takes it: from 2,000 matches, reading the
    # window's date range costs less than fetching every match (and ANDs are estimated low).
    bitmap_window_min_estimate: int = 2000
    # ... and for an AND of words, which the planner estimates as if they were independent,
    # several times too low for words found together (`province tandis`: 305 estimated, 2,096
    # found at 100,000 articles): from this estimate its window should hold a page.
    bitmap_window_min_anded: int = 500
    # The estimate from which that window's rows are read through the date index, as a bitmap
    # ANDed with GIN's (the estimate of an AND, low, taken twice). Under it, and with no filter
    # but the words, GIN's matches are fetched and each one's date tested, before any phrase's
    # recheck: the bitmap of the newest 100,000 rows costs about 20 ms at 1M (18-21 ms for rare
    # words the window holds 6 to 21 of, 1 ms without it), a match fetched a microsecond or two
    # (`crise millions`, estimated 7,136: 33 ms with the bitmap, 44 without). Scanning every
    # match instead, without the window's date test, rechecked every phrase match of any date.
    bitmap_window_dates_from: int = 12000
    walk_above: int = 20000  # from this estimate (no phrase) the date index is walked
    count_exact_below: int = 1000  # estimates under this are counted (up to ten times as many)


DEFAULT_TUNING = SearchTuning()


@dataclass(frozen=True)
class Estimate:
    matches: int  # the planner's estimate of the matching articles (at least 1)
    published: int  # ... and of the published articles in the filters' dates
    # False for a phrase its pairs do not stand for: the planner reads it as its words
    # AND-ed, as if independent, and can be wrong either way (docs/decisions/0003-phrase-pairs.md).
    trusted: bool = True
    # An AND of two words or more (no OR): estimated as if the words were independent, low.
    anded: bool = False


@dataclass(frozen=True)
class Attempt:
    """One plan to try; a window plan gives the page only when its rows hold `needed` matches."""

    plan: Plan
    rows: int = 0  # a window's size: the newest rows it reads
    needed: int = 0
    bounded: bool = False  # False when the estimate says the window holds every row
    # A window scan: its rows found through the date index (a bitmap ANDed with GIN's), or GIN's
    # matches each tested on its date (SearchTuning.bitmap_window_dates_from).
    dates_indexed: bool = True

    @property
    def in_window(self) -> bool:
        return self.plan in (Plan.WINDOW_WALK, Plan.WINDOW_SCAN)

    def gives_page(self, found: int) -> bool:
        return found >= self.needed


@dataclass(frozen=True)
class Shortfall:
    """A window that held too few matches: `found` among its `rows`, a sample of the newest rows."""

    rows: int
    found: int


def choose_plans(
    *,
    estimate: Estimate,
    ordering: str,
    page_size: int,
    has_query: bool,
    backwards: bool,
    tuning: SearchTuning,
    narrowed: bool = False,
) -> list[Attempt]:
    """The plans to try in order: windows of the newest rows when they should hold the
    page (a text query, forwards), then a plan that always gives it. `narrowed`: a filter
    besides the words (ArticleFilters.narrowed) narrows the matches."""
    wanted = tuning.rank_candidates if ordering == RELEVANCE else page_size + 1
    last = _last_plan(estimate, ordering, wanted, tuning)
    if last is not Plan.SCAN or not has_query or backwards:
        return [Attempt(last)]
    return [*_windows(estimate, ordering, wanted, tuning, narrowed=narrowed), Attempt(last)]


def worth_trying(attempt: Attempt, shortfall: Shortfall | None) -> bool:
    """Whether a window is still worth reading after the last one fell short."""
    if shortfall is None or not attempt.in_window:
        return True
    if attempt.plan is Plan.WINDOW_WALK:
        return False  # the long walk is a first try: after a short window it would fall short too
    # The narrow window is a sample of the newest rows, better than the planner's guess for
    # a phrase: at its density the wider one falls short too.
    return shortfall.found * attempt.rows >= attempt.needed * shortfall.rows


def rank_all_unproven(estimate: Estimate, tuning: SearchTuning, *, prefix: bool) -> bool:
    """Whether a relevance search whose first page the impact postings did not prove ranks
    every match rather than candidates: when they are few for certain (a trusted estimate,
    not an AND's, which is low), ranking them costs about what the candidates' plans do, and
    its page is exact. Not a prefix's: its rank sums every word the prefix starts, several
    times the cost (`manif*` over a year at 1M: 6,218 matches, 135 ms against 26)."""
    return not prefix and estimate.trusted and not estimate.anded and estimate.matches < tuning.rank_all_unproven_below


def counts_exactly(estimate: Estimate, tuning: SearchTuning) -> bool:
    """Whether the matches are counted (up to `count_limit`) rather than estimated."""
    return estimate.matches < tuning.count_exact_below


def count_limit(tuning: SearchTuning) -> int:
    return tuning.count_exact_below * 10


def _last_plan(estimate: Estimate, ordering: str, wanted: int, tuning: SearchTuning) -> Plan:
    if ordering == RELEVANCE and estimate.matches < tuning.rank_all_below and estimate.trusted:
        return Plan.RANK_ALL
    return Plan.WALK if _walks(estimate, wanted, tuning) else Plan.SCAN


def _walks(estimate: Estimate, wanted: int, tuning: SearchTuning) -> bool:
    """Dense matches are found by walking the date index: it reads about
    wanted * published / matches rows, which must lie within half the longest walk."""
    return (
        estimate.matches >= tuning.walk_above
        and estimate.trusted
        and 2 * wanted * estimate.published <= estimate.matches * tuning.walk_window_rows
    )


def _windows(estimate: Estimate, ordering: str, wanted: int, tuning: SearchTuning, *, narrowed: bool) -> list[Attempt]:
    sizes = [(Plan.WINDOW_WALK, tuning.window_rows)]
    if ordering == RELEVANCE and estimate.trusted:
        # Only relevance's candidates need more than the narrow walk, and only where the
        # estimate is to be trusted (the planner puts a word missing from its statistics at
        # a fixed small share of the rows, as dense as a page in date order would need here).
        sizes.append((Plan.WINDOW_WALK, tuning.walk_window_rows))
    least = tuning.bitmap_window_min_anded if estimate.anded else tuning.bitmap_window_min_estimate
    if not estimate.trusted or estimate.matches >= least:
        # Without a phrase to recheck, collecting a few hundred matches is as cheap.
        sizes.append((Plan.WINDOW_SCAN, tuning.bitmap_window_rows))
    return [
        _window(plan, rows, ordering, wanted, estimate, tuning, narrowed=narrowed)
        for plan, rows in sizes
        if not estimate.trusted or estimate.matches * rows >= 2 * wanted * estimate.published
    ]


def _window(
    plan: Plan, rows: int, ordering: str, wanted: int, estimate: Estimate, tuning: SearchTuning, *, narrowed: bool
) -> Attempt:
    # Matches a window must hold: a page and one more row in date order; for relevance its
    # candidates, or rank_min_candidates from the wider window (the newest matches of its
    # rows are then the candidates).
    needed = wanted if plan is Plan.WINDOW_WALK or ordering == NEWEST else tuning.rank_min_candidates
    return Attempt(
        plan,
        rows=rows,
        needed=needed,
        bounded=estimate.published >= rows,
        dates_indexed=plan is Plan.WINDOW_SCAN and _dates_indexed(estimate, tuning, narrowed=narrowed),
    )


def _dates_indexed(estimate: Estimate, tuning: SearchTuning, *, narrowed: bool) -> bool:
    """Whether a window scan reads its rows through the date index: when its matches are
    many, or uncertain (a phrase its pairs do not stand for: each match GIN gives is tested
    for the phrase, reading its vector), or when other filters narrow them (an entity's or a
    section's index then joins the plan; without the dates' bitmap the planner chose worse)."""
    matches = estimate.matches * 2 if estimate.anded else estimate.matches
    return narrowed or not estimate.trusted or matches >= tuning.bitmap_window_dates_from
