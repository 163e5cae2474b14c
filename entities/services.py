"""Writes of the entities app: tagging articles, and the editors' curation decisions.

Tagging is owed when an article's row says so (tagging_status pending): saving changed
text sets it (Article.save), `request_tagging` queues a task after the commit, and
`sweep_pending_tagging` re-queues whatever is still owed, so a broker outage or a killed
worker delays tagging but never loses it.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from entities.extraction import ner, resolve
from entities.models import Alias, Entity, EntityRedirect, Mention, name_key

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class CurationError(ValueError):
    """An editor's request that cannot be carried out (shown to the editor as is)."""


# --- Queueing ------------------------------------------------------------------------------


def queue_tagging(article_id: int, content_hash: str) -> bool:
    """Send the task now; False (and a log line) when the broker cannot be reached. The row
    still says pending, so the sweep sends it later."""
    from entities.tasks import tag_article

    try:
        tag_article.apply_async(args=[article_id, content_hash], retry=False)
    except Exception as exc:  # kombu/redis raise many types; none may fail a save
        logger.warning("tagging of article %s not queued (broker unreachable: %s); the sweep will", article_id, exc)
        return False
    return True


def request_tagging(article: Article) -> None:
    """Queue the article's tagging once the current transaction commits, if it is owed."""
    if article.tagging_status != Article.TaggingStatus.PENDING or article.tagged_hash == article.content_hash:
        return
    article_id, content_hash = article.id, article.content_hash
    transaction.on_commit(lambda: queue_tagging(article_id, content_hash))


def retag_articles(article_ids: Iterable[int], *, queue: bool = True) -> int:
    """Mark articles as owing tagging again (forcing a re-run) and queue them."""
    ids = list(article_ids)
    now = timezone.now()
    count = Article.objects.filter(id__in=ids).update(
        tagging_status=Article.TaggingStatus.PENDING,
        tagged_hash="",
        tagging_error="",
        tagging_attempts=0,
        tagging_requested_at=now,
    )
    if queue:
        rows = list(Article.objects.filter(id__in=ids).values_list("id", "content_hash"))
        transaction.on_commit(lambda: [queue_tagging(i, h) for i, h in rows])
    return count


def tagging_backlog() -> int | None:
    """Messages waiting in the tagging queue; None when the broker cannot be reached."""
    from kombu.exceptions import ChannelError

    from newsroom.celery import app

    queue = settings.CELERY_TASK_ROUTES["entities.tasks.*"]["queue"]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            try:
                return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:
                return 0  # no such queue yet: nothing waiting
    except Exception as exc:  # the broker is down: nothing can be queued now anyway
        logger.warning("tagging sweep: broker unreachable (%s)", exc)
        return None


def sweep_pending_tagging(
    *, pending_older_than: timedelta | None = None, running_older_than: timedelta | None = None, limit: int = 1000
) -> int:
    """Re-queue tagging still owed: pending rows not picked up for a while, and running rows
    older than the hard time limit (their worker died). Returns how many were queued."""
    pending_older_than = pending_older_than if pending_older_than is not None else timedelta(seconds=60)
    if running_older_than is None:
        running_older_than = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    backlog = tagging_backlog()
    if backlog is None:
        return 0  # the rows stay owed for the next sweep
    now = timezone.now()
    stale_running = Q(tagging_status=Article.TaggingStatus.RUNNING, tagging_requested_at__lte=now - running_older_than)
    owed_filter = stale_running
    if backlog == 0:
        # Pending rows are re-sent only when the queue is empty: while it holds messages they
        # are most likely among them, and re-sending a long backlog would only double it.
        owed_filter |= Q(
            tagging_status=Article.TaggingStatus.PENDING, tagging_requested_at__lte=now - pending_older_than
        )
    owed = (
        Article.objects.filter(owed_filter).order_by("tagging_requested_at").values_list("id", "content_hash")[:limit]
    )
    rows = list(owed)
    if not rows:
        return 0
    # Stamp them so the next sweep does not send them again before a worker runs them.
    Article.objects.filter(id__in=[i for i, _ in rows]).update(tagging_requested_at=now)
    queued = 0
    for article_id, content_hash in rows:
        if not queue_tagging(article_id, content_hash):
            break  # broker down: the rows stay owed for the next sweep
        queued += 1
    return queued


# --- Tagging -------------------------------------------------------------------------------


def article_fields(article: Article) -> dict[str, str]:
    return {name: getattr(article, name) or "" for name in ner.TAGGED_FIELDS}


def tag_article(*, article_id: int, content_hash: str, raw: list | None = None) -> str:
    """Find, resolve and store the article's mentions; idempotent.

    Returns what happened: "missing", "outdated" (the text changed since the task was
    sent: the newer task does the work), "done-already", or "tagged". `raw` lets bulk
    callers pass mentions found with nlp.pipe over many articles.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(id=article_id).first()
        if article is None:
            return "missing"
        if article.content_hash != content_hash:
            return "outdated"
        if article.tagged_hash == content_hash and article.tagging_status == Article.TaggingStatus.DONE:
            return "done-already"
        article.tagging_status = Article.TaggingStatus.RUNNING
        article.tagging_attempts += 1
        article.tagging_requested_at = timezone.now()
        Article.objects.filter(id=article_id).update(
            tagging_status=article.tagging_status,
            tagging_attempts=article.tagging_attempts,
            tagging_requested_at=article.tagging_requested_at,
        )
    # The slow part runs with no lock held.
    if raw is None:
        raw = ner.extract(article_fields(article), article.language)
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(id=article_id).first()
        if article is None:
            return "missing"
        if article.content_hash != content_hash:
            return "outdated"
        resolved = resolve.resolve_mentions(raw)
        before = set(Mention.objects.filter(article_id=article_id).values_list("entity_id", flat=True))
        Mention.objects.filter(article_id=article_id).delete()
        Mention.objects.bulk_create(
            [
                Mention(
                    article_id=article_id,
                    entity=entity,
                    field=m.field,
                    start=m.start,
                    end=m.end,
                    surface=m.text[:255],
                )
                for m, entity in resolved
            ],
            ignore_conflicts=True,
        )
        Article.objects.filter(id=article_id).update(
            tagging_status=Article.TaggingStatus.DONE,
            tagged_hash=content_hash,
            tagging_error="",
            tagged_at=timezone.now(),
        )
        refresh_article_counts(before | {e.id for _, e in resolved})
    return "tagged"


def record_tagging_failure(*, article_id: int, content_hash: str, error: str, final: bool = False) -> str:
    """After a failed attempt: pending again (the sweep retries) or, after MAX_ATTEMPTS
    attempts, failed with the reason shown to editors."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(id=article_id, content_hash=content_hash).first()
        if article is None or article.tagging_status == Article.TaggingStatus.DONE:
            return "ignored"
        failed = final or article.tagging_attempts >= MAX_ATTEMPTS
        status = Article.TaggingStatus.FAILED if failed else Article.TaggingStatus.PENDING
        Article.objects.filter(id=article_id).update(tagging_status=status, tagging_error=error[:2000])
    return status


def refresh_article_counts(entity_ids: Iterable[int]) -> None:
    """Entity.article_count = the published articles mentioning it."""
    ids = list(set(entity_ids))
    if not ids:
        return
    counts = (
        Mention.objects.filter(entity_id=OuterRef("pk"), article__in=Article.objects.published())
        .order_by()
        .values("entity_id")
        .annotate(n=Count("article_id", distinct=True))
        .values("n")
    )
    Entity.objects.filter(id__in=ids).update(article_count=Coalesce(Subquery(counts), 0))


def refresh_counts_for_articles(article_ids: Iterable[int]) -> None:
    """After publishing or unpublishing: the counts of every entity the articles mention."""
    refresh_article_counts(Mention.objects.filter(article_id__in=list(article_ids)).values_list("entity_id", flat=True))


# --- Curation ------------------------------------------------------------------------------


def _lock(entity_ids: Iterable[int]) -> dict[int, Entity]:
    return {e.id: e for e in Entity.objects.select_for_update().filter(id__in=list(entity_ids)).order_by("id")}


def merge_entities(*, survivor_id: int, duplicate_ids: Iterable[int]) -> Entity:
    """Fold duplicates into the survivor: their names become aliases, their aliases and
    mentions move, their slugs redirect. Re-tagging then resolves them to the survivor."""
    duplicate_ids = [i for i in set(duplicate_ids) if i != survivor_id]
    with transaction.atomic():
        locked = _lock([survivor_id, *duplicate_ids])
        survivor = locked.get(survivor_id)
        if survivor is None or survivor.status != Entity.Status.ACTIVE:
            raise CurationError("the entity to keep must exist and be active")
        duplicates = [locked[i] for i in duplicate_ids if i in locked]
        if not duplicates:
            raise CurationError("choose at least one other entity to merge into it")
        for dup in duplicates:
            if dup.kind != survivor.kind:
                raise CurationError(f"cannot merge {dup} into {survivor}: not the same kind")
        for dup in duplicates:
            Alias.objects.filter(entity=dup).update(entity=survivor)
            dup.status = Entity.Status.MERGED
            dup.merged_into = survivor
            dup.save(update_fields=["status", "merged_into", "updated_at"])
            resolve.add_alias(survivor, dup.name)
            # Mentions: one per position, so a position both name (impossible in practice)
            # keeps the survivor's.
            Mention.objects.filter(entity=dup).update(entity=survivor)
            EntityRedirect.objects.filter(entity=dup).update(entity=survivor)
            EntityRedirect.objects.get_or_create(kind=dup.kind, slug=dup.slug, defaults={"entity": survivor})
            Entity.objects.filter(merged_into=dup).update(merged_into=survivor)
        survivor.curated = True
        survivor.save(update_fields=["curated", "updated_at"])
        refresh_article_counts([survivor.id, *[d.id for d in duplicates]])
    return survivor


def rename_entity(*, entity_id: int, name: str) -> Entity:
    """Give the entity a new name; the old name stays an alias, the old slug redirects."""
    name = " ".join(name.split())
    if not name:
        raise CurationError("the new name cannot be empty")
    with transaction.atomic():
        entity = _lock([entity_id]).get(entity_id)
        if entity is None:
            raise CurationError("no such entity")
        new_key = name_key(name)
        clash = Entity.objects.filter(kind=entity.kind, key=new_key).exclude(id=entity.id).exclude(status="merged")
        if clash.exists():
            raise CurationError(
                f"another {entity.get_kind_display().lower()} is already called {name!r}: merge instead"
            )
        old_name, old_slug = entity.name, entity.slug
        Alias.objects.filter(kind=entity.kind, key=new_key, entity=entity).delete()
        if Alias.objects.filter(kind=entity.kind, key=new_key).exists():
            raise CurationError(f"{name!r} is an alias of another entity")
        entity.name = name
        entity.slug = resolve.unique_slug(entity.kind, name) if slugify(name) != old_slug else old_slug
        entity.curated = True
        entity.save()
        resolve.add_alias(entity, old_name)
        if entity.slug != old_slug:
            EntityRedirect.objects.filter(kind=entity.kind, slug=entity.slug).delete()
            EntityRedirect.objects.get_or_create(kind=entity.kind, slug=old_slug, defaults={"entity": entity})
    return entity


def add_entity_alias(*, entity_id: int, name: str) -> Alias:
    entity = Entity.objects.get(id=entity_id)
    key = name_key(name)
    if not key:
        raise CurationError("the alias cannot be empty")
    if Alias.objects.filter(kind=entity.kind, key=key).exclude(entity=entity).exists():
        raise CurationError(f"{name!r} is already an alias of another entity")
    alias, _ = Alias.objects.get_or_create(kind=entity.kind, key=key, defaults={"entity": entity, "name": name})
    return alias


def reject_entity(*, entity_id: int) -> Entity:
    """Mark a false entity: its mentions go, and tagging never creates it again."""
    with transaction.atomic():
        entity = _lock([entity_id]).get(entity_id)
        if entity is None:
            raise CurationError("no such entity")
        entity.status = Entity.Status.REJECTED
        entity.curated = True
        entity.article_count = 0
        entity.save(update_fields=["status", "curated", "article_count", "updated_at"])
        Mention.objects.filter(entity=entity).delete()
    return entity
