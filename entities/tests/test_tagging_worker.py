"""A saved article is tagged in the background by a real Celery worker through Redis."""

from datetime import timedelta

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


def test_every_article_of_a_bulk_imported_chunk_ends_tagged(make_worker, clean_queue, settings):
    # Two chunks written by COPY, more articles than one tagging task claims: the messages a
    # chunk queues (one per tagging batch) and, for any row no task happened to claim, beat's
    # sweep (played here) bring every one of them to done.
    from articles.services import import_file
    from articles.tests import hostile
    from entities import services as entity_services

    settings.IMPORT_BATCH_SIZE = 25
    records = [
        {**hostile.good_record(n), "body": f"Jim Mattis visited Copenhagen on day {n}.\n\nInterpol was there."}
        for n in range(40)
    ]
    results = import_file(name="feed.jsonl", data=hostile.jsonl(*records))
    assert [r.outcome.value for r in results] == ["created"] * 40
    worker = make_worker()
    imported = Article.objects.filter(external_id__startswith="wire-")

    def all_tagged() -> bool:
        if imported.exclude(tagging_status="done").exists():
            entity_services.sweep_pending_tagging(pending_older_than=timedelta(seconds=30))
            return False
        return True

    wait_for(
        all_tagged, deadline=300, what=lambda: f"every imported article to be tagged; worker log:\n{worker.output()}"
    )
    # Tagged as they are now (the hash the tagging read is the stored text's), each with its names.
    assert all(a.tagged_hash == a.content_hash for a in imported)
    assert imported.filter(mentions__isnull=False).distinct().count() == 40
