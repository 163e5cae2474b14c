"""What a search reads beside its plan: the statistics behind the terms' weights are read once
per ANALYZE, not per search; and a named entity's mentions that must also hold another of the
query's words find that word through its GIN index, not by testing each of the entity's articles."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.search import parse_query
from articles.search.named import entity_match, with_named_entities
from articles.search.query import matches_own_language
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
def test_an_entitys_mentions_holding_another_word_find_that_word_through_its_index(monkeypatch):
    """The articles of a broad entity must also hold another of the query's words: that test
    is written per language, as the words' match is, so that GIN gives the word's articles to
    intersect with the entity's; over the row's language (a CASE), no index could, and each of
    the entity's articles was read to test it (London's 10,317 at 100,000 articles)."""
    monkeypatch.setattr("articles.search.named.ENTITY_ALONE_BELOW", 1)  # Kabul is broad here
    kabul = EntityFactory(kind=EntityKind.PLACE, name="Kabul")
    articles = _articles(["Kabul market reopened."] * 60 + ["Kabul hotel attacked."] * 3)
    bulk_archive(articles)
    Mention.objects.bulk_create(
        Mention(article=a, entity=kabul, field="body", start=0, end=5, surface="Kabul") for a in articles
    )
    refresh_article_counts([kabul.id])
    q = "Kabul hotel"
    query = with_named_entities(parse_query(q), q)
    [group] = query.named.groups
    others = matches_own_language(group.others, "a")  # "hotel", in each language's reading
    assert others.text in entity_match(query).text
    # With entity filters the entity's articles among theirs are few: each is tested instead
    # (a common word's postings cost more to read), for the same matches.
    filtered = with_named_entities(parse_query(q), q, filtered=True)
    assert others.text not in entity_match(filtered).text
    with connection.cursor() as cursor:
        for named in (query, filtered):
            match = entity_match(named)
            cursor.execute("SELECT count(*) FROM articles_article a WHERE " + match.text, match.params)  # noqa: S608
            assert cursor.fetchone()[0] == 3

    with connection.cursor() as cursor:
        # Only the words' indexes left (in this test's transaction), and no sequential scan: the
        # planner's choice on so small a table is then whether the condition can use them at all.
        cursor.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = 'articles_article'::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        )
        words_indexes = {"article_search_fr_gin", "article_search_en_gin", "article_search_other_gin"}
        for (index,) in cursor.fetchall():
            if index not in words_indexes:
                cursor.execute(f"DROP INDEX {index}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN (ANALYZE, FORMAT JSON) SELECT a.id FROM articles_article a WHERE "
        cursor.execute(explain + others.text, others.params)
        plan = cursor.fetchone()[0][0]["Plan"]
    assert plan["Node Type"] == "Bitmap Heap Scan" and plan["Actual Rows"] == 3
    assert {index["Index Name"] for index in plan["Plans"][0]["Plans"]} == words_indexes
