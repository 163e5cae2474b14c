"""What the triggers announce: every public change of an article or an entity, whatever
path wrote it, and nothing partners cannot see (drafts, embargoes, unnamed entities)."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone

from articles.models import Article, Source
from articles.services import publish_articles, unpublish_articles
from articles.tests.factories import ArticleFactory, SectionFactory, SourceFactory
from changes.models import Change, EmbargoRelease
from changes.services import record_change, release_embargoed_articles
from entities.models import Entity, EntityKind
from entities.services import merge_entities, refresh_article_counts, reject_entity, rename_entity
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db


def events(object_type: str | None = None) -> list[tuple]:
    rows = Change.objects.order_by("xid", "id")
    if object_type:
        rows = rows.filter(object_type=object_type)
    return [(c.object_type, c.object_id, c.kind, c.target_id) for c in rows]


def commit_point() -> None:
    """End the test's transaction's part so far: what follows is another transaction's work
    as far as the triggers' folding is concerned (a savepoint would share the xid)."""
    Change.objects.update(xid=0)


def test_drafts_never_appear_and_publishing_announces_them():
    draft = ArticleFactory(status=Article.Status.DRAFT)
    draft.headline = "Still a draft"
    draft.save()
    assert events() == []
    publish_articles(article_ids=[draft.id])
    assert events() == [("article", draft.id, "published", None)]


def test_an_article_created_public_then_edited_is_created_then_updated():
    article = ArticleFactory()
    commit_point()
    article.headline = "A better headline"
    article.save()
    assert events() == [("article", article.id, "created", None), ("article", article.id, "updated", None)]


def test_tagging_bookkeeping_is_not_a_change_but_new_entities_are():
    article = ArticleFactory(headline="Macron in Paris")
    commit_point()
    Article.objects.filter(id=article.id).update(tagging_status="running", tagging_attempts=1)
    assert events() == [("article", article.id, "created", None)]
    MentionFactory(article=article, entity=EntityFactory(name="Macron"))  # entity_ids changes
    assert events()[-1] == ("article", article.id, "updated", None)


def test_several_saves_in_one_transaction_are_one_event():
    article = ArticleFactory()
    for n in range(3):
        article.standfirst = f"Version {n}"
        article.save()
    assert events() == [("article", article.id, "created", None)]


def test_unpublished_and_deleted_articles_leave_tombstones():
    kept, gone = ArticleFactory(), ArticleFactory()
    commit_point()
    unpublish_articles(article_ids=[kept.id])
    gone_id = gone.id
    gone.delete()
    assert events()[-2:] == [("article", kept.id, "unpublished", None), ("article", gone_id, "deleted", None)]


def test_a_draft_deleted_leaves_no_tombstone_and_bulk_sql_is_seen_too():
    draft = ArticleFactory(status=Article.Status.DRAFT)
    draft.delete()
    article = ArticleFactory()
    commit_point()
    with connection.cursor() as cursor:  # a manual fix in SQL, no Django involved
        cursor.execute("UPDATE articles_article SET headline = 'Fixed by hand' WHERE id = %s", [article.id])
        cursor.execute("DELETE FROM articles_article WHERE id = %s", [article.id])
    assert events() == [("article", article.id, "created", None), ("article", article.id, "deleted", None)]


def test_an_article_public_for_part_of_one_transaction_is_never_announced():
    article = ArticleFactory()
    article.delete()
    assert events() == []


def test_an_embargoed_article_appears_when_its_time_comes_not_before():
    article = ArticleFactory(published_at=timezone.now() + timedelta(hours=2))
    assert events() == []
    assert EmbargoRelease.objects.filter(article_id=article.id).exists()
    assert release_embargoed_articles() == 0  # not yet
    # Its time comes: the queue row says so (the article's own time is checked as well).
    EmbargoRelease.objects.filter(article_id=article.id).update(release_at=timezone.now() - timedelta(seconds=1))
    Article.objects.filter(id=article.id).update(published_at=timezone.now() - timedelta(seconds=1))
    assert events() == [("article", article.id, "published", None)]  # the update made it public
    assert release_embargoed_articles() == 0  # announced once only


@pytest.mark.django_db(transaction=True)
def test_the_release_announces_an_embargo_that_passed_with_no_write():
    article = ArticleFactory(published_at=timezone.now() + timedelta(seconds=1))
    while not Article.objects.filter(id=article.id, published_at__lte=Now()).exists():  # the database's clock
        time.sleep(0.2)
    assert events() == []
    assert release_embargoed_articles() == 1
    assert events() == [("article", article.id, "published", None)]
    assert not EmbargoRelease.objects.exists()
    assert release_embargoed_articles() == 0


def test_an_article_embargoed_again_is_unpublished_until_its_new_time():
    article = ArticleFactory()
    commit_point()
    article.published_at = timezone.now() + timedelta(days=1)
    article.save()
    assert events()[-1] == ("article", article.id, "unpublished", None)
    assert EmbargoRelease.objects.get(article_id=article.id).release_at == article.published_at


def test_a_correction_recorded_by_a_service_joins_the_edit_it_goes_with():
    article = ArticleFactory()
    commit_point()
    article.body = [{"type": "paragraph", "text": "The corrected text."}]
    article.save()
    assert record_change(object_type="article", object_id=article.id, kind="corrected") is True
    assert events()[-1] == ("article", article.id, "corrected", None)
    assert len(events()) == 2
    draft = ArticleFactory(status=Article.Status.DRAFT)
    assert record_change(object_type="article", object_id=draft.id, kind="corrected") is False
    with pytest.raises(ValueError, match="triggers"):
        record_change(object_type="article", object_id=article.id, kind="deleted")


def public_entity(**kwargs) -> Entity:
    entity = EntityFactory(**kwargs)
    MentionFactory(entity=entity)
    refresh_article_counts([entity.id])
    entity.refresh_from_db()
    return entity


def test_an_entity_appears_once_a_published_article_names_it():
    entity = EntityFactory(name="Jacinda Ardern")
    assert events(EntityKind.PERSON) == []
    MentionFactory(entity=entity, article=ArticleFactory(status="draft", headline="Jacinda Ardern draft"))
    refresh_article_counts([entity.id])
    assert events(EntityKind.PERSON) == []
    MentionFactory(entity=entity)
    refresh_article_counts([entity.id])
    assert events(EntityKind.PERSON) == [("person", entity.id, "created", None)]


def test_entity_renamed_merged_and_rejected():
    kept = public_entity(name="Jim Mattis")
    duplicate = public_entity(name="James Mattis")
    wrong = public_entity(kind=EntityKind.PLACE, name="Tuesday")
    commit_point()
    rename_entity(entity_id=kept.id, name="James N. Mattis")
    merge_entities(survivor_id=kept.id, duplicate_ids=[duplicate.id])
    reject_entity(entity_id=wrong.id)
    people = [e for e in events() if e[0] != "article"]
    assert people[-3:] == [
        ("person", kept.id, "renamed", None),
        ("person", duplicate.id, "merged", kept.id),
        ("place", wrong.id, "rejected", None),
    ]


def test_an_entity_no_published_article_names_any_more_is_a_tombstone():
    entity = public_entity(name="Fleeting")
    commit_point()
    unpublish_articles(article_ids=list(entity.mentions.values_list("article_id", flat=True)))
    assert events(EntityKind.PERSON)[-1] == ("person", entity.id, "deleted", None)


def test_renaming_a_section_or_source_updates_its_public_articles():
    section, source = SectionFactory(name="World"), SourceFactory(name="Wire")
    public = ArticleFactory(section=section, source=source)
    ArticleFactory(section=section, source=source, status=Article.Status.DRAFT)
    elsewhere = ArticleFactory()
    commit_point()
    section.name = "International"
    section.save()
    assert events() == [(a, i, "created", None) for a, i in (("article", public.id), ("article", elsewhere.id))] + [
        ("article", public.id, "updated", None)
    ]
    commit_point()
    source.slug = "wire-desk"  # not shown: no change
    source.save()
    Source.objects.filter(id=source.id).update(name="Wire desk")
    assert events()[-1] == ("article", public.id, "updated", None)
    assert len(events()) == 4
