"""Curation actions need "change entity": view-only staff can neither merge nor reject."""

import pytest
from django.urls import reverse

from articles.tests.staff import staff_user
from entities.models import Entity
from entities.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:entities_entity_changelist")


@pytest.fixture
def twins() -> tuple[Entity, Entity]:
    return EntityFactory(name="Ottoline Embargova"), EntityFactory(name="O. Embargova")


def offered_actions(client) -> set[str]:
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    form = page.context.get("action_form")
    return {value for value, _label in form.fields["action"].choices if value} if form else set()


def merge(client, survivor: Entity, duplicate: Entity):
    return client.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": [survivor.id, duplicate.id], "apply": "1", "survivor": survivor.id},
    )


def test_merge_and_reject_need_change_entity_permission(client, twins):
    survivor, duplicate = twins
    client.force_login(staff_user("viewer", "entities.view_entity"))
    assert offered_actions(client) == set()
    merge(client, survivor, duplicate)
    client.post(CHANGELIST, {"action": "reject", "_selected_action": [survivor.id]})
    assert set(Entity.objects.values_list("status", flat=True)) == {Entity.Status.ACTIVE}

    client.force_login(staff_user("curator", "entities.view_entity", "entities.change_entity"))
    assert offered_actions(client) == {"merge", "reject"}
    assert merge(client, survivor, duplicate).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Entity.Status.MERGED and duplicate.merged_into == survivor
    client.post(CHANGELIST, {"action": "reject", "_selected_action": [survivor.id]})
    survivor.refresh_from_db()
    assert survivor.status == Entity.Status.REJECTED
