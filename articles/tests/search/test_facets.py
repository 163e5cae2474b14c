"""Facets of a search (articles/search/facets.py): exact counts over the matches with every
filter applied, the sampled path's scaling and its fall-back, years in the newsroom's zone."""

import math
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.search import ArticleFilters, SearchError, search_articles, where
from articles.search import facets as facets_module
from articles.search.facets import EXACT, FACETS, SAMPLE, FacetTuning
from articles.tests.factories import ArticleFactory, SectionFactory
from entities.models import Entity, EntityKind
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    """Seven published harbour stories and one draft: two sections, two languages, three
    years (one story at 23:30 UTC on New Year's Eve, already next year in Paris), and the
    people and places they mention."""
    port, city = SectionFactory(name="Port"), SectionFactory(name="City")
    alice = EntityFactory(kind=EntityKind.PERSON, name="Alice Martin")
    bruno = EntityFactory(kind=EntityKind.PERSON, name="Bruno Petit")
    brest = EntityFactory(kind=EntityKind.PLACE, name="Brest")
    gone = EntityFactory(kind=EntityKind.PERSON, name="Rejected Person")
    stories = [
        ("en", port, datetime(2022, 5, 1, 12, tzinfo=UTC), [alice, brest]),
        ("en", port, datetime(2023, 5, 1, 12, tzinfo=UTC), [alice, bruno]),
        ("fr", city, datetime(2023, 12, 31, 23, 30, tzinfo=UTC), [alice, gone]),
        ("fr", city, datetime(2024, 2, 1, 12, tzinfo=UTC), [bruno, brest]),
        ("fr", None, datetime(2024, 3, 1, 12, tzinfo=UTC), [brest]),
        ("en", port, datetime(2024, 4, 1, 12, tzinfo=UTC), []),
        ("en", city, datetime(2024, 5, 1, 12, tzinfo=UTC), [alice]),
    ]
    articles = []
    for i, (language, section, published_at, entities) in enumerate(stories):
        article = ArticleFactory(
            headline=f"Harbour story {i}",
            paragraphs=[
                "The harbour master spoke about the boats." if language == "en" else "Le port et ses bateaux.",
                ", ".join(entity.name for entity in entities) or "No one else.",
            ],
            language=language,
            section=section,
            published_at=published_at,
        )
        for entity in entities:
            MentionFactory(article=article, entity=entity)
        articles.append(article)
    draft = ArticleFactory(
        headline="Draft harbour story", paragraphs=["Alice Martin"], status="draft", language="en", section=port
    )
    MentionFactory(article=draft, entity=alice)
    Entity.objects.filter(id=gone.id).update(status=Entity.Status.REJECTED)
    with connection.cursor() as cursor:  # the planner's estimate, which a sample's share is taken of
        cursor.execute("ANALYZE articles_article")
    return {"alice": alice, "bruno": bruno, "brest": brest, "gone": gone, "articles": articles}


def article_facets(filters, *, names, size=10, tuning=None):
    """The facets a search's first page counts."""
    return search_articles(filters, page_size=1, facets=names, facet_size=size, facet_tuning=tuning).facets


def counts(facets, name):
    return {value.value: value.count for value in facets.values[name]}


def test_exact_facets_count_every_published_match(newsroom):
    facets = article_facets(ArticleFilters(), names=FACETS)
    assert facets.method == EXACT and not facets.estimated and facets.sampled == 7
    assert counts(facets, "person") == {newsroom["alice"].id: 4, newsroom["bruno"].id: 2}  # rejected: left out
    assert counts(facets, "place") == {newsroom["brest"].id: 3}
    assert counts(facets, "organisation") == {}
    assert counts(facets, "language") == {"en": 4, "fr": 3}
    assert counts(facets, "section") == {"port": 3, "city": 3}
    # 23:30 UTC on 31 December 2023 is 2024 in Paris, the newsroom's zone.
    assert counts(facets, "year") == {2022: 1, 2023: 1, 2024: 5}
    alice = facets.values["person"][0]
    assert (alice.name, alice.slug, alice.kind) == ("Alice Martin", "alice-martin", "person")


def test_facets_follow_the_query_and_every_filter(newsroom):
    facets = article_facets(ArticleFilters(q="bateaux", person=newsroom["bruno"].id), names=["place", "year"])
    assert set(facets.values) == {"place", "year"}
    assert counts(facets, "place") == {newsroom["brest"].id: 1}
    assert counts(facets, "year") == {2024: 1}
    english = article_facets(ArticleFilters(language="en", section="port"), names=["person"])
    assert counts(english, "person") == {newsroom["alice"].id: 2, newsroom["bruno"].id: 1}


def test_values_are_the_most_frequent_first_and_cut_to_the_size(newsroom):
    facets = article_facets(ArticleFilters(), names=["person", "year"], size=1)
    assert [v.value for v in facets.values["person"]] == [newsroom["alice"].id]
    assert [v.value for v in facets.values["year"]] == [2024]


def test_a_sample_as_large_as_the_matches_is_an_exact_count(newsroom):
    whole = FacetTuning(exact_limit=0, sample_matches=10**9)
    facets = article_facets(ArticleFilters(q="harbour"), names=FACETS, tuning=whole)
    assert facets.method == EXACT and facets.sample_share is None
    assert facets.values == article_facets(ArticleFilters(q="harbour"), names=FACETS).values


def _buckets() -> dict[int, int]:
    """Each published article's sample bucket, as the database hashes its id."""
    bucket = facets_module.SAMPLE_BUCKET.format(alias="a")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT a.id, {bucket} FROM articles_article a WHERE a.status = 'published'")  # noqa: S608
        return dict(cursor.fetchall())


@pytest.mark.parametrize("estimate", [14, 9, 70])
def test_a_sample_holds_the_matches_of_its_buckets_and_scales_their_counts_by_its_share(newsroom, estimate):
    """A share of the estimate's matches: those whose id hashes under the share's bound, every
    other condition applied, each value's count divided by the share."""
    tuning = FacetTuning(exact_limit=0, sample_matches=7, min_sample_matches=0)
    matches = where.matching(ArticleFilters(), None)
    facets = facets_module._sampled(matches, ("language",), 10, estimate=estimate, tuning=tuning)
    bound = math.ceil(facets_module.BUCKETS * 7 / estimate)
    assert facets.method == SAMPLE and facets.estimated and facets.sample_share == bound / facets_module.BUCKETS
    held = {i for i, bucket in _buckets().items() if bucket < bound}
    assert facets.sampled == len(held)
    languages = Counter(Article.objects.filter(id__in=held).values_list("language", flat=True))
    expected = {code: max(1, round(n / facets.sample_share)) for code, n in languages.items()}
    assert counts(facets, "language") == expected
    again = facets_module._sampled(matches, ("language",), 10, estimate=estimate, tuning=tuning)
    assert again == facets  # the same sample every time


def test_a_sample_too_small_to_trust_falls_back_to_counting_every_match(newsroom):
    tuning = FacetTuning(exact_limit=0, sample_matches=1, min_sample_matches=100)
    facets = article_facets(ArticleFilters(), names=["language"], tuning=tuning)
    assert facets.method == EXACT
    assert counts(facets, "language") == {"en": 4, "fr": 3}


def test_an_exact_count_past_its_cap_turns_to_a_sample(newsroom):
    tuning = FacetTuning(exact_limit=10**6, exact_cap=3, sample_matches=2, min_sample_matches=0)
    facets = article_facets(ArticleFilters(), names=["language"], tuning=tuning)
    assert facets.method == SAMPLE and 0 < facets.sample_share < 1


def test_facets_cost_one_statement_and_none_unless_asked_for(newsroom, django_assert_num_queries):
    filters = ArticleFilters(q="harbour")
    with CaptureQueriesContext(connection) as plain:
        page = search_articles(filters)
        assert page.snippets and page.facets is None
    with django_assert_num_queries(len(plain) + 1):
        page = search_articles(filters, facets=FACETS)
        assert page.snippets and page.facets.values


def test_a_bad_query_is_a_search_error(newsroom):
    with pytest.raises(SearchError) as error:
        article_facets(ArticleFilters(q="-harbour"), names=["year"])
    assert error.value.param == "q"


def test_a_prefix_sample_read_through_the_buckets_alone_holds_the_same_matches(newsroom):
    """A prefix's sample is found through the buckets' index alone, each row tested (its words'
    index scan would read every word it starts): the same matches, the same counts."""
    from articles.search import parse_query

    query = parse_query("harb*")
    matches = where.matching(ArticleFilters(q="harb*"), query)
    tuning = FacetTuning(exact_limit=0, sample_matches=4, min_sample_matches=0)
    through_words = facets_module._sampled(matches, ("language", "year"), 10, estimate=8, tuning=tuning)
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        alone = facets_module._sampled(matches, ("language", "year"), 10, estimate=8, tuning=tuning, prefixed=True)
    assert alone == through_words and alone.method == SAMPLE
    assert any(") IS TRUE" in sql for sql in statements)  # the words hidden from their index
    held = {i for i, bucket in _buckets().items() if bucket < math.ceil(facets_module.BUCKETS / 2)}
    assert alone.sampled == len(held)
