"""Related articles: the published articles sharing the most entities, most recent first among equals."""

import pytest

from articles.selectors import related_articles
from articles.tests.factories import ArticleFactory
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
