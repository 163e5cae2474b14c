"""What a search reads beside its plan: the statistics behind the terms' weights are read once
per ANALYZE, not per search; and a named entity's mentions that must also hold another of the
query's words are found through both GIN indexes, not by testing each of the entity's articles."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.search import ArticleFilters, parse_query, where
from articles.search.named import with_named_entities
from articles.search.weights import listed_cache, with_term_weights
from articles.tests.search.helpers import bulk_archive
from entities.models import EntityKind, Mention
from entities.services import refresh_article_counts
from entities.tests.factories import EntityFactory

START = datetime(2024, 1, 1, tzinfo=UTC)


def _articles(texts: list[str], *, first: int = 0) -> list[Article]:
    return [
        Article(
            headline=f"Note {first + i}",
            slug=f"note-{first + i}",
            body=[{"type": "paragraph", "text": text}],
            language="en",
            status=Article.Status.PUBLISHED,
            published_at=START + timedelta(hours=first + i),
        )
        for i, text in enumerate(texts)
    ]


def _list_reads(queries: CaptureQueriesContext) -> int:
    return sum("most_common_elems" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_the_frequency_list_is_read_once_per_analyze_and_again_after_the_next():
    bulk_archive(_articles(["The law changed."] * 30 + ["Abortion law passed."] * 2))
    listed_cache.clear()
    query = parse_query("abortion law")

    with CaptureQueriesContext(connection) as first:
        abortion, law = with_term_weights(query).weights
    with CaptureQueriesContext(connection) as second:
        assert with_term_weights(query).weights == (abortion, law)
    assert abortion > law  # 2 articles against 32
    assert (_list_reads(first), len(second.captured_queries), _list_reads(second)) == (1, 1, 0)

    # Abortion in most stories now: the next ANALYZE changes the weights at once.
    bulk_archive(_articles(["Abortion debate."] * 60, first=100))
    with CaptureQueriesContext(connection) as third:
        abortion, law = with_term_weights(query).weights
    assert _list_reads(third) == 1
    assert abortion < law  # 62 articles against 32


@pytest.mark.django_db
def test_an_entitys_mentions_holding_another_word_are_intersected_in_the_indexes(monkeypatch):
    monkeypatch.setattr("articles.search.named.ENTITY_ALONE_BELOW", 1)  # Kabul is broad here
    kabul = EntityFactory(kind=EntityKind.PLACE, name="Kabul")
    articles = _articles(["Kabul market reopened."] * 300 + ["Kabul hotel attacked."] * 3)
    bulk_archive(articles)
    Mention.objects.bulk_create(
        Mention(article=a, entity=kabul, field="body", start=0, end=5, surface="Kabul") for a in articles
    )
    refresh_article_counts([kabul.id])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    q = "Kabul hotel"
    query = with_named_entities(parse_query(q), q)
    assert query.named.groups[0].others is not None  # a run of the words names Kabul, "hotel" is left
    matches = where.matching(ArticleFilters(q=q), query)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM articles_article a WHERE {matches.text}", matches.params)  # noqa: S608
        assert cursor.fetchone()[0] == 3
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a large archive: through the indexes
        cursor.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT a.id FROM articles_article a WHERE {matches.text}",  # noqa: S608
            matches.params,
        )
        scan = cursor.fetchone()[0][0]["Plan"]
    # The entity's 303 articles are not each read to test "hotel": its postings meet the word's.
    assert scan["Node Type"] == "Bitmap Heap Scan"
    assert scan["Actual Rows"] == 3
    assert scan["Rows Removed by Filter"] + scan.get("Rows Removed by Index Recheck", 0) < 30
