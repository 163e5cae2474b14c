"""What a search finds beside its page (core/beside.py): the snippets and the facets run on a
worker's connection while the caller reads the page's articles, and are waited for only when
the caller first reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.search import ArticleFilters, search_articles
from articles.search.facets import FACETS
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
