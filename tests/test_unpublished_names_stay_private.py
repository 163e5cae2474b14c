"""Names learned from unpublished stories never become public (security probe, F4 and F8):
an alias is public only through a published, released article it was seen in (or an
editor's word), and a renamed or merged entity's old address reveals nothing until the
entity itself is public. Over real HTTP, as the probe asked."""

import importlib
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.services import publish_articles, unpublish_articles
from articles.tests.factories import ArticleFactory
from entities import services
from entities.extraction.ner import RawMention
from entities.models import Alias, AliasSighting, Entity
from entities.search import entities_named_in
from entities.tests.factories import occurrences

pytestmark = pytest.mark.django_db(transaction=True)


def tag(article: Article, *names: str, kind: str = "person") -> None:
    """Tag the article as the worker does, its NER having found `names` wherever written."""
    article.refresh_from_db()
    raw = [
        RawMention(field, start, start + len(name), name, kind, "PER")
        for name in names
        for field, start in occurrences(article, name)
    ]
    assert services.tag_article(article_id=article.id, content_hash=article.content_hash, raw=raw) == "tagged"


def person(name: str) -> Entity:
    return Entity.objects.get(kind="person", name=name)


def probe_draft(**fields) -> Article:
    fields = {"headline": "Quokkazephyr draft headline"} | fields
    return ArticleFactory(paragraphs=["Reporters met Quokkazephyr Jim Mattis.", "Jim Mattis left early."], **fields)


@pytest.fixture
def mattis(api):
    public = ArticleFactory(headline="Jim Mattis in Copenhagen", paragraphs=["Jim Mattis spoke to ministers."])
    tag(public, "Jim Mattis")
    return person("Jim Mattis")


def aliases_seen_by_partners(api, entity: Entity) -> dict[str, list]:
    detail = api.get(f"/api/v1/people/{entity.id}/").json()["aliases"]
    listed = {e["id"]: e["aliases"] for e in api.get("/api/v1/people/?page_size=100").json()["results"]}
    found = api.get("/api/v1/people/?q=quokkazephyr").json()["results"]
    return {"detail": detail, "list": listed[entity.id], "search": [e["name"] for e in found]}


NOTHING = {"detail": [], "list": [], "search": []}


def test_an_alias_from_a_draft_is_private_until_the_draft_is_published(api, mattis):
    draft = probe_draft(status="draft")
    tag(draft, "Quokkazephyr Jim Mattis", "Jim Mattis")
    assert Alias.objects.filter(entity=mattis, name="Quokkazephyr Jim Mattis").exists()  # recorded, with provenance
    assert aliases_seen_by_partners(api, mattis) == NOTHING  # the probe's three requests
    publish_articles(article_ids=[draft.id])
    assert aliases_seen_by_partners(api, mattis) == {
        "detail": ["Quokkazephyr Jim Mattis"],
        "list": ["Quokkazephyr Jim Mattis"],
        "search": ["Jim Mattis"],
    }


def test_an_alias_from_an_embargoed_story_is_private_until_its_time(api, mattis):
    embargoed = probe_draft(published_at=timezone.now() + timedelta(days=30))
    tag(embargoed, "Quokkazephyr Jim Mattis", "Jim Mattis")
    assert aliases_seen_by_partners(api, mattis) == NOTHING
    Article.objects.filter(id=embargoed.id).update(published_at=timezone.now() - timedelta(minutes=1))
    assert aliases_seen_by_partners(api, mattis)["detail"] == ["Quokkazephyr Jim Mattis"]


def test_an_alias_seen_again_only_in_a_draft_goes_private_when_its_published_story_is_unpublished(api, mattis):
    story = probe_draft()
    tag(story, "Quokkazephyr Jim Mattis", "Jim Mattis")
    draft = probe_draft(status="draft", headline="Second quokkazephyr draft")
    tag(draft, "Quokkazephyr Jim Mattis", "Jim Mattis")
    assert aliases_seen_by_partners(api, mattis)["detail"] == ["Quokkazephyr Jim Mattis"]
    unpublish_articles(article_ids=[story.id])
    assert aliases_seen_by_partners(api, mattis)["detail"] == []


def test_retagging_a_story_rewrites_the_articles_its_aliases_were_seen_in(api, mattis):
    story = probe_draft()
    tag(story, "Quokkazephyr Jim Mattis", "Jim Mattis")
    alias = Alias.objects.get(entity=mattis, name="Quokkazephyr Jim Mattis")
    assert list(AliasSighting.objects.filter(alias=alias).values_list("article_id", flat=True)) == [story.id]
    story.body = [{"type": "paragraph", "text": "Jim Mattis met reporters."}]
    story.save()
    tag(story, "Jim Mattis")
    assert not AliasSighting.objects.filter(alias=alias).exists()
    assert aliases_seen_by_partners(api, mattis)["detail"] == []


def test_an_editor_s_alias_is_public_with_its_entity(api, mattis):
    services.add_entity_alias(entity_id=mattis.id, name="James Mattis")
    assert aliases_seen_by_partners(api, mattis)["detail"] == ["James Mattis"]


def test_a_merged_entity_known_only_from_an_embargoed_story_does_not_redirect(api, live_server):
    embargoed = ArticleFactory(
        headline="Embargoed probe story",
        paragraphs=["Embargulon met Ottoline Embargova in secret."],
        published_at=timezone.now() + timedelta(days=30),
    )
    tag(embargoed, "Embargulon", "Ottoline Embargova")
    survivor, duplicate = person("Ottoline Embargova"), person("Embargulon")
    services.merge_entities(survivor_id=survivor.id, duplicate_ids=[duplicate.id])
    site = live_server.url
    for path in ["/people/embargulon/", "/people/ottoline-embargova/", "/people/embargulon/feed/"]:
        response = requests.get(site + path, allow_redirects=False, timeout=30)
        assert response.status_code == 404, path
        assert "Ottoline" not in response.text and "Location" not in response.headers
    assert api.get(f"/api/v1/people/{duplicate.id}/", allow_redirects=False).status_code == 404
    # Once the story is out, the old address leads to the survivor, whose alias it now is.
    Article.objects.filter(id=embargoed.id).update(published_at=timezone.now() - timedelta(minutes=1))
    services.refresh_counts_for_articles([embargoed.id])
    response = requests.get(site + "/people/embargulon/", allow_redirects=False, timeout=30)
    assert response.status_code == 301 and response.headers["Location"] == "/people/ottoline-embargova/"
    assert api.get(f"/api/v1/people/{survivor.id}/").json()["aliases"] == ["Embargulon"]


def test_a_renamed_draft_only_entity_s_old_address_does_not_redirect(live_server):
    draft = ArticleFactory(headline="Draft probe", paragraphs=["Zebulon Quokkafeld spoke."], status="draft")
    tag(draft, "Zebulon Quokkafeld")
    entity = person("Zebulon Quokkafeld")
    services.rename_entity(entity_id=entity.id, name="Zebulon Q. Secretname")
    response = requests.get(f"{live_server.url}/people/zebulon-quokkafeld/", allow_redirects=False, timeout=30)
    assert response.status_code == 404 and "Secretname" not in response.text


def test_the_migration_gives_existing_aliases_the_articles_whose_mentions_wrote_them(mattis):
    backfill = importlib.import_module("entities.migrations.0008_alias_sightings_from_mentions")
    story = probe_draft()
    tag(story, "Quokkazephyr Jim Mattis", "Jim Mattis")
    AliasSighting.objects.all().delete()  # as before 0007
    with connection.cursor() as cursor:
        cursor.execute(backfill.BACKFILL)
    alias = Alias.objects.get(name="Quokkazephyr Jim Mattis")
    assert list(AliasSighting.objects.filter(alias=alias).values_list("article_id", flat=True)) == [story.id]


def test_a_search_naming_the_entity_does_not_use_a_draft_s_alias(api, live_server, mattis):
    draft = probe_draft(status="draft")
    tag(draft, "Quokkazephyr Jim Mattis", "Jim Mattis")
    [named] = entities_named_in("Jim Mattis")
    assert named.alias_names == []
    page = requests.get(f"{live_server.url}/search/?q=Jim+Mattis", timeout=30)
    assert page.status_code == 200 and "Quokkazephyr" not in page.text
    assert "Quokkazephyr" not in api.get("/api/v1/articles/?q=Jim+Mattis").text
    publish_articles(article_ids=[draft.id])
    [named] = entities_named_in("Jim Mattis")
    assert named.alias_names == ["Quokkazephyr Jim Mattis"]
