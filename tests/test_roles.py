"""The newsroom's roles, as the groups the migration makes: each one (and view-only staff)
tries every action, page and upload path, and the README's table says the same."""

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from articles import services
from articles.models import Article, JobStatus
from articles.services import ImportOptions
from articles.tests.staff import article_form, staff_user
from articles.tests.uploads import upload
from entities.models import DistinctPair, Entity
from entities.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

# The migrations that make the groups, in order: a flush (after a transactional test) empties them.
ROLE_MIGRATIONS = [
    importlib.import_module("articles.migrations.0013_newsroom_roles").create_roles,
    importlib.import_module("articles.migrations.0017_spool_file_roles").grant,
]
ROLES = ["Reporters", "Editors", "Curators", "View-only staff"]
VIEW_ONLY = ("articles.view_article", "entities.view_entity")

ARTICLES = reverse("admin:articles_article_changelist")
ENTITIES = reverse("admin:entities_entity_changelist")
NEW_STORY = b"Harbour reopens after the storm\n\nThe harbour reopened on Monday."
DRAFT = b"Draft about the quay\n\nThe draft as filed."
PUBLISHED = b"Published story about the quay\n\nThe published text."
OWN_DRAFT = b"Own draft about the pier\n\nAs filed."
# Plain wire text carries no story id: an update by upload says so (the upload page's choice).
SAME_HEADLINE = {"update_same_headline": "on"}


@dataclass
class World:
    draft: Article  # filed by someone else (the import command), as the published story
    published: Article
    survivor: Entity
    duplicate: Entity
    member: User | None = None  # the role's member, logged in


@pytest.fixture
def world() -> World:
    [draft] = services.import_file(name="draft.txt", data=DRAFT)
    [published] = services.import_file(name="published.txt", data=PUBLISHED, options=ImportOptions(publish=True))
    Article.objects.update(tagging_status=JobStatus.DONE)  # so that a re-tag shows
    return World(
        draft=Article.objects.get(id=draft.article_id),
        published=Article.objects.get(id=published.article_id),
        survivor=EntityFactory(name="Ottoline Embargova"),
        duplicate=EntityFactory(name="O. Embargova"),
    )


def log_in_as(client, role: str) -> User:
    for make_groups in ROLE_MIGRATIONS:
        make_groups(apps, None)
    user = staff_user("member", *VIEW_ONLY) if role == "View-only staff" else staff_user("member", groups=(role,))
    client.force_login(user)
    return user


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


def change_own_draft(client, w: World) -> bool:
    [filed] = services.import_file(name="own.txt", data=OWN_DRAFT)
    Article.objects.filter(id=filed.article_id).update(created_by=w.member)
    uploaded = upload(client, ("own.txt", OWN_DRAFT.replace(b"As filed.", b"Corrected by upload.")), **SAME_HEADLINE)
    own = Article.objects.get(id=filed.article_id)
    form = client.post(
        reverse("admin:articles_article_change", args=[own.id]), article_form(own, standfirst="Corrected in the form.")
    )
    own.refresh_from_db()
    by_upload, by_form = "Corrected by upload." in own.body_text, own.standfirst == "Corrected in the form."
    assert by_upload == by_form
    if not by_form:
        assert refused(form) and (refused(uploaded) or "1 refused" in uploaded.content.decode())
    return by_form


def update_anothers_draft_by_upload(client, w: World) -> bool:
    response = upload(
        client, ("draft.txt", DRAFT.replace(b"The draft as filed.", b"Rewritten by upload.")), **SAME_HEADLINE
    )
    w.draft.refresh_from_db()
    if "Rewritten" not in w.draft.body_text:
        assert refused(response) or "filed by someone else" in response.content.decode()
        return False
    return True


def update_a_published_story_by_upload(client, w: World) -> bool:
    response = upload(
        client, ("published.txt", PUBLISHED.replace(b"The published text.", b"Rewritten by upload.")), **SAME_HEADLINE
    )
    w.published.refresh_from_db()
    if "Rewritten" not in w.published.body_text:
        assert refused(response) or "is published" in response.content.decode()
        return False
    return w.published.status == Article.Status.PUBLISHED


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
    when = {"published_at_0": "2026-12-01", "published_at_1": "09:00:00"}  # a published story has a time
    client.post(url, article_form(w.draft, status="published", **when))
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


def decide_on_the_curation_desk(client, w: World) -> bool:
    decided = client.post(
        reverse("admin:entities_entity_decide"),
        {"keep": w.survivor.id, "other": w.duplicate.id, "decision": "distinct"},
    )
    checked = client.post(reverse("admin:entities_entity_checked"), {"entity": w.survivor.id})
    w.survivor.refresh_from_db()
    dismissed = DistinctPair.objects.exists()
    assert dismissed == w.survivor.curated
    if not dismissed:
        assert refused(decided) and refused(checked)
    return dismissed


def restore_a_revision_of_a_published_story(client, w: World) -> bool:
    rewrite = PUBLISHED.replace(b"The published text.", b"Rewritten by the wire.")
    services.import_file(name="published.txt", data=rewrite, options=ImportOptions(update_same_headline=True))
    w.published.refresh_from_db()
    assert w.published.revision == 2
    response = client.post(reverse("admin:articles_article_revision_restore", args=[w.published.id, 1]))
    w.published.refresh_from_db()
    if "Rewritten" in w.published.body_text:
        assert refused(response)
        return False
    return w.published.body_text == "The published text."


# What each role may do: the README's table, row by row (Reporters, Editors, Curators, view-only).
MAY: dict[str, tuple[Callable[..., bool], tuple[bool, bool, bool, bool]]] = {
    "See the archive in the admin": (see_articles, (True, True, True, True)),
    "See the entity index in the admin": (see_entities, (False, True, True, True)),
    "Upload new stories as drafts": (upload_new_draft, (True, True, False, False)),
    "Upload and publish": (upload_and_publish, (False, True, False, False)),
    "Change their own draft (change form or upload)": (change_own_draft, (True, True, False, False)),
    "Change another's draft (change form)": (edit_a_draft, (False, True, False, False)),
    "Update another's draft by upload": (update_anothers_draft_by_upload, (False, True, False, False)),
    "Update a published story by upload": (update_a_published_story_by_upload, (False, True, False, False)),
    "Publish a draft in the change form": (publish_in_change_form, (False, True, False, False)),
    "Change a published story (change form)": (edit_a_published_story, (False, True, False, False)),
    "Publish and unpublish (list actions)": (publish_and_unpublish_actions, (False, True, False, False)),
    "Re-tag articles": (retag, (False, True, False, False)),
    "Delete a draft": (delete_a_draft, (False, True, False, False)),
    "Merge entities": (merge_entities, (False, False, True, False)),
    "Reject an entity": (reject_an_entity, (False, False, True, False)),
    "Rename an entity": (rename_an_entity, (False, False, True, False)),
    "Decide on the curation desk (merge, not the same, checked)": (
        decide_on_the_curation_desk,
        (False, False, True, False),
    ),
    "Restore an earlier revision of a published story": (
        restore_a_revision_of_a_published_story,
        (False, True, False, False),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("what", list(MAY))
def test_each_role_may_do_what_the_table_says_and_nothing_else(client, world, role, what):
    attempt, allowed = MAY[what]
    world.member = log_in_as(client, role)
    assert attempt(client, world) is allowed[ROLES.index(role)]


def test_every_admin_action_declares_the_permission_it_needs():
    actions = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"articles", "entities"}:
            continue
        for action in model_admin.actions or ():
            function = getattr(model_admin, action) if isinstance(action, str) else action
            needed = getattr(function, "allowed_permissions", ())
            assert needed, f"{model.__name__} action {action!r} declares no permission"
            for permission in needed:
                assert callable(getattr(model_admin, f"has_{permission}_permission", None))
            actions += 1
    assert actions >= 5  # publish, unpublish, retag, merge, reject


def test_the_readme_table_of_roles_is_the_one_the_tests_prove():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in MAY:
            rows[cells[0]] = tuple(re.match(r"(yes|no)", cell).group(1) == "yes" for cell in cells[1:])
    assert rows == {what: allowed for what, (_attempt, allowed) in MAY.items()}
