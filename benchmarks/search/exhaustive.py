"""How often relevance's first page differs from an exhaustive ranking by the same score.

Broad relevance queries rank only candidates (docs/search.md#ranking): their newest matches
(300, at least 100 of the newest 100,000 rows) and, of any age, up to 300 matches of each
strongest signal (the words in the headline, in the standfirst, a named entity mentioned),
chosen by length among 1,000 of its articles; an article outside them that would score higher
is missed. For each query of the set, the engine's first 20 results are compared with the
first 20 of every match ranked by the same score (`articles.search.ranking.rank`, the same
order: score, then id, descending), in process, without HTTP. Issue 16 asks for under 5% of
queries to differ at 1M articles."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

TOP = 20
LIMIT = 0.05  # the share of queries whose first page may differ


@dataclass(frozen=True)
class Divergence:
    query: dict
    engine: list[int]
    exhaustive: list[int]
    proven: bool = False  # the engine's first page was proven exact (articles/search/impact.py)

    @property
    def differs(self) -> bool:
        return self.engine != self.exhaustive

    @property
    def missed(self) -> int:
        """Articles of the exhaustive first page that the engine's lacks."""
        return len(set(self.exhaustive) - set(self.engine))


def exhaustive_top(filters, top: int = TOP) -> list[int]:
    """The first `top` ids of every match ranked by the engine's score: what a plan that
    ranks all would return, whatever the number of matches."""
    from articles.search import parse_query, resolve_entities, where, with_phrase_pairs
    from articles.search.named import with_named_entities
    from articles.search.ranking import rank
    from articles.search.weights import with_term_weights
    from core.sql import compose, fetch_all

    query = parse_query(filters.q)
    filters = resolve_entities(filters)
    query = with_term_weights(with_named_entities(with_phrase_pairs(query), filters.q, language=filters.language))
    statement = compose(
        "SELECT a.id FROM articles_article a WHERE {where} ORDER BY {rank} DESC, a.id DESC LIMIT {top}",
        where=where.matching(filters, query),
        rank=rank(query, "a"),
        top=top,
    )
    return [row[0] for row in fetch_all(statement)]


def newest_only():
    """The engine's tuning with the newest candidates alone (no signal candidates, no proof):
    the candidates before decision 0025, to compare with."""
    from dataclasses import replace

    from articles.search.planner import DEFAULT_TUNING

    return replace(DEFAULT_TUNING, rank_signal_candidates=0, prove_first_page=False)


def signals_only():
    """The engine's tuning without the impact-ordered postings: the candidates of decision
    0025 (the newest and the strongest signals'), to compare with."""
    from dataclasses import replace

    from articles.search.planner import DEFAULT_TUNING

    return replace(DEFAULT_TUNING, prove_first_page=False)


def _proven(filters, tuning) -> bool:
    """Whether the engine proves this first page exact (the same reading of the request)."""
    from articles.search import impact
    from articles.search.engine import _search

    search = _search(filters, cursor=None, page_size=TOP, tuning=tuning)
    if not (search.tuning.prove_first_page and search.query):
        return False
    found = impact.first_page(search.query, search.filters, TOP)
    return bool(found and found.proven)


def _filters(query: dict):
    from articles.api.filters import ArticleFilterForm

    return ArticleFilterForm.validated({"q": query["q"], **query["filters"]}).search_filters()


def measure(queries: list[dict], tuning=None) -> list[Divergence]:
    """Each text query's engine first page (relevance) beside the exhaustive one."""
    from articles.search import search_articles
    from articles.search.planner import DEFAULT_TUNING

    found = []
    for query in queries:
        if not query["q"]:
            continue
        filters = _filters(query)
        tuning = tuning or DEFAULT_TUNING
        engine = search_articles(filters, page_size=TOP, tuning=tuning).ids
        found.append(Divergence(query, engine, exhaustive_top(filters), _proven(filters, tuning)))
    return found


def time_candidates(queries: list[dict], repeat: int) -> dict[str, list[float]]:
    """The engine's first relevance page per text query, in process, in ms (median of
    `repeat`), with the default candidates and with the newest alone, interleaved so that
    the machine's load weighs on both alike."""
    from articles.search import search_articles
    from articles.search.planner import DEFAULT_TUNING

    tunings = {"default": DEFAULT_TUNING, "signals only": signals_only(), "newest only": newest_only()}
    timings: dict[str, list[float]] = {name: [] for name in tunings}
    for query in queries:
        if not query["q"]:
            continue
        filters = _filters(query)
        runs: dict[str, list[float]] = {name: [] for name in tunings}
        for _ in range(repeat):
            for name, tuning in tunings.items():
                started = time.perf_counter()
                search_articles(filters, page_size=TOP, tuning=tuning)
                runs[name].append((time.perf_counter() - started) * 1000)
        for name in tunings:
            timings[name].append(statistics.median(runs[name]))
    return timings


def report_timing(timings: dict[str, list[float]]) -> None:
    print("\nthe engine alone (search_articles, first relevance page, in process, ms): p50 / p95 / max")
    for name, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"  {name:<12} {statistics.median(ordered):7.1f} / {p95:7.1f} / {ordered[-1]:7.1f}")


def report(found: list[Divergence], label: str = "") -> bool:
    """Print the share of queries whose first page differs; True when it is under LIMIT."""
    differing = [d for d in found if d.differs]
    share = len(differing) / len(found) if found else 0.0
    proven = [d for d in found if d.proven]
    print(
        f"\nrelevance over all matches{f' ({label})' if label else ''}: the first {TOP} differ from an"
        f" exhaustive ranking by the same score"
        f" in {len(differing)} of {len(found)} text queries ({share:.1%}; limit {LIMIT:.0%})"
    )
    if proven:
        wrong = sum(d.differs for d in proven)
        print(f"  proven exact by the engine: {len(proven)} of {len(found)} (of which differing: {wrong})")
    for d in differing:
        print(f"  {d.query['class']:<10} {d.query['q']!r} {d.query['filters'] or ''}: {d.missed} of {TOP} missed")
    unproven = [d for d in found if not d.proven and not d.differs]
    if proven and unproven:
        print("  not proven, yet equal: " + ", ".join(f"{d.query['class']} {d.query['q']!r}" for d in unproven))
    return share < LIMIT
