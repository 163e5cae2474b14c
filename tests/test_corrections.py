"""A correction made in the admin: readers see "Updated" and the note, search engines read
dateModified and the correction in JSON-LD, partners get updated_at, the revision number
and the corrections in the API, and the change feed says `corrected`."""

import json
import re
from datetime import datetime, timedelta

import pytest
import requests
from django.utils import timezone

from articles.ingest import ParsedArticle
from articles.models import Article
from articles.services import ImportOptions, import_article
from articles.tests.staff import article_form
from changes.models import Change

pytestmark = pytest.mark.django_db

NOTE = "An earlier version said the port was closed on Tuesday; it closed on Monday."


@pytest.fixture
def story() -> Article:
    parsed = ParsedArticle(
        headline="Port of Calais closed", language="en", source="Example Wire", external_id="calais-1"
    )
    parsed.paragraph("The harbour master closed the port of Calais on Tuesday because of the storm.")
    # Published an hour ago: public from its first commit, as the change feed sees it.
    parsed.published_at = timezone.now() - timedelta(hours=1)
    return import_article(parsed=parsed, options=ImportOptions(publish=True))[1]


def correct(admin_client, article: Article, **fields):
    return admin_client.post(f"/admin/articles/article/{article.id}/change/", article_form(article, **fields))


def json_ld(html: str) -> dict:
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(script)


def test_a_correction_shows_on_the_page_in_json_ld_in_the_api_and_in_the_change_feed(
    admin_client, story, live_server, api
):
    page_url = live_server.url + story.get_absolute_url()
    before = requests.get(page_url, timeout=30).text
    assert "Updated" not in before and "Correction" not in before
    assert json_ld(before)["dateModified"] == json_ld(before)["datePublished"]
    assert api.get(f"/api/v1/articles/{story.id}/").json()["corrections"] == []

    body = json.dumps([{"type": "paragraph", "text": "The harbour master closed the port of Calais on Monday."}])
    response = correct(admin_client, story, body=body, is_correction="on", correction_note=NOTE)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.revision == 2 and story.is_updated
    revision = story.revisions.get(number=2)
    assert (revision.is_correction, revision.correction_note, revision.origin) == (True, NOTE, "admin")

    html = requests.get(page_url, timeout=30).text
    local = timezone.localtime(story.revised_at)
    assert f'Updated <time datetime="{local.isoformat()}">' in html
    assert "Correction</h2>" in html and NOTE in html
    structured = json_ld(html)
    assert datetime.fromisoformat(structured["dateModified"]) == story.revised_at
    assert structured["correction"] == [
        {"@type": "CorrectionComment", "text": NOTE, "datePublished": revision.created_at.isoformat()}
    ]

    detail = api.get(f"/api/v1/articles/{story.id}/").json()
    assert detail["revision"] == 2
    assert datetime.fromisoformat(detail["updated_at"]) == story.revised_at
    assert [c["note"] for c in detail["corrections"]] == [NOTE]
    assert datetime.fromisoformat(detail["corrections"][0]["at"]) == revision.created_at
    [listed] = api.get("/api/v1/articles/").json()["results"]
    assert (listed["revision"], listed["updated_at"], listed["corrections"]) == (
        2,
        detail["updated_at"],
        detail["corrections"],
    )

    assert Change.objects.filter(object_type="article", object_id=story.id, kind="corrected").exists()


def test_a_plain_edit_is_updated_but_no_correction(admin_client, story):
    assert correct(admin_client, story, byline="Staff reporter").status_code == 302
    story.refresh_from_db()
    assert story.revision == 2 and not story.revisions.filter(is_correction=True).exists()
    html = admin_client.get(story.get_absolute_url()).content.decode()
    assert "Updated" in html and "Correction" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_correction": "on", "correction_note": NOTE}, "A correction changes the text or its details"),
        ({"byline": "Staff", "is_correction": "on", "correction_note": "  "}, "Write the note readers will see"),
        ({"byline": "Staff", "correction_note": NOTE}, "Tick this to publish the note as a correction"),
    ],
)
def test_a_correction_needs_a_change_and_a_note(admin_client, story, fields, message):
    response = correct(admin_client, story, **fields)
    assert response.status_code == 200  # the form again, with the reason
    assert message in response.content.decode()
    story.refresh_from_db()
    assert story.revision == 1 and story.byline == ""


def test_a_correction_is_never_an_articles_first_revision(story):
    """The first revision is the article as created: nothing to correct yet, so the database
    refuses a correction there, and an article never revised has none to read."""
    from django.db import IntegrityError, transaction

    from articles.models import Revision

    first = story.revisions.get(number=1)
    with pytest.raises(IntegrityError, match="revision_correction_not_first"), transaction.atomic():
        Revision.objects.filter(id=first.id).update(is_correction=True, correction_note=NOTE)


def test_a_page_reads_the_corrections_of_its_revised_articles_only(admin_client, story):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.selectors import attach_corrections

    page = list(Article.objects.filter(id=story.id))
    with CaptureQueriesContext(connection) as never_revised:
        attach_corrections(page)
    assert len(never_revised) == 0 and page[0].public_corrections == []

    body = json.dumps([{"type": "paragraph", "text": "The harbour master closed the port of Calais on Monday."}])
    assert correct(admin_client, story, body=body, is_correction="on", correction_note=NOTE).status_code == 302
    page = list(Article.objects.filter(id=story.id))
    with CaptureQueriesContext(connection) as revised:
        attach_corrections(page)
    assert len(revised) == 1 and [c.correction_note for c in page[0].public_corrections] == [NOTE]
