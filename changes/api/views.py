"""/api/v1/changes/: what changed in the public archive since a cursor, for partners' mirrors."""

from django import forms
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from changes import selectors
from changes.api.serializers import ChangePageSerializer, ChangeSerializer
from core.api import ERROR_RESPONSES, PartnerAPIMixin, QueryForm, TextField
from core.pagination import MAX_CURSOR_LENGTH, InvalidCursor

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
INVALID_CURSOR = "Invalid cursor: send a `next` cursor of this feed as it was given, or no `since` to start."


class PageSizeField(forms.IntegerField):
    schema = {"type": "integer", "minimum": 1}  # larger values are capped, not refused

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return DEFAULT_PAGE_SIZE if value is None else min(value, MAX_PAGE_SIZE)


class CursorField(TextField):
    schema = {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": MAX_CURSOR_LENGTH}  # base64url

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_CURSOR_LENGTH, error_messages={"max_length": INVALID_CURSOR}, **kwargs)
        self.schema = CursorField.schema


ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(
        ERROR_RESPONSES[400].response,
        description=(
            "A bad parameter: the body names it, with a list of messages. Besides values outside a parameter's "
            f'schema, a `since` the feed did not issue is refused ({{"since": ["{INVALID_CURSOR}"]}}).'
        ),
    ),
}


class ChangeFeedForm(QueryForm):
    since = CursorField(
        help_text="A cursor: the `next` of the previous page. Without it the feed starts at the beginning, "
        "where every object public when the feed began is announced as `created`.",
    )
    page_size = PageSizeField(
        help_text=f"Events per page, 1 to {MAX_PAGE_SIZE} (larger values are capped); default {DEFAULT_PAGE_SIZE}."
    )


class OnePageSchema(AutoSchema):
    """The feed's `list` answers one page object (events and a cursor), not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


@extend_schema(
    summary="Changes to the public archive since a cursor",
    description=(
        "Events in the order their transactions happened: article created, published, updated, corrected, "
        "unpublished, deleted; entity created, renamed, updated, merged, rejected, deleted. Unpublished, "
        "deleted, merged and rejected are tombstones: the object has left the public archive. Drafts and "
        "embargoed articles appear when they become public, not before. Keep `next` and send it as `since`: "
        "no event is skipped or repeated, even across restarts. An event is listed once every transaction "
        "that began before it has ended, usually within a second."
    ),
    parameters=ChangeFeedForm.openapi_parameters(),
    responses={200: ChangePageSerializer, **ERRORS},
)
class ChangeViewSet(PartnerAPIMixin, viewsets.GenericViewSet):
    serializer_class = ChangeSerializer
    pagination_class = None
    schema = OnePageSchema()

    def list(self, request):
        data = ChangeFeedForm.validated(request.query_params).cleaned_data
        try:
            position = selectors.decode_position(data["since"])
        except InvalidCursor:
            raise ValidationError({"since": [INVALID_CURSOR]}) from None
        page = selectors.changes_since(position, page_size=data["page_size"])
        events = ChangeSerializer(page.events, many=True, context={"request": request}).data
        return Response({"events": events, "next": page.next_cursor, "has_more": page.has_more})
