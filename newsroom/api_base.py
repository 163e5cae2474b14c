"""API-key authentication, per-key throttling and the error responses shared by the
partner API's views (newsroom/api.py wires the URLs)."""

import contextlib
import math

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.models import APIKey

KEYWORD = "Api-Key"
MISSING_KEY = f"Authentication credentials were not provided: send Authorization: {KEYWORD} <key>."


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
        if current is None:  # the cache is down: fail open (newsroom.cache logs it)
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


_ERROR = {
    "type": "object",
    "description": "An error. 400 errors name each bad parameter as a key with a list of messages.",
    "additionalProperties": True,
    "properties": {"detail": {"type": "string", "description": "What went wrong."}},
}
ERROR_RESPONSES = {
    400: OpenApiResponse(_ERROR, description="A bad parameter: the body names it."),
    401: OpenApiResponse(_ERROR, description="Missing, unknown, revoked or expired API key."),
    404: OpenApiResponse(_ERROR, description="No such published object."),
    429: OpenApiResponse(_ERROR, description="Too many requests for this key: see Retry-After."),
}
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified since the If-None-Match / If-Modified-Since given.")}


def id_parameter(description: str) -> OpenApiParameter:
    """The `{id}` of a detail URL: digits only (anything else is a 404)."""
    return OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description=description)


def allow_empty_query_values(result, generator, request, public):
    """drf-spectacular post-processing hook: every query parameter of the API takes an empty
    value as absent (`?q=&page_size=` is the plain list), so the schema says so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    parameter["allowEmptyValue"] = True
    return result
