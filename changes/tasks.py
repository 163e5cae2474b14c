"""Celery tasks of the change feed: thin wrappers (logic in changes.services)."""

from celery import shared_task
from django.db import transaction

from changes import services


@shared_task
def release_embargoed_articles() -> int:
    with transaction.atomic():
        return services.release_embargoed_articles()
