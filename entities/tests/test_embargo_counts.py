"""Entity counts follow embargoes: a story counts for its entities once its time has come."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.ingest import ParsedArticle
from articles.models import Article
from articles.services import ImportOptions, import_article
from entities import services, tasks
from entities.models import CountWatermark, Entity, Mention

pytestmark = pytest.mark.django_db


def _story(external_id: str, published_at, *, publish: bool = True) -> Article:
    parsed = ParsedArticle(
        headline=f"Jean-Yves Le Drian à Copenhague ({external_id})",
        language="fr",
        source="Test",
        external_id=external_id,
        published_at=published_at,
    )
    parsed.paragraph("Jean-Yves Le Drian a rencontré ses homologues à Copenhague.")
    return import_article(parsed=parsed, options=ImportOptions(publish=publish))[1]


def _mentioning(entity: Entity, *articles: Article) -> None:
    Mention.objects.bulk_create(
        Mention(article=a, entity=entity, field="headline", start=0, end=18, surface="Jean-Yves Le Drian")
        for a in articles
    )
    services.refresh_article_counts([entity.id])


def _count(entity: Entity) -> int:
    entity.refresh_from_db()
    return entity.article_count


@pytest.fixture
def le_drian() -> Entity:
    entity = Entity(kind="person", name="Jean-Yves Le Drian", slug="jean-yves-le-drian")
    entity.save()
    return entity


def test_an_embargoed_story_counts_for_its_entities_once_its_time_has_come(le_drian):
    now = timezone.now()
    public = _story("public", now - timedelta(hours=1))
    embargoed = _story("embargoed", now + timedelta(hours=1))
    _mentioning(le_drian, public, embargoed)
    assert _count(le_drian) == 1  # the embargoed story is not public yet
    tasks.refresh_counts_for_released_articles.run()  # beat's run before the embargo ends
    assert _count(le_drian) == 1

    # The embargo ends between two runs (moved to a moment ago: the clock cannot be).
    Article.objects.filter(id=embargoed.id).update(published_at=timezone.now())
    assert _count(le_drian) == 1  # nothing changed the count by itself
    assert tasks.refresh_counts_for_released_articles.run() == 1
    assert _count(le_drian) == 2
    assert tasks.refresh_counts_for_released_articles.run() == 0  # nothing newly released


def test_stories_released_while_the_scheduler_was_down_are_counted_on_its_next_run(le_drian):
    now = timezone.now()
    CountWatermark.objects.create(released_until=now - timedelta(days=3))  # the last run, 3 days ago
    released = [_story(f"released-{i}", now + timedelta(hours=1)) for i in range(2)]
    draft = _story("draft", now + timedelta(hours=1), publish=False)
    _mentioning(le_drian, *released, draft)
    assert _count(le_drian) == 0
    # Their embargoes ended two days ago, while no scheduler ran; the draft's time passed too.
    Article.objects.filter(id__in=[a.id for a in [*released, draft]]).update(published_at=now - timedelta(days=2))

    assert tasks.refresh_counts_for_released_articles.run() == 2
    assert _count(le_drian) == 2  # the draft never counts
    assert CountWatermark.objects.get().released_until > now


def test_the_first_run_catches_up_on_every_story_that_was_scheduled(le_drian):
    now = timezone.now()
    scheduled = _story("scheduled", now + timedelta(hours=1))
    _mentioning(le_drian, scheduled)
    # Its time (later than its creation) has passed before the first run ever.
    Article.objects.filter(id=scheduled.id).update(published_at=timezone.now())
    assert not CountWatermark.objects.exists()
    assert _count(le_drian) == 0

    tasks.refresh_counts_for_released_articles.run()
    assert _count(le_drian) == 1
    assert CountWatermark.objects.count() == 1
