"""Pages cost a fixed number of SQL queries, however many sections, mentions or articles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Section, Source
from entities.models import Entity
from tests.reader.conftest import make_article, tag_surfaces

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def add_articles(count: int, offset: int, entity: Entity) -> None:
    source, _ = Source.objects.get_or_create(name="AFP", slug="afp")
    for i in range(offset, offset + count):
        section, _ = Section.objects.get_or_create(name=f"S{i}", slug=f"s{i}")
        text = f"Paris and Org{i} met."
        article = make_article(f"Story {i}", section=section, source=source, body=[{"type": "paragraph", "text": text}])
        tag_surfaces(article, entity, ["Paris"])
        org = Entity.objects.create(kind="organisation", name=f"Org{i}", slug=f"org{i}")
        tag_surfaces(article, org, [f"Org{i}"])


def test_home_entity_and_article_pages_do_not_grow_with_the_archive(client):
    paris = Entity.objects.create(kind="place", name="Paris", slug="paris")
    add_articles(2, 0, paris)
    small = {url: queries_for(client, url) for url in ("/", "/places/paris/", "/articles/story-1/")}
    add_articles(8, 2, paris)
    large = {url: queries_for(client, url) for url in ("/", "/places/paris/", "/articles/story-1/")}
    assert small == large
    assert large["/"] == 2
