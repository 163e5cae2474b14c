"""The API's answers are written by orjson (drf-orjson-renderer), as the json module writes them."""

import json
from datetime import UTC, datetime

from rest_framework.settings import api_settings


def test_answers_are_written_as_the_json_module_writes_them():
    """UTF-8 text, compact, a key that is not a string written as one (orjson alone raises),
    datetimes in ISO 8601."""
    [renderer_class] = api_settings.DEFAULT_RENDERER_CLASSES
    data = {
        "title": "Élection à Paris — « résultats »",
        2026: [1, 2.5, None, True],
        "at": datetime(2026, 12, 6, tzinfo=UTC),
    }
    written = renderer_class().render(data, "application/json")
    assert json.loads(written) == {
        "title": "Élection à Paris — « résultats »",
        "2026": [1, 2.5, None, True],
        "at": "2026-12-06T00:00:00+00:00",
    }
    assert "Élection".encode() in written and b", " not in written and b": " not in written
