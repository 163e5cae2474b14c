"""The change feed's events as partners read them."""

from rest_framework import serializers

from changes.models import Change, ChangeKind, ObjectType
from entities.api.serializers import entity_api_url


def object_api_url(request, object_type: str, object_id: int) -> str:
    """The object in the API: where a mirror reads its current state (404 once it is gone)."""
    if object_type == ObjectType.ARTICLE:
        return request.build_absolute_uri(f"/api/v1/articles/{object_id}/")
    return entity_api_url(request, object_type, object_id)


class TargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The entity merged into.")
    url = serializers.URLField(help_text="That entity in this API.")


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices, help_text="What happened (see docs/api.md).")
    object_type = serializers.ChoiceField(choices=ObjectType.choices, help_text="article, person, organisation, place.")
    id = serializers.IntegerField(help_text="The object's id, as in its URL and in the lists.")
    url = serializers.URLField(help_text="The object in this API (404 after a tombstone).")
    timestamp = serializers.DateTimeField(help_text="When the change was written (ISO 8601); not the feed's order.")
    target = TargetSerializer(allow_null=True, help_text="For `merged`: the entity it was merged into; else null.")

    def to_representation(self, change: Change) -> dict:
        request = self.context["request"]
        target = None
        if change.target_id is not None:
            target = {"id": change.target_id, "url": object_api_url(request, change.object_type, change.target_id)}
        return {
            "kind": change.kind,
            "object_type": change.object_type,
            "id": change.object_id,
            "url": object_api_url(request, change.object_type, change.object_id),
            "timestamp": serializers.DateTimeField().to_representation(change.occurred_at),
            "target": target,
        }


class ChangePageSerializer(serializers.Serializer):
    events = ChangeSerializer(many=True, help_text="The events of this page, in the order they happened.")
    next = serializers.CharField(
        help_text="The cursor to send as `since` next time: after this page's last event (or where this page "
        "began, when it is empty). Keep it; it stays valid for good."
    )
    has_more = serializers.BooleanField(help_text="Whether more events are ready now: ask again at once.")
