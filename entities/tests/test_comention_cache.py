"""An entity's co-mention list and timeline are cached, and dropped by everything that changes it:
publishing and unpublishing, deleting an article, a merge. Never a stale count after a commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.services import publish_articles, unpublish_articles
from entities import selectors, services
from entities.models import Entity, Mention
from entities.tests.factories import import_wikinews

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.COMENTION_CACHE_SECONDS = 300
    selectors.invalidate_entity_caches()  # a new generation: nothing cached by earlier tests


def _entity(kind: str, name: str) -> Entity:
    return Entity.objects.create(kind=kind, name=name, slug=name.lower(), key=name.lower())


def _mention(article, *entities, at: int = 0) -> None:
    for position, entity in enumerate(entities, start=at):
        Mention.objects.create(
            article=article, entity=entity, field="headline", start=position, end=position + 1, surface="x"
        )


def test_the_list_is_cached_and_dropped_by_publication_deletion_and_merge(cached, django_capture_on_commit_callbacks):
    articles = import_wikinews(4)
    a, b, c = _entity("person", "Ada"), _entity("person", "Bea"), _entity("place", "Cove")
    _mention(articles[0], a, b)
    _mention(articles[1], a, b)
    _mention(articles[2], a, c)
    _mention(articles[3], b)
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_article_counts([a.id, b.id, c.id])

    assert selectors.co_mention_counts([a.id])[a.id] == [(b.id, 2), (c.id, 1)]
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.co_mention_counts([a.id])[a.id] == [(b.id, 2), (c.id, 1)]
    assert len(ctx) == 0, "served from the cache"
    assert sum(n for _, n in selectors.mention_timeline(entity_id=a.id)) == 3
    with CaptureQueriesContext(connection) as ctx:
        assert sum(n for _, n in selectors.mention_timeline(entity_id=a.id)) == 3
    assert len(ctx) == 0, "the timeline too"

    with django_capture_on_commit_callbacks(execute=True):
        unpublish_articles(article_ids=[articles[2].id])
    assert selectors.co_mention_counts([a.id])[a.id] == [(b.id, 2)]
    assert selectors.co_mentioned_entities(entity_id=a.id) == [(b, 2)]
    assert sum(n for _, n in selectors.mention_timeline(entity_id=a.id)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        publish_articles(article_ids=[articles[2].id])
    assert selectors.co_mention_counts([a.id])[a.id] == [(b.id, 2), (c.id, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        articles[0].delete()
    assert selectors.co_mention_counts([a.id])[a.id] == [(b.id, 1), (c.id, 1)]
    b.refresh_from_db()
    assert b.article_count == 2  # articles[1] and [3]: the deletion refreshed the count

    # Bea's own list is cached before the merge; a merge moves mentions under every list.
    assert selectors.co_mention_counts([b.id])[b.id] == [(a.id, 1)]
    cove_person = _entity("person", "Cove Person")
    _mention(articles[3], cove_person, at=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_entities(survivor_id=a.id, duplicate_ids=[cove_person.id])
    assert selectors.co_mention_counts([b.id])[b.id] == [(a.id, 2)]


def test_without_the_cache_every_call_counts(settings):
    settings.COMENTION_CACHE_SECONDS = 0
    article = import_wikinews(1)[0]
    a, b = _entity("person", "Ada"), _entity("person", "Bea")
    _mention(article, a, b)
    assert selectors.co_mention_counts([a.id, b.id]) == {a.id: [(b.id, 1)], b.id: [(a.id, 1)]}
    with CaptureQueriesContext(connection) as ctx:
        selectors.co_mention_counts([a.id])
    assert len(ctx) == 1
