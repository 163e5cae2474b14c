"""Facets of /api/v1/articles/ over real HTTP with a real key: counts against a direct count
in the database for the same filters, the shape partners read, estimates said so, and bad
parameters."""

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear

from articles.models import Article
from articles.search import facets as facet_module
from articles.search.facets import FACETS, FacetTuning
from entities.models import Entity, EntityKind, Mention

ALL = ",".join(FACETS)


def direct_counts(articles) -> dict:
    """What each facet should say for these articles, counted by the ORM."""
    articles = articles.filter(id__in=Article.objects.published())
    mentions = Mention.objects.filter(article__in=articles, entity__status=Entity.Status.ACTIVE)
    expected = {
        kind: {
            row["entity_id"]: row["n"]
            for row in mentions.filter(entity__kind=kind)
            .values("entity_id")
            .annotate(n=Count("article", distinct=True))
        }
        for kind in EntityKind.values
    }
    expected["language"] = {r["language"]: r["n"] for r in articles.values("language").annotate(n=Count("id"))}
    expected["section"] = {
        r["section__slug"]: r["n"]
        for r in articles.filter(section__isnull=False).values("section__slug").annotate(n=Count("id"))
    }
    # ExtractYear reads the time in the current time zone, the newsroom's.
    expected["year"] = {
        r["y"]: r["n"] for r in articles.annotate(y=ExtractYear("published_at")).values("y").annotate(n=Count("id"))
    }
    return expected


def answered_counts(facets: dict) -> dict:
    key = dict.fromkeys(EntityKind.values, "id") | {"language": "value", "section": "value", "year": "value"}
    return {name: {v[key[name]]: v["count"] for v in facets[name]} for name in FACETS}


@pytest.mark.parametrize(
    ("params", "articles"),
    [
        ("", lambda a: Article.objects.all()),
        ("q=macron", lambda a: Article.objects.filter(id__in=[a["elections"].id, a["marseille"].id])),
        ("language=fr", lambda a: Article.objects.filter(language="fr")),
        ("person={macron}&q=port", lambda a: Article.objects.filter(id=a["marseille"].id)),
        (
            "section=politics&published_after=2024-03-15T00:00:00Z",
            lambda a: Article.objects.filter(id=a["elections"].id),
        ),
    ],
)
def test_facet_counts_are_exactly_the_databases_for_the_same_filters(api, archive, params, articles):
    response = api.get(f"/api/v1/articles/?facets={ALL}&" + params.format(macron=archive["macron"].id))
    assert response.status_code == 200
    facets = response.json()["facets"]
    assert (facets["estimated"], facets["method"], facets["sample_share"]) == (False, "exact", None)
    assert answered_counts(facets) == direct_counts(articles(archive))


def test_entity_values_carry_their_name_and_links(api, archive):
    data = api.get("/api/v1/articles/?facets=person,place&q=macron").json()
    [macron] = data["facets"]["person"]
    assert macron == {
        "id": archive["macron"].id,
        "name": "Emmanuel Macron",
        "url": f"{api.base}/api/v1/people/{archive['macron'].id}/",
        "web_url": f"{api.base}/people/emmanuel-macron/",
        "count": 2,
    }
    assert api.get(macron["url"]).status_code == 200
    assert {v["name"] for v in data["facets"]["place"]} == {"Paris", "Marseille"}
    assert set(data["facets"]) == {"estimated", "method", "sample_share", "person", "place"}


def test_a_value_used_as_its_filter_finds_as_many_articles_as_it_counted(api, archive):
    facets = api.get(f"/api/v1/articles/?facets={ALL}").json()["facets"]
    for name, value, param in [
        ("person", facets["person"][0]["id"], "person"),
        ("language", facets["language"][0]["value"], "language"),
        ("section", facets["section"][0]["value"], "section"),
    ]:
        narrowed = api.get(f"/api/v1/articles/?{param}={value}").json()
        assert narrowed["count"] == facets[name][0]["count"], name
    year = facets["year"][0]
    narrowed = api.get(
        "/api/v1/articles/",
        params={"published_after": year["published_after"], "published_before": year["published_before"]},
    ).json()
    assert narrowed["count"] == year["count"]


def test_facet_size_keeps_the_most_frequent(api, archive):
    facets = api.get("/api/v1/articles/?facets=language,place&facet_size=1").json()["facets"]
    assert facets["language"] == [{"value": "en", "name": "English", "count": 2}] or facets["language"] == [
        {"value": "fr", "name": "French", "count": 2}
    ]
    assert len(facets["place"]) == 1


def test_without_facets_the_answer_has_none(api, archive):
    assert "facets" not in api.get("/api/v1/articles/?q=macron&facet_size=5").json()


def test_sampled_facets_say_they_are_estimates(api, archive, monkeypatch):
    # A sample aiming at a single match: a share of the archive, however small it is.
    monkeypatch.setattr(
        facet_module, "DEFAULT_FACET_TUNING", FacetTuning(exact_limit=0, sample_matches=1, min_sample_matches=0)
    )
    with connection.cursor() as cursor:  # the planner's estimate, which the share is taken of
        cursor.execute("ANALYZE articles_article")
    facets = api.get("/api/v1/articles/?facets=language").json()["facets"]
    assert facets["estimated"] is True and facets["method"] == "sample"
    assert 0 < facets["sample_share"] < 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("facets=person,colour", "Unknown: colour."),
        ("facets=Person", "Unknown: Person."),
        ("facets=person&facet_size=0", None),
        ("facets=person&facet_size=51", None),
        ("facets=person&facet_size=ten", None),
        ("facets=" + "person," * 40, None),
    ],
)
def test_bad_facet_parameters_get_a_400_naming_them(api, archive, query, message):
    response = api.get(f"/api/v1/articles/?{query}")
    assert response.status_code == 400
    errors = response.json()
    param = query.rpartition("&")[2].partition("=")[0]
    assert list(errors) == [param]
    if message:
        assert errors[param][0].startswith(message)
        assert "Choose from: person, organisation, place, language, section, year." in errors[param][0]


def test_a_bad_query_with_facets_is_a_400_naming_q(api, archive):
    response = api.get("/api/v1/articles/?facets=year&q=-macron")
    assert response.status_code == 400
    assert list(response.json()) == ["q"]


def test_the_schema_documents_facets(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/articles/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["facets"]["schema"]["items"]["enum"] == list(FACETS)
    assert parameters["facets"]["explode"] is False
    assert parameters["facet_size"]["schema"]["maximum"] == 50
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][page["$ref"].rpartition("/")[2]] if "$ref" in page else page
    assert set(page["properties"]["facets"]["properties"]) >= {"estimated", "method", "sample_share", *FACETS}
