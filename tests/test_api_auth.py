"""Partners need a valid API key; errors say what is wrong, as JSON; keys are throttled."""

from unittest.mock import patch

import requests
from django.core.management import call_command
from django.test import override_settings
from rest_framework_api_key.models import APIKey

from core.api import APIKeyRateThrottle


def test_a_request_without_a_key_gets_a_json_401(live_server, transactional_db):
    response = requests.get(live_server.url + "/api/v1/articles/", timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert "Api-Key" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == "Api-Key"


def test_an_unknown_key_is_rejected(live_server, transactional_db):
    headers = {"Authorization": "Api-Key abcdefgh.not-a-real-key"}
    response = requests.get(live_server.url + "/api/v1/people/", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown API key."


def test_a_malformed_authorization_header_is_explained(live_server, transactional_db):
    response = requests.get(live_server.url + "/api/v1/articles/", headers={"Authorization": "Bearer x"}, timeout=10)
    assert response.status_code == 401
    assert "Api-Key <key>" in response.json()["detail"]


def test_a_revoked_key_stops_working(api, api_key):
    assert api.get("/api/v1/articles/").status_code == 200
    APIKey.objects.filter(prefix=api_key.partition(".")[0]).update(revoked=True)
    response = api.get("/api/v1/articles/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_create_api_key_prints_a_working_key_on_its_last_line(live_server, transactional_db, capsys):
    call_command("create_api_key", "Le Monde")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    response = requests.get(
        live_server.url + "/api/v1/articles/", headers={"Authorization": f"Api-Key {key}"}, timeout=10
    )
    assert response.status_code == 200
    assert APIKey.objects.get(name="Le Monde")


def test_each_key_is_throttled_with_retry_after(api, live_server, transactional_db):
    with patch.dict(APIKeyRateThrottle.THROTTLE_RATES, api_key="3/minute"):
        statuses = [api.get("/api/v1/articles/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        throttled = api.get("/api/v1/articles/")
        assert int(throttled.headers["Retry-After"]) > 0
        assert "throttled" in throttled.json()["detail"].lower()
        # Another partner's key has its own budget.
        _, other = APIKey.objects.create_key(name="other")
        response = requests.get(
            live_server.url + "/api/v1/articles/", headers={"Authorization": f"Api-Key {other}"}, timeout=10
        )
        assert response.status_code == 200


def test_writes_are_not_allowed(api):
    response = api.post(api.base + "/api/v1/articles/", json={"title": "x"}, timeout=10)
    assert response.status_code == 405
    assert "detail" in response.json()


def test_schema_and_docs_are_readable_without_a_key(live_server, transactional_db):
    schema = requests.get(live_server.url + "/api/v1/schema/?format=json", timeout=10)
    assert schema.status_code == 200
    assert "/api/v1/articles/" in schema.json()["paths"]
    docs = requests.get(live_server.url + "/api/v1/docs/", timeout=10)
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert "'unsafe-inline'" in docs.headers["Content-Security-Policy"]


def test_the_api_answers_while_the_cache_is_down(api, caplog):
    """The throttle counters live in Redis; with Redis gone the API still answers (the
    throttle fails open) and the outage is logged, never a 500."""
    from django.conf import settings

    from core.cache import ResilientRedisCache

    dead = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "unix:///nonexistent/redis.sock",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.ResilientRedisCache"
    ResilientRedisCache._last_warning = 0.0
    with (
        caplog.at_level("WARNING", logger="core.cache"),
        override_settings(CACHES=dead),
        patch.dict(APIKeyRateThrottle.THROTTLE_RATES, api_key="2/minute"),
    ):
        responses = [api.get("/api/v1/articles/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert all(r.headers["Content-Type"] == "application/json" for r in responses)
    assert "cache unavailable" in caplog.text
    # Once Redis is back (the configured one), throttling counts again.
    with patch.dict(APIKeyRateThrottle.THROTTLE_RATES, api_key="2/minute"):
        statuses = [api.get("/api/v1/articles/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
