"""Background imports with a real Redis broker and a real Celery worker (the "ingest" queue):
an uploaded zip is imported while the server keeps answering, and an upload made while the
broker is down is kept, said so, and imported once queued again."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from articles import services
from articles.models import Article, ImportBatch, JobStatus
from articles.tests import hostile
from articles.tests.staff import staff_user
from articles.tests.uploads import UPLOAD_URL, upload
from entities.tests.worker import set_broker, wait_for
from newsroom.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def ingest_worker():
    """A worker thread of this process on the ingest queue of the broker the app sends to."""
    return start_worker(app, pool="solo", concurrency=1, queues=["ingest"], perform_ping_check=False)


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_uploaded_zip_is_imported_by_a_worker_while_the_server_keeps_answering(
    admin_client, settings, tmp_path, seed_bytes
):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = hostile.zip_of(
        {
            "seed.txt": seed_bytes,
            "item.xml": hostile.news_item(version=2),
            "feed.jsonl": hostile.jsonl(*(hostile.good_record(n) for n in range(30)), raw_lines=("{bad",)),
            "bomb.xml": hostile.xml_bomb(),
        }
    )
    with ingest_worker():
        response = upload(admin_client, ("wire.zip", archive), publish=True, content_type="application/zip")
        assert response.status_code == 302
        batch = ImportBatch.objects.get()

        for _ in range(300):  # a bound on waiting for the worker, not a speed assertion
            batch.refresh_from_db()
            if batch.is_finished:
                break
            assert admin_client.get(UPLOAD_URL).status_code == 200
            time.sleep(0.1)
    assert batch.status == "done", batch.error
    page = text(admin_client.get(response["Location"]))
    assert "32 created, 0 updated, 0 unchanged, 2 refused" in page
    assert "wire.zip › bomb.xml" in page and "declares its own entities" in page
    assert "wire.zip › feed.jsonl line 31" in page
    assert Article.objects.published().count() == 32


def test_an_upload_while_the_broker_is_down_is_kept_and_imported_once_queued_again(
    admin_client, private_redis, settings, tmp_path, seed_bytes
):
    settings.MEDIA_ROOT = tmp_path / "media"
    set_broker(private_redis.url)  # its redis-server is not running
    started = time.monotonic()
    response = upload(admin_client, ("wire.zip", hostile.zip_of({"seed.txt": seed_bytes})))
    waited = time.monotonic() - started
    assert response.status_code == 302
    # A hang guard on the editor's request, not a speed measure: the send is tried once,
    # without publish retries or reconnection loops.
    assert waited < 2 * settings.CELERY_BROKER_CONNECTION_TIMEOUT
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/admin/articles/article/imports/{batch.id}/"
    assert "The files are stored but the background queue could not be reached" in text(
        admin_client.get(response["Location"])
    )
    assert batch.status == JobStatus.PENDING and services.imports_dir(batch.id).is_dir()
    assert not Article.objects.exists()

    private_redis.start()
    with ingest_worker():
        again = admin_client.post(response["Location"])  # the page's "Queue again"
        assert again.status_code == 302 and again["Location"] == response["Location"]
        wait_for(lambda: ImportBatch.objects.get(id=batch.id).is_finished, deadline=120, what="the worker to import it")
    batch.refresh_from_db()
    assert (batch.status, batch.error) == ("done", "")
    page = text(admin_client.get(response["Location"]))
    assert "could not be reached" not in page and "1 created, 0 updated, 0 unchanged, 0 refused" in page
    assert Article.objects.count() == 1


def test_a_worker_imports_only_what_the_uploader_may_write(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    story = b"Quokkazephyr draft headline\n\nThe draft as its editor left it.\n"
    services.import_file(name="draft.txt", data=story)  # someone else's draft
    client.force_login(staff_user("reporter", "articles.add_article", "articles.view_article"))
    archive = hostile.zip_of(
        {
            "new.txt": b"Harbour reopens after the storm\n\nThe harbour reopened on Monday.\n",
            "same_headline.txt": story.replace(b"The draft as its editor left it.", b"Adderprobe: replaced."),
        }
    )
    with ingest_worker():
        response = upload(client, ("wire.zip", archive), content_type="application/zip", update_same_headline="on")
        assert response.status_code == 302
        wait_for(lambda: ImportBatch.objects.get().is_finished, deadline=120, what="the worker to import it")
    page = text(client.get(response["Location"]))
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in page
    assert "wire.zip › same_headline.txt" in page and "filed by someone else" in page
    assert not Article.objects.filter(body_text__contains="Adderprobe").exists()
