"""Partners list and read people, organisations and places over real HTTP with a real key:
the SPEC fields, cross-links with articles both ways, name search, curation (merged and
rejected entities), unpublished articles, bad parameters, pages and query counts."""

import base64
import json
from datetime import timedelta
from urllib.parse import quote

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from articles.tests.factories import ArticleFactory
from entities.models import Entity
from entities.services import merge_entities, refresh_article_counts, reject_entity
from entities.tests.factories import EntityFactory, MentionFactory

KINDS = {"person": "people", "organisation": "organisations", "place": "places"}


@pytest.fixture
def world(db):
    """Five articles (three published, a draft, an embargoed one) and the entities they mention."""
    e = {
        "ledrian": EntityFactory(kind="person", name="Jean-Yves Le Drian", aliases=["Le Drian"]),
        "mattis": EntityFactory(kind="person", name="Jim Mattis", aliases=["James Mattis"]),
        "hollande": EntityFactory(kind="person", name="François Hollande"),
        "mattis_dup": EntityFactory(kind="person", name="J. Mattis"),
        "ngan": EntityFactory(kind="person", name="Mandel Ngan"),
        "secret": EntityFactory(kind="person", name="Agent Zero"),
        "embargo": EntityFactory(kind="person", name="Embargo Person"),
        "interpol": EntityFactory(kind="organisation", name="Interpol"),
        "copenhague": EntityFactory(kind="place", name="Copenhague", aliases=["Copenhagen"]),
        "syrie": EntityFactory(kind="place", name="Syrie", aliases=["Syria"]),
    }
    a = {
        "coalition": ArticleFactory(
            headline="Coalition meeting in Copenhague",
            paragraphs=["Jean-Yves Le Drian, Jim Mattis et Interpol se sont réunis.", "Photo : Mandel Ngan."],
            language="fr",
        ),
        "mosul": ArticleFactory(headline="Mattis on Syria", paragraphs=["Jim Mattis spoke with Jean-Yves Le Drian."]),
        "hollande": ArticleFactory(
            headline="Hollande à Copenhague",
            paragraphs=["Visite officielle de François Hollande, avec J. Mattis."],
            language="fr",
        ),
        "draft": ArticleFactory(
            headline="Draft: secret plans",
            paragraphs=["Jim Mattis, Jean-Yves Le Drian, Agent Zero and Interpol."],
            status="draft",
        ),
        "embargoed": ArticleFactory(
            headline="Embargoed story",
            paragraphs=["Jim Mattis and Embargo Person in Syria."],
            published_at=timezone.now() + timedelta(days=2),
        ),
    }
    for article, names in {
        "coalition": ["ledrian", "mattis", "copenhague", "interpol", "ngan"],
        "mosul": ["mattis", "ledrian", "syrie"],
        "hollande": ["hollande", "copenhague", "mattis_dup"],
        "draft": ["mattis", "ledrian", "secret", "interpol"],
        "embargoed": ["mattis", "embargo", "syrie"],
    }.items():
        for name in names:
            # Syrie is named in English stories only, as "Syria" (an alias).
            MentionFactory(article=a[article], entity=e[name], surface="Syria" if name == "syrie" else e[name].name)
    refresh_article_counts(x.id for x in e.values())
    merge_entities(survivor_id=e["mattis"].id, duplicate_ids=[e["mattis_dup"].id])
    reject_entity(entity_id=e["ngan"].id)
    for x in e.values():
        x.refresh_from_db()
    return {**e, **{f"article_{k}": v for k, v in a.items()}}


def get(api, path):
    response = api.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response.json()


def detail_url(api, kind, entity_id):
    return f"{api.base}/api/v1/{KINDS[kind]}/{entity_id}/"


def listed_names(api, path):
    return [r["name"] for r in get(api, path)["results"]]


def test_an_entity_has_the_spec_fields(api, world):
    ledrian = world["ledrian"]
    data = get(api, f"/api/v1/people/{ledrian.id}/")
    assert set(data) >= {"id", "url", "web_url", "name", "aliases", "article_count", "articles", "related"}
    assert data["id"] == ledrian.id and data["name"] == "Jean-Yves Le Drian"
    assert data["url"] == detail_url(api, "person", ledrian.id)
    assert data["web_url"] == f"{api.base}/people/jean-yves-le-drian/"
    assert data["aliases"] == ["Le Drian"]
    assert data["article_count"] == 2  # the draft's mention is not counted
    assert data["articles"] == f"{api.base}/api/v1/articles/?person={ledrian.id}"
    # The reader's page of the entity exists (no key needed there).
    assert requests.get(data["web_url"], timeout=10).status_code == 200
    # The list shows the same object.
    [listed] = [r for r in get(api, "/api/v1/people/")["results"] if r["id"] == ledrian.id]
    assert {k: v for k, v in listed.items() if k != "related"} == {k: v for k, v in data.items() if k != "related"}


def test_articles_and_entities_link_to_each_other_both_ways(api, world):
    for key, kind, expected in (
        ("ledrian", "person", {"coalition", "mosul"}),
        ("mattis", "person", {"coalition", "mosul", "hollande"}),  # "J. Mattis" merged into him
        ("copenhague", "place", {"coalition", "hollande"}),
        ("interpol", "organisation", {"coalition"}),
        ("syrie", "place", {"mosul"}),
    ):
        target = world[key]
        data = get(api, f"/api/v1/{KINDS[kind]}/{target.id}/")
        articles = get(api, data["articles"])["results"]
        assert {r["id"] for r in articles} == {world[f"article_{name}"].id for name in expected}, key
        assert data["article_count"] == len(expected)
        for article in articles:
            # Each of these articles lists the entity, with a link back to it.
            links = article[KINDS[kind]]
            assert {"id": target.id, "name": target.name, "url": data["url"]} in links
            assert get(api, data["url"])["id"] == target.id


def test_related_entities_are_counted_over_published_articles(api, world):
    def related(key, kind="person"):
        data = get(api, f"/api/v1/{KINDS[kind]}/{world[key].id}/")
        return {(r["name"], r["kind"], r["count"]) for r in data["related"]}, data["related"]

    found, raw = related("ledrian")
    # The draft also names Interpol and Agent Zero with him: not counted, not shown.
    assert found == {
        ("Jim Mattis", "person", 2), ("Copenhague", "place", 1), ("Interpol", "organisation", 1), ("Syrie", "place", 1)
    }  # fmt: skip
    assert raw[0]["name"] == "Jim Mattis"  # most shared first
    for item in raw:
        assert item["url"] == detail_url(api, item["kind"], item["id"])
        assert get(api, item["url"])["name"] == item["name"]
    found, _ = related("mattis")
    assert ("Jean-Yves Le Drian", "person", 2) in found and ("Copenhague", "place", 2) in found
    assert ("François Hollande", "person", 1) in found
    assert not {name for name, _, _ in found} & {"Mandel Ngan", "J. Mattis", "Agent Zero", "Embargo Person"}
    found, _ = related("syrie", "place")
    assert found == {("Jim Mattis", "person", 1), ("Jean-Yves Le Drian", "person", 1)}  # not the embargoed story
    # The list carries `related` too.
    listed = get(api, f"/api/v1/people/?q={quote('Le Drian')}")["results"][0]
    assert ("Jim Mattis", "person", 2) in {(r["name"], r["kind"], r["count"]) for r in listed["related"]}


def test_each_endpoint_lists_only_its_kind_most_mentioned_first(api, world):
    assert listed_names(api, "/api/v1/people/") == ["Jim Mattis", "Jean-Yves Le Drian", "François Hollande"]
    assert listed_names(api, "/api/v1/organisations/") == ["Interpol"]
    assert listed_names(api, "/api/v1/places/") == ["Copenhague", "Syrie"]
    assert api.get(f"/api/v1/places/{world['mattis'].id}/").status_code == 404
    assert api.get(f"/api/v1/organisations/{world['copenhague'].id}/").status_code == 404
    assert api.get(f"/api/v1/people/{world['interpol'].id}/").status_code == 404
    assert listed_names(api, "/api/v1/people/?q=interpol") == []
    assert listed_names(api, "/api/v1/organisations/?q=mattis") == []


def test_name_search_matches_prefixes_typos_accents_and_aliases(api, world):
    cases = {
        ("people", "Le Dri"): "Jean-Yves Le Drian",
        ("people", "le drian"): "Jean-Yves Le Drian",
        ("people", "Jean-Yves"): "Jean-Yves Le Drian",
        ("people", "jean yves le"): "Jean-Yves Le Drian",
        ("people", "Jim Matt"): "Jim Mattis",
        ("people", "Mattis"): "Jim Mattis",
        ("people", "Matis"): "Jim Mattis",  # a typo
        ("people", "Jim Matis"): "Jim Mattis",
        ("people", "James Mattis"): "Jim Mattis",  # an alias
        ("people", "J. Mattis"): "Jim Mattis",  # the name of the entity merged into him
        ("people", "francois hollande"): "François Hollande",  # no accent
        ("people", "FRANÇOIS"): "François Hollande",
        ("people", "Holande"): "François Hollande",
        ("organisations", "inter"): "Interpol",
        ("organisations", "INTERPOL"): "Interpol",
        ("places", "Copenhagen"): "Copenhague",  # an alias
        ("places", "copenh"): "Copenhague",
        ("places", "syria"): "Syrie",
    }
    wrong = {}
    for (endpoint, query), expected in cases.items():
        data = get(api, f"/api/v1/{endpoint}/?q={quote(query)}")
        first = data["results"][0]["name"] if data["results"] else None
        if first != expected:
            wrong[query] = [r["name"] for r in data["results"]]
    assert wrong == {}
    assert listed_names(api, "/api/v1/people/?q=zzzzqqq") == []


def test_merged_and_rejected_entities_follow_the_curation_rules(api, world):
    people = listed_names(api, "/api/v1/people/?page_size=100")
    assert "J. Mattis" not in people and "Mandel Ngan" not in people
    # A merged entity's URL leads to the entity it was merged into.
    dup = world["mattis_dup"]
    response = api.get(f"/api/v1/people/{dup.id}/", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == detail_url(api, "person", world["mattis"].id)
    assert api.get(f"/api/v1/people/{dup.id}/").json()["name"] == "Jim Mattis"
    assert "J. Mattis" in get(api, f"/api/v1/people/{world['mattis'].id}/")["aliases"]
    # A partner holding the merged id still gets the articles, now the survivor's.
    by_old_id = {r["id"] for r in get(api, f"/api/v1/articles/?person={dup.id}&page_size=100")["results"]}
    by_survivor = {r["id"] for r in get(api, f"/api/v1/articles/?person={world['mattis'].id}&page_size=100")["results"]}
    assert by_old_id == by_survivor and world["article_hollande"].id in by_old_id
    # A rejected entity is gone: no detail, no search hit, no link from its article.
    assert api.get(f"/api/v1/people/{world['ngan'].id}/").status_code == 404
    assert listed_names(api, "/api/v1/people/?q=Mandel") == []
    coalition = get(api, f"/api/v1/articles/{world['article_coalition'].id}/")
    assert {p["name"] for p in coalition["people"]} == {"Jean-Yves Le Drian", "Jim Mattis"}
    assert get(api, f"/api/v1/articles/?person={world['ngan'].id}")["results"] == []


def test_unpublished_articles_never_leak_through_entities(api, world):
    draft, embargoed = world["article_draft"].id, world["article_embargoed"].id
    for kind in KINDS:
        for item in get(api, f"/api/v1/{KINDS[kind]}/?page_size=100")["results"]:
            ids = {r["id"] for r in get(api, item["articles"] + "&page_size=100")["results"]}
            assert not ids & {draft, embargoed}, item["name"]
    # An entity named only in a draft or an embargoed story is not published anywhere.
    for key in ("secret", "embargo"):
        assert api.get(f"/api/v1/people/{world[key].id}/").status_code == 404
        assert listed_names(api, f"/api/v1/people/?q={quote(world[key].name)}") == []
        assert get(api, f"/api/v1/articles/?person={world[key].id}")["results"] == []
    assert listed_names(api, "/api/v1/people/?page_size=100") == [
        "Jim Mattis",
        "Jean-Yves Le Drian",
        "François Hollande",
    ]


def _cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("endpoint", ["people", "organisations", "places"])
def test_bad_parameters_get_a_400_naming_them(api, world, endpoint):
    cases = [
        ("page_size=0", "page_size"),
        ("page_size=-5", "page_size"),
        ("page_size=ten", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=" + _cursor({"k": "x", "i": 1}), "cursor"),
        ("cursor=" + _cursor({"k": 10**30, "i": 1}), "cursor"),
        ("cursor=" + _cursor({"k": 1, "i": 10**30}), "cursor"),
        ("cursor=" + _cursor([1, 2]), "cursor"),
        ("q=" + "x" * 201, "q"),
        ("q=a%00b", "q"),
        (f"q=mat&cursor={_cursor({'k': -(10**20), 'i': 1})}", "cursor"),
    ]
    for query, param in cases:
        response = api.get(f"/api/v1/{endpoint}/?{query}")
        assert response.status_code == 400, (query, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert param in response.json(), query
    for bad_id in ("abc", "0", "-1", "99999999999999999999", "1.5", "%C2%84"):
        response = api.get(f"/api/v1/{endpoint}/{bad_id}/")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}, bad_id


def test_article_cursors_that_were_not_issued_get_a_400(api, world):
    for ordering, payload in (
        ("-published_at", {"k": "not a date", "i": 1}),
        ("-published_at", {"k": "2024-01-01T00:00:00", "i": 10**30}),
        ("relevance", {"k": "high", "i": 1}),
        ("relevance", {"k": 1.0, "i": -(10**30)}),
        ("relevance", {"k": "Infinity", "i": 1}),
    ):
        response = api.get(f"/api/v1/articles/?q=mattis&ordering={ordering}&cursor={_cursor(payload)}")
        assert response.status_code == 400, (payload, response.text)
        assert "cursor" in response.json()


@pytest.mark.parametrize("with_query", [False, True])
def test_pages_walk_to_the_end_and_back_without_repeats(api, world, with_query):
    villages = [f"Saint-Village {i:02d}" for i in range(25)]
    story = ArticleFactory(headline="Tour of the Loire villages", paragraphs=[", ".join(villages) + "."])
    for i, name in enumerate(villages):
        place = EntityFactory(kind="place", name=name)
        MentionFactory(article=story, entity=place)
        Entity.objects.filter(id=place.id).update(article_count=1 + i % 4)  # ties on popularity
    base = "/api/v1/places/?" + ("q=saint-village&" if with_query else "")
    whole = [r["id"] for r in get(api, base + "page_size=100")["results"]]
    assert len(whole) == 25 + (0 if with_query else 2)
    walked, url, pages = [], base + "page_size=4", 0
    while url:
        data = get(api, url)
        walked += [r["id"] for r in data["results"]]
        pages += 1
        url = data["next"]
    assert walked == whole and len(set(walked)) == len(walked) and pages == -(-len(whole) // 4)
    last_page = len(data["results"])
    back, url = [], data["previous"]
    while url:
        data = get(api, url)
        back = [r["id"] for r in data["results"]] + back
        url = data["previous"]
    assert back == whole[: len(whole) - last_page]


def test_details_answer_conditional_gets(api, world):
    url = f"/api/v1/places/{world['copenhague'].id}/"
    first = api.get(url)
    assert first.headers["ETag"]
    assert api.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.django_db
def test_entity_lists_cost_the_same_queries_whatever_the_page_size(world, django_assert_max_num_queries):
    delegates = [f"Delegate Number {i}" for i in range(35)]
    story = ArticleFactory(headline="Mass gathering", paragraphs=["Everyone came: " + ", ".join(delegates) + "."])
    mosul = world["article_mosul"]
    mosul.body = [*mosul.body, {"type": "paragraph", "text": ", ".join(delegates) + " were there too."}]
    mosul.save()
    for i, name in enumerate(delegates):
        person = EntityFactory(kind="person", name=name, aliases=[f"Delegate {i}"])
        MentionFactory(article=story, entity=person)
        MentionFactory(article=mosul, entity=person)
    refresh_article_counts(Entity.objects.values_list("id", flat=True))
    _, key = APIKey.objects.create_key(name="queries")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    counts = {}
    for size in (2, 30):
        for path in ("/api/v1/people/?page_size=", "/api/v1/people/?q=delegate&page_size="):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path + str(size))
            assert response.status_code == 200 and len(response.json()["results"]) == size
            counts.setdefault(path, set()).add(len(queries))
    assert all(len(found) == 1 for found in counts.values()), counts
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/people/?q=delegate&page_size=100").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/people/{world['mattis'].id}/").status_code == 200
