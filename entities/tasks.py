"""Celery tasks of the entities app: thin wrappers taking ids (logic in entities.services)."""

import logging
import os

from celery import shared_task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError

from entities import services

logger = logging.getLogger(__name__)

# Errors worth retrying with backoff: the database restarting or a connection dropped.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@worker_process_init.connect
def _load_models(**_kwargs) -> None:
    # Each worker process loads the spaCy pipelines once, before its first task.
    if os.environ.get("TAGGING_PRELOAD", "true").lower() not in ("0", "false", "no"):
        from entities.extraction import ner

        ner.preload()


@shared_task(
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def tag_article(self, article_id: int, content_hash: str) -> str:
    try:
        return services.tag_article(article_id=article_id, content_hash=content_hash)
    except TRANSIENT:
        raise
    except Exception as exc:
        logger.exception("tagging article %s failed", article_id)
        return services.record_tagging_failure(
            article_id=article_id, content_hash=content_hash, error=f"{type(exc).__name__}: {exc}"
        )


@shared_task(acks_late=True, ignore_result=True)
def sweep_pending_tagging() -> int:
    return services.sweep_pending_tagging()
