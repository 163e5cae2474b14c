"""The newsroom's roles, as the groups the migration makes: each one (and view-only staff)
tries every action, page and upload path, and the README's table says the same."""

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from articles.models import Article, JobStatus
from articles.tests.factories import ArticleFactory
from articles.tests.staff import article_form, staff_user
from articles.tests.uploads import upload
from entities.models import Entity
from entities.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

ROLES_MIGRATION = importlib.import_module("articles.migrations.0013_newsroom_roles")
ROLES = ["Reporters", "Editors", "Curators", "View-only staff"]
VIEW_ONLY = ("articles.view_article", "entities.view_entity")

ARTICLES = reverse("admin:articles_article_changelist")
ENTITIES = reverse("admin:entities_entity_changelist")
NEW_STORY = b"Harbour reopens after the storm\n\nThe harbour reopened on Monday."


@dataclass
class World:
    draft: Article
    published: Article
    survivor: Entity
    duplicate: Entity


@pytest.fixture
def world() -> World:
    draft = ArticleFactory(headline="Draft about the quay", status=Article.Status.DRAFT)
    published = ArticleFactory(headline="Published story about the quay")
    Article.objects.update(tagging_status=JobStatus.DONE)  # so that a re-tag shows
    published.refresh_from_db()
    return World(
        draft=draft,
        published=published,
        survivor=EntityFactory(name="Ottoline Embargova"),
        duplicate=EntityFactory(name="O. Embargova"),
    )


def log_in_as(client, role: str):
    ROLES_MIGRATION.create_roles(apps, None)  # the migration's own groups (a flush may have emptied them)
    user = staff_user("member", *VIEW_ONLY) if role == "View-only staff" else staff_user("member", groups=(role,))
    client.force_login(user)
    return client


def refused(response) -> bool:
    return response.status_code in {400, 403} or b"No action selected" in response.content


# Each attempt returns whether it did what it asks; when it did not, it checks that nothing changed.


def see_articles(client, w: World) -> bool:
    return client.get(ARTICLES).status_code == 200


def see_entities(client, w: World) -> bool:
    return client.get(ENTITIES).status_code == 200


def upload_new_draft(client, w: World) -> bool:
    response = upload(client, ("harbour.txt", NEW_STORY))
    created = Article.objects.filter(headline="Harbour reopens after the storm").first()
    if created is None:
        assert refused(response)
        return False
    return created.status == Article.Status.DRAFT and "1 created" in response.content.decode()


def upload_and_publish(client, w: World) -> bool:
    response = upload(client, ("harbour.txt", NEW_STORY), publish=True)
    if not Article.objects.filter(headline="Harbour reopens after the storm").exists():
        assert refused(response)
        return False
    return Article.objects.get(headline="Harbour reopens after the storm").status == Article.Status.PUBLISHED


def edit_a_draft(client, w: World) -> bool:
    url = reverse("admin:articles_article_change", args=[w.draft.id])
    response = client.post(url, article_form(w.draft, headline="Draft about the quay, corrected"))
    w.draft.refresh_from_db()
    if w.draft.headline == "Draft about the quay":
        assert refused(response)
        return False
    return True


def publish_in_change_form(client, w: World) -> bool:
    url = reverse("admin:articles_article_change", args=[w.draft.id])
    client.post(url, article_form(w.draft, status="published"))
    w.draft.refresh_from_db()
    return w.draft.status == Article.Status.PUBLISHED


def edit_a_published_story(client, w: World) -> bool:
    url = reverse("admin:articles_article_change", args=[w.published.id])
    response = client.post(url, article_form(w.published, headline="Published story, rewritten"))
    w.published.refresh_from_db()
    if w.published.headline == "Published story about the quay":
        assert refused(response)
        return False
    return True


def publish_and_unpublish_actions(client, w: World) -> bool:
    client.post(ARTICLES, {"action": "publish", "_selected_action": [w.draft.id], "index": 0})
    client.post(ARTICLES, {"action": "unpublish", "_selected_action": [w.published.id], "index": 0})
    w.draft.refresh_from_db(), w.published.refresh_from_db()
    done = (w.draft.status, w.published.status) == ("published", "draft")
    assert done or (w.draft.status, w.published.status) == ("draft", "published")
    return done


def retag(client, w: World) -> bool:
    client.post(ARTICLES, {"action": "retag", "_selected_action": [w.published.id], "index": 0})
    w.published.refresh_from_db()
    return w.published.tagging_status == JobStatus.PENDING


def delete_a_draft(client, w: World) -> bool:
    response = client.post(reverse("admin:articles_article_delete", args=[w.draft.id]), {"post": "yes"})
    if Article.objects.filter(id=w.draft.id).exists():
        assert refused(response)
        return False
    return True


def merge_entities(client, w: World) -> bool:
    client.post(
        ENTITIES,
        {
            "action": "merge",
            "_selected_action": [w.survivor.id, w.duplicate.id],
            "apply": "1",
            "survivor": w.survivor.id,
            "index": 0,
        },
    )
    w.duplicate.refresh_from_db()
    return w.duplicate.status == Entity.Status.MERGED


def reject_an_entity(client, w: World) -> bool:
    client.post(ENTITIES, {"action": "reject", "_selected_action": [w.duplicate.id], "index": 0})
    w.duplicate.refresh_from_db()
    return w.duplicate.status == Entity.Status.REJECTED


def rename_an_entity(client, w: World) -> bool:
    form = {"name": "Ottoline Embargova-Smith", "wikidata_id": ""}
    for prefix in ("aliases", "mentions"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:entities_entity_change", args=[w.survivor.id]), form)
    w.survivor.refresh_from_db()
    if w.survivor.name == "Ottoline Embargova":
        assert refused(response)
        return False
    return True


# What each role may do: the README's table, row by row (Reporters, Editors, Curators, view-only).
MAY: dict[str, tuple[Callable[..., bool], tuple[bool, bool, bool, bool]]] = {
    "See the archive in the admin": (see_articles, (True, True, True, True)),
    "See the entity index in the admin": (see_entities, (False, True, True, True)),
    "Upload new stories as drafts": (upload_new_draft, (True, True, False, False)),
    "Upload and publish": (upload_and_publish, (False, True, False, False)),
    "Change a draft (change form)": (edit_a_draft, (False, True, False, False)),
    "Publish a draft in the change form": (publish_in_change_form, (False, True, False, False)),
    "Change a published story": (edit_a_published_story, (False, True, False, False)),
    "Publish and unpublish (list actions)": (publish_and_unpublish_actions, (False, True, False, False)),
    "Re-tag articles": (retag, (False, True, False, False)),
    "Delete a draft": (delete_a_draft, (False, True, False, False)),
    "Merge entities": (merge_entities, (False, False, True, False)),
    "Reject an entity": (reject_an_entity, (False, False, True, False)),
    "Rename an entity": (rename_an_entity, (False, False, True, False)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("what", list(MAY))
def test_each_role_may_do_what_the_table_says_and_nothing_else(client, world, role, what):
    attempt, allowed = MAY[what]
    log_in_as(client, role)
    assert attempt(client, world) is allowed[ROLES.index(role)]


def test_the_readme_table_of_roles_is_the_one_the_tests_prove():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in MAY:
            rows[cells[0]] = tuple(re.match(r"(yes|no)", cell).group(1) == "yes" for cell in cells[1:])
    assert rows == {what: allowed for what, (_attempt, allowed) in MAY.items()}
