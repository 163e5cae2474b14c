"""Crafted cursors: any value a client can put in `cursor` gets a 400 naming it, never a 500."""

import base64
import json

import pytest


def crafted(payload) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


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


@pytest.mark.parametrize("payload", HOSTILE, ids=[json.dumps(p) for p in HOSTILE])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/",
        "/api/v1/articles/?q=railway",
        "/api/v1/articles/?q=railway&ordering=-published_at",
        "/api/v1/people/",
        "/api/v1/organisations/?q=inter",
        "/api/v1/places/",
    ],
)
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
