"""Publication times outside the years every page can read (security probe, F1): refused at
import in every format and in the admin form, kept out by a CHECK constraint, and repaired by
a migration where one was already stored, after which no read path fails."""

import importlib
import json
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework_api_key.models import APIKey

from articles.models import Article
from articles.tests import hostile
from articles.tests.factories import ArticleFactory
from articles.tests.uploads import upload
from entities.models import EntityKind
from entities.tests.factories import EntityFactory, MentionFactory

pytestmark = pytest.mark.django_db

# The probe's two times: year 1 BC once in UTC, and UTC year 10000.
PROBE_TIMES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]


def json_story(when: str) -> tuple[str, bytes]:
    record = {"id": "probe-date-bc", "headline": "Dateprobe BC", "body": "Dateprobe body text.", "language": "en"}
    return "d.json", json.dumps(record | {"published_at": when}).encode()


def jsonl_story(when: str) -> tuple[str, bytes]:
    return "d.jsonl", hostile.jsonl(hostile.good_record(1) | {"published_at": when})


def newsml_g2_story(when: str) -> tuple[str, bytes]:
    item = hostile.news_item().replace(b"2026-01-01T09:00:00Z", when.encode())
    return "item.xml", item.replace(b"<versionCreated>2026-01-01T10:01:00Z</versionCreated>", b"")


def nitf_story(when: str) -> tuple[str, bytes]:
    compact = when.replace("-", "").replace(":", "")[:15] + "Z"  # NITF's norm: 00010101T000000Z
    return "story.xml", hostile.nitf().replace(b"</docdata>", f'<date.issue norm="{compact}"/></docdata>'.encode())


def newsml1_story(when: str) -> tuple[str, bytes]:
    return "afp.xml", (
        "<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>afp.com</ProviderId>"
        "<NewsItemId>probe-1</NewsItemId><RevisionId>1</RevisionId>"
        "<PublicIdentifier>urn:newsml:afp.com:probe-1</PublicIdentifier></NewsIdentifier></Identification>"
        f"<NewsManagement><FirstCreated>{when}</FirstCreated></NewsManagement>"
        "<NewsComponent><NewsLines><HeadLine>Dateprobe in NewsML 1</HeadLine></NewsLines>"
        "<ContentItem><DataContent><p>Dateprobe body text.</p></DataContent></ContentItem>"
        "</NewsComponent></NewsItem></NewsML>"
    ).encode()


FORMATS = [json_story, jsonl_story, newsml_g2_story, nitf_story, newsml1_story]


@pytest.mark.parametrize("when", PROBE_TIMES)
@pytest.mark.parametrize("story", FORMATS, ids=lambda f: f.__name__)
def test_an_unreadable_publication_time_is_refused_at_upload_with_a_reason(admin_client, story, when):
    if story is nitf_story and when.startswith("9999"):
        when = "10000-01-01T04:59:59Z"  # NITF's compact form has no offset: this UTC year is 10000
        name, data = (
            "story.xml",
            hostile.nitf().replace(b"</docdata>", b'<date.issue norm="99991231T235959-0500"/></docdata>'),
        )
    else:
        name, data = story(when)
    response = upload(admin_client, (name, data), publish=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 refused" in html, html
    assert "publication time" in html and "between the years 1600 and 2199" in html
    assert not Article.objects.exists()


def test_a_good_publication_time_in_the_same_file_still_imports(admin_client):
    name, data = json_story("2016-11-21T10:00:00+01:00")
    response = upload(admin_client, (name, data), publish=True)
    assert "1 created" in response.content.decode()
    assert Article.objects.get().published_at == datetime(2016, 11, 21, 9, tzinfo=UTC)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_admin_form_refuses_an_unreadable_publication_time(admin_client, day):
    article = ArticleFactory(headline="Dated story")
    url = f"/admin/articles/article/{article.id}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        body=json.dumps(article.body),
        section="",
        source="",
        published_at_0=day,
        published_at_1="12:00:00",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "must lie between the years 1600 and 2199" in response.content.decode()
    article.refresh_from_db()
    assert article.published_at.year > 2000


def test_the_database_refuses_an_unreadable_publication_time():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET published_at = '0001-01-01 00:00:00+05:00' WHERE id = %s", [article.id]
        )


CONSTRAINT = "article_publication_time_in_range"


@pytest.fixture
def without_the_range_constraint(transactional_db):
    """The table as it was before migration 0012: a row may hold any time. (Committed, since
    PostgreSQL refuses ALTER TABLE inside a transaction with deferred checks pending.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", [CONSTRAINT])
        [definition] = cursor.fetchone()
        cursor.execute(f"ALTER TABLE articles_article DROP CONSTRAINT {CONSTRAINT}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_article WHERE published_at < '1600-01-01' OR published_at >= '2200-01-01'")
        cursor.execute(f"ALTER TABLE articles_article ADD CONSTRAINT {CONSTRAINT} {definition}")


def test_the_repair_migration_makes_a_stored_unreadable_row_a_draft_and_every_read_path_answers(
    without_the_range_constraint, client, admin_client
):
    repair = importlib.import_module("articles.migrations.0011_repair_publication_times").repair_publication_times
    bad = ArticleFactory(headline="Dateprobe BC", paragraphs=["Dateprobe body text about Jim Mattis."])
    good = ArticleFactory(headline="Dateprobe good", paragraphs=["Dateprobe body text about Jim Mattis."])
    mattis = EntityFactory(kind=EntityKind.PERSON, name="Jim Mattis", article_count=2)
    MentionFactory(article=bad, entity=mattis)
    MentionFactory(article=good, entity=mattis)
    with connection.cursor() as cursor:  # a row stored before the range was checked
        cursor.execute("UPDATE articles_article SET published_at = '0001-01-01 00:00:00+05:00' WHERE id = %s", [bad.id])
    with pytest.raises(ValueError, match="year -1 is out of range"):  # what the probe saw
        client.get("/sitemap-articles.xml")

    class SchemaEditor:
        connection = connection

    repair(None, SchemaEditor)

    assert Article.objects.filter(id=bad.id).values_list("status", "published_at").get() == ("draft", None)
    mattis.refresh_from_db()
    assert mattis.article_count == 1
    _, key = APIKey.objects.create_key(name="probe")
    api = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    for path in [
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/search/?q=Dateprobe",
        "/search/?q=Dateprobe&ordering=newest",
    ]:
        assert client.get(path).status_code == 200, path
    for path in ["/", "/feeds/latest/", "/people/jim-mattis/"]:
        assert client.get(path).status_code == 200, path
    for path in [
        "/api/v1/articles/?q=Dateprobe",
        "/api/v1/articles/?ordering=-published_at&published_before=2000-01-01T00:00:00Z",
        "/api/v1/articles/?page_size=100",
    ]:
        assert client.get(path, **api).status_code == 200, path
    assert admin_client.get("/admin/articles/article/").status_code == 200
    assert admin_client.get(f"/admin/articles/article/{bad.id}/change/").status_code == 200
