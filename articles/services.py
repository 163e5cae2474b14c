"""Domain actions that write articles: import a parsed story, publish, unpublish.

Every entry point (admin upload, import command, background import, demo loader) calls
these, so a story is deduplicated and versioned the same way whichever door it came in by.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.ingest import IngestError, ParsedArticle, read_documents
from articles.models import Article, Section, Source
from entities.services import refresh_counts_for_articles, request_tagging

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


def _named(model, name: str):
    if not name:
        return None
    obj, _ = model.objects.get_or_create(
        name=name[:100], defaults={"slug": slugify(name)[:100] or f"{model.__name__.lower()}"}
    )
    return obj


def unique_slug(headline: str, *, exclude_id: int | None = None) -> str:
    base = (slugify(headline)[:200].strip("-")) or "article"
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exclude(id=exclude_id).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def import_article(*, parsed: ParsedArticle, publish: bool = False) -> tuple[Outcome, Article]:
    """Create or update the article for a parsed story; never two copies of one story.

    A story is identified by (source, external id). A newer provider version updates it; an
    older or equal version changes nothing; without versions, changed text updates it.
    """
    source = _named(Source, parsed.source)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                existing = (
                    Article.objects.select_for_update().filter(source=source, external_id=parsed.external_id).first()
                    if parsed.external_id
                    else None
                )
                if existing is None:
                    return Outcome.CREATED, _create(parsed, source=source, publish=publish)
                return _update(existing, parsed, publish=publish)
        except IntegrityError:
            # Another import created the same story between our lookup and insert: the
            # unique constraint caught it, so take the update path on the row it made.
            continue
    raise IngestError("the story is being imported concurrently; try again")


def _create(parsed: ParsedArticle, *, source, publish: bool) -> Article:
    article = Article(
        **{name: getattr(parsed, name) for name in _PROVIDER_FIELDS},
        slug=unique_slug(parsed.headline),
        source=source,
        section=_named(Section, parsed.section),
        external_id=parsed.external_id,
        version=parsed.version or 0,
    )
    article.published_at = parsed.published_at
    if publish:
        article.status = Article.Status.PUBLISHED
        article.published_at = article.published_at or timezone.now()
    article.save()
    request_tagging(article)  # queued after the commit; the row records it is owed
    return article


def _update(article: Article, parsed: ParsedArticle, *, publish: bool) -> tuple[Outcome, Article]:
    if parsed.version is not None and article.version and parsed.version <= article.version:
        return Outcome.UNCHANGED, article
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
    article.save()
    request_tagging(article)
    if article.status == Article.Status.PUBLISHED:
        refresh_counts_for_articles([article.id])
    return Outcome.UPDATED, article


def import_file(*, name: str, data: bytes, publish: bool = False) -> list[DocumentOutcome]:
    """Import every document of one uploaded file; each gets its own outcome."""
    outcomes = []
    for label, result in read_documents(name, data):
        if isinstance(result, IngestError):
            outcomes.append(DocumentOutcome(label, Outcome.REFUSED, reason=str(result)))
            continue
        try:
            outcome, article = import_article(parsed=result, publish=publish)
        except IngestError as exc:
            outcomes.append(DocumentOutcome(label, Outcome.REFUSED, headline=result.headline, reason=str(exc)))
            continue
        outcomes.append(DocumentOutcome(label, outcome, article_id=article.id, headline=article.headline))
    return outcomes


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
