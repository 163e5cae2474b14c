"""schemathesis against the live OpenAPI schema: every operation of /api/v1/schema/ is
called over real HTTP with a real API key and generated parameters (valid and invalid);
no response may be a 5xx, use an undocumented status code, or break its schema.

Bounded and deterministic: a fixed seed, derandomized generation, a few examples per
operation (plus schemathesis' coverage cases), real ids and queries of the archive mixed
into the generated values. The per-key throttle is raised for the run; the key and its
checks stay real. Every operation must also reach real objects (at least one 200).
"""

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from articles.search import query
from changes.api import views as changes_views
from core.api import APIKeyRateThrottle
from core.pagination import INVALID_CURSOR

MAX_EXAMPLES = 15
SEED = 20240301
KINDS = {"person": "people", "organisation": "organisations", "place": "places"}
LISTS = {"/api/v1/articles/", "/api/v1/changes/", *(f"/api/v1/{plural}/" for plural in KINDS.values())}
# The only 400s a value within a list's schema may get, each documented in the schema's 400
# and in docs/api.md, with the exact message: a cursor the API did not issue (a list's
# `cursor`, the change feed's `since`), a web-search q with nothing to find ("-x", "ab*").
# Each has its own tests (test_api_cursors.py, test_api_changes.py, test_api_search.py).
# Anything else refused while within the schema fails the run.
DOCUMENTED_400 = {
    "cursor": {INVALID_CURSOR},
    "since": {changes_views.INVALID_CURSOR},
    "q": {query.NOTHING_TO_FIND, query.ONLY_EXCLUSIONS, query.SHORT_PREFIX},
}


def known_values(archive):
    """Real ids and queries of the archive, mixed by schemathesis into the generated
    values so that found objects and real search results are validated too, not only 404s."""
    entity_ids = {kind: [e.id for e in archive.values() if getattr(e, "kind", None) == kind] for kind in KINDS}
    articles = [a.id for a in archive.values() if hasattr(a, "headline")]
    return {
        "article_ids": {"values": articles},
        **{f"{kind}_ids": {"values": ids} for kind, ids in entity_ids.items()},
        "words": {"values": ["railway", "élections", '"premier ministre"', "econom*", "macron -paris", "port", "Mar"]},
    }


def operations():
    half = 0.5
    found = [
        {
            "include-path": "/api/v1/articles/",
            "parameters": {
                "query.q": {"dictionary": "words", "probability": half},
                **{f"query.{kind}": {"dictionary": f"{kind}_ids", "probability": half} for kind in KINDS},
            },
        },
        {
            "include-path": "/api/v1/articles/{id}/",
            "parameters": {"path.id": {"dictionary": "article_ids", "probability": half}},
        },
    ]
    for kind, plural in KINDS.items():
        found += [
            {
                "include-path": f"/api/v1/{plural}/",
                "parameters": {"query.q": {"dictionary": "words", "probability": half}},
            },
            {
                "include-path": f"/api/v1/{plural}/{{id}}/",
                "parameters": {"path.id": {"dictionary": f"{kind}_ids", "probability": half}},
            },
        ]
    return found


@pytest.fixture
def live_schema(live_server, archive, api_key, monkeypatch):
    monkeypatch.setitem(APIKeyRateThrottle.THROTTLE_RATES, "api_key", "100000/minute")
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Api-Key {api_key}"},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "stateful": {"enabled": False}},
            "dictionaries": known_values(archive),
            "operations": operations(),
        }
    )
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json", config=config, timeout=30)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # schemathesis 4.32's lazy loader reads and rewrites `item._nodeid`, which pytest 9.2
    # replaced by a structured `_id`: give it the plain attribute it expects.
    request.node._nodeid = request.node.nodeid


def is_a_documented_refusal(case, response) -> bool:
    """A list's 400 naming only parameters the case sent, each with one of its documented
    messages (DOCUMENTED_400)."""
    if case.operation.path not in LISTS or response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    sent = set(case.query or {})
    return bool(body) and all(
        name in sent and name in DOCUMENTED_400 and set(messages) <= DOCUMENTED_400[name]
        for name, messages in body.items()
    )


@pytest.fixture
def statuses(live_schema) -> Iterator[dict[str, set[int]]]:
    """The statuses each operation answered in the run; afterwards every operation of the
    schema must have answered, and answered 200 at least once (found real objects)."""
    answered: dict[str, set[int]] = {}
    yield answered
    expected = {result.ok().label for result in live_schema.get_all_operations()}
    assert set(answered) == expected, f"operations never called: {sorted(expected - set(answered))}"
    assert {label: found for label, found in answered.items() if 200 not in found} == {}


schema = schemathesis.pytest.from_fixture("live_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None)
def test_the_api_keeps_to_its_schema(case, statuses):
    response = case.call()
    statuses.setdefault(case.operation.label, set()).add(response.status_code)
    # Valid data must not be refused, with schemathesis' default statuses, except by one of
    # the documented 400s of a list.
    excluded = [positive_data_acceptance] if is_a_documented_refusal(case, response) else []
    case.validate_response(response, excluded_checks=excluded)


def test_the_schema_describes_every_parameter_and_the_page_shape(live_server, transactional_db):
    spec = requests.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30).json()
    expected = {
        "/api/v1/articles/": {
            "q", "person", "organisation", "place", "language", "section", "source", "published_after",
            "published_before", "updated_after", "ordering", "facets", "facet_size", "cursor", "page_size", "lang",
        },
        "/api/v1/changes/": {"since", "page_size"},
        "/api/v1/people/": {"q", "lang", "cursor", "page_size"},
        "/api/v1/organisations/": {"q", "lang", "cursor", "page_size"},
        "/api/v1/places/": {"q", "lang", "cursor", "page_size"},
    }  # fmt: skip
    for path, names in expected.items():
        operation = spec["paths"][path]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert set(parameters) == names, path
        assert all(p.get("description") for p in parameters.values()), path
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert page["$ref"].startswith("#/components/schemas/"), path  # one page object, not an array
        assert {"400", "401", "429"} <= set(operation["responses"])
        refusals = operation["responses"]["400"]["description"]
        if path == "/api/v1/changes/":
            assert changes_views.INVALID_CURSOR in refusals
            assert parameters["since"]["schema"]["pattern"] == "^[A-Za-z0-9_-]+$"
            continue
        assert INVALID_CURSOR in refusals and query.NOTHING_TO_FIND in refusals, path
        assert parameters["cursor"]["schema"]["pattern"] == "^[A-Za-z0-9_-]+$", path
    for path in ("/api/v1/articles/{id}/", "/api/v1/people/{id}/"):
        operation = spec["paths"][path]["get"]
        assert [p["name"] for p in operation["parameters"]] == ["id", "lang"]
        assert all(p["description"] for p in operation["parameters"])
        assert {"200", "304", "401", "404", "429"} <= set(operation["responses"])
    assert "301" in spec["paths"]["/api/v1/people/{id}/"]["get"]["responses"]
