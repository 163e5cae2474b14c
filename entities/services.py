"""Writes of the entities app: tagging articles, and the editors' curation decisions.

Tagging is owed when an article's row says so (tagging_status pending): saving changed
text sets it (Article.save), `request_tagging` queues a task after the commit, and
`sweep_pending_tagging` re-queues whatever is still owed, so a broker outage or a killed
worker delays tagging but never loses it.
"""

import logging
import socket
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from kombu.exceptions import ChannelError

from articles.models import Article, JobStatus
from entities import labels
from entities.extraction import clustering, evidence, ner, resolve
from entities.models import (
    Alias,
    AliasSighting,
    CountWatermark,
    CurationEvent,
    DistinctPair,
    Entity,
    EntityRedirect,
    Mention,
    TypeVote,
    name_key,
)
from entities.selectors import invalidate_entity_caches, type_evidence

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# The name under which entities/tasks.py registers its tagging task (routed to the "tagging" queue).
TAG_ARTICLE_TASK = "entities.tasks.tag_article"
TAG_OWED_TASK = "entities.tasks.tag_owed"


class CurationError(ValueError):
    """An editor's request that cannot be carried out (shown to the editor as is)."""


# --- Queueing ------------------------------------------------------------------------------


def _send(task: str, args: list, what: str) -> bool:
    try:
        # Sent by name: tasks.py imports this module, not the other way round.
        current_app.send_task(task, args=args, retry=False)
    except Exception as exc:  # kombu/redis raise many types; none may fail a save
        logger.warning("tagging of %s not queued (broker unreachable: %s); the sweep will", what, exc)
        return False
    return True


def queue_tagging(article_id: int, content_hash: str) -> bool:
    """Send the task now; False (and a log line) when the broker cannot be reached. The row
    still says pending, so the sweep sends it later."""
    return _send(TAG_ARTICLE_TASK, [article_id, content_hash], f"article {article_id}")


def waiting_tagging_messages() -> int | None:
    """Messages waiting in the tagging queue (not yet taken by a worker); None when the
    broker cannot be reached."""
    queue = settings.CELERY_TASK_ROUTES["entities.tasks.*"]["queue"]
    try:
        with current_app.pool.acquire(block=True) as conn:
            try:
                return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:
                return 0  # no such queue yet: nothing waiting
    except Exception as exc:  # kombu/redis raise many types; none may fail a save
        logger.warning("tagging queue unreachable (%s)", exc)
        return None


def wake_tagging(article_id: int | None = None, content_hash: str = "") -> bool:
    """Have a worker tag what is owed: a message, unless TAGGING_WAKE_AHEAD messages are
    already waiting in the queue. Every task claims a batch of the oldest owed articles when
    its own needs nothing, so a waiting message, taken after this article's row was committed,
    tags it or, its batch full of older rows, wakes another task in turn. With no article:
    a task that only claims owed articles. False when the broker cannot be reached."""
    waiting = waiting_tagging_messages()
    if waiting is not None and waiting >= settings.TAGGING_WAKE_AHEAD:
        return True
    if article_id is None:
        return _send(TAG_OWED_TASK, [], "owed articles")
    return queue_tagging(article_id, content_hash)


def wake_if_owed() -> None:
    """Wake a tagging task when articles are owed. Every task of the tagging queue ends with
    this or claims owed articles (the beat tasks are in that queue too): so whatever messages
    a save saw waiting, one of them leads to its article."""
    if Article.objects.filter(tagging_status=JobStatus.PENDING).exists():
        wake_tagging()


def request_tagging(article: Article) -> None:
    """Queue the article's tagging once the current transaction commits, if it is owed."""
    if article.tagging_status != JobStatus.PENDING or article.tagged_hash == article.content_hash:
        return
    article_id, content_hash = article.id, article.content_hash
    transaction.on_commit(lambda: wake_tagging(article_id, content_hash))


def request_tagging_for_batch(articles: list[Article]) -> None:
    """Queue the tagging of articles written together (a bulk import's chunk) once the
    transaction commits: one message per TAGGING_BATCH_SIZE of them, not one each, since a
    tagging task claims that many owed articles, oldest first. Every row says it is owed, so
    any article no task happens to claim is sent again by the sweep: nothing is lost."""
    owed = [a for a in articles if a.tagging_status == JobStatus.PENDING and a.tagged_hash != a.content_hash]
    step = max(1, settings.TAGGING_BATCH_SIZE)
    heads = [(a.id, a.content_hash) for a in owed[::step]]
    if heads:
        transaction.on_commit(lambda: [queue_tagging(i, h) for i, h in heads])


def retag_articles(article_ids: Iterable[int], *, queue: bool = True) -> int:
    """Mark articles as owing tagging again (forcing a re-run) and queue them."""
    ids = list(article_ids)
    now = timezone.now()
    count = Article.objects.filter(id__in=ids).update(
        tagging_status=JobStatus.PENDING,
        tagged_hash="",
        tagging_error="",
        tagging_attempts=0,
        tagging_requested_at=now,
        tagging_claim="",
    )
    if queue:
        rows = list(Article.objects.filter(id__in=ids).values_list("id", "content_hash"))
        transaction.on_commit(lambda: [queue_tagging(i, h) for i, h in rows])
    return count


def tagging_backlog() -> int | None:
    """Messages waiting in the tagging queue; None when the broker cannot be reached."""
    queue = settings.CELERY_TASK_ROUTES["entities.tasks.*"]["queue"]
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            try:
                return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:
                return 0  # no such queue yet: nothing waiting
    except Exception as exc:  # the broker is down: nothing can be queued now anyway
        logger.warning("tagging sweep: broker unreachable (%s)", exc)
        return None


def release_stale_claims(*, older_than: timedelta) -> int:
    """Done rows still holding the claim of a task that died before refreshing its batch's
    entity counts: refresh them and let the claims go. Returns how many rows."""
    stale = Article.objects.filter(
        ~Q(tagging_claim=""),
        tagging_status=JobStatus.DONE,
        tagged_at__lte=timezone.now() - older_than,
    )
    ids = list(stale.values_list("id", flat=True)[:1000])
    if ids:
        refresh_counts_for_articles(ids)
        Article.objects.filter(id__in=ids, tagging_status=JobStatus.DONE).update(tagging_claim="")
    return len(ids)


def sweep_pending_tagging(
    *, pending_older_than: timedelta | None = None, running_older_than: timedelta | None = None, limit: int = 1000
) -> int:
    """Re-queue tagging still owed: pending rows not picked up for a while, and running rows
    older than the hard time limit (their worker died). Returns how many were queued."""
    pending_older_than = pending_older_than if pending_older_than is not None else timedelta(seconds=60)
    running_older_than = running_older_than if running_older_than is not None else stale_claim_age()
    now = timezone.now()
    release_stale_claims(older_than=running_older_than)
    backlog = tagging_backlog()
    if backlog is None:
        return 0  # the rows stay owed for the next sweep
    stale_running = Q(tagging_status=JobStatus.RUNNING, tagging_requested_at__lte=now - running_older_than)
    owed_filter = stale_running
    if backlog == 0:
        # Pending rows are re-sent only when the queue is empty: while it holds messages they
        # are most likely among them, and re-sending a long backlog would only double it.
        owed_filter |= Q(tagging_status=JobStatus.PENDING, tagging_requested_at__lte=now - pending_older_than)
    owed = (
        Article.objects.filter(owed_filter).order_by("tagging_requested_at").values_list("id", "content_hash")[:limit]
    )
    rows = list(owed)
    if not rows:
        return 0
    ids = [i for i, _ in rows]
    # A stale claim is dead (its task outlived the hard time limit, or its worker died and
    # the message is gone): the row is owed again, and any task may claim it.
    Article.objects.filter(
        id__in=ids, tagging_status=JobStatus.RUNNING, tagging_requested_at__lte=now - running_older_than
    ).update(tagging_status=JobStatus.PENDING, tagging_claim="")
    # Stamp them so the next sweep does not send them again before a worker runs them.
    Article.objects.filter(id__in=ids).update(tagging_requested_at=now)
    queued = 0
    for article_id, content_hash in rows:
        if not queue_tagging(article_id, content_hash):
            break  # broker down: the rows stay owed for the next sweep
        queued += 1
    return queued


# --- Tagging -------------------------------------------------------------------------------

# Errors worth retrying the whole task with backoff: the database restarting, a connection
# dropped. The batch's rows stay claimed by the task, and its retry (same task id) takes
# them back.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# Errors that end the whole batch at once (the rest stays claimed, taken back by a retry or
# by the sweep once the claim is stale) rather than failing one article.
_BATCH_STOPPERS = (*TRANSIENT_ERRORS, SoftTimeLimitExceeded)

# What tagging reads of an article; the rest of the row (the search vector above all) stays
# in the database.
_TAGGING_COLUMNS = (
    "id",
    "content_hash",
    "language",
    "tagging_status",
    "tagged_hash",
    "tagging_claim",
    "tagging_requested_at",
    *ner.TAGGED_FIELDS,
)


def article_fields(article: Article) -> dict[str, str]:
    return {name: getattr(article, name) or "" for name in ner.TAGGED_FIELDS}


def stale_claim_age() -> timedelta:
    """A claim older than this is dead: the hard time limit has killed any task holding it."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def _text_size(article: Article) -> int:
    return sum(len(text) for text in article_fields(article).values())


class _TaggingState(NamedTuple):
    content_hash: str
    tagged_hash: str
    tagging_status: str
    tagging_claim: str
    tagging_requested_at: datetime


def _tagging_state(article_id: int) -> _TaggingState | None:
    """What the claim checks of an article, in one plain read (a statement written once: most
    messages stop here, and the ORM's query building was a visible share of their cost)."""
    rows = _execute(
        f"SELECT {', '.join(_TaggingState._fields)} FROM {Article._meta.db_table} WHERE id = %s",  # noqa: S608
        [article_id],
    )
    return _TaggingState(*rows[0]) if rows else None


def claim_for_tagging(
    *,
    article_id: int | None,
    content_hash: str,
    claim: str,
    batch_size: int = 1,
    batch_chars: int | None = None,
    worker: str = "",
) -> tuple[str, list[Article]]:
    """Claim the article, and up to batch_size - 1 other articles owing tagging, for `claim`.
    With no article (`article_id` None): up to batch_size owed articles, oldest first, and
    the rows this claim holds; "claimed", or "idle" when there are none.

    In one short transaction: the article is locked and checked (its outcome is returned
    with an empty batch when there is nothing to do: "missing", "outdated", "done-already",
    or "claimed" when a live claim of another task holds it); rows this same claim holds
    from an earlier, interrupted attempt are taken back; other pending rows are taken with
    SKIP LOCKED (never waiting for another worker), oldest first, up to `batch_chars`
    characters of text in all. Every claimed row is marked running, its attempts counted,
    with the claim and the worker's name.
    "resumed": the article itself was written by an earlier run of this claim (the batch
    holds the rest of that run's claims).
    """
    now = timezone.now()
    batch_chars = batch_chars if batch_chars is not None else settings.TAGGING_BATCH_CHARS

    def nothing_to_do(article: Article | None) -> str | None:
        if article is None:
            return "missing"
        if article.content_hash != content_hash:
            return "outdated"
        if article.tagged_hash == content_hash and article.tagging_status == JobStatus.DONE:
            # Still holding this claim: written by an earlier run of this very task, which
            # died before the end of its batch; the task resumes the batch.
            return None if claim and article.tagging_claim == claim else "done-already"
        if (
            article.tagging_status == JobStatus.RUNNING
            and article.tagging_claim not in ("", claim)
            and article.tagging_requested_at > now - stale_claim_age()
        ):
            return "claimed"  # another task is tagging it right now
        return None

    resumed = False
    # Most tasks of a busy queue find their article already claimed or done by a batch: a
    # plain read answers them without taking (and committing) a row lock.
    if article_id is not None and (outcome := nothing_to_do(_tagging_state(article_id))):
        return outcome, []
    with transaction.atomic():
        batch, size, room = [], 0, batch_size
        if article_id is not None:
            article = Article.objects.select_for_update().only(*_TAGGING_COLUMNS).filter(id=article_id).first()
            if outcome := nothing_to_do(article):
                return outcome, []
            resumed = article.tagging_status == JobStatus.DONE
            batch, size = ([], 0) if resumed else ([article], _text_size(article))
            room = batch_size - 1
        if room > 0:
            rows = Article.objects.select_for_update(skip_locked=True).only(*_TAGGING_COLUMNS).exclude(id=article_id)
            own = list(rows.filter(tagging_status=JobStatus.RUNNING, tagging_claim=claim))
            pending = rows.filter(tagging_status=JobStatus.PENDING).order_by("tagging_requested_at", "id")
            for other in own + list(pending[: max(room - len(own), 0)]):
                other_size = _text_size(other)
                if batch and other.tagging_claim != claim and size + other_size > batch_chars:
                    # Too much text for one task's time limit: left for another task, whose
                    # batch it starts (a batch always takes its first row, however long).
                    continue
                batch.append(other)
                size += other_size
        Article.objects.filter(id__in=[a.id for a in batch]).update(
            tagging_status=JobStatus.RUNNING,
            tagging_attempts=F("tagging_attempts") + 1,
            tagging_requested_at=now,
            tagging_claim=claim,
            tagging_worker=worker,
        )
    if article_id is None and not batch:
        return "idle", []
    return ("resumed" if resumed else "claimed"), batch


def _extract(batch: list[Article]) -> dict[int, list | Exception]:
    """Raw mentions of every article of the batch, with nlp.pipe over all of them; an
    article that makes NER fail gets its exception instead (the others are redone one by one)."""
    try:
        found = ner.extract_many([(article_fields(a), a.language) for a in batch])
        return {a.id: raw for a, raw in zip(batch, found, strict=True)}
    except _BATCH_STOPPERS:
        raise
    except Exception:
        logger.warning("NER failed on a batch of %s articles; retrying them one by one", len(batch), exc_info=True)
    out: dict[int, list | Exception] = {}
    for article in batch:
        try:
            out[article.id] = ner.extract(article_fields(article), article.language)
        except _BATCH_STOPPERS:
            raise
        except Exception as exc:
            out[article.id] = exc
    return out


def _execute(sql: str, params: list) -> list[tuple]:
    """Run one statement of the tagging write path; the rows it returns, if any."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


class _StoreState(NamedTuple):
    content_hash: str
    tagged_hash: str
    tagging_status: str
    language: str
    status: str
    published_at: datetime | None


def _store_mentions(
    *,
    article_id: int,
    content_hash: str,
    raw: list,
    known: resolve.Known,
    clusters: list | None = None,
    votes: Counter | None = None,
    worker: str = "",
) -> tuple[str, set[int]]:
    """Resolve and replace one article's mentions in one transaction; (outcome, entity ids
    whose counts may have changed)."""
    with transaction.atomic():
        rows = _execute(
            f"SELECT {', '.join(_StoreState._fields)} FROM {Article._meta.db_table} "  # noqa: S608
            "WHERE id = %s FOR UPDATE",
            [article_id],
        )
        if not rows:
            return "missing", set()
        article = _StoreState(*rows[0])
        if article.content_hash != content_hash:
            return "outdated", set()
        if article.tagged_hash == content_hash and article.tagging_status == JobStatus.DONE:
            return "done-already", set()  # another worker finished it first
        # The article's alias sightings are rewritten with its mentions.
        _execute(f"DELETE FROM {AliasSighting._meta.db_table} WHERE article_id = %s", [article_id])  # noqa: S608
        resolved = resolve.resolve_mentions(raw, known, clusters=clusters, article_id=article_id)
        found_by = ner.model_id(article.language)
        # The old mentions go, and their entities' counts may change: one statement.
        before = {
            entity_id
            for (entity_id,) in _execute(
                f"DELETE FROM {Mention._meta.db_table} WHERE article_id = %s RETURNING entity_id",  # noqa: S608
                [article_id],
            )
        }
        if resolved:
            # One INSERT of arrays (the ORM's bulk_create prepares every value of every row in
            # Python: a visible share of a worker's time per article). A position already
            # taken keeps its first mention, as bulk_create(ignore_conflicts=True) did.
            _execute(
                f"INSERT INTO {Mention._meta.db_table} (article_id, entity_id, field, start, "  # noqa: S608
                '"end", surface, found_by) SELECT %s, e, f, s, n, t, %s FROM '
                "UNNEST(%s::bigint[], %s::text[], %s::integer[], %s::integer[], %s::text[]) AS m(e, f, s, n, t) "
                "ON CONFLICT DO NOTHING",
                [
                    article_id,
                    found_by,
                    [entity.id for _, entity in resolved],
                    [m.field for m, _ in resolved],
                    [m.start for m, _ in resolved],
                    [m.end for m, _ in resolved],
                    [m.text[:255] for m, _ in resolved],
                ],
            )
        if votes is not None:
            # The article's type votes replace its old ones (evidence.py).
            _execute(f"DELETE FROM {TypeVote._meta.db_table} WHERE article_id = %s", [article_id])  # noqa: S608
            if votes:
                keys, kinds = zip(*votes, strict=True)
                _execute(
                    f"INSERT INTO {TypeVote._meta.db_table} (article_id, key, kind, mentions) "  # noqa: S608
                    "SELECT %s, k, t, n FROM UNNEST(%s::text[], %s::text[], %s::integer[]) AS v(k, t, n)",
                    [article_id, list(keys), list(kinds), list(votes.values())],
                )
        if article.status == Article.Status.PUBLISHED and article.published_at <= timezone.now():
            # Only what readers can see names entities publicly (a draft's names stay private).
            labels.learn(language=article.language, resolved=resolved)
        _execute(
            f"UPDATE {Article._meta.db_table} SET tagging_status = %s, tagged_hash = %s, "  # noqa: S608
            "tagging_error = '', tagged_at = %s, tagging_worker = %s WHERE id = %s",
            [JobStatus.DONE, content_hash, timezone.now(), worker, article_id],
        )
    return "tagged", before | {e.id for _, e in resolved}


def tag_article(
    *,
    article_id: int | None,
    content_hash: str = "",
    raw: list | None = None,
    claim: str = "",
    batch_size: int = 1,
    worker: str = "",
    take_owed: bool = False,
) -> str:
    """Find, resolve and store the article's mentions; idempotent.

    Returns what happened to this article: "missing", "outdated" (the text changed since
    the task was sent: the newer task does the work), "done-already", "claimed" (another
    task is tagging it), "tagged", or, when it failed, "pending"/"failed".

    With batch_size > 1 (the worker), up to that many owed articles are claimed together
    (see claim_for_tagging), NER runs over all of them with nlp.pipe and no lock held, then
    each article's mentions are written in its own transaction; one article failing does not
    fail the others. Entity counts are refreshed once for the batch. `raw` lets bulk callers
    pass mentions already found with nlp.pipe (one article, no batch). `worker` names who
    tags (the Celery node), recorded on the rows; this machine's name by default.

    The worker's tasks pass `take_owed`: when the article itself needs nothing, the task
    claims a batch of owed articles all the same (article_id None: only that), for a save
    sends no message while enough are waiting (`wake_tagging`); and a full batch wakes
    another task, so a backlog is shared by every idle process.
    """
    claim = claim or uuid.uuid4().hex
    worker = worker or socket.gethostname()
    outcome, batch = claim_for_tagging(
        article_id=article_id,
        content_hash=content_hash,
        claim=claim,
        batch_size=1 if raw is not None else batch_size,
        worker=worker,
    )
    lead_outcome = outcome
    if not batch and outcome != "resumed" and article_id is not None:
        if not take_owed:
            return outcome  # nothing to do, or another task's live claim holds the article
        outcome, batch = claim_for_tagging(
            article_id=None, content_hash="", claim=claim, batch_size=batch_size, worker=worker
        )
    if take_owed and batch:
        wake_if_owed()  # more may be owed: another process can start on it while this one works
    # Rows an earlier run of this task wrote before dying: their counts were never refreshed.
    written = set(
        Article.objects.filter(tagging_claim=claim, tagging_status=JobStatus.DONE).values_list("id", flat=True)
    )
    if not batch and not written and outcome != "resumed":
        return lead_outcome
    # The slow part runs with no lock held.
    raws = {article_id: raw} if raw is not None else _extract(batch)
    clusters: dict[int, list] = {}
    texts = {a.id: article_fields(a) for a in batch}
    for i, found in raws.items():
        if isinstance(found, list):
            try:
                clusters[i] = clustering.cluster_article(found, texts.get(i))
            except _BATCH_STOPPERS:
                raise
            except Exception as exc:  # this article fails alone, below
                raws[i] = exc
    # Types decided by the archive's votes, this batch's own included (evidence.py).
    votes = {i: evidence.article_votes(found) for i, found in clusters.items()}
    deciding = {
        key for found in clusters.values() for c in found if not c.typed_by_name for key in evidence.deciding_keys(c)
    }
    archive = type_evidence(keys=deciding, exclude_article_ids=list(clusters))
    for article_votes in votes.values():
        archive.add(article_votes)
    for found in clusters.values():
        evidence.decide_kinds(found, archive)
    # An entity made under a type the votes now overrule is moved (or folded into the one of
    # the right type) before the batch resolves to it.
    touched = correct_entity_kinds(archive=archive, keys=deciding)
    known = resolve.Known(*resolve.expected_names(clusters.values()))
    # The lead article's outcome when it is not in the batch (resumed, or nothing to do).
    # What the task reports is about its own article and hash: when that needed nothing, the
    # batch it took instead does not change it (an outdated message stays "outdated", though
    # its article's new text may be in the batch). With no article, "batch".
    lead_outcome = {"resumed": "done-already", "claimed": "batch"}.get(lead_outcome, lead_outcome)
    outcomes: dict[int | None, str] = {article_id: lead_outcome}
    touched |= set(Mention.objects.filter(article_id__in=written).values_list("entity_id", flat=True))
    try:
        for article in batch:
            found = raws[article.id]
            try:
                if isinstance(found, Exception):
                    raise found
                outcomes[article.id], entity_ids = _store_mentions(
                    article_id=article.id,
                    content_hash=article.content_hash,
                    raw=found,
                    known=known,
                    clusters=clusters.get(article.id),
                    votes=votes.get(article.id),
                    worker=worker,
                )
                if outcomes[article.id] == "tagged":
                    touched |= entity_ids
                    written.add(article.id)
            except _BATCH_STOPPERS:
                raise
            except Exception as exc:
                logger.exception("tagging article %s failed", article.id)
                outcomes[article.id] = record_tagging_failure(
                    article_id=article.id, content_hash=article.content_hash, error=f"{type(exc).__name__}: {exc}"
                )
                # Entities created in the rolled-back transaction do not exist: forget them.
                known = resolve.Known()
    finally:
        # The written rows keep the claim until their counts are refreshed: if this fails
        # (or the process dies first), the task's retry or the sweep refreshes them.
        refresh_article_counts(touched)
        Article.objects.filter(id__in=written, tagging_claim=claim).update(tagging_claim="")
    return outcomes[article_id] if lead_outcome in ("batch", "done-already") else lead_outcome


def record_tagging_failure(*, article_id: int, content_hash: str, error: str) -> str:
    """After a failed attempt: pending again (the sweep retries) or, after MAX_ATTEMPTS
    attempts, failed with the reason shown to editors."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(id=article_id, content_hash=content_hash).first()
        if article is None or article.tagging_status == JobStatus.DONE:
            return "ignored"
        failed = article.tagging_attempts >= MAX_ATTEMPTS
        status = JobStatus.FAILED if failed else JobStatus.PENDING
        Article.objects.filter(id=article_id).update(
            tagging_status=status, tagging_error=error[:2000], tagging_claim=""
        )
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
    # After the commit: a reader must not cache the lists from the rows before it.
    transaction.on_commit(lambda: invalidate_entity_caches(ids))


def refresh_counts_for_articles(article_ids: Iterable[int]) -> None:
    """After publishing or unpublishing: the counts of every entity the articles mention."""
    refresh_article_counts(Mention.objects.filter(article_id__in=list(article_ids)).values_list("entity_id", flat=True))


def refresh_counts_for_released_articles(*, now: datetime | None = None) -> int:
    """Counts follow embargoes: refresh the entities of published articles whose publication
    time has passed since the last run (Entity.article_count only counts articles already
    public). The watermark is a row in the database, so a run after the scheduler was down
    catches up on the whole gap. The first run ever catches up on every article that was
    scheduled (published_at later than its creation). Returns how many articles it covered."""
    now = now or timezone.now()
    with transaction.atomic():
        watermark = CountWatermark.objects.select_for_update().order_by("id").first()
        released = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
        if watermark is None:
            released = released.filter(published_at__gt=F("created_at"))
            watermark = CountWatermark(released_until=now)
        elif watermark.released_until >= now:
            return 0
        else:
            released = released.filter(published_at__gt=watermark.released_until)
        article_ids = list(released.values_list("id", flat=True))
        refresh_counts_for_articles(article_ids)
        watermark.released_until = now
        watermark.save()
    return len(article_ids)


# --- Curation ------------------------------------------------------------------------------


def _lock(entity_ids: Iterable[int]) -> dict[int, Entity]:
    return {e.id: e for e in Entity.objects.select_for_update().filter(id__in=list(entity_ids)).order_by("id")}


def record_curation(*, entity_id: int, action: str, user_id: int | None, detail: dict | None = None) -> CurationEvent:
    """Log one curation of the entity (`user_id` None: the machine), in the caller's
    transaction so the log and the change stand or fall together."""
    username = ""
    if user_id is not None:
        user_model = get_user_model()
        username = user_model.objects.filter(id=user_id).values_list(user_model.USERNAME_FIELD, flat=True).first()
        if username is None:
            raise CurationError("no such user")
    return CurationEvent.objects.create(
        entity_id=entity_id, action=action, user_id=user_id, username=username, detail=detail or {}
    )


def merge_entities(*, survivor_id: int, duplicate_ids: Iterable[int], user_id: int | None = None) -> Entity:
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
            # The duplicate's name was seen where the duplicate was: its provenance.
            if alias := resolve.add_alias(survivor, dup.name):
                seen_in = Mention.objects.filter(entity=dup).values_list("article_id", flat=True).distinct()
                AliasSighting.objects.bulk_create(
                    [AliasSighting(alias=alias, article_id=i) for i in seen_in], ignore_conflicts=True
                )
            # Mentions: one per position, so a position both name (impossible in practice)
            # keeps the survivor's.
            Mention.objects.filter(entity=dup).update(entity=survivor)
            EntityRedirect.objects.filter(entity=dup).update(entity=survivor)
            EntityRedirect.objects.get_or_create(kind=dup.kind, slug=dup.slug, defaults={"entity": survivor})
            Entity.objects.filter(merged_into=dup).update(merged_into=survivor)
        survivor.curated = True
        survivor.save(update_fields=["curated", "updated_at"])
        record_curation(
            entity_id=survivor.id,
            action=CurationEvent.Action.MERGED,
            user_id=user_id,
            detail={"merged_ids": [d.id for d in duplicates], "merged_names": [d.name for d in duplicates]},
        )
        refresh_article_counts([survivor.id, *[d.id for d in duplicates]])
        # Other entities' lists counted the duplicates apart from the survivor: drop them all.
        transaction.on_commit(invalidate_entity_caches)
    return survivor


def rename_entity(*, entity_id: int, name: str, user_id: int | None = None) -> Entity:
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
        resolve.add_alias(entity, old_name, curated=True)  # the name readers knew it by
        if entity.slug != old_slug:
            EntityRedirect.objects.filter(kind=entity.kind, slug=entity.slug).delete()
            EntityRedirect.objects.get_or_create(kind=entity.kind, slug=old_slug, defaults={"entity": entity})
        record_curation(
            entity_id=entity.id,
            action=CurationEvent.Action.RENAMED,
            user_id=user_id,
            detail={"old_name": old_name, "new_name": entity.name, "old_slug": old_slug, "new_slug": entity.slug},
        )
    return entity


def add_entity_alias(*, entity_id: int, name: str, user_id: int | None = None) -> Alias:
    """Give the entity another name (public whenever the entity is); an alias tagging had
    found becomes the editor's. Logged unless the editor's alias was there already."""
    key = name_key(name)
    if not key:
        raise CurationError("the alias cannot be empty")
    with transaction.atomic():
        entity = _lock([entity_id]).get(entity_id)
        if entity is None:
            raise CurationError("no such entity")
        if Alias.objects.filter(kind=entity.kind, key=key).exclude(entity=entity).exists():
            raise CurationError(f"{name!r} is already an alias of another entity")
        alias, created = Alias.objects.get_or_create(
            kind=entity.kind, key=key, defaults={"entity": entity, "name": name, "curated": True}
        )
        if created or not alias.curated:
            Alias.objects.filter(id=alias.id).update(curated=True)
            alias.curated = True
            record_curation(
                entity_id=entity.id,
                action=CurationEvent.Action.ALIAS_ADDED,
                user_id=user_id,
                detail={"alias": alias.name, "alias_id": alias.id, "was_found_by_tagging": not created},
            )
    return alias


def remove_entity_alias(*, alias_id: int, user_id: int | None = None) -> None:
    """Take a name away from its entity (tagging may find it again, as any new name)."""
    with transaction.atomic():
        alias = Alias.objects.select_for_update().filter(id=alias_id).first()
        if alias is None:
            raise CurationError("no such alias")
        alias.delete()
        record_curation(
            entity_id=alias.entity_id,
            action=CurationEvent.Action.ALIAS_REMOVED,
            user_id=user_id,
            detail={"alias": alias.name, "alias_id": alias_id},
        )


def edit_entity(*, entity_id: int, changes: dict, user_id: int | None = None) -> Entity:
    """An editor's change to the entity's other fields (labels, identifiers): applied, the
    entity marked curated, and the old and new values logged. The name changes only through
    `rename_entity`, the kind only through a merge or the evidence."""
    editable = {"labels", "same_as", "wikidata_id"}
    if unknown := set(changes) - editable:
        raise CurationError(f"these fields are not edited here: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        entity = _lock([entity_id]).get(entity_id)
        if entity is None:
            raise CurationError("no such entity")
        changed = {f: {"old": getattr(entity, f), "new": v} for f, v in changes.items() if getattr(entity, f) != v}
        for field, change in changed.items():
            setattr(entity, field, change["new"])
        entity.curated = True
        entity.save(update_fields=[*changed, "curated", "updated_at"])
        if changed:
            record_curation(
                entity_id=entity.id, action=CurationEvent.Action.EDITED, user_id=user_id, detail={"changes": changed}
            )
    return entity


def reject_entity(*, entity_id: int, user_id: int | None = None) -> Entity:
    """Mark a false entity: its mentions go, and tagging never creates it again."""
    with transaction.atomic():
        entity = _lock([entity_id]).get(entity_id)
        if entity is None:
            raise CurationError("no such entity")
        old_status = entity.status
        entity.status = Entity.Status.REJECTED
        entity.curated = True
        entity.article_count = 0
        entity.save(update_fields=["status", "curated", "article_count", "updated_at"])
        removed, _ = Mention.objects.filter(entity=entity).delete()
        record_curation(
            entity_id=entity.id,
            action=CurationEvent.Action.REJECTED,
            user_id=user_id,
            detail={"old_status": old_status, "mentions_removed": removed},
        )
    return entity


def mark_entity_checked(*, entity_id: int, user_id: int | None = None) -> Entity:
    """An editor vouches for the entity as it is: it leaves the review queue, and re-tagging
    never changes what the editor saw (as after any other curation)."""
    with transaction.atomic():
        updated = Entity.objects.filter(id=entity_id, status=Entity.Status.ACTIVE).update(
            curated=True, updated_at=timezone.now()
        )
        if not updated:
            raise CurationError("no such active entity")
        record_curation(entity_id=entity_id, action=CurationEvent.Action.CHECKED, user_id=user_id)
    return Entity.objects.get(id=entity_id)


def dismiss_duplicate(*, entity_ids: tuple[int, int], user_id: int | None = None) -> DistinctPair:
    """Record that two entities are not one, so the pair is never suggested again. The
    log holds it under the first entity, with the second as `other_id`."""
    if len(entity_ids) != 2 or entity_ids[0] == entity_ids[1]:
        raise CurationError("choose two different entities")
    first, second = entity_ids
    low, high = sorted(entity_ids)
    with transaction.atomic():
        names = dict(Entity.objects.filter(id__in=[low, high]).values_list("id", "name"))
        if len(names) != 2:
            raise CurationError("no such entity")
        pair, created = DistinctPair.objects.get_or_create(
            low_id=low, high_id=high, defaults={"decided_by_id": user_id}
        )
        if created:
            record_curation(
                entity_id=first,
                action=CurationEvent.Action.NOT_DUPLICATE,
                user_id=user_id,
                detail={"other_id": second, "other_name": names[second]},
            )
    return pair


# --- Types decided by evidence -------------------------------------------------------------


def retype_entity(*, entity_id: int, kind: str, user_id: int | None = None) -> set[int]:
    """Give an entity another type: it moves to that type (new slug; the old one
    redirects), or, when an entity of that type already has its name, folds into it
    (mentions and aliases move, marked merged). Logged as a type correction (by the
    machine when `user_id` is None). Returns the ids whose counts may change."""
    with transaction.atomic():
        entity = _lock([entity_id]).get(entity_id)
        if entity is None or entity.status != Entity.Status.ACTIVE or entity.kind == kind:
            return set()
        old_kind, old_slug = entity.kind, entity.slug
        target = (
            Entity.objects.select_for_update()
            .filter(kind=kind, key=entity.key)
            .exclude(status=Entity.Status.MERGED)
            .first()
        )
        if target is not None and target.status != Entity.Status.ACTIVE:
            return set()  # an editor rejected the name as that type: leave it to them
        survivor = target or entity
        # Aliases the other type already gives to someone stay with them.
        alias_keys = list(entity.aliases.values_list("key", flat=True))
        taken = set(Alias.objects.filter(kind=kind, key__in=alias_keys).values_list("key", flat=True))
        taken |= set(
            Entity.objects.filter(kind=kind, key__in=alias_keys)
            .exclude(status=Entity.Status.MERGED)
            .values_list("key", flat=True)
        )
        Alias.objects.filter(entity=entity, key__in=taken).delete()
        Alias.objects.filter(entity=entity).update(entity=survivor, kind=kind)
        if target is None:
            entity.kind = kind
            entity.slug = resolve.unique_slug(kind, entity.name)
            entity.save(update_fields=["kind", "slug", "updated_at"])
        else:
            Mention.objects.filter(entity=entity).update(entity=target)
            entity.status = Entity.Status.MERGED
            entity.merged_into = target
            entity.save(update_fields=["status", "merged_into", "updated_at"])
            EntityRedirect.objects.filter(entity=entity).update(entity=target)
            Entity.objects.filter(merged_into=entity).update(merged_into=target)
        EntityRedirect.objects.get_or_create(kind=old_kind, slug=old_slug, defaults={"entity": survivor})
        detail = {"old_kind": old_kind, "new_kind": kind, "old_slug": old_slug}
        if target is not None:
            detail |= {"other_id": target.id, "other_name": target.name}
        record_curation(entity_id=entity.id, action=CurationEvent.Action.TYPE_CORRECTED, user_id=user_id, detail=detail)
        logger.info("entity %s %r: type %s -> %s by the archive's votes", entity.id, entity.name, old_kind, kind)
        transaction.on_commit(invalidate_entity_caches)
    return {entity.id, survivor.id}


def correct_entity_kinds(*, archive: evidence.TypeEvidence, keys: Iterable[str]) -> set[int]:
    """Entities whose name the archive's votes now give another type are moved to it (an
    editor's curated entity is left alone). Returns the ids whose counts may change."""
    decided = {key: kind for key in set(keys) if (kind := archive.kind_for({key})) is not None}
    if not decided:
        return set()
    wrong = Entity.objects.filter(key__in=decided, status=Entity.Status.ACTIVE, curated=False).only("id", "kind", "key")
    touched: set[int] = set()
    for entity in wrong:
        if entity.kind != decided[entity.key]:
            touched |= retype_entity(entity_id=entity.id, kind=decided[entity.key])
    return touched
