"""Name keys fold letters Unicode does not decompose, and the names stored before are re-keyed."""

import importlib

import pytest
from django.apps import apps as django_apps

from articles.tests.factories import ArticleFactory
from entities.extraction.resolve import resolve_mentions
from entities.models import Alias, CurationEvent, Entity, EntityRedirect, Mention, name_key
from entities.tests.test_resolution import _m

rekey = importlib.import_module("entities.migrations.0013_name_keys_fold_letters").rekey


def test_letters_with_a_stroke_fold_like_accented_ones():
    assert name_key("Jarosław Kaczyński") == name_key("Jaroslaw Kaczynski") == "jaroslaw kaczynski"
    assert name_key("Øresund") == "oresund"
    assert name_key("Novak Đoković") == "novak dokovic"
    assert name_key("Łódź") == name_key("LODZ")


@pytest.mark.django_db
def test_a_name_written_without_its_special_letters_resolves_to_the_same_entity():
    kaczynski = Entity.objects.create(kind="person", name="Jarosław Kaczyński", slug="jaroslaw-kaczynski")
    [(_mention, entity)] = resolve_mentions([_m("Jaroslaw Kaczynski", "person")])
    assert entity == kaczynski


def _stored_before(kind: str, name: str, slug: str, key: str, article_count: int = 0) -> Entity:
    """An entity as stored before the fold (save() would compute today's key)."""
    [entity] = Entity.objects.bulk_create(
        [Entity(kind=kind, name=name, slug=slug, key=key, article_count=article_count)]
    )
    return entity


@pytest.mark.django_db
def test_the_stored_names_are_rekeyed_and_two_spellings_of_one_person_become_one_entity():
    article = ArticleFactory(status="published")
    plain = Entity.objects.create(kind="person", name="Jaroslaw Kaczynski", slug="jaroslaw-kaczynski")
    polish = _stored_before("person", "Jarosław Kaczyński", "jaroslaw-kaczynski-2", "jarosław kaczynski", 1)
    Mention.objects.create(
        entity=polish, article=article, field="body_text", start=0, end=18, surface="Jarosław Kaczyński"
    )
    city = _stored_before("place", "Łódź", "lodz", "łodz")
    alias = Alias.objects.create(entity=city, name="Łodzia")
    Alias.objects.filter(id=alias.id).update(key="łodzia")

    rekey(django_apps, None)

    city.refresh_from_db()
    assert city.key == "lodz"
    assert Alias.objects.get(id=alias.id).key == "lodzia"
    polish.refresh_from_db()
    plain.refresh_from_db()
    # The spelling in more articles keeps the key; the other is merged into it.
    assert polish.status == "active" and polish.key == "jaroslaw kaczynski" and polish.article_count == 1
    assert plain.status == "merged" and plain.merged_into_id == polish.id
    assert EntityRedirect.objects.get(kind="person", slug="jaroslaw-kaczynski").entity_id == polish.id
    assert CurationEvent.objects.filter(entity=polish, action="merged").exists()
    [(_mention, entity)] = resolve_mentions([_m("Jaroslaw Kaczynski", "person")])
    assert entity == polish
