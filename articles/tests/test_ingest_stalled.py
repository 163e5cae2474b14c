"""Beat queues again a background import whose task was lost, once per silence, and never
one a worker is still running; a duplicate task for a running batch imports nothing."""

from datetime import timedelta

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from articles import services, tasks
from articles.models import Article, ImportBatch, JobStatus
from articles.tests import hostile
from articles.tests.staff import staff_user
from articles.tests.test_ingest_background import ingest_worker
from core.locks import IMPORT_BATCH, locked_keys
from entities.tests.worker import purge, wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stored_batch(settings, tmp_path) -> ImportBatch:
    """An upload stored for the worker whose task never reached it, silent for ten minutes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_STALL_SECONDS = 300
    records = hostile.jsonl(*(hostile.good_record(n) for n in range(3)))
    reporter = staff_user("reporter", "articles.add_article")  # a batch imports what its uploader may write
    batch = services.create_upload_batch(files=[SimpleUploadedFile("feed.jsonl", records)], user=reporter)
    ImportBatch.objects.filter(id=batch.id).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    return batch


def other_session_lock(batch_id: int):
    """The advisory lock a worker takes on a batch, held by another database session."""
    s = connection.settings_dict
    conn = psycopg2.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"] or None, port=s["PORT"] or None)
    conn.autocommit = True
    conn.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_BATCH, batch_id])
    return conn


@pytest.mark.worker
def test_a_stalled_batch_is_queued_again_by_beat_and_imported(stored_batch):
    purge("ingest")
    with ingest_worker():
        assert tasks.requeue_stalled_imports() == 1
        wait_for(lambda: ImportBatch.objects.get(id=stored_batch.id).is_finished, what="the re-queued import")
    stored_batch.refresh_from_db()
    assert stored_batch.status == JobStatus.DONE
    assert Article.objects.count() == 3


def test_the_requeue_is_idempotent_within_one_silence(stored_batch, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.import_batch, "delay", queued.append)
    assert tasks.requeue_stalled_imports() == 1
    assert tasks.requeue_stalled_imports() == 0  # the heartbeat moved: queued once, not every minute
    assert queued == [stored_batch.id]


def test_a_batch_that_has_shown_progress_recently_is_left_alone(stored_batch, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.import_batch, "delay", queued.append)
    ImportBatch.objects.filter(id=stored_batch.id).update(heartbeat_at=timezone.now())
    assert tasks.requeue_stalled_imports() == 0
    assert queued == []


def test_a_silent_batch_a_worker_still_holds_is_not_queued_again(stored_batch, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.import_batch, "delay", queued.append)
    holder = other_session_lock(stored_batch.id)
    try:
        assert tasks.requeue_stalled_imports() == 0
        # A duplicate message for the batch the other worker runs returns without importing.
        assert services.run_batch(batch_id=stored_batch.id) is True
        assert not Article.objects.exists()
    finally:
        holder.close()
    # The server drops a closed session's locks as its backend exits, just after close().
    wait_for(lambda: not locked_keys(IMPORT_BATCH, [stored_batch.id]), what="the closed session's lock to go")
    assert tasks.requeue_stalled_imports() == 1  # the holder is gone (a worker killed): queued again
    assert queued == [stored_batch.id]


def test_command_batches_are_never_queued_to_a_worker(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.import_batch, "delay", queued.append)
    ImportBatch.objects.create(
        origin=ImportBatch.Origin.COMMAND, status=JobStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert tasks.requeue_stalled_imports() == 0
    assert queued == []
