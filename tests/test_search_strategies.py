"""The search engine's plans give the same answers.

`articles.search` picks how to find the newest matches from the planner's estimate: a walk
down the date index, a bounded walk or GIN scan over a window of the newest rows (widened
when it holds too few), or every match collected through GIN. On a test-sized archive the
default thresholds always take the last path, so here they are scaled down until each plan
runs, and every plan must page through exactly what a plain query finds: every match,
newest first, no duplicates, nothing missing, for words, phrases, exclusions, prefixes and
filters. The HTTP behaviour is covered in test_api_search.py; speed in benchmarks/search.py.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search
from articles.models import Article
from articles.search import ArticleFilters, search_articles
from tests.conftest import bulk_archive, every_page, plain_matches

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

PLANS = {
    # the defaults: on 600 articles every window holds every row
    "default": {},
    # every dense query walks the date index
    "walk": {"WALK_ABOVE": 1, "RANK_ALL_BELOW": 1, "RANK_CANDIDATES": 40, "RANK_MIN_CANDIDATES": 10},
    # narrow windows that fall short and widen, then a scan of every match
    "windows": {
        "WALK_ABOVE": 10**9,
        "WINDOW_ROWS": 30,
        "BITMAP_WINDOW_ROWS": 150,
        "BITMAP_WINDOW_MIN_ESTIMATE": 1,
        "RANK_ALL_BELOW": 1,
        "RANK_CANDIDATES": 40,
        "RANK_MIN_CANDIDATES": 10,
    },
    # relevance's candidates from the longer walk window
    "walk-window": {
        "WALK_ABOVE": 10**9,
        "WINDOW_ROWS": 30,
        "WALK_WINDOW_ROWS": 300,
        "BITMAP_WINDOW_ROWS": 450,
        "BITMAP_WINDOW_MIN_ESTIMATE": 1,
        "RANK_ALL_BELOW": 1,
        "RANK_CANDIDATES": 40,
        "RANK_MIN_CANDIDATES": 10,
    },
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
def test_every_plan_pages_through_exactly_the_matches(monkeypatch, archive, plan, q, filters):
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search, name, value)
    expected = plain_matches(q, filters)

    newest, pages = every_page(ArticleFilters(q=q, ordering=search.NEWEST, **filters))
    assert newest == expected
    first = pages[0]
    if not first.count_is_estimate:
        assert first.count == len(expected)

    ranked, _ = every_page(ArticleFilters(q=q, ordering=search.RELEVANCE, **filters))
    assert len(ranked) == len(set(ranked)), "an article on two pages"
    # Relevance ranks every match or the newest candidates: always the newest matches.
    assert set(ranked) == set(expected[: len(ranked)])
    assert len(ranked) >= min(len(expected), search.RANK_MIN_CANDIDATES)


def test_a_shared_window_boundary_saves_its_query_and_stays_correct_as_articles_arrive(monkeypatch, settings, archive):
    """First pages share their windows' boundaries for a while (SEARCH_WINDOW_CACHE_SECONDS):
    the second search skips those queries, and an article published after the boundary was
    taken is still found, first in date order (a window is every row from its boundary up)."""
    for name, value in PLANS["windows"].items():
        monkeypatch.setattr(search, name, value)
    monkeypatch.setattr(search, "_WINDOW_CACHE", {})
    settings.SEARCH_WINDOW_CACHE_SECONDS = 60
    filters = ArticleFilters(q="harbour", ordering=search.NEWEST)

    def queries_of(run) -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as ctx:
            ids = run()
        return ids, sum("OFFSET" in q["sql"] for q in ctx.captured_queries)

    first, boundary_queries = queries_of(lambda: search_articles(filters, page_size=7).ids)
    assert boundary_queries >= 1
    again, boundary_queries = queries_of(lambda: search_articles(filters, page_size=7).ids)
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
    assert search._WINDOW_CACHE, "the boundary is still the one taken before"
    expected = plain_matches("harbour", {})
    assert expected[0] == fresh.id
    assert every_page(filters)[0] == expected
    ranked, _ = every_page(ArticleFilters(q="harbour", ordering=search.RELEVANCE))
    assert fresh.id in ranked
    assert set(ranked) == set(expected[: len(ranked)])


def test_relevance_takes_the_walk_window_when_its_candidates_lie_within_it(monkeypatch, archive):
    """The plan above is the one taken: a dense word's candidates come from the longer walk
    window, a sparse word's do not (it would walk the whole window for too few)."""
    for name, value in PLANS["walk-window"].items():
        monkeypatch.setattr(search, name, value)
    windows = []
    real_window = search._window
    monkeypatch.setattr(
        search, "_window", lambda filters, position, rows: windows.append(rows) or real_window(filters, position, rows)
    )
    search_articles(ArticleFilters(q="harbour", ordering=search.RELEVANCE))
    assert windows == [300]
    windows.clear()
    search_articles(ArticleFilters(q="lighthouse", ordering=search.RELEVANCE))
    assert 300 not in windows


@pytest.mark.parametrize("plan", PLANS)
def test_a_first_page_without_a_next_one_counts_exactly(monkeypatch, archive, plan):
    """Without the small-count query, a count is the planner's estimate, which for a word
    absent from the archive is far from 0 (3,977 at a million rows): a first page with no
    next one gives the exact number instead, and an estimate is never below what is seen."""
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search, name, value)
    monkeypatch.setattr(search, "COUNT_EXACT_BELOW", 0)
    for ordering in search.ORDERINGS:
        page = search_articles(ArticleFilters(q="zebra", ordering=ordering))
        assert (page.ids, page.count, page.count_is_estimate) == ([], 0, False)
        page = search_articles(ArticleFilters(q="lighthouse", ordering=ordering), page_size=100)
        assert page.next_cursor is None and page.ids
        assert (page.count, page.count_is_estimate) == (len(page.ids), False)
        page = search_articles(ArticleFilters(q="harbour", ordering=ordering), page_size=5)
        assert page.next_cursor and page.count > len(page.ids)
