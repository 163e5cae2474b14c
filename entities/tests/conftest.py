"""A real Celery worker (subprocess) against the test database and a real Redis."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from newsroom.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).parent / "celery")


def isolated_broker_url() -> str:
    """The project's Redis, another database: a `make run` worker on the same checkout
    never takes the tests' tasks, and the tests never purge its queue."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        return url.split("?")[0] + "?virtual_host=9"
    base, _, db = url.rpartition("/")
    return f"{base}/9" if db.isdigit() and base.count("/") >= 2 else url.rstrip("/") + "/9"


def wait_for(predicate: Callable[[], bool], *, deadline: float = 90, what: str = "condition") -> None:
    """Poll until the predicate holds; fail (not a timing assertion: a hang guard) after `deadline` s."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"gave up waiting for {what}")


def database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{s['USER']}@/{s['NAME']}?host={host}&port={s['PORT'] or 5432}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def set_broker(url: str) -> None:
    """Point this process's Celery app (the one request_tagging sends with) at a broker."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_write_url = url
    celery_app.conf.broker_read_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def purge(queue: str = "tagging") -> None:
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        with contextlib.suppress(Exception):  # no queue yet is fine
            channel.queue_purge(queue)
        channel.client.delete("unacked", "unacked_index")


class Worker:
    def __init__(self, broker_url: str, env: dict[str, str]):
        self.broker_url = broker_url
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self) -> "Worker":
        self.proc = subprocess.Popen(
            [CELERY, "-A", "newsroom", "worker", "-Q", "tagging", "-c", "2", "-P", "prefork", "--loglevel", "INFO"]
            + [
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}-{time.time()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]


@pytest.fixture
def make_worker(django_db_setup, django_db_blocker) -> Iterator[Callable[..., Worker]]:
    """Start Celery workers on the test database; all stopped at the end of the test."""
    with django_db_blocker.unblock():
        db_url = database_url()
    workers: list[Worker] = []

    def make(broker_url: str | None = None, **extra_env: str) -> Worker:
        broker_url = broker_url or isolated_broker_url()
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "DEBUG": "true",
            **extra_env,
        }
        worker = Worker(broker_url, env)
        workers.append(worker)
        return worker.start()

    yield make
    for worker in workers:
        worker.stop()


@pytest.fixture
def clean_queue() -> Iterator[None]:
    set_broker(isolated_broker_url())
    purge()
    yield
    purge()
    set_broker(settings.CELERY_BROKER_URL)


@pytest.fixture
def private_redis() -> Iterator[Callable[[], None]]:
    """A separate redis-server on its own socket; yields (url, start, stop)."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    tmp = tempfile.mkdtemp(prefix="redis-test-")
    sock = os.path.join(tmp, "redis.sock")
    state: dict = {}

    def start() -> None:
        state["proc"] = subprocess.Popen(
            [server, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: os.path.exists(sock), deadline=20, what="redis socket")

    def stop() -> None:
        proc = state.pop("proc", None)
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        if os.path.exists(sock):
            os.unlink(sock)

    yield f"redis+socket://{sock}", start, stop
    stop()
    set_broker(settings.CELERY_BROKER_URL)
    shutil.rmtree(tmp, ignore_errors=True)
