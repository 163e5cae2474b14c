"""A Redis database of the project's broker kept for one benchmark's Celery messages, so that
none reaches the development queue and a `make run` worker never takes one."""

from django.conf import settings


def private_broker_url(*, database: int) -> str:
    """The project's broker URL with another Redis database number."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        return url.split("?")[0] + f"?virtual_host={database}"
    base, _, db = url.rpartition("/")
    return f"{base}/{database}" if db.isdigit() and base.count("/") >= 2 else url.rstrip("/") + f"/{database}"


def use_private_broker(*, database: int) -> str:
    """Point this process's Celery app (the one request_tagging sends with) at that database,
    emptied first; returns its URL for the workers a benchmark starts."""
    from newsroom.celery import app

    url = private_broker_url(database=database)
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    app._pool = None
    app.amqp._producer_pool = None
    empty_private_broker()
    return url


def empty_private_broker(*, queue: str = "tagging") -> int:
    """Drop every message of the database use_private_broker chose; returns how many `queue` held."""
    from newsroom.celery import app

    if app.conf.broker_write_url in (None, settings.CELERY_BROKER_URL):
        raise RuntimeError("use_private_broker() first: this would empty the development broker")
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        waiting = client.llen(queue)
        client.flushdb()
    return waiting
