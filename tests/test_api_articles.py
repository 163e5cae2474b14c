"""Partners list and read published articles: shapes, filters, bad parameters, pages, drafts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from articles.models import Article
from articles.revisions import record_edit
from articles.tests.factories import ArticleFactory
from entities.tests.factories import MentionFactory


def ids(response):
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["results"]]


def test_an_article_has_the_spec_fields_and_no_internal_ones(api, archive):
    article = archive["elections"]
    data = api.get(f"/api/v1/articles/{article.id}/").json()
    assert set(data) >= {
        "id", "url", "web_url", "title", "standfirst", "body", "language", "published_at", "byline",
        "source", "section", "photo", "people", "organisations", "places",
    }  # fmt: skip
    assert not {"tagging_status", "content_hash", "status", "search_vector", "external_id"} & set(data)
    assert data["title"] == "Les élections municipales à Paris"
    assert data["url"].endswith(f"/api/v1/articles/{article.id}/")
    assert data["web_url"].endswith(article.get_absolute_url())
    assert data["body"][0] == {"type": "paragraph", "text": "Les électeurs votent dimanche pour choisir le maire."}
    assert data["source"] == "AFP" and data["section"] == "Politics" and data["language"] == "fr"
    assert data["people"] == [
        {
            "id": archive["macron"].id,
            "name": "Emmanuel Macron",
            "url": api.base + f"/api/v1/people/{archive['macron'].id}/",
        }
    ]
    assert [p["name"] for p in data["places"]] == ["Paris"]
    railway = api.get(f"/api/v1/articles/{archive['railway'].id}/").json()
    assert railway["photo"] == {"caption": "A train near Leeds", "credit": "AFP"}


def test_drafts_and_embargoed_articles_never_appear(api, archive):
    listed = ids(api.get("/api/v1/articles/?page_size=100"))
    searched = ids(api.get("/api/v1/articles/?q=railway"))
    for name in ("draft", "embargoed"):
        assert archive[name].id not in listed and archive[name].id not in searched
        response = api.get(f"/api/v1/articles/{archive[name].id}/")
        assert response.status_code == 404
        assert response.json() == api.get("/api/v1/articles/999999/").json()
    # The organisation only mentioned in the draft lists no article.
    assert ids(api.get(f"/api/v1/articles/?organisation={archive['un'].id}")) == []


def test_the_list_is_newest_first(api, archive):
    assert ids(api.get("/api/v1/articles/")) == [
        archive["football"].id, archive["elections"].id, archive["railway"].id, archive["marseille"].id
    ]  # fmt: skip


def test_each_listed_article_links_to_its_own_page(api, archive):
    """A page's web links are its articles' own (the path reversed once per page, each
    article's slug in it), and each answers on the reader site."""
    results = api.get("/api/v1/articles/").json()["results"]
    by_id = {a.id: a for a in archive.values() if isinstance(a, Article)}
    assert len(results) == 4
    for result in results:
        assert result["web_url"] == api.base + by_id[result["id"]].get_absolute_url()
        assert api.get(result["web_url"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("language=fr", {"elections", "marseille"}),
        ("section=politics", {"railway", "elections"}),
        ("section=Sport", {"football"}),
        ("source=reuters", {"football", "marseille"}),
        ("published_after=2024-03-15T00:00:00Z", {"football", "elections"}),
        ("published_before=2024-03-15T00:00:00%2B00:00", {"railway", "marseille"}),
        ("published_after=2024-02-15T00:00:00Z&published_before=2024-04-15T00:00:00Z", {"railway", "elections"}),
        ("language=en&source=afp", {"railway"}),
    ],
)
def test_each_filter_narrows_the_list(api, archive, query, expected):
    assert set(ids(api.get(f"/api/v1/articles/?{query}"))) == {archive[name].id for name in expected}


def test_entity_filters_select_the_articles_that_mention_them(api, archive):
    assert set(ids(api.get(f"/api/v1/articles/?person={archive['macron'].id}"))) == {
        archive["elections"].id, archive["marseille"].id
    }  # fmt: skip
    assert ids(api.get(f"/api/v1/articles/?place={archive['paris'].id}")) == [archive["elections"].id]
    # A person's id given as a place matches nothing.
    assert ids(api.get(f"/api/v1/articles/?place={archive['macron'].id}")) == []
    both = api.get(f"/api/v1/articles/?person={archive['macron'].id}&place={archive['marseille_place'].id}&q=port")
    assert ids(both) == [archive["marseille"].id]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("published_after=yesterday", "published_after"),
        ("published_before=2024-13-45", "published_before"),
        ("updated_after=yesterday", "updated_after"),
        ("updated_after=2024-02-30T00:00:00Z", "updated_after"),
        ("person=abc", "person"),
        ("organisation=-3", "organisation"),
        ("place=99999999999999999999999", "place"),
        ("language=klingon", "language"),
        ("ordering=title", "ordering"),
        ("q=" + "x" * 201, "q"),
        ("page_size=ten", "page_size"),
        ("page_size=0", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
        ("section=" + "s" * 101, "section"),
    ],
)
def test_a_bad_parameter_gets_a_400_naming_it(api, archive, query, param):
    response = api.get(f"/api/v1/articles/?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert param in response.json()


def test_updated_after_and_most_recently_updated_first(api, archive):
    Article.objects.update(revision=1)  # each text as first stored, as an import leaves it
    # Edited in the admin in this order, long after they were published; the draft is not listed.
    for name in ("marseille", "draft", "railway"):
        article = archive[name]
        article.refresh_from_db()
        article.standfirst = f"{article.standfirst} (updated)"
        article.save()
        record_edit(article=article)
    since = archive["marseille"].modified_at
    # Newest published first, by default.
    assert ids(api.get("/api/v1/articles/", params={"updated_after": since.isoformat()})) == [
        archive["railway"].id, archive["marseille"].id
    ]  # fmt: skip
    listed = api.get("/api/v1/articles/", params={"ordering": "-updated_at", "page_size": 2}).json()
    assert [r["id"] for r in listed["results"]] == [archive["railway"].id, archive["marseille"].id]
    assert datetime.fromisoformat(listed["results"][0]["updated_at"]) == archive["railway"].modified_at
    rest = ids(api.get(listed["next"]))
    assert sorted(rest) == sorted([archive["football"].id, archive["elections"].id])
    searched = api.get("/api/v1/articles/", params={"q": "railway", "ordering": "-updated_at"})
    assert ids(searched) == [archive["railway"].id]


def test_unknown_or_non_numeric_ids_are_404(api, archive):
    assert api.get("/api/v1/articles/abc/").status_code == 404
    assert api.get("/api/v1/articles/99999999999999999999/").status_code == 404
    assert api.get("/api/v1/people/99999999999999999999/").status_code == 404


def test_pagination_walks_to_the_end_and_back_without_repeats(api, archive):
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(23):  # several share a publication time: the id breaks the tie
        ArticleFactory(
            headline=f"Harbour report {i}",
            paragraphs=[f"Boats in the harbour, day {i}."],
            published_at=start + timedelta(days=i // 3),
        )
    seen, pages, url = [], [], "/api/v1/articles/?page_size=5"
    while url:
        data = api.get(url).json()
        assert len(data["results"]) <= 5
        seen += [r["id"] for r in data["results"]]
        pages.append(data)
        url = data["next"]
    assert len(seen) == len(set(seen)) == 27
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    back = api.get(pages[-1]["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in pages[-2]["results"]]
    searched, url = [], "/api/v1/articles/?q=harbour&page_size=4"
    while url:
        data = api.get(url).json()
        searched += [r["id"] for r in data["results"]]
        url = data["next"]
    assert len(searched) == len(set(searched)) == 23


def test_page_size_is_capped_at_100(api, archive):
    for i in range(105):
        ArticleFactory(headline=f"Bulk {i}", paragraphs=["Bulk text."])
    data = api.get("/api/v1/articles/?page_size=500").json()
    assert len(data["results"]) == 100 and data["next"]


def test_details_answer_conditional_gets(api, archive):
    url = f"/api/v1/articles/{archive['railway'].id}/"
    first = api.get(url)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert api.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert api.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_responses_are_gzipped_when_asked(api, archive):
    response = api.get("/api/v1/articles/?page_size=100", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_a_list_costs_the_same_queries_whatever_the_page_size(archive, django_assert_max_num_queries):
    for i in range(30):
        article = ArticleFactory(headline=f"Macron visit {i}", paragraphs=["Macron in Paris."])
        MentionFactory(article=article, entity=archive["macron"], surface="Macron")
        MentionFactory(article=article, entity=archive["paris"])
    _, key = APIKey.objects.create_key(name="queries")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    counts = []
    for size in (2, 30):
        for path in (
            "/api/v1/articles/?page_size=",
            "/api/v1/articles/?q=macron&page_size=",
            "/api/v1/people/?page_size=",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path + str(size)).status_code == 200
            counts.append(len(queries))
    assert counts[:3] == counts[3:]
    # The corrections of a page's articles are one query for the whole page. A text search
    # that names an entity also reads which entities (one query) and the statistics that weigh
    # its words and that entity (one query): docs/search.md#ranking.
    with django_assert_max_num_queries(10):
        client.get(f"/api/v1/articles/?q=macron&page_size=30&person={archive['macron'].id}")


@pytest.mark.django_db
def test_no_page_or_answer_reads_the_search_vectors(archive, client):
    """The stored vectors serve the search's own SQL only: the reads that build pages and
    answers leave them out (each is about the body's size, detoasted and sent as text)."""
    _, key = APIKey.objects.create_key(name="columns")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    article, place = archive["elections"], archive["paris"]
    reads = [
        (api, "/api/v1/articles/"),
        (api, "/api/v1/articles/?q=paris"),
        (api, f"/api/v1/articles/{article.id}/"),
        (client, "/"),
        (client, "/search/?q=paris"),
        (client, article.get_absolute_url()),
        (client, place.get_absolute_url()),
        (client, "/feeds/latest/"),
    ]
    for reader, path in reads:
        with CaptureQueriesContext(connection) as queries:
            response = reader.get(path)
        assert response.status_code == 200, path
        for sql in [q["sql"] for q in queries if '"articles_article"."id"' in q["sql"]]:  # the ORM's reads
            assert '"articles_article"."search_vector"' not in sql, path
            assert '"articles_article"."search_exact"' not in sql, path
        # what the statements that read the articles for display select (the search's own
        # statements match on the vectors, and select no headline)
        selected = [q["sql"].split(" FROM ")[0] for q in queries]
        display_reads = [columns for columns in selected if '"headline"' in columns]
        assert display_reads, path
        for columns in display_reads:
            assert '"search_vector"' not in columns, path
            assert '"search_exact"' not in columns, path
