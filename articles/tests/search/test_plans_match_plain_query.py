"""The search engine's plans give the same answers.

`articles.search` picks how to find the newest matches from the planner's estimate: a walk
down the date index, a bounded walk or GIN scan over a window of the newest rows (widened
when it holds too few), or every match collected through GIN. On a test-sized archive the
default thresholds always take the last path, so here they are scaled down (a SearchTuning)
until each plan runs, and every plan must page through exactly what a plain query finds:
every match, newest first, no duplicates, nothing missing, for words, phrases, exclusions,
prefixes and filters. The HTTP behaviour is covered in tests/test_api_search.py; speed in
benchmarks/search/.
"""

import logging
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search
from articles.models import Article
from articles.search import ArticleFilters, Plan, SearchTuning, boundary_cache, engine, search_articles
from articles.tests.search.helpers import bulk_archive, every_page, plain_matches

FILLER = ["report", "council", "meeting", "weather", "market", "street", "school", "river", "bridge", "garden"]

QUERIES = [
    ("harbour", {}),  # in about 60 % of the articles
    ("lighthouse", {}),  # about 3 %
    ('"north wind"', {}),  # adjacent in about 6 %; both words apart in many more
    ('"north wind" harbour', {}),
    ("harbour -lighthouse", {}),
    ("harbo*", {}),
    ("harbour", {"language": "fr"}),
    ('"north wind"', {"published_after": datetime(2020, 6, 1, tzinfo=UTC)}),
    ("zebra", {}),  # no match
]

WINDOWS = SearchTuning(
    walk_above=10**9,
    window_rows=30,
    bitmap_window_rows=150,
    bitmap_window_min_estimate=1,
    rank_all_below=1,
    rank_all_unproven_below=1,
    rank_candidates=40,
    rank_min_candidates=10,
)
PLANS = {
    # the defaults: on 600 articles every window holds every row
    "default": SearchTuning(),
    # every dense query walks the date index
    "walk": SearchTuning(
        walk_above=1, rank_all_below=1, rank_all_unproven_below=1, rank_candidates=40, rank_min_candidates=10
    ),
    # narrow windows that fall short and widen, then a scan of every match
    "windows": WINDOWS,
    # ... the bitmap window's rows found through the date index whatever the estimate (above,
    # GIN's matches each tested on its date, as for few matches unless other filters narrow them)
    "windows-dates-indexed": replace(WINDOWS, bitmap_window_dates_from=0),
    # relevance's candidates from the longer walk window
    "walk-window": replace(WINDOWS, walk_window_rows=300, bitmap_window_rows=450),
}


@pytest.fixture
def archive(db):
    rng = random.Random(7)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    articles = []
    for i in range(600):
        words = [rng.choice(FILLER) for _ in range(40)]
        if rng.random() < 0.6:
            words.insert(rng.randrange(len(words)), "harbour")
        if rng.random() < 0.03:
            words.insert(rng.randrange(len(words)), "lighthouse")
        if rng.random() < 0.06:
            words.insert(rng.randrange(len(words)), "north wind")
        elif rng.random() < 0.3:
            words[5:5] = ["north", "calm", "wind"]  # both words, not a phrase
        article = Article(
            headline=f"Coastal note {i}",
            slug=f"coastal-note-{i}",
            body=[{"type": "paragraph", "text": " ".join(words) + "."}],
            language="fr" if i % 3 == 0 else "en",
            status=Article.Status.DRAFT if i % 50 == 7 else Article.Status.PUBLISHED,
            # not in id order, like a back-filled archive; a few share a time
            published_at=start + timedelta(hours=rng.randrange(0, 24 * 700)),
        )
        articles.append(article)
    bulk_archive(articles)


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize(("q", "filters"), QUERIES, ids=[f"{q} {f}" for q, f in QUERIES])
def test_every_plan_pages_through_exactly_the_matches(archive, plan, q, filters):
    tuning = PLANS[plan]
    expected = plain_matches(q, filters)

    newest, pages = every_page(ArticleFilters(q=q, ordering=search.NEWEST, **filters), tuning=tuning)
    assert newest == expected
    first = pages[0]
    if not first.count_is_estimate:
        assert first.count == len(expected)

    ranked, _ = every_page(ArticleFilters(q=q, ordering=search.RELEVANCE, **filters), tuning=tuning)
    assert len(ranked) == len(set(ranked)), "an article on two pages"
    # Relevance ranks every match, or the newest candidates with the strongest of any age
    # (test_relevance_candidates.py): matches only, the newest always among them.
    assert set(ranked) <= set(expected)
    assert set(expected[: min(len(expected), tuning.rank_min_candidates)]) <= set(ranked)


@pytest.fixture
def empty_boundary_cache():
    boundary_cache.clear()
    yield boundary_cache
    boundary_cache.clear()


def test_a_shared_window_boundary_saves_its_query_and_stays_correct_as_articles_arrive(
    settings, archive, empty_boundary_cache
):
    """First pages share their windows' boundaries for a while (SEARCH_WINDOW_CACHE_SECONDS):
    the second search skips those queries, and an article published after the boundary was
    taken is still found, first in date order (a window is every row from its boundary up)."""
    tuning = PLANS["windows"]
    settings.SEARCH_WINDOW_CACHE_SECONDS = 60
    filters = ArticleFilters(q="harbour", ordering=search.NEWEST)

    def queries_of(run) -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as ctx:
            ids = run()
        return ids, sum("OFFSET" in q["sql"] for q in ctx.captured_queries)

    first, boundary_queries = queries_of(lambda: search_articles(filters, page_size=7, tuning=tuning).ids)
    assert boundary_queries >= 1
    again, boundary_queries = queries_of(lambda: search_articles(filters, page_size=7, tuning=tuning).ids)
    assert (again, boundary_queries) == (first, 0)

    newest = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-published_at").first()
    fresh = Article.objects.create(
        headline="Harbour news",
        slug="harbour-news",
        body=[{"type": "paragraph", "text": "The harbour reopened."}],
        language="en",
        status=Article.Status.PUBLISHED,
        published_at=newest.published_at + timedelta(minutes=1),
    )
    assert empty_boundary_cache, "the boundary is still the one taken before"
    expected = plain_matches("harbour", {})
    assert expected[0] == fresh.id
    assert every_page(filters, tuning=tuning)[0] == expected
    ranked, _ = every_page(ArticleFilters(q="harbour", ordering=search.RELEVANCE), tuning=tuning)
    assert fresh.id in ranked
    # The newest candidates and those the postings prove or the signals point to: matches only.
    assert set(ranked) <= set(expected)
    assert set(expected[: tuning.rank_min_candidates]) <= set(ranked)


def test_relevance_takes_the_walk_window_when_its_candidates_lie_within_it(monkeypatch, archive):
    """The plan above is the one taken: a dense word's candidates come from the longer walk
    window, a sparse word's do not (it would walk the whole window for too few). Without the
    postings' proof, which reads a first page it proves with no window."""
    tuning = replace(PLANS["walk-window"], prove_first_page=False)
    windows = []
    real_boundary = engine.window_boundary

    def recorded(filters, *, below, rows):
        windows.append(rows)
        return real_boundary(filters, below=below, rows=rows)

    monkeypatch.setattr(engine, "window_boundary", recorded)
    search_articles(ArticleFilters(q="harbour", ordering=search.RELEVANCE), tuning=tuning)
    assert windows == [300]
    windows.clear()
    search_articles(ArticleFilters(q="lighthouse", ordering=search.RELEVANCE), tuning=tuning)
    assert 300 not in windows


@pytest.mark.parametrize("plan", PLANS)
def test_a_first_page_without_a_next_one_counts_exactly(archive, plan):
    """Without the small-count query, a count is the planner's estimate, which for a word
    absent from the archive is far from 0: a first page with no next one gives the exact
    number instead, and an estimate is never below what is seen."""
    tuning = replace(PLANS[plan], count_exact_below=0)
    for ordering in search.ORDERINGS:
        page = search_articles(ArticleFilters(q="zebra", ordering=ordering), tuning=tuning)
        assert (page.ids, page.count, page.count_is_estimate) == ([], 0, False)
        page = search_articles(ArticleFilters(q="lighthouse", ordering=ordering), page_size=100, tuning=tuning)
        assert page.next_cursor is None and page.ids
        assert (page.count, page.count_is_estimate) == (len(page.ids), False)
        page = search_articles(ArticleFilters(q="harbour", ordering=ordering), page_size=5, tuning=tuning)
        assert page.next_cursor and page.count > len(page.ids)


def test_the_tunings_above_run_every_plan(archive, caplog):
    """The conformance test above covers every plan: each runs for a first page of one of
    its queries under one of its tunings."""
    caplog.set_level(logging.DEBUG, logger="articles.search.engine")
    for tuning in PLANS.values():
        for q, filters in QUERIES:
            for ordering in search.ORDERINGS:
                search_articles(ArticleFilters(q=q, ordering=ordering, **filters), page_size=7, tuning=tuning)
    assert {record.search_plan.plan for record in caplog.records} == set(Plan)


@pytest.mark.parametrize(("dates_from", "indexed"), [(0, True), (10**9, False)])
def test_the_bitmap_window_tests_each_matchs_date_when_its_dates_bitmap_would_cost_more(archive, dates_from, indexed):
    """With the words alone and an estimate under `bitmap_window_dates_from`, the window's
    condition is hidden from the date index (GIN's matches, each one's date tested); from it,
    the date index reads the window's rows. The same pages either way."""
    # No narrow walk (it could not hold the page): the bitmap window, then the scan.
    tuning = replace(WINDOWS, window_rows=1, bitmap_window_dates_from=dates_from)
    filters = ArticleFilters(q="harbour", ordering=search.NEWEST)
    with CaptureQueriesContext(connection) as ctx:
        newest, _ = every_page(filters, tuning=tuning)
    windows = [q["sql"] for q in ctx.captured_queries if "(a.published_at, a.id) >=" in q["sql"]]
    assert windows, "no window scan ran"
    assert all((") IS TRUE" in sql.split("(a.published_at, a.id) >=")[1][:80]) is not indexed for sql in windows)
    assert newest == plain_matches("harbour", {})
