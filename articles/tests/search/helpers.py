"""The search engine's test helpers: a bulk archive the planner has statistics for, the plain
query every plan must equal, and a walk through every page of a search."""

from django.db import connection

from articles import search
from articles.models import Article
from articles.search import search_articles, where
from articles.search.named import with_named_entities


def bulk_archive(articles: list) -> None:
    """Insert unsaved articles at once (their body text and hash computed as save() would),
    then ANALYZE, so that the planner's estimates, which the search plans follow, are real."""
    for article in articles:
        article.body_text = article.compute_body_text()
        article.content_hash = article.compute_content_hash()
    Article.objects.bulk_create(articles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")


def plain_matches(q: str, filters: dict | None = None) -> list[int]:
    """Every published match of `q`, newest first, by the plainest query there is (the
    engine's WHERE clause, no plan, no pairs): what every search plan must page through."""
    filters = search.ArticleFilters(q=q, **(filters or {}))
    matches = where.matching(filters, with_named_entities(search.parse_query(q), q, language=filters.language))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id FROM articles_article a WHERE {matches.text} ORDER BY a.published_at DESC, a.id DESC",  # noqa: S608 (our own WHERE)
            matches.params,
        )
        return [row[0] for row in cursor.fetchall()]


def every_page(filters, page_size: int = 7, **options) -> tuple[list[int], list]:
    """The ids of every page of a search, following `next`, and the pages (`options`, such as
    a SearchTuning, go to search_articles)."""
    ids, pages, cursor = [], [], None
    for _ in range(200):
        page = search_articles(filters, cursor=cursor, page_size=page_size, **options)
        ids += page.ids
        pages.append(page)
        cursor = page.next_cursor
        if not cursor:
            return ids, pages
    raise AssertionError("the pages never end")
