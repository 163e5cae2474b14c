"""What every endpoint of the partner API shares: API-key authentication, per-key throttling,
error responses, query parameters, keyset pages, and the public schema and root views
(newsroom/api.py wires the URLs)."""

import contextlib
import math
from collections.abc import Callable
from datetime import UTC, datetime

from csp.decorators import csp_update
from django import forms
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django_filters.fields import IsoDateTimeField
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, permissions, routers, throttling
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework_api_key.models import APIKey

from core.pagination import Page

KEYWORD = "Api-Key"
MISSING_KEY = f"Authentication credentials were not provided: send Authorization: {KEYWORD} <key>."

# --- Authentication and throttling ---------------------------------------------------------


class APIKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`. No header: 401 saying how to send the key;
    a malformed, unknown, revoked or expired key: 401 with a message saying so."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            raise exceptions.NotAuthenticated(MISSING_KEY)
        keyword, _, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower() or not key.strip():
            raise exceptions.AuthenticationFailed(f'Malformed Authorization header: use "{KEYWORD} <key>".')
        key = key.strip()
        api_key = APIKey.objects.filter(prefix=key.partition(".")[0]).first()
        if api_key is None or not api_key.is_valid(key):
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if api_key.revoked:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        return (None, api_key)

    def authenticate_header(self, request) -> str:
        return KEYWORD


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = APIKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f'Send "{KEYWORD} <key>"; keys are created with `manage.py create_api_key <name>`.',
        }


class HasValidAPIKey(permissions.BasePermission):
    message = MISSING_KEY

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, APIKey)


class APIKeyRateThrottle(throttling.SimpleRateThrottle):
    """Requests per API key (keyed on the key's public prefix), counted in the Redis cache, at
    the rate of its scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (API_THROTTLE_RATE).

    A sliding window over two fixed ones: each request increments the counter of the
    current window, and the previous window's count weighs in for the part of it the
    sliding window still covers. That is a few small Redis commands per request (add or
    increment this window's counter, read the previous one); DRF's SimpleRateThrottle reads
    and rewrites the list of every request time in the window (5,000 of them at the default
    rate), which grew to milliseconds a request."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, APIKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}

    def allow_request(self, request, view) -> bool:
        key = self.get_cache_key(request, view)
        if self.rate is None or key is None:
            return True
        window, offset = divmod(self.timer(), self.duration)
        current_key = f"{key}:{int(window)}"
        current = self._increment(current_key)
        if current is None:  # the cache is down: fail open (core.cache logs it)
            return True
        previous = self.cache.get(f"{key}:{int(window) - 1}", 0)
        covered = 1 - offset / self.duration  # the share of the previous window still inside
        if previous * covered + current <= self.num_requests:
            return True
        # A refused request is not counted (as in DRF's throttles): a client that retries
        # at once is not kept out longer than Retry-After says.
        with contextlib.suppress(ValueError):  # the counter expired meanwhile: nothing to take back
            self.cache.decr(current_key)
        self.wait_seconds = self.retry_after(previous, current - 1, offset)
        return False

    def retry_after(self, previous: int, current: int, offset: float) -> float:
        """Seconds from `offset` into this window until one more request fits, if none is made
        meanwhile: `current` requests counted in this window, `previous` in the one before."""
        n, d = self.num_requests, self.duration
        if current < n and previous:
            # Room in this window once enough of the previous one has slid out:
            # previous * (1 - t / d) + current + 1 <= n.
            return (1 - (n - current - 1) / previous) * d - offset
        # This window is full: in the next, its count weighs as the previous one's does now.
        return d - offset + (max(0.0, (1 - (n - 1) / current) * d) if current else 0.0)

    def _increment(self, key: str) -> int | None:
        """The counter after this request; None when the cache cannot count."""
        timeout = 2 * self.duration  # the next window still reads it
        for _ in range(2):
            if self.cache.add(key, 1, timeout):
                return 1
            try:
                return self.cache.incr(key)
            except ValueError:  # expired between add and incr: add again
                continue
        return None

    def wait(self) -> int:
        return max(1, math.ceil(self.wait_seconds))


class PartnerAPIMixin:
    authentication_classes = [APIKeyAuthentication]
    permission_classes = [HasValidAPIKey]
    throttle_classes = [APIKeyRateThrottle]


# --- Schema: errors and parameters --------------------------------------------------------


_ERROR = {
    "type": "object",
    "description": "An error. 400 errors name each bad parameter as a key with a list of messages.",
    "additionalProperties": True,
    "properties": {"detail": {"type": "string", "description": "What went wrong."}},
}
ERROR_RESPONSES = {
    400: OpenApiResponse(
        _ERROR,
        description=(
            "A bad parameter: the body names it, with a list of messages. Besides values outside a "
            "parameter's schema, two well-formed values are refused on lists: a `cursor` the API did "
            'not issue for this list and ordering ({"cursor": ["Invalid cursor: use the next/previous '
            'links as given."]}), and a `q` with no word to find, only -excluded words, or a prefix '
            'under 3 letters ({"q": ["There is nothing to search for: give at least one word."]}).'
        ),
    ),
    401: OpenApiResponse(_ERROR, description="Missing, unknown, revoked or expired API key."),
    404: OpenApiResponse(_ERROR, description="No such published object."),
    429: OpenApiResponse(_ERROR, description="Too many requests for this key: see Retry-After."),
}
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified since the If-None-Match / If-Modified-Since given.")}


def id_parameter(description: str) -> OpenApiParameter:
    """The `{id}` of a detail URL: digits only (anything else is a 404)."""
    return OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description=description)


# --- Query parameters ----------------------------------------------------------------------

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """The id of an object: a whole number from 1 to the largest bigint."""

    schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, max_value=MAX_ID, **kwargs)


class TextField(forms.CharField):
    """Text of at most `max_length` characters, and no NUL character (Django's form fields
    refuse it)."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(required=False, max_length=max_length, **kwargs)
        self.schema = {"type": "string", "maxLength": max_length, "pattern": "^[^\\u0000]*$"}


class NamesField(forms.CharField):
    """A comma-separated list of names, each one of `choices` (`?facets=person,year`): the
    names given, in the order of `choices`, without repeats. Anything else is a 400 naming
    the unknown names."""

    openapi_options = {"style": "form", "explode": False}

    def __init__(self, *, choices: tuple[str, ...], **kwargs):
        super().__init__(required=False, **kwargs)
        self.choices = choices
        self.max_length = len(",".join(choices))
        self.schema = {"type": "array", "items": {"type": "string", "enum": list(choices)}, "uniqueItems": True}

    def to_python(self, value) -> tuple[str, ...]:
        value = super().to_python(value)
        if len(value) > self.max_length:
            raise forms.ValidationError(
                f"At most {self.max_length} characters: name each of {', '.join(self.choices)} once."
            )
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in self.choices]
        if unknown:
            raise forms.ValidationError(f"Unknown: {', '.join(unknown)}. Choose from: {', '.join(self.choices)}.")
        return tuple(name for name in self.choices if name in names)


class BoundedIntegerField(forms.IntegerField):
    """A whole number from `min_value` to `max_value`; absent means `default`."""

    def __init__(self, *, min_value: int, max_value: int, default: int, **kwargs):
        super().__init__(required=False, min_value=min_value, max_value=max_value, **kwargs)
        self.default = default
        self.schema = {"type": "integer", "minimum": min_value, "maximum": max_value, "default": default}

    def to_python(self, value) -> int:
        value = super().to_python(value)
        return self.default if value is None else value


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, in UTC: PostgreSQL refuses UTC offsets beyond ±15:59 (ISO and RFC 3339
    allow ±23:59), and a time that falls before year 1 or after 9999 in UTC only means "any
    time", so it becomes the first or last representable one."""

    schema = {"type": "string", "format": "date-time"}

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


class QueryForm(forms.Form):
    """The query parameters of a list: every one optional, validated by a Django form (a 400
    answer carries its messages), and documented from the same fields (IdField, TextField,
    UtcDateTimeField, or a ChoiceField)."""

    @classmethod
    def validated(cls, query_params) -> "QueryForm":
        form = cls(query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return form

    @classmethod
    def openapi_parameters(cls) -> list[OpenApiParameter]:
        """The fields as query parameters, for `extend_schema(parameters=...)`."""
        parameters = []
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.ChoiceField):
                listed = "\n".join(f"* `{value}` - {label}" for value, label in field.choices)
                parameters.append(
                    OpenApiParameter(
                        name,
                        OpenApiTypes.STR,
                        description=f"{field.help_text}\n\n{listed}",
                        enum=[value for value, _label in field.choices],
                    )
                )
            else:
                options = getattr(field, "openapi_options", {})
                parameters.append(OpenApiParameter(name, field.schema, description=field.help_text, **options))
        return parameters


class LabelLanguageForm(QueryForm):
    """`lang`: the language entity names are given in (their label in it, where known)."""

    lang = forms.ChoiceField(
        required=False,
        choices=[("fr", "French"), ("en", "English")],
        help_text="Entity names in this language where the entity has a name in it (Bagdad / Baghdad). "
        "Without it, the first of these the Accept-Language header prefers; without either, an article's "
        "entities are named in the article's language and entities by their canonical name.",
    )

    def label_language(self, request) -> str:
        """`lang`, else the Accept-Language header's preferred language among ours, else ""."""
        if self.cleaned_data.get("lang"):
            return self.cleaned_data["lang"]
        offered = {value for value, _label in self.fields["lang"].choices}
        preferences = []
        for position, item in enumerate(request.headers.get("Accept-Language", "").split(",")):
            tag, _, params = item.strip().partition(";")
            quality = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                weight = float(quality)
            except ValueError:
                continue
            language = tag.strip().split("-")[0].lower()
            if language in offered and weight > 0:
                preferences.append((-weight, position, language))
        return min(preferences)[2] if preferences else ""


# --- Keyset pages --------------------------------------------------------------------------


class KeysetPagination(BasePagination):
    """Keyset pages of a search: {"count", "count_is_estimate", "next", "previous", "results"}.

    The search engines page by themselves (a cursor and a page size in, a `Page` of ids out),
    so rather than slicing a queryset this class asks a search for the page the request
    names (`paginate_search`), then renders that page around its results."""

    page_size = 20
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_search(self, search: Callable[..., Page], request) -> Page:
        """`search(cursor=..., page_size=...)` for this request's page."""
        self.request = request
        self.page = search(
            cursor=request.query_params.get(self.cursor_query_param), page_size=self.get_page_size(request)
        )
        return self.page

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({self.page_size_query_param: ["A whole number is required."]}) from None
        if value < 1:
            raise ValidationError({self.page_size_query_param: ["Ensure this value is greater than or equal to 1."]})
        return min(value, self.max_page_size)

    def get_paginated_response(self, data) -> Response:
        url = self.request.build_absolute_uri()

        def link(cursor: str | None) -> str | None:
            return None if cursor is None else replace_query_param(url, self.cursor_query_param, cursor)

        return Response(
            {
                "count": self.page.count,
                "count_is_estimate": self.page.count_is_estimate,
                "next": link(self.page.next_cursor),
                "previous": link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "Number of results: exact for small result sets, otherwise the planner's estimate.",
                },
                "count_is_estimate": {"type": "boolean", "description": "True when `count` is an estimate."},
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The previous page, or null on the first page.",
                },
                "results": {**schema, "description": "The objects of this page."},
            },
            "required": ["count", "count_is_estimate", "next", "previous", "results"],
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "in": "query",
                "name": self.cursor_query_param,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 400},
                "description": "Opaque position in the list (base64url); follow the `next` and `previous` "
                "links rather than building it. A cursor the API did not issue for this list and ordering "
                "is a 400 naming `cursor`.",
            },
            {
                "in": "query",
                "name": self.page_size_query_param,
                "schema": {"type": "integer", "minimum": 1},
                "description": f"Results per page, 1 to {self.max_page_size} (larger values are capped); "
                f"default {self.page_size}.",
            },
        ]


# --- Schema, docs and root views -----------------------------------------------------------


class PublicSchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


# Swagger UI sets inline styles; its script is served from our origin (SIDECAR) so
# script-src stays 'self'.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["'self'", "data:"]}), name="dispatch")
class PublicDocsView(SpectacularSwaggerView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


class APIRootView(PartnerAPIMixin, routers.APIRootView):
    """The API's root: a link to each endpoint, for a partner's key like the endpoints."""


class PartnerRouter(routers.DefaultRouter):
    APIRootView = APIRootView


def not_found(request, path: str) -> JsonResponse:
    """Any other URL under the API (an id that is not a number, a typo): a JSON 404 like
    the endpoints' own, not the reader site's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)
