"""Celery tasks of the entities app: thin wrappers taking ids (logic in entities.services)."""

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from entities import services
from entities.extraction import gazetteer, known_names, ner, spans

logger = logging.getLogger(__name__)

# Errors worth retrying with backoff: the database restarting or a connection dropped.
TRANSIENT = services.TRANSIENT_ERRORS


@worker_process_init.connect
def _load_models(**_kwargs) -> None:
    # Each worker process loads the spaCy pipelines, the gazetteer and the word lists of the
    # rules once, before its first task (not while tagging its first articles).
    if settings.TAGGING_PRELOAD:
        ner.preload()
        gazetteer.preload()
        known_names.preload()
        spans.preload()


_RELIABLE = {
    "bind": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(**_RELIABLE)
def tag_article(self, article_id: int, content_hash: str) -> str:
    # The task id is the claim: a redelivered or retried message (same id) takes back the
    # batch its interrupted run had claimed. When its article needs nothing (a batch took
    # it, or the text changed), the task claims a batch of owed articles all the same: a
    # save sends no message while enough are waiting (services.wake_tagging).
    try:
        return services.tag_article(
            article_id=article_id,
            content_hash=content_hash,
            claim=self.request.id or "",
            batch_size=settings.TAGGING_BATCH_SIZE,
            worker=self.request.hostname or "",
            take_owed=True,
        )
    except TRANSIENT:
        raise
    except Exception as exc:
        logger.exception("tagging article %s failed", article_id)
        return services.record_tagging_failure(
            article_id=article_id, content_hash=content_hash, error=f"{type(exc).__name__}: {exc}"
        )


@shared_task(**_RELIABLE)
def tag_owed(self) -> str:
    # Sent by a task whose batch was full (more may be owed): a batch of the oldest owed
    # articles, claimed with this task's id like any other.
    return services.tag_article(
        article_id=None,
        claim=self.request.id or "",
        batch_size=settings.TAGGING_BATCH_SIZE,
        worker=self.request.hostname or "",
        take_owed=True,
    )


# The beat tasks share the tagging queue: a save that saw them waiting sent no message, so
# they end by waking a tagging task when articles are owed (services.wake_if_owed).


@shared_task(acks_late=True, ignore_result=True)
def sweep_pending_tagging() -> int:
    queued = services.sweep_pending_tagging()
    services.wake_if_owed()
    return queued


@shared_task(acks_late=True, ignore_result=True)
def refresh_counts_for_released_articles() -> int:
    released = services.refresh_counts_for_released_articles()
    services.wake_if_owed()
    return released
