"""Real Celery workers and Redis servers for the tests: a worker subprocess on the test
database, a redis-server that can really be stopped, and pointing this process at a broker."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from newsroom.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).parent / "celery")


def wait_for(
    predicate: Callable[[], bool], *, deadline: float = 90, what: str | Callable[[], str] = "condition"
) -> None:
    """Poll until the predicate holds; fail (not a timing assertion: a hang guard) after `deadline` s.
    `what` may be a function, called on failure (to show worker logs as they are then)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"gave up waiting for {what() if callable(what) else what}")


def database_url() -> str:
    """The test database as a DATABASE_URL, for a worker subprocess."""
    s = connection.settings_dict
    host = s["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{s['USER']}@/{s['NAME']}?host={host}&port={s['PORT'] or 5432}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def set_broker(url: str) -> None:
    """Point this process's Celery app (the one request_tagging and the admin send with) at a broker."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_write_url = url
    celery_app.conf.broker_read_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def purge(queue: str = "tagging") -> None:
    """Empty a queue of the broker this process sends to, and its unacknowledged messages."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        with contextlib.suppress(Exception):  # no queue yet is fine
            channel.queue_purge(queue)
        channel.client.delete("unacked", "unacked_index")


class Worker:
    """`celery worker` (prefork, two processes, the tagging queue unless told) in its own process group."""

    def __init__(self, broker_url: str, env: dict[str, str], queues: str = "tagging"):
        self.broker_url = broker_url
        self.env = env
        self.queues = queues
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self) -> "Worker":
        self.proc = subprocess.Popen(
            [CELERY, "-A", "newsroom", "worker", "-Q", self.queues, "-c", "2", "-P", "prefork", "--loglevel", "INFO"]
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


class RedisServer:
    """A redis-server of its own on a Unix socket, started and stopped at will (a broker outage)."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="redis-test-")
        self.socket = os.path.join(self.directory, "redis.sock")
        self.url = f"redis+socket://{self.socket}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [server, "--port", "0", "--unixsocket", self.socket, "--save", "", "--appendonly", "no"]
            + ["--dir", self.directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: os.path.exists(self.socket), deadline=20, what="redis socket")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        if os.path.exists(self.socket):
            os.unlink(self.socket)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
