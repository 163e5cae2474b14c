"""HTTP helpers of the reader pages: canonical absolute URLs and public caching headers."""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date


def absolute_url(request: HttpRequest | None, path: str) -> str:
    """A canonical absolute URL: SITE_URL when configured, else the request's host."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def cached(response: HttpResponse, *, max_age: int, last_modified: datetime | None = None) -> HttpResponse:
    """The response, cacheable by anyone for `max_age` seconds (and with its Last-Modified)."""
    patch_cache_control(response, public=True, max_age=max_age)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response
