"""Domain actions that write articles: import a parsed story, publish, unpublish.

Every entry point (admin upload, import command, background import, demo loader) calls
these, so a story is deduplicated, versioned and checked against the uploader's permissions
the same way whichever door it came in by.
"""

import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.ingest import IngestError, ParsedArticle, read_documents, read_stream
from articles.models import Article, ImportBatch, ImportItem, JobStatus, Revision, Section, Source
from articles.revisions import RevisionLog, stamp_revision
from core.copy import allocate_ids, copy_fields, copy_rows, copy_text
from core.locks import IMPORT_BATCH, locked_keys, try_advisory_lock
from core.readahead import read_ahead
from entities.services import refresh_counts_for_articles, request_tagging, request_tagging_for_batch

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class DocumentOutcome:
    label: str  # file name, "archive.zip › member.xml", "feed.jsonl line 12"
    outcome: Outcome
    article_id: int | None = None
    headline: str = ""
    reason: str = ""
    note: str = ""  # said to the editor beside the story: which story a new text was kept apart from
    same_headline_id: int | None = None  # that story, which the result page offers to update instead


@dataclass(frozen=True)
class ImportOptions:
    """What the editor chose for one upload (or a command run)."""

    publish: bool = False
    # For documents that carry none; a story that exists keeps its own.
    source: str = ""
    section: str = ""
    published_at: datetime | None = None
    # A text without an id of its own whose headline matches a story of the same source
    # updates that story (the newest, when several match) instead of becoming a new one.
    update_same_headline: bool = False


# Fields the provider owns: an import overwrites them; anything else (status set by an
# editor, section chosen by hand when the feed has none) is left as the editor left it.
_PROVIDER_FIELDS = (
    "headline",
    "standfirst",
    "body",
    "byline",
    "dateline",
    "language",
    "photo_caption",
    "photo_credit",
    "source_url",
    "rights",
)


class ImportRefused(IngestError):
    """The uploader may not write this document; the reason is written for them."""

    def __init__(self, reason: str, *, article_id: int | None = None):
        super().__init__(reason)
        self.article_id = article_id


@dataclass(frozen=True)
class ImportRights:
    """What an import may write, read once from the uploader's permissions (docs/roles.md):
    a new story needs "add article", a change to a story already stored "change article"
    (a reporter's own draft excepted), and publishing or changing a published story
    "publish article"."""

    user_id: int | None = None
    may_add: bool = True
    may_change: bool = True
    may_publish: bool = True
    no_account: str = ""  # why the uploader may write nothing at all

    @classmethod
    def of_uploader(cls, user_id: int | None) -> "ImportRights":
        """The rights of staff member `user_id`; None is the operator (the import command, the
        demo loader), who may write anything."""
        if user_id is None:
            return cls()
        user = get_user_model().objects.filter(id=user_id).first()
        if user is None or not user.is_active:
            return cls(user_id, False, False, False, no_account="the uploader's account was removed or disabled")
        return cls(
            user_id=user.id,
            may_add=user.has_perm("articles.add_article"),
            may_change=user.has_perm("articles.change_article"),
            may_publish=user.has_perm("articles.publish_article"),
        )

    @classmethod
    def of_batch(cls, batch: ImportBatch) -> "ImportRights":
        if batch.origin != ImportBatch.Origin.UPLOAD:
            return cls()  # the command and the spool folder: set up by the operator
        if batch.created_by_id is None:  # the account was deleted after the upload
            return cls(None, False, False, False, no_account="the uploader's account was removed")
        return cls.of_uploader(batch.created_by_id)

    def refusal_to_create(self, *, publish: bool) -> str:
        if self.no_account:
            return f"not imported: {self.no_account}"
        if not self.may_add:
            return "not imported: you may not add articles"
        if publish and not self.may_publish:
            return "not imported: you may not publish articles (upload without “Publish” to file a draft)"
        return ""

    def refusal_to_update(self, article: Article, *, publishing: bool) -> str:
        """Why the uploader may not change `article` (as stored, before the change), if so."""
        if self.no_account:
            return f"not imported: {self.no_account}"
        if article.status == Article.Status.PUBLISHED and not self.may_publish:
            return (
                f"not imported: “{article.headline}” is published, and changing a published story "
                "needs the permission to publish; ask an editor"
            )
        if publishing and not self.may_publish:
            return f"not imported: “{article.headline}” would be published, and you may not publish articles"
        own_draft = self.may_add and self.user_id is not None and article.created_by_id == self.user_id
        if not self.may_change and not own_draft:
            return (
                f"not imported: this story is already in the archive as “{article.headline}”, filed by "
                "someone else, and you may not change others' stories; ask an editor"
            )
        return ""

    def refusal_to_publish(self, article: Article) -> str:
        if self.no_account:
            return f"not imported: {self.no_account}"
        if not self.may_publish:
            return f"not imported: “{article.headline}” would be published, and you may not publish articles"
        return ""


OPERATOR = ImportRights()


def _named(model, name: str):
    """The section or source of this name, made when new with a slug no other one has (a
    renamed one keeps its slug, "Sport!" and "Sport" share theirs)."""
    if not name:
        return None
    name = name[:100]
    found = model.objects.filter(name=name).first()
    if found is not None:
        return found
    base = slugify(name)[:90] or model.__name__.lower()
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    obj, _ = model.objects.get_or_create(name=name, defaults={"slug": slug})
    return obj


def slug_base(headline: str) -> str:
    """The slug a headline asks for, before any suffix makes it unique."""
    return (slugify(headline)[:200].strip("-")) or "article"


def unique_slug(headline: str, *, exclude_id: int | None = None) -> str:
    base = slug_base(headline)
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exclude(id=exclude_id).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@dataclass
class _Imported:
    outcome: Outcome
    article: Article
    note: str = ""
    same_headline_id: int | None = None


def import_article(
    *,
    parsed: ParsedArticle,
    options: ImportOptions = ImportOptions(),
    author=None,
    rights: ImportRights = OPERATOR,
) -> tuple[Outcome, Article]:
    """Create or update the article for a parsed story; never two copies of one story, and
    never one story for two (docs/ingest.md, "Story identity"). A change is stored as a
    revision (origin "import": no batch). A write the uploader's `rights` do not allow
    raises ImportRefused, and nothing is written."""
    imported = _import_article(parsed=parsed, options=options, log=RevisionLog(author=author), rights=rights)
    return imported.outcome, imported.article


def _import_article(
    *, parsed: ParsedArticle, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> _Imported:
    """A story with a provider id (NewsML-G2 guid, NITF doc-id, NewsML 1 identifier, a JSON
    id or URL) is identified by (source, id): a newer provider version updates it, an older
    or equal one changes nothing, and without versions changed text updates it.

    A text without an id is identified by its content: the same text again is unchanged;
    a new text is a new story, even under a headline the archive already has, unless the
    editor chose `update_same_headline`.
    """
    if not parsed.external_id:
        parsed.identify_by_content()
    source = _named(Source, parsed.source or options.source)
    for _attempt in range(2):
        try:
            with transaction.atomic(), log.discarding_on_error():
                if parsed.content_identity:
                    return _import_by_content(parsed, source=source, options=options, log=log, rights=rights)
                existing = (
                    Article.objects.select_for_update().filter(source=source, external_id=parsed.external_id).first()
                )
                if existing is None:
                    created = _create(parsed, source=source, options=options, log=log, rights=rights)
                    return _Imported(Outcome.CREATED, created)
                return _Imported(*_update(existing, parsed, publish=options.publish, log=log, rights=rights))
        except IntegrityError:
            # Another import created the same story between our lookup and insert: the
            # unique constraint caught it, so take the update path on the row it made.
            continue
    raise IngestError("the story is being imported concurrently; try again")


def _import_by_content(
    parsed: ParsedArticle, *, source, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> _Imported:
    same_text = Article.objects.select_for_update().filter(external_id=parsed.external_id)
    if source is not None:
        # The same text from another named source is another story; with no source at all
        # (the file names none, nor did the editor), the same text anywhere is this document.
        same_text = same_text.filter(source=source)
    existing = same_text.order_by("id").first()
    if existing is None:
        # A text that once updated a story (update_same_headline) is that story's.
        received = Revision.objects.filter(fingerprint=parsed.fingerprint()).values("article_id")
        existing = (
            same_text.model.objects.select_for_update()
            .filter(id__in=received, **({"source": source} if source is not None else {}))
            .order_by("id")
            .first()
        )
    if existing is not None:
        # This very text was received before: nothing to change in the story (an editor may
        # have corrected it since), only publication when asked.
        publishing = options.publish and existing.status != Article.Status.PUBLISHED
        if publishing and (refusal := rights.refusal_to_publish(existing)):
            raise ImportRefused(refusal, article_id=existing.id)
        return _Imported(_publish_on_import(existing) if options.publish else Outcome.UNCHANGED, existing)
    namesakes = Article.objects.filter(source=source, headline__iexact=parsed.headline).order_by("-id")
    if options.update_same_headline:
        target = namesakes.select_for_update().first()
        if target is not None:
            outcome, article = _update(target, parsed, publish=options.publish, log=log, rights=rights)
            return _Imported(outcome, article, note="the story with the same headline was updated with this text")
    article = _create(parsed, source=source, options=options, log=log, rights=rights)
    note = ""
    if other := namesakes.exclude(id=article.id).values_list("id", flat=True).first():
        note = f"a new story: story {other} has the same headline and was kept as it is"
    return _Imported(Outcome.CREATED, article, note=note, same_headline_id=other)


def _create(
    parsed: ParsedArticle, *, source, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> Article:
    if refusal := rights.refusal_to_create(publish=options.publish):
        raise ImportRefused(refusal)
    article = _new_article(
        parsed,
        source=source,
        section=_named(Section, parsed.section or options.section),
        options=options,
        rights=rights,
    )
    article.slug = unique_slug(parsed.headline)
    article.save()
    log.add(article, fingerprint=parsed.fingerprint())
    request_tagging(article)  # queued after the commit; the row records it is owed
    return article


def _new_article(parsed: ParsedArticle, *, source, section, options: ImportOptions, rights: ImportRights) -> Article:
    """The unsaved article for a new story (no slug yet), its first revision stamped."""
    article = _article_of_document(parsed)
    _file_new_article(article, parsed, source=source, section=section, options=options, rights=rights)
    return article


def _article_of_document(parsed: ParsedArticle) -> Article:
    """What of a new story's article the document alone decides (no database needed)."""
    return Article(
        **{name: getattr(parsed, name) for name in _PROVIDER_FIELDS},
        external_id=parsed.external_id,
        version=parsed.version or 0,
    )


def _file_new_article(
    article: Article, parsed: ParsedArticle, *, source, section, options: ImportOptions, rights: ImportRights
) -> None:
    """The rest: where it is filed, by whom, published or not, its first revision stamped."""
    article.created_by_id = rights.user_id
    article.source = source
    article.section = section
    article.published_at = parsed.published_at or options.published_at
    if options.publish:
        article.status = Article.Status.PUBLISHED
        article.published_at = article.published_at or timezone.now()
    stamp_revision(article)


def _publish_on_import(article: Article) -> Outcome:
    if article.status == Article.Status.PUBLISHED:
        return Outcome.UNCHANGED
    publish_articles(article_ids=[article.id])
    article.refresh_from_db()
    return Outcome.UPDATED


def _update(
    article: Article, parsed: ParsedArticle, *, publish: bool, log: RevisionLog, rights: ImportRights
) -> tuple[Outcome, Article]:
    if parsed.version is not None and article.version and parsed.version <= article.version:
        return Outcome.UNCHANGED, article
    # Who may change it is judged on the row as stored (locked by the caller), before any
    # change: a refused document leaves no trace.
    stored = Article(
        id=article.id, headline=article.headline, status=article.status, created_by_id=article.created_by_id
    )
    before = article.snapshot()
    changed = False
    for name in _PROVIDER_FIELDS:
        if getattr(article, name) != getattr(parsed, name):
            setattr(article, name, getattr(parsed, name))
            changed = True
    if parsed.section and (article.section is None or article.section.name != parsed.section):
        article.section = _named(Section, parsed.section)
        changed = True
    if parsed.published_at and article.published_at != parsed.published_at:
        article.published_at = parsed.published_at
        changed = True
    if parsed.version is not None and parsed.version != article.version:
        article.version = parsed.version
        changed = True
    if publish and article.status != Article.Status.PUBLISHED:
        article.status = Article.Status.PUBLISHED
        article.published_at = article.published_at or timezone.now()
        changed = True
    if not changed:
        return Outcome.UNCHANGED, article
    if refusal := rights.refusal_to_update(stored, publishing=publish and stored.status != Article.Status.PUBLISHED):
        raise ImportRefused(refusal, article_id=article.id)
    revised = article.snapshot() != before  # publication alone is no new revision
    if revised:
        stamp_revision(article)
    article.save()
    if revised:
        log.add(article, fingerprint=parsed.fingerprint())
    request_tagging(article)
    if article.status == Article.Status.PUBLISHED:
        refresh_counts_for_articles([article.id])
    return Outcome.UPDATED, article


def import_file(
    *,
    name: str,
    data: bytes,
    options: ImportOptions = ImportOptions(),
    log: RevisionLog | None = None,
    user_id: int | None = None,
) -> list[DocumentOutcome]:
    """Import every document of one file held in memory; each gets its own outcome. `user_id` is
    the uploader, whose permissions decide which documents may be written (None: the operator)."""
    rights = ImportRights.of_uploader(user_id)
    return list(import_documents(read_documents(name, data), options=options, name=name, log=log, rights=rights))


def import_stream(
    *,
    name: str,
    stream: BinaryIO,
    size: int,
    options: ImportOptions = ImportOptions(),
    skip: int = 0,
    log: RevisionLog | None = None,
    rights: ImportRights = OPERATOR,
) -> Iterator[DocumentOutcome]:
    """Import the documents of an open file as they are read (archives and JSON Lines are
    streamed, never held whole); `skip` passes over documents a previous run handled."""
    documents = read_stream(name, stream, size)
    for _ in range(skip):
        if next(documents, None) is None:
            return
    yield from import_documents(documents, options=options, name=name, log=log, rights=rights)


def import_documents(
    documents: Iterable[tuple[str, ParsedArticle | IngestError]],
    *,
    options: ImportOptions,
    name: str = "",
    log: RevisionLog | None = None,
    rights: ImportRights = OPERATOR,
) -> Iterator[DocumentOutcome]:
    """One outcome per document, in order; the stories are written chunk by chunk, and
    changes stored as revisions in `log` (origin "import" when none is given)."""
    for chunk in import_document_chunks(documents, options=options, name=name, log=log, rights=rights):
        yield from chunk


def import_document_chunks(
    documents: Iterable[tuple[str, ParsedArticle | IngestError]],
    *,
    options: ImportOptions,
    name: str = "",
    log: RevisionLog | None = None,
    rights: ImportRights = OPERATOR,
) -> Iterator[list[DocumentOutcome]]:
    """The outcomes of the documents, a chunk at a time: each chunk's stories (at most
    IMPORT_BATCH_SIZE of them, and IMPORT_BATCH_CHARS of text) are written in one transaction,
    the new ones with one COPY, so a commit is paid per chunk, not per story. A chunk never
    holds one story twice (the second copy starts the next chunk, and sees the first).
    Decisions: docs/decisions/0020-batched-bulk-import.md, 0024-bulk-import-by-copy.md."""
    log = log if log is not None else RevisionLog()
    size, max_chars = settings.IMPORT_BATCH_SIZE, settings.IMPORT_BATCH_CHARS
    outcomes: list[DocumentOutcome | None] = []
    stories: list[_Story] = []
    keys: set[tuple[str, str]] = set()
    chars = 0

    def flush() -> list[DocumentOutcome]:
        nonlocal outcomes, stories, keys, chars
        for story, outcome in zip(
            stories, _import_chunk(stories, options=options, log=log, rights=rights), strict=True
        ):
            outcomes[story.position] = outcome
        done = [outcome for outcome in outcomes if outcome is not None]
        outcomes, stories, keys, chars = [], [], set(), 0
        return done

    # The next stories are parsed, and their rows prepared, while the database writes this
    # chunk (the thread needs no connection of its own: it borrows this one's adapters).
    prepared = _prepare_documents(documents, connection=connections[DEFAULT_DB_ALIAS])
    for label, result, draft in _read_safely(read_ahead(prepared, depth=size), name):
        if isinstance(result, IngestError):
            outcomes.append(DocumentOutcome(label, Outcome.REFUSED, reason=str(result)))
        else:
            key = (result.source or options.source, result.external_id)
            if key in keys:
                yield flush()
            stories.append(_Story(len(outcomes), label, result, draft))
            outcomes.append(None)
            keys.add(key)
            chars += len(result.headline) + sum(len(block["text"]) for block in result.body)
        if len(outcomes) >= size or chars >= max_chars:
            yield flush()
    if outcomes:
        yield flush()


@dataclass
class _Draft:
    """A new story's row as far as its document decides it, prepared ahead of its chunk: the
    article (text, body_text, content hash, tagging owed), its slug's base, the document's
    fingerprint, and the COPY text of those columns (_ARTICLE_DOCUMENT_FIELDS)."""

    article: Article
    slug_base: str
    fingerprint: str
    copy_head: str


@dataclass
class _Story:
    position: int  # in the chunk's outcomes
    label: str
    parsed: ParsedArticle
    draft: _Draft | None  # None for a text identified by its content (never bulk-written)


# The COPY of a chunk's new articles: first the columns the document alone decides (their
# text prepared in the read-ahead thread), then those decided when the chunk is written (id,
# slug, where and by whom it is filed, times). Generated columns are the database's to compute.
_ARTICLE_COPY_FIELDS = copy_fields(Article, with_pk=True)
_FILING_COLUMNS = {
    *("id", "slug", "section_id", "source_id", "created_by_id", "status", "published_at"),
    *("revision", "revised_at", "created_at", "updated_at", "tagging_requested_at"),
}
_ARTICLE_DOCUMENT_FIELDS = [f for f in _ARTICLE_COPY_FIELDS if f.attname not in _FILING_COLUMNS]
_ARTICLE_FILING_FIELDS = [f for f in _ARTICLE_COPY_FIELDS if f.attname in _FILING_COLUMNS]


def _prepare_documents(
    documents: Iterable[tuple[str, ParsedArticle | IngestError]], *, connection
) -> Iterator[tuple[str, ParsedArticle | IngestError, _Draft | None]]:
    """The documents with what can be decided without the database (run in the read-ahead
    thread: it must not query): a content id for texts without one, and each story with an id
    drafted as the new article it becomes if the archive does not hold it yet."""
    for label, result in documents:
        draft = None
        if isinstance(result, ParsedArticle):
            if not result.external_id:
                result.identify_by_content()
            if not result.content_identity:
                article = _article_of_document(result)
                article.body_text = article.compute_body_text()
                article.content_hash = article.compute_content_hash()
                draft = _Draft(
                    article=article,
                    slug_base=slug_base(result.headline),
                    fingerprint=result.fingerprint(),
                    copy_head=copy_text(article, _ARTICLE_DOCUMENT_FIELDS, connection),
                )
        yield label, result, draft


def _read_safely(documents: Iterable, name: str) -> Iterator[tuple[str, ParsedArticle | IngestError, _Draft | None]]:
    iterator = iter(documents)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception:
            # A parser bug on one hostile file must not stop the batch: report and move on.
            logger.exception("reading %s failed", name)
            yield name, IngestError("the file could not be read (unexpected error)"), None
            return
        yield item


def _import_chunk(
    stories: list[_Story], *, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> list[DocumentOutcome]:
    """Write a chunk of stories in one transaction; if that fails (a story the database
    refuses, a slug or id taken meanwhile by another import), write them again one by one,
    each in its own savepoint, so the bad story is refused alone and the rest are kept."""
    if not stories:
        return []
    if len(stories) > 1:
        try:
            # Revisions go in with one COPY too: at the caller's flush if it buffers them (a
            # batch, with its progress), else before this chunk's transaction ends.
            chunk_log = log if log.buffered else RevisionLog(batch=log.batch, author=log.author, buffered=True)
            with transaction.atomic(), chunk_log.discarding_on_error():
                outcomes = _import_chunk_in_bulk(stories, options=options, log=chunk_log, rights=rights)
                if chunk_log is not log:
                    chunk_log.flush()
                return outcomes
        except (DatabaseError, IngestError):
            logger.info("a chunk of %s stories failed as a whole: writing them one by one", len(stories))
    return [_import_one(s.label, s.parsed, options=options, log=log, rights=rights) for s in stories]


def _import_one(
    label: str, parsed: ParsedArticle, *, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> DocumentOutcome:
    try:
        imported = _import_article(parsed=parsed, options=options, log=log, rights=rights)
    except ImportRefused as exc:
        return _refused(label, parsed, exc)
    except IngestError as exc:
        return DocumentOutcome(label, Outcome.REFUSED, headline=parsed.headline, reason=str(exc))
    except DatabaseError:
        logger.exception("storing %s failed", label)
        return DocumentOutcome(label, Outcome.REFUSED, headline=parsed.headline, reason="the story could not be stored")
    return _outcome(label, imported)


def _refused(label: str, parsed: ParsedArticle, refusal: ImportRefused) -> DocumentOutcome:
    return DocumentOutcome(
        label, Outcome.REFUSED, article_id=refusal.article_id, headline=parsed.headline, reason=str(refusal)
    )


def _outcome(label: str, imported: _Imported) -> DocumentOutcome:
    return DocumentOutcome(
        label,
        imported.outcome,
        article_id=imported.article.id,
        headline=imported.article.headline,
        note=imported.note,
        same_headline_id=imported.same_headline_id,
    )


def _import_chunk_in_bulk(
    stories: list[_Story], *, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> list[DocumentOutcome]:
    """Inside the chunk's transaction: sources and sections once per name, existing stories
    found with one query per source, new ones written together (one COPY) with their slugs
    decided together. Texts identified by their content (no id of their own) go through the
    story-by-story path: who they update depends on headlines and on the editor's choice.
    A document the uploader's rights refuse is refused alone (nothing of it was written)."""
    sources = {n: _named(Source, n) for n in {s.parsed.source or options.source for s in stories}}
    sections = {n: _named(Section, n) for n in {s.parsed.section or options.section for s in stories}}
    existing = _existing_stories(
        [(sources[s.parsed.source or options.source], s.parsed.external_id) for s in stories if s.draft is not None]
    )
    results: dict[int, DocumentOutcome] = {}
    new: list[tuple[int, _Story]] = []
    for index, story in enumerate(stories):
        label, parsed = story.label, story.parsed
        source = sources[parsed.source or options.source]
        if story.draft is None:
            try:
                imported = _import_by_content_in_transaction(
                    parsed, source=source, options=options, log=log, rights=rights
                )
            except ImportRefused as exc:
                results[index] = _refused(label, parsed, exc)
            else:
                results[index] = _outcome(label, imported)
            continue
        article = existing.get((source.id if source else None, parsed.external_id))
        if article is not None:
            try:
                outcome, article = _update(article, parsed, publish=options.publish, log=log, rights=rights)
            except ImportRefused as exc:  # refused before anything of it was saved
                results[index] = _refused(label, parsed, exc)
            else:
                results[index] = DocumentOutcome(label, outcome, article_id=article.id, headline=article.headline)
            continue
        if refusal := rights.refusal_to_create(publish=options.publish):
            results[index] = _refused(label, parsed, ImportRefused(refusal))
            continue
        section = sections[parsed.section or options.section]
        _file_new_article(story.draft.article, parsed, source=source, section=section, options=options, rights=rights)
        new.append((index, story))
    if new:
        drafts = [story.draft for _, story in new]
        _write_new_articles(drafts)
        for draft in drafts:
            log.add(draft.article, fingerprint=draft.fingerprint)
        request_tagging_for_batch([draft.article for draft in drafts])
        for index, story in new:
            article = story.draft.article
            results[index] = DocumentOutcome(
                story.label, Outcome.CREATED, article_id=article.id, headline=article.headline
            )
    return [results[index] for index in range(len(stories))]


def _write_new_articles(drafts: list[_Draft]) -> None:
    """One COPY for a chunk's new articles: ids drawn from the table's sequence first (the
    revisions and the tagging messages name them), slugs decided together, and the columns
    the read-ahead thread did not prepare encoded now, as an INSERT would send them."""
    connection = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    ids = allocate_ids(Article, len(drafts))
    slugs = unique_slugs([draft.slug_base for draft in drafts])
    for draft, article_id, slug in zip(drafts, ids, slugs, strict=True):
        draft.article.id, draft.article.slug, draft.article.tagging_requested_at = article_id, slug, now
    rows = (f"{d.copy_head}\t{copy_text(d.article, _ARTICLE_FILING_FIELDS, connection)}" for d in drafts)
    copy_rows(Article, _ARTICLE_DOCUMENT_FIELDS + _ARTICLE_FILING_FIELDS, rows)
    for draft in drafts:
        draft.article._state.adding = False
        draft.article._state.db = DEFAULT_DB_ALIAS


def _import_by_content_in_transaction(
    parsed: ParsedArticle, *, source, options: ImportOptions, log: RevisionLog, rights: ImportRights
) -> _Imported:
    with transaction.atomic(), log.discarding_on_error():
        return _import_by_content(parsed, source=source, options=options, log=log, rights=rights)


def _existing_stories(keys: list[tuple[Source | None, str]]) -> dict[tuple[int | None, str], Article]:
    """The archive's articles for (source, provider id) pairs, locked for update: one query per source."""
    by_source: dict[int | None, set[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source.id if source else None, set()).add(external_id)
    found: dict[tuple[int | None, str], Article] = {}
    for source_id, external_ids in by_source.items():
        rows = Article.objects.select_for_update().filter(external_id__in=external_ids)
        rows = rows.filter(source_id=source_id) if source_id else rows.filter(source__isnull=True)
        for article in rows:
            found[(source_id, article.external_id)] = article
    return found


def unique_slugs(bases: list[str]) -> list[str]:
    """Slugs for new articles from their slug_base(), decided together: one query for the
    chunk, and one more per base the archive (or the chunk) already uses, whatever the number
    of namesakes."""
    taken = set(Article.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    slugs = []
    for base in bases:
        if base not in taken and base not in used:
            slug = base
        else:
            if base not in next_suffix:
                # The slug index serves this prefix scan (Django's varchar_pattern_ops index).
                suffixes = [
                    int(rest)
                    for rest in (
                        s.removeprefix(base + "-")
                        for s in Article.objects.filter(slug__startswith=base + "-").values_list("slug", flat=True)
                    )
                    if rest.isdigit()
                ]
                next_suffix[base] = max(suffixes, default=1) + 1
            slug = f"{base}-{next_suffix[base]}"
            while slug in used:
                next_suffix[base] += 1
                slug = f"{base}-{next_suffix[base]}"
            next_suffix[base] += 1
        used.add(slug)
        slugs.append(slug)
    return slugs


# --- Batches: large uploads in the background, and the import command ------------------

MAX_STORED_OUTCOMES = 2_000  # per file; counts stay exact, the table shows the first ones
# Batches a worker runs (the command runs its own, in its process).
BACKGROUND_ORIGINS = [ImportBatch.Origin.UPLOAD, ImportBatch.Origin.SPOOL]
# The spool folder's subfolder where claimed files are read (articles/spool.py).
SPOOL_PROCESSING = "processing"
MAX_REQUEUED_PER_SWEEP = 100


def imports_dir(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(batch_id)


def _new_batch(*, origin: str, options: ImportOptions, user=None, **fields) -> ImportBatch:
    return ImportBatch.objects.create(
        origin=origin,
        created_by=user,
        publish=options.publish,
        default_source=_named(Source, options.source),
        default_section=_named(Section, options.section),
        default_published_at=options.published_at,
        update_same_headline=options.update_same_headline,
        **fields,
    )


def create_upload_batch(*, files: list, options: ImportOptions = ImportOptions(), user=None) -> ImportBatch:
    """Store uploaded files under generated names (never the uploaded ones) for a task."""
    with transaction.atomic():
        batch = _new_batch(origin=ImportBatch.Origin.UPLOAD, options=options, user=user)
        directory = imports_dir(batch.id)
        directory.mkdir(parents=True, exist_ok=True)
        for position, uploaded in enumerate(files):
            suffix = PurePosixPath(uploaded.name).suffix.lower()
            stored = f"{uuid.uuid4().hex}{suffix if suffix.isascii() and len(suffix) <= 8 else ''}"
            digest = hashlib.sha256()
            with open(directory / stored, "wb") as out:
                for chunk in uploaded.chunks():
                    digest.update(chunk)
                    out.write(chunk)
            ImportItem.objects.create(
                batch=batch,
                position=position,
                name=uploaded.name[:255],
                stored_name=stored,
                size=uploaded.size or 0,
                sha256=digest.hexdigest(),
            )
    return batch


def import_uploads_now(
    *, files: list, options: ImportOptions = ImportOptions(), user=None
) -> tuple[ImportBatch, list[DocumentOutcome]]:
    """Import a few small uploaded files while the editor waits, recorded as a batch like
    any other upload (its id is where the stories' revisions say they came from). Each
    document is checked against the uploader's permissions."""
    rights = ImportRights.of_uploader(user.id if user is not None else None)
    batch = _new_batch(
        origin=ImportBatch.Origin.UPLOAD,
        options=options,
        user=user,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
    )
    results: list[DocumentOutcome] = []
    for position, uploaded in enumerate(files):
        data = uploaded.read()
        item = ImportItem.objects.create(
            batch=batch,
            position=position,
            name=uploaded.name[:255],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            status=JobStatus.RUNNING,
        )
        documents = read_documents(uploaded.name, data)
        log = RevisionLog(batch=batch)
        for outcome in import_documents(documents, options=options, name=uploaded.name, log=log, rights=rights):
            record_outcome(item, outcome)
            results.append(outcome)
        _finish_item(item)
    ImportBatch.objects.filter(id=batch.id).update(status=JobStatus.DONE, finished_at=timezone.now())
    return batch, results


def create_command_batch(*, options: ImportOptions) -> ImportBatch:
    """The record of one import_articles run, which reads its files where they are."""
    return _new_batch(
        origin=ImportBatch.Origin.COMMAND, options=options, status=JobStatus.RUNNING, started_at=timezone.now()
    )


def run_batch(*, batch_id: int, budget_seconds: float | None = None) -> bool:
    """Import the pending files of a batch; True when finished (or another worker holds it),
    False when the time budget ran out first (the caller queues the rest: every task stays
    under its time limit). One worker at a time: a duplicate message (beat re-queued a batch
    whose first task was only slow) returns at once instead of importing alongside."""
    with try_advisory_lock(IMPORT_BATCH, batch_id) as acquired:
        if not acquired:
            return True
        return _run_locked_batch(batch_id, time.monotonic() + budget_seconds if budget_seconds else None)


def _run_locked_batch(batch_id: int, deadline: float | None) -> bool:
    batch = ImportBatch.objects.select_related("default_source", "default_section").filter(id=batch_id).first()
    if batch is None or batch.is_finished:
        return True
    ImportBatch.objects.filter(id=batch_id).update(
        status=JobStatus.RUNNING, started_at=batch.started_at or timezone.now(), heartbeat_at=timezone.now()
    )
    rights = ImportRights.of_batch(batch)  # the uploader's permissions as they are now, not at upload
    directory = batch_directory(batch)
    pending = batch.items.exclude(status__in=[JobStatus.DONE, JobStatus.FAILED])
    for item in pending.order_by("position"):
        path = directory / item.stored_name
        if not run_item(item=item, path=path, options=batch_options(batch), deadline=deadline, rights=rights):
            return False
        if batch.origin == ImportBatch.Origin.UPLOAD:
            path.unlink(missing_ok=True)  # a spool file is filed under done/ or failed/ instead
    ImportBatch.objects.filter(id=batch_id).update(status=JobStatus.DONE, finished_at=timezone.now())
    if batch.origin == ImportBatch.Origin.UPLOAD:
        with contextlib.suppress(OSError):
            imports_dir(batch.id).rmdir()
    return True


def batch_directory(batch: ImportBatch) -> Path:
    """Where a batch's stored files wait for the worker."""
    if batch.origin == ImportBatch.Origin.SPOOL:
        return spool_dir() / SPOOL_PROCESSING
    return imports_dir(batch.id)


def spool_dir() -> Path:
    return Path(settings.INGEST_SPOOL_DIR)


def claim_stalled_batches(*, silent_for_seconds: float) -> list[int]:
    """Background batches (uploads) that are unfinished, silent for that long and held by no
    worker: their task was lost (broker down when queued, worker killed and the message gone).
    Their heartbeat moves to now, so the caller queues each once per silence, not every minute."""
    cutoff = timezone.now() - timedelta(seconds=silent_for_seconds)
    with transaction.atomic():
        candidates = list(
            ImportBatch.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=[JobStatus.PENDING, JobStatus.RUNNING],
                heartbeat_at__lt=cutoff,
                origin__in=BACKGROUND_ORIGINS,
            )
            .order_by("heartbeat_at")
            .values_list("id", flat=True)[:MAX_REQUEUED_PER_SWEEP]
        )
        held = locked_keys(IMPORT_BATCH, candidates)
        stalled = [batch_id for batch_id in candidates if batch_id not in held]
        ImportBatch.objects.filter(id__in=stalled).update(heartbeat_at=timezone.now())
    return stalled


def batch_options(batch: ImportBatch) -> ImportOptions:
    return ImportOptions(
        publish=batch.publish,
        source=batch.default_source.name if batch.default_source else "",
        section=batch.default_section.name if batch.default_section else "",
        published_at=batch.default_published_at,
        update_same_headline=batch.update_same_headline,
    )


def run_item(
    *,
    item: ImportItem,
    path: Path,
    options: ImportOptions,
    deadline: float | None = None,
    rights: ImportRights = OPERATOR,
    on_chunk: Callable[[ImportItem], None] | None = None,
) -> bool:
    """Import one file of a batch, recording progress as it goes; False if out of time.

    Documents go in chunks (IMPORT_BATCH_SIZE stories), each chunk one transaction with its
    stories (bulk inserts), their revisions (one bulk_create) and the item's progress: a run
    stopped anywhere resumes after the last chunk that committed, and nothing is stored
    twice or lost."""
    item.status = JobStatus.RUNNING
    item.save(update_fields=["status"])
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below, after a generator)
    except OSError:
        _finish_item(item, error="the stored file is missing", outcome_reason="the stored file is missing")
        return True
    log = RevisionLog(batch=item.batch, buffered=True)
    with stream:
        documents = read_stream(item.name, stream, path.stat().st_size)
        for _ in range(item.processed):  # what a previous run recorded is not read again
            if next(documents, None) is None:
                break
        chunks = import_document_chunks(documents, options=options, name=item.name, log=log, rights=rights)
        try:
            while True:
                with transaction.atomic():
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    for outcome in chunk:
                        record_outcome(item, outcome)
                    log.flush()
                    _save_progress(item)
                if on_chunk is not None:
                    on_chunk(item)  # after the commit: a progress display, a benchmark's clock
                if deadline is not None and time.monotonic() > deadline:
                    return False
        finally:
            chunks.close()  # stops the read-ahead thread before the file is closed
    _finish_item(item)
    return True


def record_outcome(item: ImportItem, outcome: DocumentOutcome) -> None:
    setattr(item, outcome.outcome.value, getattr(item, outcome.outcome.value) + 1)
    if len(item.outcomes) < MAX_STORED_OUTCOMES:
        item.outcomes.append({**asdict(outcome), "outcome": outcome.outcome.value})


def _save_progress(item: ImportItem) -> None:
    fields = ["created", "updated", "unchanged", "refused"]
    # Once the stored list is full only the counts move: do not rewrite the list each time.
    if len(item.outcomes) != getattr(item, "_saved_outcomes", -1):
        fields.append("outcomes")
        item._saved_outcomes = len(item.outcomes)
    item.save(update_fields=fields)
    ImportBatch.objects.filter(id=item.batch_id).update(heartbeat_at=timezone.now())


def _finish_item(item: ImportItem, *, error: str = "", outcome_reason: str = "") -> None:
    if outcome_reason:
        record_outcome(item, DocumentOutcome(item.name, Outcome.REFUSED, reason=outcome_reason))
    item.status = JobStatus.FAILED if error else JobStatus.DONE
    item.error = error
    item.finished_at = timezone.now()
    item.save()


def batch_totals(batch: ImportBatch) -> dict[str, int]:
    items = list(batch.items.values("status", "created", "updated", "unchanged", "refused"))
    totals = {outcome.value: sum(i[outcome.value] for i in items) for outcome in Outcome}
    totals["files"] = len(items)
    totals["files_done"] = sum(1 for i in items if i["status"] in {JobStatus.DONE, JobStatus.FAILED})
    totals["files_waiting"] = sum(1 for i in items if i["status"] == JobStatus.PENDING)
    return totals


def mark_batch_failed(*, batch_id: int, error: str) -> None:
    ImportBatch.objects.filter(id=batch_id).update(
        status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def publish_articles(*, article_ids: list[int]) -> int:
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for article in Article.objects.select_for_update().filter(id__in=article_ids).exclude(status="published"):
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or now
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        refresh_counts_for_articles(article_ids)
    return count


def unpublish_articles(*, article_ids: list[int]) -> int:
    with transaction.atomic():
        count = Article.objects.filter(id__in=article_ids, status=Article.Status.PUBLISHED).update(
            status=Article.Status.DRAFT, updated_at=timezone.now()
        )
        refresh_counts_for_articles(article_ids)
    return count
