"""Editors curate entities in the admin: merge with a confirmation page, reject, re-tag articles."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from articles.models import Article
from entities.models import Entity, EntityRedirect, Mention
from entities.services import tag_article
from entities.tests.factories import import_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "a long passphrase 42")
    client.force_login(user)
    return client


@pytest.fixture
def tagged_seed() -> Article:
    article = import_seed()
    tag_article(article_id=article.id, content_hash=article.content_hash)
    return article


def test_merging_asks_which_entity_to_keep_then_moves_the_mentions(editor_client, tagged_seed):
    irak, syrie = Entity.objects.get(key="irak"), Entity.objects.get(key="syrie")
    url = reverse("admin:entities_entity_changelist")
    page = editor_client.post(url, {"action": "merge", "_selected_action": [irak.id, syrie.id]})
    assert page.status_code == 200
    assert b"Keep" in page.content and b"Irak" in page.content and b"Syrie" in page.content

    done = editor_client.post(
        url, {"action": "merge", "_selected_action": [irak.id, syrie.id], "apply": "1", "survivor": syrie.id}
    )
    assert done.status_code == 302
    irak.refresh_from_db()
    assert irak.status == "merged" and irak.merged_into == syrie
    assert Mention.objects.filter(entity=syrie, surface="Irak").count() == 3
    assert EntityRedirect.objects.get(kind="place", slug="irak").entity == syrie


def test_merging_a_single_entity_is_refused_with_a_message(editor_client, tagged_seed):
    irak = Entity.objects.get(key="irak")
    url = reverse("admin:entities_entity_changelist")
    response = editor_client.post(url, {"action": "merge", "_selected_action": [irak.id]}, follow=True)
    assert b"Select at least two active entities" in response.content
    irak.refresh_from_db()
    assert irak.status == "active"


def test_rejecting_in_the_admin_removes_the_mentions(editor_client, tagged_seed):
    washington = Entity.objects.get(kind="place", key="washington")
    url = reverse("admin:entities_entity_changelist")
    editor_client.post(url, {"action": "reject", "_selected_action": [washington.id]})
    washington.refresh_from_db()
    assert washington.status == "rejected"
    assert not washington.mentions.exists()


def test_the_retag_action_marks_articles_as_owing_tagging(editor_client, tagged_seed):
    url = reverse("admin:articles_article_changelist")
    response = editor_client.post(url, {"action": "retag", "_selected_action": [tagged_seed.id]}, follow=True)
    assert b"queued for tagging" in response.content
    tagged_seed.refresh_from_db()
    assert tagged_seed.tagging_status == "pending" and tagged_seed.tagged_hash == ""


def test_an_entity_change_page_shows_its_mentions(editor_client, tagged_seed):
    mattis = Entity.objects.get(key="jim mattis")
    response = editor_client.get(reverse("admin:entities_entity_change", args=[mattis.id]))
    assert response.status_code == 200
    assert b"James Mattis" in response.content


def test_renaming_in_the_admin_keeps_the_old_name_and_slug(editor_client, tagged_seed):
    mattis = Entity.objects.get(key="jim mattis")
    url = reverse("admin:entities_entity_change", args=[mattis.id])
    form = {
        "name": "James N. Mattis",
        "wikidata_id": "Q6133",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "mentions-TOTAL_FORMS": str(mattis.mentions.count()),
        "mentions-INITIAL_FORMS": str(mattis.mentions.count()),
    }
    for i, mention in enumerate(mattis.mentions.order_by("-article_id", "field", "start")):
        form[f"mentions-{i}-id"] = mention.id
        form[f"mentions-{i}-entity"] = mattis.id
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    mattis.refresh_from_db()
    assert mattis.name == "James N. Mattis" and mattis.wikidata_id == "Q6133"
    assert mattis.aliases.filter(key="jim mattis").exists()
    assert EntityRedirect.objects.get(kind="person", slug="jim-mattis").entity == mattis


def test_unpublishing_an_article_updates_its_entities_counts(editor_client, tagged_seed):
    mattis = Entity.objects.get(key="jim mattis")
    assert mattis.article_count == 1
    from articles.services import unpublish_articles

    unpublish_articles(article_ids=[tagged_seed.id])
    mattis.refresh_from_db()
    assert mattis.article_count == 0


def test_an_editor_can_add_an_entity_by_hand(editor_client):
    response = editor_client.get(reverse("admin:entities_entity_add"))
    assert response.status_code == 200
    response = editor_client.post(
        reverse("admin:entities_entity_add"),
        {
            "kind": "person",
            "name": "Ursula von der Leyen",
            "slug": "ursula-von-der-leyen",
            "wikidata_id": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Von der Leyen",
            "mentions-TOTAL_FORMS": "0",
            "mentions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    entity = Entity.objects.get(key="ursula von der leyen")
    assert list(entity.aliases.values_list("name", flat=True)) == ["Von der Leyen"]
