"""Background imports (queue "ingest"): thin tasks taking ids; the work is in services."""

import logging

from celery import shared_task
from django.conf import settings

from articles import services, spool

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
        spool.finish_spool_batch(batch_id=batch_id)  # a spool file goes to failed/ with that reason
        raise
    if not finished:
        import_batch.delay(batch_id)
        return
    spool.finish_spool_batch(batch_id=batch_id)


@shared_task(acks_late=True, ignore_result=True)
def requeue_stalled_imports() -> int:
    """Beat: queue again the background imports whose task was lost (idempotent: a batch
    is queued once per silence, and a worker already on it makes the extra task a no-op)."""
    stalled = services.claim_stalled_batches(silent_for_seconds=settings.IMPORT_STALL_SECONDS)
    for batch_id in stalled:
        logger.warning(
            "import batch %s made no progress for %ss: queued again", batch_id, settings.IMPORT_STALL_SECONDS
        )
        import_batch.delay(batch_id)
    return len(stalled)


@shared_task(acks_late=True, ignore_result=True)
def scan_spool() -> int:
    """Beat: one look at the spool folder (INGEST_SPOOL_DIR); queue the files it claimed."""
    report = spool.scan_spool()
    for batch_id in report.claimed:
        try:
            import_batch.apply_async(args=[batch_id], retry=False)
        except Exception:  # the broker went away mid-scan: the batch waits, beat re-queues it
            logger.exception("spool: could not queue import batch %s", batch_id)
    return len(report.claimed)
