"""Background imports (queue "ingest"): thin tasks taking ids; the work is in services."""

import logging

from celery import shared_task
from django.conf import settings

from articles import services

logger = logging.getLogger(__name__)


def _budget() -> float:
    # Stop well inside the soft time limit and queue the rest, so a 10,000-file batch is
    # many short tasks rather than one the broker would redeliver mid-way.
    return max(30.0, settings.CELERY_TASK_SOFT_TIME_LIMIT - 60)


@shared_task(acks_late=True)
def import_batch(batch_id: int) -> None:
    try:
        finished = services.run_batch(batch_id=batch_id, budget_seconds=_budget())
    except Exception as exc:
        logger.exception("import batch %s failed", batch_id)
        services.mark_batch_failed(batch_id=batch_id, error=f"the import stopped on an unexpected error: {exc}")
        raise
    if not finished:
        import_batch.delay(batch_id)
