"""Revisions of articles: every change of text or metadata is stored whole (who, when, from
where), an earlier one can be restored, and a change can be a public correction.

Imports, the admin and restores all record through here (docs/decisions/0016-story-identity-and-revisions.md).
"""

import contextlib
import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from articles.models import SNAPSHOT_FIELDS, Article, ImportBatch, Revision, Section, Source
from changes.models import ChangeKind, ObjectType
from changes.services import record_change
from core.copy import copy_fields, copy_rows, copy_text
from entities.services import refresh_counts_for_articles, request_tagging

MAX_CORRECTION_NOTE = 1_000
# A buffered log's revisions are written by COPY, their ids drawn by the column's default.
_REVISION_COPY_FIELDS = copy_fields(Revision, with_pk=False)

_BATCH_ORIGINS = {
    ImportBatch.Origin.UPLOAD: Revision.Origin.UPLOAD,
    ImportBatch.Origin.COMMAND: Revision.Origin.COMMAND,
}


def writing_revisions() -> bool:
    # Off only for benchmarks/ingest.py's side-by-side figure (the cost of revisions).
    return getattr(settings, "ARTICLE_REVISIONS", True)


class RevisionLog:
    """Where one import's revisions go. Unbuffered, each is written at once (in the story's
    transaction); buffered (a batch's chunk of stories, one transaction), they are kept and
    written with one bulk_create by flush(), before the chunk commits."""

    def __init__(self, *, batch: ImportBatch | None = None, author=None, buffered: bool = False) -> None:
        self.batch = batch
        self.author = author if author is not None else (batch.created_by if batch is not None else None)
        self.origin = _BATCH_ORIGINS.get(batch.origin, Revision.Origin.IMPORT) if batch else Revision.Origin.IMPORT
        self.buffered = buffered
        self.pending: list[Revision] = []

    def add(self, article: Article, *, fingerprint: str) -> None:
        """Store the state the article was saved in after stamp_revision() as that revision."""
        if not writing_revisions():
            return
        revision = Revision(
            article=article,
            number=article.revision,
            created_at=article.revised_at,
            content=article.snapshot(),
            origin=self.origin,
            author=self.author,
            batch=self.batch,
            fingerprint=fingerprint,
        )
        if self.buffered:
            self.pending.append(revision)
        else:
            revision.save(force_insert=True)

    @contextlib.contextmanager
    def discarding_on_error(self) -> Iterator[None]:
        """A story whose transaction fails takes its buffered revision with it."""
        mark = len(self.pending)
        try:
            yield
        except BaseException:
            del self.pending[mark:]
            raise

    def flush(self) -> None:
        """Write the buffered revisions with one COPY (a bulk import's chunk holds hundreds)."""
        if self.pending:
            connection = connections[DEFAULT_DB_ALIAS]
            rows = (copy_text(revision, _REVISION_COPY_FIELDS, connection) for revision in self.pending)
            copy_rows(Revision, _REVISION_COPY_FIELDS, rows)
            self.pending = []


def stamp_revision(article: Article) -> None:
    """Number the article's next revision on the article itself, before it is saved (so an
    import's story costs no second UPDATE)."""
    if writing_revisions():
        article.revision += 1
        article.revised_at = timezone.now()


def _next_revision(article: Article, **fields) -> Revision:
    """The next revision of an article already saved, and the article's record of it."""
    stamp_revision(article)
    Article.objects.filter(id=article.id).update(revision=article.revision, revised_at=article.revised_at)
    return Revision(
        article=article, number=article.revision, created_at=article.revised_at, content=article.snapshot(), **fields
    )


def record_edit(
    *, article: Article, author=None, correction_note: str = "", origin: str = Revision.Origin.ADMIN
) -> Revision | None:
    """After an editor saved the article: store a revision if its text or metadata changed
    (None otherwise). A correction note makes it a public correction."""
    latest = article.revisions.order_by("-number").values_list("content", flat=True).first()
    if latest is not None and latest == _comparable(article.snapshot()):
        return None
    correction_note = correction_note.strip()
    revision = _next_revision(
        article,
        origin=origin,
        author=author,
        is_correction=bool(correction_note),
        correction_note=correction_note,
    )
    revision.save(force_insert=True)
    if correction_note:
        # Partners following the change feed learn that this change is a correction.
        record_change(object_type=ObjectType.ARTICLE, object_id=article.id, kind=ChangeKind.CORRECTED)
    return revision


def _comparable(snapshot: dict) -> dict:
    """The snapshot as it reads back from JSON (what a stored revision holds)."""
    return json.loads(json.dumps(snapshot))


class RevisionError(Exception):
    """A restore or merge refused, with a reason an editor understands."""


def _revise(article: Article, content: dict, **revision_fields) -> Revision:
    """Give the (locked) article `content`, save it, and store that as its next revision."""
    apply_snapshot(article, content)
    stamp_revision(article)
    article.save()
    return Revision.objects.create(
        article=article,
        number=article.revision,
        created_at=article.revised_at,
        content=article.snapshot(),
        **revision_fields,
    )


def restore_revision(*, article_id: int, number: int, author=None) -> Revision:
    """Make an earlier revision's text and metadata the article's again, as a new revision."""
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).select_related("section", "source").get(id=article_id)
        old = article.revisions.filter(number=number).first()
        if old is None:
            raise RevisionError(f"the article has no revision {number}")
        if number == article.revision:
            raise RevisionError(f"revision {number} is already the current one")
        if _comparable(article.snapshot()) == old.content:
            raise RevisionError(f"revision {number} has the same text and metadata as the current one")
        revision = _revise(article, old.content, origin=Revision.Origin.RESTORE, author=author, restored_from=number)
        request_tagging(article)  # the restored text is tagged afresh; the old mentions go
        if article.status == Article.Status.PUBLISHED:
            refresh_counts_for_articles([article.id])
    return revision


def apply_snapshot(article: Article, content: dict) -> None:
    for name in SNAPSHOT_FIELDS:
        if name not in content:
            continue
        value = content[name]
        if name in {"section", "source"}:
            model = Section if name == "section" else Source
            value = model.objects.filter(name=value).first() if value else None
            if content[name] and value is None:
                value = model.objects.create(name=content[name], slug=_free_slug(model, content[name]))
        setattr(article, name, value)


def _free_slug(model, name: str) -> str:
    base = slugify(name)[:90] or model.__name__.lower()
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def merge_new_story_into(*, article_id: int, into_id: int, author=None) -> Revision:
    """The editor's choice on an upload's result: the story just created from a text without
    an id becomes the new text of the earlier story with the same headline. The earlier story
    keeps its identity (id, address, provider id, publication) and gains a revision with the
    text, its import and its fingerprint (so the text is recognised when it comes again);
    the new story, which nobody has changed since, is deleted."""
    with transaction.atomic():
        pair = {
            a.id: a
            for a in Article.objects.select_for_update(of=("self",))
            .select_related("section", "source")
            .filter(id__in=[article_id, into_id])
        }
        new, target = pair.get(article_id), pair.get(into_id)
        if new is None or target is None or article_id == into_id:
            raise RevisionError("one of the two stories no longer exists")
        if new.source_id != target.source_id or new.headline.casefold() != target.headline.casefold():
            raise RevisionError(f"story {into_id} does not have the same source and headline")
        received = list(new.revisions.order_by("number")[:2])
        if len(received) != 1 or received[0].origin in {Revision.Origin.ADMIN, Revision.Origin.RESTORE}:
            raise RevisionError(f"story {article_id} has been changed since it was imported")
        content = {
            name: value
            for name, value in received[0].content.items()
            if name not in {"external_id", "version", "source"} and (name != "section" or value)
        }
        revision = _revise(
            target,
            content,
            origin=received[0].origin,
            author=author,
            batch=received[0].batch,
            fingerprint=received[0].fingerprint,
        )
        new.delete()
        request_tagging(target)
        if target.status == Article.Status.PUBLISHED:
            refresh_counts_for_articles([target.id])
    return revision


# --- Reading: a readable diff between two revisions -----------------------------------

FIELD_LABELS = {
    "headline": "Headline",
    "standfirst": "Standfirst",
    "body": "Body",
    "byline": "Byline",
    "dateline": "Dateline",
    "language": "Language",
    "section": "Section",
    "source": "Source",
    "photo_caption": "Photo caption",
    "photo_credit": "Photo credit",
    "external_id": "Provider id",
    "version": "Provider version",
    "source_url": "Source URL",
    "rights": "Rights",
}


@dataclass
class FieldDiff:
    field: str
    label: str
    table: str  # difflib.HtmlDiff's table: every piece of text escaped by difflib


def _lines(name: str, value) -> list[str]:
    if name == "body":
        return [f"[{block.get('type', 'paragraph')}] {block.get('text', '')}" for block in value or []]
    return str("" if value is None else value).splitlines() or [""]


# What HtmlDiff's tables are made of; nh3 keeps these and nothing else, a second guard
# behind difflib's own escaping of the text in the cells.
_DIFF_TAGS = {"table", "colgroup", "thead", "tbody", "tr", "th", "td", "span", "a"}
_DIFF_ATTRIBUTES = {"*": {"class", "id"}, "td": {"class", "id", "nowrap"}, "th": {"class", "colspan"}, "a": {"href"}}


def revision_diff(old: Revision, new: Revision) -> list[FieldDiff]:
    """The fields that differ between two revisions, each as a side-by-side table. HtmlDiff
    escapes the text it puts in cells (&, <, >), so stored text cannot inject markup."""
    differ = difflib.HtmlDiff(wrapcolumn=70)
    diffs = []
    for name in SNAPSHOT_FIELDS:
        before, after = old.content.get(name), new.content.get(name)
        if before == after:
            continue
        table = differ.make_table(
            _lines(name, before),
            _lines(name, after),
            fromdesc=escape(f"Revision {old.number}"),
            todesc=escape(f"Revision {new.number}"),
            context=name == "body",
            numlines=1,
        )
        table = nh3.clean(table, tags=_DIFF_TAGS, attributes=_DIFF_ATTRIBUTES, link_rel=None)
        diffs.append(FieldDiff(field=name, label=FIELD_LABELS.get(name, name), table=table))
    return diffs
