"""Editors' decisions (merge, reject, rename, aliases) survive re-tagging."""

import pytest
from django.core.management import call_command

from articles.ingest import ParsedArticle
from articles.models import Article
from articles.services import ImportOptions, import_article
from entities import services
from entities.models import Alias, Entity, EntityRedirect, Mention
from entities.tests.factories import EntityFactory, import_seed

pytestmark = pytest.mark.django_db


def _tag(article: Article) -> None:
    article.refresh_from_db()
    services.tag_article(article_id=article.id, content_hash=article.content_hash)


def _english_mattis() -> Article:
    parsed = ParsedArticle(headline="Mattis in Copenhagen", language="en", source="Test", external_id="mattis-en")
    parsed.paragraph(
        "U.S. Defense Secretary James N. Mattis met Danish officials in Copenhagen on Tuesday. "
        "Mattis said Interpol would help Iraq."
    )
    return import_article(parsed=parsed, options=ImportOptions(publish=True))[1]


def _entities_of(article: Article) -> set[str]:
    return set(Entity.objects.filter(mentions__article=article).values_list("name", flat=True))


def test_an_editors_merge_and_rejection_survive_a_retag():
    seed, english = import_seed(), _english_mattis()
    _tag(seed)
    _tag(english)
    jim, james = Entity.objects.get(key="jim mattis"), Entity.objects.get(key="james n mattis")
    washington = Entity.objects.get(kind="place", key="washington")

    services.merge_entities(survivor_id=jim.id, duplicate_ids=[james.id])
    services.reject_entity(entity_id=washington.id)
    assert "Washington" not in _entities_of(seed)
    assert "Jim Mattis" in _entities_of(english)

    call_command("retag", "--all")

    assert Article.objects.filter(tagging_status="done").count() == 2
    assert "Jim Mattis" in _entities_of(english) and "James N. Mattis" not in _entities_of(english)
    assert "Washington" not in _entities_of(seed)
    assert Entity.objects.filter(key="james n mattis", status="merged", merged_into=jim).count() == 1
    assert Entity.objects.filter(kind="place", key="washington").get().status == "rejected"
    assert Alias.objects.filter(entity=jim, key="james n mattis").exists()
    assert EntityRedirect.objects.get(slug=james.slug).entity == jim
    jim.refresh_from_db()
    assert jim.article_count == 2


def test_the_same_place_in_french_and_english_is_one_entity():
    seed, english = import_seed(), _english_mattis()
    _tag(seed)
    _tag(english)
    copenhague = Entity.objects.get(kind="place", key="copenhague")
    assert Mention.objects.filter(article=english, entity=copenhague, surface="Copenhagen").exists()
    assert Mention.objects.filter(article=english, entity__key="irak", surface="Iraq").exists()


def test_a_renamed_entity_keeps_its_old_name_as_alias_and_its_old_slug_redirects():
    seed = import_seed()
    _tag(seed)
    syrie = Entity.objects.get(kind="place", key="syrie")
    old_slug = syrie.slug
    services.rename_entity(entity_id=syrie.id, name="Syria")
    call_command("retag", "--all")
    syrie.refresh_from_db()
    assert syrie.name == "Syria" and syrie.slug == "syria"
    assert EntityRedirect.objects.get(kind="place", slug=old_slug).entity == syrie
    assert Mention.objects.filter(article=seed, entity=syrie, surface="Syrie").count() == 4
    assert Entity.objects.filter(kind="place", key="syrie").count() == 0


def test_an_alias_added_by_an_editor_is_used_by_tagging():
    parsed = ParsedArticle(headline="Le Drian à Copenhague", language="fr", source="Test", external_id="jyld")
    parsed.paragraph("Le ministre Jean-Yves Le Drian a rencontré ses homologues à Copenhague.")
    services.add_entity_alias(
        entity_id=Entity.objects.create(kind="person", name="J.-Y. Le Drian", slug="jy-le-drian").id,
        name="Jean-Yves Le Drian",
    )
    article = import_article(parsed=parsed, options=ImportOptions(publish=True))[1]
    _tag(article)
    assert "J.-Y. Le Drian" in _entities_of(article)


def test_merging_entities_of_different_kinds_is_refused_and_changes_neither():
    a = EntityFactory(kind="person", name="Paris Hilton")
    b = EntityFactory(kind="place", name="Paris")
    with pytest.raises(services.CurationError, match="not the same kind"):
        services.merge_entities(survivor_id=a.id, duplicate_ids=[b.id])
    for entity, name in ((a, "Paris Hilton"), (b, "Paris")):
        entity.refresh_from_db()
        assert (entity.status, entity.merged_into, entity.name, entity.curated) == ("active", None, name, False)
    assert not Alias.objects.exists() and not EntityRedirect.objects.exists()


def test_retag_refuses_a_malformed_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retag", "--since", "yesterday")
