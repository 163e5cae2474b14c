"""Per document, an upload writes only what its uploader may write (probe finding F3): a new
story needs "add", a change to a stored story "change" (a reporter's own draft excepted), and
publishing or changing a published story "publish". Refused documents are listed with a
reason; the rest of the upload goes on. Background imports check the same, in the service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles import services, tasks
from articles.models import Article, ImportBatch
from articles.services import ImportOptions
from articles.tests import hostile
from articles.tests.staff import staff_user
from articles.tests.uploads import upload

pytestmark = pytest.mark.django_db

ADD, VIEW = "articles.add_article", "articles.view_article"
CHANGE, PUBLISH = "articles.change_article", "articles.publish_article"


def wire(headline: str, body: str) -> bytes:
    return f"{headline}\n\n{body}\n".encode()


DRAFT = wire("Quokkazephyr draft headline", "The draft as its editor left it.")
PUBLISHED = wire("Ferry timetable changes", "The published text.")
NEW = wire("Harbour reopens after the storm", "The harbour reopened on Monday.")


def text(response) -> str:
    return " ".join(response.content.decode().split())


def upload_updates(client, *files, publish=False):
    """Upload plain wire text meant to update the stories with the same headline (the page's
    "update the story with the same headline"): what the probe's F3 did by headline."""
    return upload(client, *files, publish=publish, update_same_headline="on")


@pytest.fixture
def stored() -> dict[str, Article]:
    """A draft and a published story filed by someone else (the import command)."""
    [draft] = services.import_file(name="draft.txt", data=DRAFT)
    [published] = services.import_file(name="published.txt", data=PUBLISHED, options=ImportOptions(publish=True))
    return {
        "draft": Article.objects.get(id=draft.article_id),
        "published": Article.objects.get(id=published.article_id),
    }


def rewritten(data: bytes) -> bytes:
    return data.replace(b"The draft as its editor left it.", b"Adderprobe: replaced.").replace(
        b"The published text.", b"Adderprobe: replaced."
    )


def test_a_reporter_files_new_stories_but_cannot_rewrite_or_publish_anothers(client, stored):
    reporter = staff_user("reporter", ADD, VIEW)
    client.force_login(reporter)
    response = upload_updates(
        client, ("new.txt", NEW), ("same_headline.txt", rewritten(DRAFT)), ("ferry.txt", rewritten(PUBLISHED))
    )
    assert response.status_code == 200
    page = text(response)
    assert "1 created, 0 updated, 0 unchanged, 2 refused" in page
    assert "already in the archive as “Quokkazephyr draft headline”, filed by someone else" in page
    assert (
        "“Ferry timetable changes” is published, and changing a published story needs the permission to publish" in page
    )
    assert not Article.objects.filter(body_text__contains="Adderprobe").exists()
    assert Article.objects.get(headline="Quokkazephyr draft headline").status == "draft"
    assert Article.objects.get(headline="Harbour reopens after the storm").created_by == reporter


def test_a_reporter_may_correct_their_own_draft_until_it_is_published(client):
    client.force_login(staff_user("reporter", ADD, VIEW))
    upload(client, ("harbour.txt", NEW))
    corrected = NEW.replace(b"on Monday", b"on Tuesday")
    assert "0 created, 1 updated" in text(upload_updates(client, ("harbour.txt", corrected)))
    article = Article.objects.get()
    assert "on Tuesday" in article.body_text

    services.publish_articles(article_ids=[article.id])
    again = text(upload_updates(client, ("harbour.txt", NEW.replace(b"on Monday", b"on Sunday"))))
    assert "0 updated, 0 unchanged, 1 refused" in again and "is published" in again
    article.refresh_from_db()
    assert "on Tuesday" in article.body_text


def test_change_without_publish_updates_drafts_but_not_published_stories(client, stored):
    client.force_login(staff_user("subeditor", ADD, VIEW, CHANGE))
    page = text(upload_updates(client, ("draft.txt", rewritten(DRAFT)), ("ferry.txt", rewritten(PUBLISHED))))
    assert "0 created, 1 updated, 0 unchanged, 1 refused" in page
    stored["draft"].refresh_from_db(), stored["published"].refresh_from_db()
    assert "Adderprobe" in stored["draft"].body_text and "Adderprobe" not in stored["published"].body_text

    client.force_login(staff_user("editor", ADD, VIEW, CHANGE, PUBLISH))
    page = text(upload_updates(client, ("ferry.txt", rewritten(PUBLISHED)), ("draft.txt", DRAFT), publish=True))
    assert "0 created, 2 updated, 0 unchanged, 0 refused" in page
    stored["draft"].refresh_from_db(), stored["published"].refresh_from_db()
    assert "Adderprobe" in stored["published"].body_text and stored["published"].status == "published"
    assert stored["draft"].status == "published"  # its first text again: published as it stands


def test_the_service_refuses_what_the_uploader_may_not_write_whoever_calls_it(stored):
    reporter = staff_user("reporter", ADD, VIEW)
    feed = hostile.jsonl(
        {"id": "wire-new", "headline": "A new story", "body": "Its text."},
        {"id": stored["draft"].external_id, "headline": "Quokkazephyr draft headline", "body": "Adderprobe: replaced."},
    )
    drafts = services.import_file(name="feed.jsonl", data=feed, user_id=reporter.id)
    assert [o.outcome for o in drafts] == ["created", "refused"]
    assert "filed by someone else" in drafts[1].reason and drafts[1].article_id == stored["draft"].id

    feed = hostile.jsonl({"id": "wire-other", "headline": "Another new story", "body": "Its text."})
    [published] = services.import_file(
        name="more.jsonl", data=feed, options=ImportOptions(publish=True), user_id=reporter.id
    )
    assert published.outcome == "refused" and "you may not publish articles" in published.reason
    assert not Article.objects.filter(body_text__contains="Adderprobe").exists()
    assert not Article.objects.filter(headline="Another new story").exists()


@pytest.fixture
def queued(monkeypatch, settings, tmp_path) -> list[int]:
    settings.MEDIA_ROOT = tmp_path / "media"
    sent: list[int] = []
    monkeypatch.setattr(tasks.import_batch, "apply_async", lambda args, **options: sent.append(args[0]))
    return sent


def test_a_background_import_checks_the_uploaders_permissions(client, stored, queued):
    client.force_login(staff_user("reporter", ADD, VIEW))
    archive = hostile.zip_of({"new.txt": NEW, "same_headline.txt": rewritten(DRAFT), "ferry.txt": rewritten(PUBLISHED)})
    response = upload_updates(client, ("wire.zip", archive))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert services.run_batch(batch_id=batch.id) is True
    page = text(client.get(response["Location"]))
    assert "1 created, 0 updated, 0 unchanged, 2 refused" in page
    assert "wire.zip › same_headline.txt" in page and "filed by someone else" in page
    assert "wire.zip › ferry.txt" in page and "is published" in page
    assert not Article.objects.filter(body_text__contains="Adderprobe").exists()


def test_a_batch_whose_uploader_lost_the_right_or_the_account_writes_nothing(stored, queued):
    editor = staff_user("editor", ADD, VIEW, CHANGE, PUBLISH)
    files = [SimpleUploadedFile("new.txt", NEW), SimpleUploadedFile("ferry.txt", rewritten(PUBLISHED))]
    options = ImportOptions(publish=True, update_same_headline=True)
    batch = services.create_upload_batch(files=files, options=options, user=editor)
    editor.user_permissions.clear()  # between the upload and the worker
    services.run_batch(batch_id=batch.id)
    assert services.batch_totals(batch)["refused"] == 2
    reasons = [o["reason"] for item in batch.items.all() for o in item.outcomes]
    assert reasons == ["not imported: you may not add articles", reasons[1]] and "is published" in reasons[1]

    editor = staff_user("editor2", ADD, VIEW, CHANGE, PUBLISH)
    files = [SimpleUploadedFile("new.txt", NEW)]
    batch = services.create_upload_batch(files=files, options=options, user=editor)
    editor.delete()
    services.run_batch(batch_id=batch.id)
    [item] = batch.items.all()
    assert item.outcomes[0]["reason"] == "not imported: the uploader's account was removed"
    assert not Article.objects.filter(headline="Harbour reopens after the storm").exists()
