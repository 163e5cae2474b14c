"""A real Celery worker (real Redis broker, the "ingest" queue) imports an uploaded zip."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from articles.models import Article, ImportBatch
from articles.tests import hostile
from articles.tests.uploads import UPLOAD_URL, upload
from newsroom.celery import app


@pytest.fixture
def ingest_worker():
    with start_worker(app, pool="solo", concurrency=1, queues=["ingest"], perform_ping_check=False) as worker:
        yield worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_uploaded_zip_is_imported_by_a_worker_while_the_server_keeps_answering(
    admin_client, ingest_worker, settings, tmp_path, seed_bytes
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
    page = " ".join(admin_client.get(response["Location"]).content.decode().split())
    assert "32 created, 0 updated, 0 unchanged, 2 refused" in page
    assert "wire.zip › bomb.xml" in page and "declares its own entities" in page
    assert "wire.zip › feed.jsonl line 31" in page
    assert Article.objects.published().count() == 32
