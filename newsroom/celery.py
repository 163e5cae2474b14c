"""The Celery app: configured from Django settings (CELERY_* names), tasks autodiscovered."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender=None, **_kwargs) -> None:
    """Around each task, what Django does around each request: a connection past
    CONN_MAX_AGE, or broken (a PostgreSQL restart), is closed, and the next query opens a
    new one (settings.CELERY_DB_REUSE_MAX keeps Celery from closing it every time)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run in the caller's process, inside its transaction
    from django.db import close_old_connections as close_if_unusable_or_obsolete

    close_if_unusable_or_obsolete()
