"""What a search finds beside its page (core/beside.py): the snippets and the facets run on a
worker's connection while the caller reads the page's articles, and are waited for only when
the caller first reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.search import ArticleFilters, engine, search_articles
from articles.search.facets import FACETS
from articles.search.planner import SearchTuning
from articles.search.snippets import headlines
from articles.tests.factories import ArticleFactory
from core.beside import shut_down


@pytest.mark.django_db(transaction=True)
def test_the_snippets_and_facets_are_found_on_another_connection_and_given_when_read():
    shut_down()  # fresh workers, on this test's database
    article = ArticleFactory(
        headline="Port news", language="en", body=[{"type": "paragraph", "text": "The harbour reopened at dawn."}]
    )
    with CaptureQueriesContext(connection) as here:
        page = search_articles(ArticleFilters(q="harbour"), facets=FACETS)
        read_here = len(here.captured_queries)
        snippets, facets = page.snippets, page.facets
    assert page.ids == [article.id]
    assert "<mark>harbour</mark>" in snippets[article.id]
    assert [value.count for value in facets.values["language"]] == [1]
    # Neither ran on the caller's connection, and reading them ran nothing more on it.
    assert not any("ts_headline" in query["sql"] for query in here.captured_queries)
    assert len(here.captured_queries) == read_here


@pytest.mark.django_db(transaction=True)
def test_a_search_with_no_page_reads_no_snippets():
    shut_down()
    page = search_articles(ArticleFilters(q="harbour"))
    assert page.ids == [] and page.snippets == {} and page.facets is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [2, 0])
def test_a_small_result_set_is_counted_beside_a_page_whose_plan_does_not_count(settings, threads):
    shut_down()
    settings.SEARCH_BESIDE_THREADS = threads
    for i in range(3):
        ArticleFactory(headline=f"Harbour news {i}", language="en")
    # Date order down the index (a walk, which does not count), the count taken for any estimate.
    tuning = SearchTuning(walk_above=0, walk_window_rows=10**9, count_exact_below=10**6)
    with CaptureQueriesContext(connection) as here:
        page = search_articles(ArticleFilters(q="harbour", ordering="-published_at"), page_size=2, tuning=tuning)
    assert page.count == 3 and not page.count_is_estimate and len(page.ids) == 2
    counted_here = any("count(*) FROM (SELECT 1" in query["sql"] for query in here.captured_queries)
    assert counted_here == (threads == 0)  # with no workers, here


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [3, 0])
def test_a_pages_snippets_are_found_in_parts_and_given_whole(settings, monkeypatch, threads):
    shut_down()
    settings.SEARCH_BESIDE_THREADS = threads
    articles = [
        ArticleFactory(
            headline=f"Port news {i}",
            language="en",
            body=[{"type": "paragraph", "text": f"The harbour reopened at dawn, said pilot number {i}."}],
        )
        for i in range(5)
    ]
    asked: list[list[int]] = []

    def recorded(ids, query):
        asked.append(list(ids))
        return headlines(ids, query)

    monkeypatch.setattr(engine, "headlines", recorded)
    page = search_articles(ArticleFilters(q="harbour", ordering="-published_at"), page_size=5)
    snippets = page.snippets
    # With workers, each part a share of the page, together the page once; without, one
    # statement (parts in turn would only cost more). Every article's snippet given.
    assert sorted(len(ids) for ids in asked) == ([2, 3] if threads else [5])
    assert sorted(i for ids in asked for i in ids) == sorted(page.ids) == sorted(a.id for a in articles)
    assert set(snippets) == set(page.ids)
    assert all("<mark>harbour</mark>" in snippets[article.id] for article in articles)
