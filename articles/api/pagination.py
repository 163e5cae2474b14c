"""Keyset page envelope shared by the API lists: {"next", "previous", "count", ...}."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import replace_query_param

from articles import search

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="Opaque position in the list; follow the `next` and `previous` links rather than building it.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1},
        description=f"Results per page, 1 to {MAX_PAGE_SIZE} (larger values are capped); default {DEFAULT_PAGE_SIZE}.",
    ),
]


def page_size_from(request) -> int:
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"page_size": ["A whole number is required."]}) from None
    if value < 1:
        raise ValidationError({"page_size": ["Ensure this value is greater than or equal to 1."]})
    return min(value, MAX_PAGE_SIZE)


def envelope(request, page: search.Page, results: list) -> dict:
    url = request.build_absolute_uri()

    def link(cursor):
        if cursor is None:
            return None
        return replace_query_param(url, "cursor", cursor)

    previous = link(page.previous_cursor)
    return {
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "next": link(page.next_cursor),
        "previous": previous,
        "results": results,
    }


def page_serializer(name: str, item_serializer):
    """The documented shape of a keyset page of `item_serializer` objects (one object: without
    many=False, drf-spectacular would document a list action's response as an array of them)."""
    page = type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(
                help_text="Number of results: exact for small result sets, otherwise the planner's estimate."
            ),
            "count_is_estimate": serializers.BooleanField(help_text="True when `count` is an estimate."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last page."),
            "previous": serializers.URLField(
                allow_null=True, help_text="The previous page, or null on the first page."
            ),
            "results": item_serializer(many=True, help_text="The objects of this page."),
        },
    )
    return extend_schema_serializer(many=False)(page)
