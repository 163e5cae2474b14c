"""articles_article.entity_ids, kept by the database, always equals what the mentions name:
through tagging, re-tagging, merges, rejections, bulk SQL, and saves of stale instances."""

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from articles.search import ArticleFilters, search_articles
from entities import services
from entities.models import Entity, Mention
from entities.tests.factories import import_seed, import_wikinews

pytestmark = pytest.mark.django_db


def _stored(article_id: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT entity_ids FROM articles_article WHERE id = %s", [article_id])
        return cur.fetchone()[0]


def _expected(article_id: int) -> list[int]:
    return sorted(set(Mention.objects.filter(article_id=article_id).values_list("entity_id", flat=True)))


def _tag(article: Article) -> None:
    article.refresh_from_db()
    services.tag_article(article_id=article.id, content_hash=article.content_hash)


def _entity(kind: str, name: str) -> Entity:
    return Entity.objects.create(kind=kind, name=name, slug=name.lower().replace(" ", "-"), key=name.lower())


def test_tagging_fills_the_array_and_merge_and_rejection_rewrite_it():
    seed = import_seed()
    assert _stored(seed.id) == []
    _tag(seed)
    ids = _expected(seed.id)
    assert len(ids) >= 9  # Mattis, Le Drian, Frederiksen, Interpol, Copenhague, Mossoul, Raqqa, Syrie, Irak
    assert _stored(seed.id) == ids

    mattis = Entity.objects.get(key="jim mattis")
    copenhague = Entity.objects.filter(kind="place", mentions__article=seed, key="copenhague").distinct().get()
    duplicate = _entity("person", "Mattis Duplicate")
    other = import_wikinews(1)[0]
    Mention.objects.create(article=other, entity=duplicate, field="headline", start=0, end=4, surface="Test")
    assert _stored(other.id) == [duplicate.id]

    services.merge_entities(survivor_id=mattis.id, duplicate_ids=[duplicate.id])
    assert _stored(other.id) == [mattis.id]  # the mention moved: an UPDATE of entity_id

    services.reject_entity(entity_id=copenhague.id)
    assert copenhague.id not in _stored(seed.id)
    assert _stored(seed.id) == _expected(seed.id)

    call_command("retag", "--all")
    assert Article.objects.filter(tagging_status="done").count() == 2
    for article_id in (seed.id, other.id):
        assert _stored(article_id) == _expected(article_id)
    assert copenhague.id not in _stored(seed.id)


def test_a_stale_instance_saved_after_tagging_keeps_the_array():
    seed = import_seed()
    stale = Article.objects.get(pk=seed.pk)  # loaded before the tagging
    _tag(seed)
    ids = _stored(seed.id)
    assert ids
    stale.headline = stale.headline + " (corrected)"
    stale.save()
    assert _stored(seed.id) == ids


def test_bulk_sql_on_mentions_keeps_every_touched_article_in_step():
    articles = import_wikinews(3)
    people = [_entity("person", f"Person {i}") for i in range(3)]
    Mention.objects.bulk_create(
        Mention(article=a, entity=p, field="headline", start=i, end=i + 1, surface="x")
        for a in articles
        for i, p in enumerate(people)
    )
    for article in articles:
        assert _stored(article.id) == sorted(p.id for p in people)
    Mention.objects.filter(entity=people[0]).delete()
    Mention.objects.filter(article=articles[0]).update(entity=people[2])
    assert _stored(articles[0].id) == [people[2].id]
    for article in articles[1:]:
        assert _stored(article.id) == sorted(p.id for p in people[1:])
    Mention.objects.filter(article=articles[1]).delete()
    assert _stored(articles[1].id) == []


def test_the_entity_filter_reads_the_array_and_resolves_merged_and_mistyped_ids():
    articles = import_wikinews(2)
    person, place = _entity("person", "Ada Person"), _entity("place", "Adaville")
    Mention.objects.create(article=articles[0], entity=person, field="headline", start=0, end=1, surface="A")
    Mention.objects.create(article=articles[1], entity=place, field="headline", start=0, end=1, surface="A")
    old = _entity("person", "Ada Old")
    services.merge_entities(survivor_id=person.id, duplicate_ids=[old.id])

    def found(**filters) -> list[int]:
        return search_articles(ArticleFilters(**filters)).ids

    assert found(person=person.id) == [articles[0].id]
    assert found(person=old.id) == [articles[0].id]  # a merged id finds its survivor's articles
    assert found(place=place.id) == [articles[1].id]
    assert found(person=place.id) == []  # an id of another kind
    assert found(person=10**12) == []  # an unknown id
    assert found(person=person.id, place=place.id) == []  # both filters hold
