"""Types decided by the archive's votes: one mistyped article never decides what later
articles resolve to, and an entity made under the wrong type is corrected as votes turn."""

import pytest

from articles.models import Article
from articles.tests.factories import ArticleFactory
from entities import services
from entities.extraction.ner import RawMention
from entities.models import Entity, EntityRedirect, Mention, TypeVote
from entities.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

TEXT = "Zorblax announced a new plan on Monday."


def _tag_as(kind: str, times: int = 1) -> Article:
    """An article naming Zorblax `times` times, tagged as if the model called it `kind`."""
    article = ArticleFactory(paragraphs=[" ".join([TEXT] * times)])
    article.refresh_from_db()
    raw = [
        RawMention("body_text", i * (len(TEXT) + 1), i * (len(TEXT) + 1) + 7, "Zorblax", kind, "X")
        for i in range(times)
    ]
    assert services.tag_article(article_id=article.id, content_hash=article.content_hash, raw=raw) == "tagged"
    return article


def test_one_mistyped_article_does_not_decide_the_type_and_the_wrong_entity_is_folded_in_later():
    first = _tag_as("person")
    person = Entity.objects.get(key="zorblax")
    assert person.kind == "person"  # no other evidence yet: the article's own word
    second = _tag_as("organisation")
    # Two votes against one: not enough evidence to overrule either article yet.
    assert set(Entity.objects.filter(key="zorblax", status="active").values_list("kind", flat=True)) == {
        "person",
        "organisation",
    }
    third = _tag_as("organisation")  # two votes against one of three: the archive decides
    organisation = Entity.objects.get(key="zorblax", kind="organisation", status="active")
    person.refresh_from_db()
    assert (person.status, person.merged_into) == (Entity.Status.MERGED, organisation)
    fourth = _tag_as("person")  # the model errs again: the name still leads to the organisation
    assert set(Mention.objects.filter(article__in=[first, second, third, fourth]).values_list("entity", flat=True)) == {
        organisation.id
    }
    assert not Entity.objects.filter(key="zorblax", status="active").exclude(id=organisation.id).exists()
    # The person's page now leads to the organisation.
    assert EntityRedirect.objects.get(kind="person", slug=person.slug).entity == organisation
    assert sorted(TypeVote.objects.filter(key="zorblax").values_list("kind", flat=True)) == [
        "organisation",
        "organisation",
        "person",
        "person",
    ]


def test_an_entity_alone_under_the_wrong_type_moves_to_the_right_one_and_keeps_its_address():
    _tag_as("person")
    [person] = Entity.objects.filter(key="zorblax")
    _tag_as("organisation", times=2)  # two votes against one: moved before it is resolved to
    moved = Entity.objects.get(id=person.id)
    assert (moved.kind, moved.status) == ("organisation", Entity.Status.ACTIVE)
    assert Entity.objects.filter(key="zorblax").count() == 1
    assert EntityRedirect.objects.get(kind="person", slug=person.slug).entity == moved
    assert moved.get_absolute_url().startswith("/organisations/")


def test_a_retag_replaces_an_articles_votes_and_an_editors_entity_is_never_retyped():
    curated = EntityFactory(kind="person", name="Zorblax")
    Entity.objects.filter(id=curated.id).update(curated=True)
    article = _tag_as("person")
    for _ in range(4):
        _tag_as("organisation")
    assert Entity.objects.get(id=curated.id).kind == "person"
    Article.objects.filter(id=article.id).update(tagging_status="pending", tagged_hash="")
    article.refresh_from_db()
    raw = [RawMention("body_text", 0, 7, "Zorblax", "person", "X")]
    services.tag_article(article_id=article.id, content_hash=article.content_hash, raw=raw)
    assert TypeVote.objects.filter(article=article).count() == 1


def test_the_admin_shows_an_entitys_type_votes(admin_client):
    _tag_as("person")
    _tag_as("organisation", times=2)
    entity = Entity.objects.get(key="zorblax")
    page = admin_client.get(f"/admin/entities/entity/{entity.id}/change/").content.decode()
    assert "organisation: 2 mentions in 1 articles" in page and "person: 1 mentions in 1 articles" in page
