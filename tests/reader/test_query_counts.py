"""Pages cost a fixed number of SQL queries, however many sections, mentions or articles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.tests.factories import ArticleFactory, SectionFactory, SourceFactory
from entities.models import Entity
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def add_articles(count: int, offset: int, entity: Entity) -> None:
    source = SourceFactory(name="AFP")
    for i in range(offset, offset + count):
        section = SectionFactory(name=f"S{i}")
        text = f"Paris and Org{i} met."
        article = ArticleFactory(headline=f"Story {i}", section=section, source=source, paragraphs=[text])
        MentionFactory.everywhere(article=article, entity=entity, surfaces=["Paris"])
        org = EntityFactory(kind="organisation", name=f"Org{i}")
        MentionFactory.everywhere(article=article, entity=org, surfaces=[f"Org{i}"])


def test_home_entity_and_article_pages_do_not_grow_with_the_archive(client):
    paris = EntityFactory(kind="place", name="Paris")
    add_articles(2, 0, paris)
    small = {url: queries_for(client, url) for url in ("/", "/places/paris/", "/articles/story-1/")}
    add_articles(8, 2, paris)
    large = {url: queries_for(client, url) for url in ("/", "/places/paris/", "/articles/story-1/")}
    assert small == large
    assert large["/"] == 2
