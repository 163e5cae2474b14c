"""Crafted cursors: any value a client can put in `cursor` (or an entity page's `before`) gets a
page or a 400 naming it, never a 500."""

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework_api_key.models import APIKey

from core.tests.cursor_strategies import POSITIONS, crafted

HOSTILE = [
    {"k": 2**70, "i": 1},  # an integer key beyond bigint
    {"k": 5, "i": 2**70},  # an id beyond bigint
    {"k": -(2**64), "i": 1},
    {"k": 1e308, "i": 1},  # beyond real, for relevance pages
    {"k": "NaN", "i": 1},
    {"k": [1], "i": 1},
    {"k": 1, "i": "x"},
    {"i": 1},
    [1, 2],
]


LISTS = [
    "/api/v1/articles/",
    "/api/v1/articles/?q=railway",
    "/api/v1/articles/?q=railway&ordering=-published_at",
    "/api/v1/people/",
    "/api/v1/organisations/?q=inter",
    "/api/v1/places/",
]


@pytest.mark.parametrize("payload", HOSTILE, ids=[json.dumps(p) for p in HOSTILE])
@pytest.mark.parametrize("path", LISTS)
def test_a_crafted_cursor_is_a_400_naming_it(api, archive, path, payload):
    sep = "&" if "?" in path else "?"
    response = api.get(f"{path}{sep}cursor={crafted(payload)}")
    relevance = path.startswith("/api/v1/articles/?q=") and "ordering" not in path
    if relevance and isinstance(payload, dict) and isinstance(payload.get("k"), int) and payload["i"] == 1:
        # A rank key is a real: 2**70 is one (a page past every rank), so the page is valid.
        assert response.status_code == 200, response.text
        assert isinstance(response.json()["results"], list)
        return
    assert response.status_code == 400, response.text
    assert "cursor" in response.json()


# The cursors of the security probe (research/security-probe-2026-12.md): F5, an infinite
# number (1e400 reads as a float infinity), and F6, a date whose offset PostgreSQL refuses.
INFINITE_ID = "eyJrIjoxLCJpIjoxZTQwMH0"  # {"k":1,"i":1e400}
INFINITE_KEY = "eyJrIjpJbmZpbml0eSwiaSI6MX0"  # {"k":Infinity,"i":1}
OFFSET_23 = "eyJrIjoiMjAyMC0wMS0wMVQwMDowMDowMCsyMzowMCIsImkiOjF9"  # {"k":"2020-01-01T00:00:00+23:00","i":1}
OFFSETS = [
    OFFSET_23,
    crafted({"k": "2020-01-01T00:00:00-23:59", "i": 1}),
    crafted({"k": "2020-01-01T00:00:00+16:00", "i": 1}),
]


@pytest.mark.parametrize(
    "value", [INFINITE_ID, INFINITE_KEY, crafted('{"k":1,"i":Infinity}'), crafted('{"k":-Infinity,"i":1}')]
)
@pytest.mark.parametrize("path", LISTS)
def test_the_probe_s_infinite_cursors_are_a_400_naming_the_cursor(api, archive, path, value):
    sep = "&" if "?" in path else "?"
    response = api.get(f"{path}{sep}cursor={value}")
    assert response.status_code == 400, response.text
    assert "cursor" in response.json()


@pytest.mark.parametrize("value", OFFSETS)
@pytest.mark.parametrize("path", ["/api/v1/articles/", "/api/v1/articles/?q=railway&ordering=-published_at"])
def test_the_probe_s_far_offset_dates_page_from_the_same_instant_in_utc(api, archive, path, value):
    sep = "&" if "?" in path else "?"
    response = api.get(f"{path}{sep}cursor={value}")
    assert response.status_code == 200, response.text
    assert response.json()["results"] == []  # every article of the archive is newer than 2020


@pytest.mark.parametrize("value", [INFINITE_ID, INFINITE_KEY])
@pytest.mark.parametrize(
    "path", ["/search/?q=railway", "/search/?q=railway&ordering=newest", "/search/?entity=emmanuel-macron"]
)
def test_the_probe_s_infinite_cursors_on_the_search_page_are_a_400_naming_the_cursor(live_server, archive, path, value):
    response = requests.get(f"{live_server.url}{path}&cursor={value}", timeout=30)  # no key: a public page
    assert response.status_code == 400
    assert "Invalid cursor" in response.text


@pytest.mark.parametrize("value", OFFSETS)
@pytest.mark.parametrize("path", ["/search/?q=railway&ordering=newest", "/search/?entity=emmanuel-macron"])
def test_the_probe_s_far_offset_cursors_on_the_search_page_page_from_the_instant_in_utc(
    live_server, archive, path, value
):
    response = requests.get(f"{live_server.url}{path}&cursor={value}", timeout=30)
    assert response.status_code == 200
    assert "Emmanuel Macron a appelé" not in response.text and "railway to the north" not in response.text


# (path, the cursor's parameter, what a 400 says; a path's {macron} is that entity's id)
PAGES = [
    ("/api/v1/articles/", "cursor", '"cursor"'),
    ("/api/v1/articles/?q=railway", "cursor", '"cursor"'),
    ("/api/v1/articles/?q=railway&ordering=-published_at", "cursor", '"cursor"'),
    ("/api/v1/people/", "cursor", '"cursor"'),
    ("/api/v1/people/?q=macron", "cursor", '"cursor"'),
    ("/api/v1/organisations/", "cursor", '"cursor"'),
    ("/api/v1/places/", "cursor", '"cursor"'),
    ("/api/v1/places/?q=paris", "cursor", '"cursor"'),
    ("/api/v1/articles/?ordering=-published_at&person={macron}", "cursor", '"cursor"'),
    ("/search/?q=railway", "cursor", "Invalid cursor"),
    ("/search/?q=railway&ordering=newest", "cursor", "Invalid cursor"),
    ("/search/?entity=emmanuel-macron", "cursor", "Invalid cursor"),
    ("/search/?entity=emmanuel-macron&q=voter&ordering=newest", "cursor", "Invalid cursor"),
    ("/people/emmanuel-macron/", "before", "page cursor"),
]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def key_client(client, archive):
    _, key = APIKey.objects.create_key(name="cursor fuzz")
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    client.archive = archive
    return client


def assert_page_or_refused(client, page, value):
    path, parameter, refusal = page
    path = path.format(macron=client.archive["macron"].id)
    response = client.get(path, {parameter: value})
    assert response.status_code in (200, 400), (path, value, response.status_code)
    if response.status_code == 400:
        assert refusal in response.content.decode(), (path, value)


@FUZZ
@given(page=st.sampled_from(PAGES), value=POSITIONS)
def test_any_position_in_a_cursor_gets_a_page_or_a_400_naming_it_never_a_500(key_client, page, value):
    assert_page_or_refused(key_client, page, value)


@settings(FUZZ, max_examples=100)
@given(page=st.sampled_from(PAGES), value=st.text(max_size=300))
def test_any_text_as_a_cursor_gets_a_page_or_a_400_naming_it_never_a_500(key_client, page, value):
    assert_page_or_refused(key_client, page, value)
