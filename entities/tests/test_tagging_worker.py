"""A saved article is tagged in the background by a real Celery worker through Redis."""

import pytest

from articles.models import Article
from entities.models import Entity
from entities.tests.factories import import_seed
from entities.tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _names(article: Article, kind: str) -> set[str]:
    return set(Entity.objects.filter(mentions__article=article, kind=kind).values_list("name", flat=True))


def test_the_seed_article_is_tagged_with_its_people_organisations_and_places(make_worker, clean_queue):
    worker = make_worker()
    article = import_seed()
    # Done, and the claim let go: the worker refreshes the entity counts after it writes the
    # mentions, and releases the claim only then.
    wait_for(
        lambda: Article.objects.filter(id=article.id, tagging_status="done", tagging_claim="").exists(),
        deadline=120,
        what=f"the seed to be tagged and its counts refreshed; worker log:\n{worker.output()}",
    )
    assert {"Jim Mattis", "Jean-Yves Le Drian", "Claus Hjort Frederiksen"} <= _names(article, "person")
    assert "Interpol" in _names(article, "organisation")
    assert {"Copenhague", "Mossoul", "Raqqa", "Syrie", "Irak"} <= _names(article, "place")
    # One person, though the caption says "James Mattis" and the text "Jim Mattis".
    assert not Entity.objects.filter(key="james mattis").exists()
    mattis = Entity.objects.get(key="jim mattis")
    assert set(mattis.mentions.values_list("field", "surface")) == {
        ("photo_caption", "James Mattis"),
        ("body_text", "Jim Mattis"),
    }
    # The photographer of the credit line is not a person of the story.
    assert not Entity.objects.filter(key__contains="ngan").exists()
    # Offsets point into the stored text.
    article.refresh_from_db()
    for mention in article.mentions.all():
        assert getattr(article, mention.field)[mention.start : mention.end] == mention.surface
    assert mattis.article_count == 1


def test_editing_the_text_tags_the_article_again_with_the_new_entities(make_worker, clean_queue):
    worker = make_worker()
    article = import_seed()
    wait_for(lambda: Article.objects.get(id=article.id).tagging_status == "done", deadline=120, what=worker.output())
    article.refresh_from_db()
    article.body = [*article.body, {"type": "paragraph", "text": "Angela Merkel a appelé Emmanuel Macron à Berlin."}]
    from entities.services import request_tagging

    article.save()
    request_tagging(article)
    wait_for(
        lambda: Article.objects.filter(id=article.id, tagging_status="done", tagged_hash=article.content_hash).exists(),
        deadline=120,
        what=worker.output(),
    )
    assert {"Angela Merkel", "Emmanuel Macron", "Jim Mattis"} <= _names(article, "person")
