"""Fixtures shared by every test module."""

from collections.abc import Iterator

import pytest
from django.conf import settings

from articles.management.commands.load_demo import SEED
from core import beside
from entities.tests.worker import RedisServer, set_broker


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup) -> Iterator[None]:
    """pytest-django's test database, whose teardown first closes the connections the search's
    worker threads opened (core/beside.py): a database with open connections cannot be dropped."""
    yield
    beside.shut_down()


@pytest.fixture
def seed_bytes() -> bytes:
    """The seed: a real AFP dispatch in wire-text format (demo/000_ee6a87f177283e34.txt)."""
    return SEED.read_bytes()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own, not started: the test starts and stops it to make
    an outage. This process's Celery app is pointed back at the session's broker afterwards."""
    server = RedisServer()
    yield server
    server.remove()
    set_broker(settings.CELERY_BROKER_URL)
