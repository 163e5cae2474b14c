"""Fixtures of the tagging tests: real Celery workers on the test database, a clean queue."""

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings

from entities.tests.worker import Worker, database_url, purge


@pytest.fixture
def make_worker(django_db_setup, django_db_blocker) -> Iterator[Callable[..., Worker]]:
    """Start Celery workers on the test database and the session's broker (or the one
    given); all stopped at the end of the test."""
    with django_db_blocker.unblock():
        db_url = database_url()
    workers: list[Worker] = []

    def make(broker_url: str | None = None, **extra_env: str) -> Worker:
        broker_url = broker_url or settings.CELERY_BROKER_URL
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": broker_url,
            # The deployed settings: they take the broker URL as given (the test settings
            # would move it to the tests' own Redis database).
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
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
    """The session broker's tagging queue, emptied before and after the test (other tests
    leave the messages of the articles they import there, with no worker to take them)."""
    purge()
    yield
    purge()
