"""Read paths: related articles (the published articles sharing the most entities, most
recent first among equals), and a page's articles read by id."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import SEARCH_COLUMNS, Article
from articles.selectors import published_articles, related_articles
from articles.tests.factories import ArticleFactory, SectionFactory, SourceFactory
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db


def test_related_articles_rank_by_shared_entities_then_recency():
    mattis = EntityFactory(kind="person", name="Jim Mattis")
    syrie = EntityFactory(kind="place", name="Syrie")
    interpol = EntityFactory(kind="organisation", name="Interpol")
    story = ArticleFactory(headline="Jim Mattis en Syrie", hours_ago=2, paragraphs=["Avec Interpol."])
    for entity in (mattis, syrie, interpol):
        MentionFactory(article=story, entity=entity)
    one_old = ArticleFactory(headline="One shared, older", hours_ago=5, paragraphs=["Jim Mattis."])
    one_new = ArticleFactory(headline="One shared, newer", hours_ago=1, paragraphs=["Syrie."])
    two = ArticleFactory(headline="Two shared", hours_ago=9, paragraphs=["Jim Mattis, Interpol."])
    MentionFactory(article=one_old, entity=mattis)
    MentionFactory(article=one_new, entity=syrie)
    MentionFactory(article=two, entity=mattis)
    MentionFactory(article=two, entity=interpol)
    assert [a.headline for a in related_articles(article=story)] == [
        "Two shared",
        "One shared, newer",
        "One shared, older",
    ]
    assert related_articles(article=ArticleFactory(headline="Nothing tagged")) == []


def test_a_pages_articles_are_read_by_id_as_the_orm_reads_them_in_one_statement(django_assert_num_queries):
    world, afp = SectionFactory(name="World"), SourceFactory(name="AFP")
    full = ArticleFactory(
        headline="Éruption à Hawaï",
        language="fr",
        section=world,
        source=afp,
        standfirst="La lave avance.",
        byline="Jane Doe",
        photo_caption="La coulée",
        photo_credit="AFP / X",
        paragraphs=["Premier paragraphe.", "Deuxième."],
    )
    bare = ArticleFactory(headline="No section, no source")
    draft = ArticleFactory(headline="Draft", status=Article.Status.DRAFT)
    embargoed = ArticleFactory(headline="Embargoed", published_at=timezone.now() + timedelta(hours=1))
    ids = [bare.id, draft.id, 10**9, full.id, embargoed.id]
    with django_assert_num_queries(1):
        found = published_articles(ids)
        # the section and source come with the rows; a missing one reads nothing either
        assert [(a.section and a.section.name, a.source and a.source.name) for a in found] == [
            (None, None),
            ("World", "AFP"),
        ]
    assert [a.id for a in found] == [bare.id, full.id]  # in the order asked, drafts and the embargoed left out
    expected = Article.objects.in_bulk([bare.id, full.id])
    hidden = {*SEARCH_COLUMNS, "body_text"}
    for article in found:
        for field in Article._meta.concrete_fields:
            if field.attname not in hidden:
                assert getattr(article, field.attname) == getattr(expected[article.id], field.attname), field.name
        assert article.get_deferred_fields() == hidden
    assert found[1].body[1] == {"type": "paragraph", "text": "Deuxième."}
    assert found[1].search_vector  # a hidden column is read when asked for, as a deferred field is
    assert published_articles([]) == []
