"""The curation log: every curation says which editor made it and when (the machine for a
type the archive's evidence corrected), and the admin shows it, read-only."""

import importlib

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from articles.tests.factories import ArticleFactory
from articles.tests.staff import staff_user
from entities import services
from entities.extraction.ner import RawMention
from entities.models import Alias, CurationEvent, DistinctPair, Entity, EntityKind
from entities.tests.factories import AliasFactory, EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db

Action = CurationEvent.Action
CHANGELIST = reverse("admin:entities_entity_changelist")
LOG = reverse("admin:entities_curationevent_changelist")


@pytest.fixture
def curator():
    return staff_user(
        "curator",
        "entities.view_entity",
        "entities.change_entity",
        "entities.add_alias",
        "entities.change_alias",
        "entities.delete_alias",
    )


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def the_event() -> CurationEvent:
    """The one event logged so far (fails when there are none or several)."""
    [event] = CurationEvent.objects.all()
    return event


def change_form(entity: Entity, **changes) -> dict:
    """The entity's change form as the admin page posts it (no alias, no new alias), with `changes`."""
    return {
        "name": entity.name,
        "labels": "{}",
        "same_as": entity.same_as,
        "wikidata_id": entity.wikidata_id,
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
        **changes,
    }


# --- The services ------------------------------------------------------------------------


def test_a_merge_is_logged_once_under_the_survivor_with_the_merged_entities(curator):
    survivor, dup = EntityFactory(name="Jim Mattis"), EntityFactory(name="James Mattis")
    services.merge_entities(survivor_id=survivor.id, duplicate_ids=[dup.id], user_id=curator.id)
    event = the_event()
    assert (event.entity, event.action, event.user) == (survivor, Action.MERGED, curator)
    assert event.detail == {"merged_ids": [dup.id], "merged_names": ["James Mattis"]}
    assert event.editor == "curator"


def test_a_rename_logs_the_old_and_new_name(curator):
    entity = EntityFactory(name="Syrie", kind=EntityKind.PLACE)
    services.rename_entity(entity_id=entity.id, name="Syria", user_id=curator.id)
    event = the_event()
    assert (event.entity, event.action, event.user) == (entity, Action.RENAMED, curator)
    assert event.detail == {"old_name": "Syrie", "new_name": "Syria", "old_slug": "syrie", "new_slug": "syria"}


def test_a_refused_curation_logs_nothing(curator):
    entity, _other = EntityFactory(name="Syrie"), EntityFactory(name="Syria")
    with pytest.raises(services.CurationError):
        services.rename_entity(entity_id=entity.id, name="Syria", user_id=curator.id)
    with pytest.raises(services.CurationError):
        services.merge_entities(survivor_id=entity.id, duplicate_ids=[], user_id=curator.id)
    assert not CurationEvent.objects.exists()


def test_adding_an_alias_is_logged_once_and_adding_it_again_logs_nothing(curator):
    entity = EntityFactory(name="Jim Mattis")
    services.add_entity_alias(entity_id=entity.id, name="Mad Dog", user_id=curator.id)
    services.add_entity_alias(entity_id=entity.id, name="Mad Dog", user_id=curator.id)
    event = the_event()
    assert (event.entity, event.action, event.user) == (entity, Action.ALIAS_ADDED, curator)
    assert event.detail["alias"] == "Mad Dog" and not event.detail["was_found_by_tagging"]


def test_removing_an_alias_is_logged(curator):
    alias = AliasFactory(name="Mad Dog")
    services.remove_entity_alias(alias_id=alias.id, user_id=curator.id)
    event = the_event()
    assert (event.entity, event.action, event.user) == (alias.entity, Action.ALIAS_REMOVED, curator)
    assert event.detail == {"alias": "Mad Dog", "alias_id": alias.id}
    assert not Alias.objects.exists()


def test_a_rejection_logs_how_many_mentions_went(curator):
    mention = MentionFactory(entity=EntityFactory(name="Credit"))
    services.reject_entity(entity_id=mention.entity_id, user_id=curator.id)
    event = the_event()
    assert (event.entity_id, event.action, event.user) == (mention.entity_id, Action.REJECTED, curator)
    assert event.detail == {"old_status": "active", "mentions_removed": 1}


def test_checking_is_logged(curator):
    entity = EntityFactory()
    services.mark_entity_checked(entity_id=entity.id, user_id=curator.id)
    event = the_event()
    assert (event.entity, event.action, event.user, event.detail) == (entity, Action.CHECKED, curator, {})


def test_not_a_duplicate_is_logged_under_the_first_with_the_other_and_only_once(curator):
    a, b = EntityFactory(name="Omar al-Bashir"), EntityFactory(name="Omar el-Bashir")
    services.dismiss_duplicate(entity_ids=(b.id, a.id), user_id=curator.id)
    services.dismiss_duplicate(entity_ids=(a.id, b.id), user_id=curator.id)
    event = the_event()
    assert (event.entity, event.action, event.user) == (b, Action.NOT_DUPLICATE, curator)
    assert event.detail == {"other_id": a.id, "other_name": "Omar al-Bashir"}
    assert DistinctPair.objects.get().decided_by == curator


def test_an_edit_logs_the_old_and_new_values_of_what_changed(curator):
    entity = EntityFactory(name="Baghdad", kind=EntityKind.PLACE)
    services.edit_entity(
        entity_id=entity.id, changes={"labels": {"fr": "Bagdad"}, "wikidata_id": ""}, user_id=curator.id
    )
    event = the_event()
    assert (event.entity, event.action, event.user) == (entity, Action.EDITED, curator)
    assert event.detail == {"changes": {"labels": {"old": {}, "new": {"fr": "Bagdad"}}}}
    with pytest.raises(services.CurationError):
        services.edit_entity(entity_id=entity.id, changes={"kind": "person"}, user_id=curator.id)


def test_existing_callers_without_a_user_are_logged_as_the_machine_and_a_removed_account_keeps_its_name(curator):
    a, b = EntityFactory(), EntityFactory()
    services.merge_entities(survivor_id=a.id, duplicate_ids=[b.id])
    assert (the_event().user, the_event().editor) == (None, "machine")
    services.mark_entity_checked(entity_id=a.id, user_id=curator.id)
    curator.delete()
    checked = CurationEvent.objects.get(action=Action.CHECKED)
    assert (checked.user, checked.editor) == (None, "curator (account removed)")


def test_the_migration_logs_the_pairs_editors_dismissed_before_the_log(curator):
    backfill = importlib.import_module("entities.migrations.0012_curation_events_from_distinct_pairs")
    a, b = EntityFactory(name="Omar al-Bashir"), EntityFactory(name="Omar el-Bashir")
    pair = services.dismiss_duplicate(entity_ids=(a.id, b.id), user_id=curator.id)
    CurationEvent.objects.all().delete()  # as before 0011
    with connection.cursor() as cursor:
        cursor.execute(backfill.BACKFILL)
    event = the_event()
    assert (event.entity, event.action, event.user, event.at) == (a, Action.NOT_DUPLICATE, curator, pair.decided_at)
    assert event.describe() == f"Not the same as Omar el-Bashir (#{b.id})"
    with connection.cursor() as cursor:
        cursor.execute(backfill.UNDO)
    assert not CurationEvent.objects.exists()


# --- Types corrected by evidence -----------------------------------------------------------

TEXT = "Zorblax announced a new plan on Monday."


def tag_as(kind: str, times: int = 1) -> None:
    """An article naming Zorblax `times` times, tagged as if the model called it `kind`."""
    article = ArticleFactory(paragraphs=[" ".join([TEXT] * times)])
    article.refresh_from_db()
    step = len(TEXT) + 1
    raw = [RawMention("body_text", i * step, i * step + 7, "Zorblax", kind, "X") for i in range(times)]
    assert services.tag_article(article_id=article.id, content_hash=article.content_hash, raw=raw) == "tagged"


def test_a_type_corrected_by_evidence_is_logged_as_the_machines(admin_client):
    tag_as("person")
    assert not CurationEvent.objects.exists()  # tagging alone curates nothing
    entity = Entity.objects.get(key="zorblax")
    tag_as("organisation", times=2)  # the votes turn: the person becomes an organisation
    event = the_event()
    assert (event.entity, event.action, event.user) == (entity, Action.TYPE_CORRECTED, None)
    assert event.detail == {"old_kind": "person", "new_kind": "organisation", "old_slug": "zorblax"}
    page = admin_client.get(reverse("admin:entities_entity_change", args=[entity.id])).content.decode()
    assert "machine" in page and "Type corrected by evidence: person → organisation" in page


def test_a_type_correction_that_folds_an_entity_into_another_shows_on_both_pages(admin_client):
    tag_as("person")
    person = Entity.objects.get(key="zorblax")
    tag_as("organisation")
    organisation = Entity.objects.get(key="zorblax", kind="organisation")
    tag_as("organisation")  # two against one of three: the person is folded into the organisation
    event = the_event()
    assert (event.entity, event.user, event.detail["other_id"]) == (person, None, organisation.id)
    page = admin_client.get(reverse("admin:entities_entity_change", args=[organisation.id])).content.decode()
    assert f"Zorblax (#{person.id}) folded in after its type was corrected" in page


# --- The admin -----------------------------------------------------------------------------


def test_the_merge_and_reject_actions_log_the_editor(curator_client, curator):
    survivor, dup, junk = EntityFactory(name="Jim Mattis"), EntityFactory(name="James Mattis"), EntityFactory()
    curator_client.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": [survivor.id, dup.id], "apply": "1", "survivor": survivor.id},
    )
    curator_client.post(CHANGELIST, {"action": "reject", "_selected_action": [junk.id]})
    logged = {(e.entity_id, e.action, e.user_id) for e in CurationEvent.objects.all()}
    assert logged == {(survivor.id, Action.MERGED, curator.id), (junk.id, Action.REJECTED, curator.id)}


def test_the_desk_buttons_log_the_editor(curator_client, curator):
    keep, other = EntityFactory(name="Ali al-Sadr"), EntityFactory(name="Ali el-Sadr")
    a, b = EntityFactory(name="Omar al-Bashir"), EntityFactory(name="Omar el-Bashir")
    decide = reverse("admin:entities_entity_decide")
    curator_client.post(decide, {"keep": keep.id, "other": other.id, "decision": "merge"})
    curator_client.post(decide, {"keep": a.id, "other": b.id, "decision": "distinct"})
    curator_client.post(reverse("admin:entities_entity_checked"), {"entity": a.id})
    logged = {(e.entity_id, e.action, e.user_id) for e in CurationEvent.objects.all()}
    assert logged == {
        (keep.id, Action.MERGED, curator.id),
        (a.id, Action.NOT_DUPLICATE, curator.id),
        (a.id, Action.CHECKED, curator.id),
    }


def test_the_change_form_logs_a_rename_an_edit_and_the_aliases_under_the_editor(curator_client, curator):
    entity = EntityFactory(name="Bagdad", kind=EntityKind.PLACE, aliases=["Baghdad City"])
    old_alias = entity.aliases.get()
    url = reverse("admin:entities_entity_change", args=[entity.id])
    form = change_form(
        entity,
        name="Baghdad",
        labels='{"fr": "Bagdad"}',
        **{
            "aliases-TOTAL_FORMS": "2",
            "aliases-INITIAL_FORMS": "1",
            "aliases-0-id": old_alias.id,
            "aliases-0-entity": entity.id,
            "aliases-0-name": old_alias.name,
            "aliases-0-DELETE": "on",
            "aliases-1-entity": entity.id,
            "aliases-1-name": "Madinat as-Salam",
        },
    )
    assert curator_client.post(url, form).status_code == 302
    logged = {e.action: e for e in CurationEvent.objects.all()}
    assert set(logged) == {Action.RENAMED, Action.EDITED, Action.ALIAS_REMOVED, Action.ALIAS_ADDED}
    assert {e.user for e in logged.values()} == {curator}
    assert logged[Action.RENAMED].detail["new_name"] == "Baghdad"
    assert logged[Action.EDITED].detail == {"changes": {"labels": {"old": {}, "new": {"fr": "Bagdad"}}}}
    assert logged[Action.ALIAS_REMOVED].detail["alias"] == "Baghdad City"
    assert logged[Action.ALIAS_ADDED].detail["alias"] == "Madinat as-Salam"


def test_an_entity_made_in_the_admin_and_an_alias_edited_in_place_are_logged(curator_client, curator):
    curator.user_permissions.add(Permission.objects.get(codename="add_entity"))
    form = change_form(Entity(name="Hawke's Bay"), kind=EntityKind.PLACE, slug="hawkes-bay")
    assert curator_client.post(reverse("admin:entities_entity_add"), form).status_code == 302
    entity = Entity.objects.get(slug="hawkes-bay")
    alias = AliasFactory(entity=entity, name="Hawkes Bay")
    url = reverse("admin:entities_entity_change", args=[entity.id])
    edit = {
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "1",
        "aliases-0-id": alias.id,
        "aliases-0-entity": entity.id,
        "aliases-0-name": "Te Matau-a-Māui",
    }
    assert curator_client.post(url, change_form(entity, **edit)).status_code == 302
    assert list(entity.aliases.values_list("name", flat=True)) == ["Te Matau-a-Māui"]
    logged = [(e.action, e.user, e.describe()) for e in CurationEvent.objects.order_by("id")]
    assert logged == [
        (Action.CREATED, curator, "Created in the admin"),
        (Action.ALIAS_ADDED, curator, "Alias added: “Te Matau-a-Māui”"),
        (Action.ALIAS_REMOVED, curator, "Alias removed: “Hawkes Bay”"),
    ]


def test_the_change_page_shows_the_history_newest_first_on_both_sides_of_a_merge(curator_client, curator):
    survivor, dup = EntityFactory(name="Jim Mattis"), EntityFactory(name="James Mattis")
    services.rename_entity(entity_id=survivor.id, name="James N. Mattis")
    services.merge_entities(survivor_id=survivor.id, duplicate_ids=[dup.id], user_id=curator.id)
    page = curator_client.get(reverse("admin:entities_entity_change", args=[survivor.id])).content.decode()
    merged = page.index(f"Merged in: James Mattis (#{dup.id})")
    renamed = page.index("Renamed from “Jim Mattis” to “James N. Mattis”")
    assert merged < renamed  # newest first
    history = page[page.index('class="curation-history"') :]
    assert "<td>curator</td>" in history and "<td>machine</td>" in history
    dup_page = curator_client.get(reverse("admin:entities_entity_change", args=[dup.id])).content.decode()
    assert f"Merged into James N. Mattis (#{survivor.id})" in dup_page


def test_view_only_staff_read_the_log_but_cannot_write_it(client):
    entity = EntityFactory(name="Credit")
    services.reject_entity(entity_id=entity.id)
    event = the_event()
    client.force_login(staff_user("viewer", "entities.view_entity"))
    listing = client.get(LOG, {"q": "Credit", "action__exact": "rejected"})
    assert listing.status_code == 200 and "Credit" in listing.content.decode() and "machine" in listing.content.decode()
    assert client.get(LOG, {"q": "nobody"}).context["cl"].result_count == 0
    assert client.get(LOG, {"entity__id__exact": entity.id}).context["cl"].result_count == 1  # the page's link
    page = client.get(reverse("admin:entities_entity_change", args=[entity.id])).content.decode()
    assert "Rejected (not an entity); 0 mentions removed" in page
    assert client.get(reverse("admin:entities_curationevent_change", args=[event.id])).status_code == 200
    assert client.get(reverse("admin:entities_curationevent_add")).status_code == 403
    assert client.post(reverse("admin:entities_curationevent_change", args=[event.id]), {}).status_code == 403
    assert (
        client.post(reverse("admin:entities_curationevent_delete", args=[event.id]), {"post": "yes"}).status_code == 403
    )
    client.post(LOG, {"action": "delete_selected", "_selected_action": [event.id], "post": "yes"})
    assert CurationEvent.objects.filter(id=event.id).exists()
    client.force_login(staff_user("stranger"))
    assert client.get(LOG).status_code == 403


def test_not_even_a_superuser_can_add_change_or_delete_events(admin_client):
    entity = EntityFactory()
    services.mark_entity_checked(entity_id=entity.id)
    event = the_event()
    assert admin_client.get(reverse("admin:entities_curationevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:entities_curationevent_delete", args=[event.id]), {"post": "yes"}).status_code
        == 403
    )
    assert CurationEvent.objects.filter(id=event.id).exists()
