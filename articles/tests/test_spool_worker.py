"""The spool feed with a real Celery worker and Redis: a file dropped while the worker is down
is imported once it is back; a worker killed mid-file, or the broker lost mid-file, loses
nothing and imports nothing twice. The test plays beat: it sends the periodic tasks."""

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from articles import tasks
from articles.models import Article, ImportItem, SpoolFile
from articles.tests import hostile
from entities.tests.worker import Worker, database_url, purge, set_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STORIES = 3_000  # enough that a kill lands mid-file


@pytest.fixture
def spool_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.INGEST_SPOOL_DIR = str(folder)
    return folder


@pytest.fixture
def ingest_workers(spool_dir, django_db_setup, django_db_blocker) -> Iterator[Callable[..., Worker]]:
    """Worker processes on the ingest queue, on the test database and the spool folder."""
    with django_db_blocker.unblock():
        db_url = database_url()
    started: list[Worker] = []

    def start(broker_url: str | None = None) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": broker_url or django_settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "true",
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "TAGGING_PRELOAD": "false",
            "INGEST_SPOOL_DIR": str(spool_dir),
            "INGEST_SPOOL_SETTLE_SECONDS": "1",
            "IMPORT_STALL_SECONDS": "3",
        }
        worker = Worker(env["CELERY_BROKER_URL"], env, queues="ingest")
        started.append(worker)
        return worker.start()

    purge("ingest")
    yield start
    for worker in started:
        worker.stop()
    purge("ingest")
    purge("tagging")


class Beat:
    """Sends the spool scan and the stalled-import re-queue, as `celery beat` does, at most
    once a second however often it is asked; a broker that is down is beat's problem too."""

    def __init__(self) -> None:
        self.last = 0.0

    def tick(self) -> None:
        if time.monotonic() - self.last < 1:
            return
        self.last = time.monotonic()
        try:
            tasks.scan_spool.apply_async(retry=False)
            tasks.requeue_stalled_imports.apply_async(retry=False)
        except Exception:  # noqa: S110 - the broker is down: beat's sends fail, and it goes on
            pass


def done_file(spool_dir: Path, name: str) -> Path:
    return spool_dir / "done" / timezone.localdate().isoformat() / name


def feed(n: int) -> bytes:
    return hostile.jsonl(*(hostile.good_record(i) for i in range(n)))


def filed(spool_dir: Path, name: str, beat: Beat, worker: Worker, deadline: float = 240) -> None:
    def check() -> bool:
        beat.tick()
        return done_file(spool_dir, name).exists()

    wait_for(check, deadline=deadline, what=lambda: f"{name} filed under done/; worker log:\n{worker.output()}")


def importing_under_way(minimum: int) -> Callable[[], bool]:
    return lambda: sum(ImportItem.objects.values_list("created", flat=True)) >= minimum


def assert_imported_once(spool_dir: Path, name: str, n: int) -> None:
    assert Article.objects.count() == n
    assert len(set(Article.objects.values_list("external_id", flat=True))) == n
    summary = done_file(spool_dir, name).with_name(name + ".reason.txt").read_text().splitlines()[0]
    created, updated, unchanged, refused = (int(part.split()[0]) for part in summary.split(" (")[0].split(", "))
    # Stories read again after an interruption are "unchanged", never a second copy.
    assert (created + unchanged, updated, refused) == (n, 0, 0)
    assert created >= 1
    assert not list((spool_dir / "processing").iterdir())
    assert SpoolFile.objects.get().state == SpoolFile.State.DONE


def test_a_file_dropped_while_the_worker_is_down_is_imported_once_it_is_back(spool_dir, ingest_workers):
    (spool_dir / "feed.jsonl").write_bytes(feed(20))
    beat = Beat()
    beat.tick()  # beat's messages wait in Redis: no worker takes them
    assert not Article.objects.exists()
    worker = ingest_workers()
    filed(spool_dir, "feed.jsonl", beat, worker)
    assert_imported_once(spool_dir, "feed.jsonl", 20)


def test_a_worker_killed_mid_file_loses_nothing_and_imports_nothing_twice(spool_dir, ingest_workers):
    (spool_dir / "big.jsonl").write_bytes(feed(STORIES))
    beat = Beat()
    first = ingest_workers()

    def under_way() -> bool:
        beat.tick()
        return importing_under_way(100)()

    wait_for(under_way, deadline=240, what=lambda: f"the import to be under way; worker log:\n{first.output()}")
    first.kill(signal.SIGKILL)  # the main process and its pool children, mid-file
    assert Article.objects.count() < STORIES, "the kill came after the whole file: raise STORIES"
    assert list((spool_dir / "processing").iterdir())  # claimed, not filed

    second = ingest_workers()
    filed(spool_dir, "big.jsonl", beat, second)
    assert_imported_once(spool_dir, "big.jsonl", STORIES)


def test_a_broker_lost_mid_file_loses_nothing_and_imports_nothing_twice(spool_dir, ingest_workers, private_redis):
    private_redis.start()
    set_broker(private_redis.url)  # beat and this process send to the broker that will go down
    (spool_dir / "big.jsonl").write_bytes(feed(STORIES))
    beat = Beat()
    worker = ingest_workers(broker_url=private_redis.url)

    def under_way() -> bool:
        beat.tick()
        return importing_under_way(100)()

    wait_for(under_way, deadline=240, what=lambda: f"the import to be under way; worker log:\n{worker.output()}")
    private_redis.stop()  # Redis gone, without persistence: every message it held is lost
    time.sleep(3)  # noqa: TID251 - the outage lasts a while; nothing is asserted on time
    private_redis.start()
    filed(spool_dir, "big.jsonl", beat, worker)
    assert_imported_once(spool_dir, "big.jsonl", STORIES)
