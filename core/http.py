"""HTTP helpers: canonical absolute URLs, public caching headers, JSON-LD and the client's address."""

import ipaddress
import json
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from rest_framework.throttling import BaseThrottle


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


# What json.dumps leaves that could end a <script> data block early.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_SCRIPT_ESCAPES)
    # The payload is JSON with every character that could close the element escaped.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def client_address(request: HttpRequest) -> str | None:
    """The address of the client, read through the `NUM_PROXIES` proxies in front of the site
    as DRF reads it for the API: the address the outermost proxy saw in X-Forwarded-For, so a
    client cannot choose it by sending the header itself. django-axes counts failed logins by
    it (AXES_CLIENT_IP_CALLABLE); None when that is not an IP address (a misconfigured proxy)."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
