"""The archive: articles with their structured body, sections and sources."""

import hashlib
from datetime import UTC, datetime

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from articles.text import normalize_text

# Publication times an article may hold: any year a newspaper could have been printed in,
# far inside Python's years 1 to 9999 in every time zone, so that every page, feed, sitemap
# and API answer can read them (research/security-probe-2026-12.md, F1). A database CHECK
# constraint holds the same range.
EARLIEST_PUBLICATION = datetime(1600, 1, 1, tzinfo=UTC)
LATEST_PUBLICATION = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive


def publication_time_error(value: datetime) -> str:
    """Why a publication time cannot be stored, or "" when it can."""
    if EARLIEST_PUBLICATION <= value < LATEST_PUBLICATION:
        return ""
    return (
        f"the publication time {value.isoformat()} is not a real date for a story: it must lie "
        f"between the years {EARLIEST_PUBLICATION.year} and {LATEST_PUBLICATION.year - 1} (UTC)"
    )


def validate_publication_time(value: datetime) -> None:
    if error := publication_time_error(value):
        raise ValidationError(error[0].upper() + error[1:] + ".", code="publication_time_out_of_range")


class Language(models.TextChoices):
    FRENCH = "fr", "French"
    ENGLISH = "en", "English"
    GERMAN = "de", "German"
    SPANISH = "es", "Spanish"
    ITALIAN = "it", "Italian"
    PORTUGUESE = "pt", "Portuguese"
    DUTCH = "nl", "Dutch"
    UNKNOWN = "und", "Unknown"


class NamedList(models.Model):
    """A short list editors name and readers see in URLs: sections, sources."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Section(NamedList):
    """The desk's section of the paper (World, Politics, Sport...)."""

    class Meta(NamedList.Meta):
        pass


class Source(NamedList):
    """The agency or desk an article comes from (AFP, Reuters, staff...)."""

    class Meta(NamedList.Meta):
        pass


# The generated tsvector columns (decision 0001): read by the search's SQL, never by display.
SEARCH_COLUMNS = ("search_vector", "search_exact")


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """What readers and partners may see: published, and not embargoed."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_display(self) -> "ArticleQuerySet":
        """Without the two stored search vectors, which no page or answer shows: together
        about twice the body's size, each detoasted and printed as text by the database and
        parsed by the driver for every row read."""
        return self.defer(*SEARCH_COLUMNS)


class JobStatus(models.TextChoices):
    """Where a piece of background work stands: an article's tagging, an import and its files."""

    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BlockType(models.TextChoices):
    PARAGRAPH = "paragraph", "Paragraph"
    INTERTITLE = "intertitle", "Intertitle"


# Blocks of the body are joined with this separator in `body_text`; mention offsets
# into the body are offsets into that text.
BLOCK_SEPARATOR = "\n\n"

# The text search configurations are created in migration 0002 (unaccent in front of the
# French/English Snowball stemmers). A CASE over literal configs keeps the generation
# expression immutable, which a text-to-regconfig cast would not be.
SEARCH_VECTOR_SQL = """
setweight(to_tsvector(CASE language WHEN 'fr' THEN 'newsroom_fr'::regconfig
                                    WHEN 'en' THEN 'newsroom_en'::regconfig
                                    ELSE 'newsroom_simple'::regconfig END, coalesce(headline, '')), 'A') ||
setweight(to_tsvector(CASE language WHEN 'fr' THEN 'newsroom_fr'::regconfig
                                    WHEN 'en' THEN 'newsroom_en'::regconfig
                                    ELSE 'newsroom_simple'::regconfig END, coalesce(standfirst, '')), 'B') ||
setweight(to_tsvector(CASE language WHEN 'fr' THEN 'newsroom_fr'::regconfig
                                    WHEN 'en' THEN 'newsroom_en'::regconfig
                                    ELSE 'newsroom_simple'::regconfig END,
                      coalesce(body_text, '') || ' ' || coalesce(photo_caption, '')), 'C')
"""

# The same text unstemmed (the simple configuration, unaccented), for ranking only: an exact
# form of the query's words ("Mattis", "Mali") outranks a stem-only match ("Matty", "mal"),
# as an unstemmed field does in multi-field engines. No index: it is read for the rows
# already found (docs/search.md#ranking).
SEARCH_EXACT_SQL = """
setweight(to_tsvector('newsroom_simple'::regconfig, coalesce(headline, '')), 'A') ||
setweight(to_tsvector('newsroom_simple'::regconfig, coalesce(standfirst, '')), 'B') ||
setweight(to_tsvector('newsroom_simple'::regconfig, coalesce(body_text, '') || ' ' || coalesce(photo_caption, '')), 'C')
"""
# The languages with a stemmer of their own: each has a partial GIN index of its articles'
# vectors, and the other languages share one (articles/search/query.py reads them so).
STEMMED_LANGUAGES = ("fr", "en")


# What a revision keeps of an article: its text and the metadata an editor or provider sets
# (section and source by name). Publication (status, time) is not content: it has its own
# history in the change feed, and restoring an old text never unpublishes a story.
REVISION_FIELDS = (
    "headline",
    "standfirst",
    "body",
    "byline",
    "dateline",
    "language",
    "photo_caption",
    "photo_credit",
    "external_id",
    "version",
    "source_url",
    "rights",
)
SNAPSHOT_FIELDS = (*REVISION_FIELDS, "section", "source")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=500)
    slug = models.SlugField(max_length=255, unique=True)
    standfirst = models.TextField(blank=True)
    body = models.JSONField(
        default=list, blank=True, help_text='Ordered blocks: [{"type": "paragraph"|"intertitle", "text": "..."}]'
    )
    # The body's blocks joined by BLOCK_SEPARATOR: what is searched and tagged, and what
    # mention offsets point into. Kept in step with `body` by save().
    body_text = models.TextField(blank=True, editable=False)
    byline = models.CharField(max_length=255, blank=True)
    dateline = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=3, choices=Language.choices, default=Language.UNKNOWN)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    photo_caption = models.TextField(blank=True)
    photo_credit = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        validators=[validate_publication_time],
        help_text="Publication time (a future time embargoes).",
    )
    external_id = models.CharField(max_length=255, blank=True, help_text="The provider's id of the story.")
    source_url = models.URLField(max_length=500, blank=True, help_text="Where the story was first published.")
    rights = models.CharField(
        max_length=500, blank=True, help_text="Copyright or licence and attribution shown with the text."
    )
    version = models.PositiveIntegerField(default=0, help_text="The provider's version of the story.")
    # Who filed it (the upload page or the add form; none for the import command and the
    # demo): a reporter may change their own draft, not another's story (docs/roles.md).
    created_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
        verbose_name="filed by",
    )
    content_hash = models.CharField(max_length=64, editable=False, db_index=True)

    tagging_status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING, editable=False
    )
    tagging_error = models.TextField(blank=True, editable=False)
    tagging_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    tagged_hash = models.CharField(max_length=64, blank=True, editable=False)
    tagging_requested_at = models.DateTimeField(default=timezone.now, editable=False)
    tagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Who is tagging a running row: the id of the Celery task that claimed it (with others
    # in one batch). A redelivered task takes its own claims back; other tasks leave them.
    # A done row keeps it until its batch has refreshed the entity counts.
    tagging_claim = models.CharField(max_length=64, blank=True, editable=False)
    # Which worker (Celery's node name, "celery@<host>" by default; the machine's name for an
    # in-process retag) claimed the row while it runs, and wrote its mentions once done.
    tagging_worker = models.CharField(max_length=255, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The current revision (Revision.number) and when it was stored: what readers and
    # partners see as the article's last change of text or metadata (updated_at also moves
    # on publication and tagging bookkeeping). Written by articles.services only.
    revision = models.PositiveIntegerField(default=0, editable=False)
    revised_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The table also has `entity_ids bigint[]` (GIN-indexed): the ids of the entities the
    # article's mentions name, kept by triggers on entities_mention (entities migration 0005)
    # so that a search by entity and words intersects two indexes. It is deliberately not a
    # model field: no save() of an instance loaded before a tagging can write a stale copy.

    search_vector = models.GeneratedField(
        expression=RawSQL(SEARCH_VECTOR_SQL, []),  # noqa: S611 - a constant, no user input
        output_field=SearchVectorField(),
        db_persist=True,
    )
    search_exact = models.GeneratedField(
        expression=RawSQL(SEARCH_EXACT_SQL, []),  # noqa: S611 - a constant, no user input
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # Publishing is its own right, apart from "change": it decides what readers see.
        # Who holds which is in docs/roles.md.
        permissions = [("publish_article", "Can publish and unpublish articles")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                nulls_distinct=False,
                name="article_unique_story_per_source",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | Q(published_at__gte=EARLIEST_PUBLICATION, published_at__lt=LATEST_PUBLICATION),
                name="article_publication_time_in_range",
                violation_error_message=(
                    f"The publication time must lie between the years {EARLIEST_PUBLICATION.year} "
                    f"and {LATEST_PUBLICATION.year - 1} (UTC)."
                ),
            ),
        ]
        indexes = [
            # One per language (articles/search/query.py): a language's match reads only its articles' postings.
            GinIndex(fields=["search_vector"], condition=Q(language="fr"), name="article_search_fr_gin"),
            GinIndex(fields=["search_vector"], condition=Q(language="en"), name="article_search_en_gin"),
            GinIndex(
                fields=["search_vector"], condition=~Q(language__in=STEMMED_LANGUAGES), name="article_search_other_gin"
            ),
            models.Index(fields=["status", "-published_at", "-id"], name="article_published_order"),
            models.Index(
                fields=["tagging_status", "tagging_requested_at"],
                condition=~Q(tagging_status="done"),
                name="article_tagging_owed",
            ),
            models.Index(fields=["tagging_claim"], condition=~Q(tagging_claim=""), name="article_tagging_claimed"),
            # Story identity (services.import_article): a text's content id looked up across
            # sources, and the stories that share a headline, letter case aside (iexact).
            models.Index(fields=["external_id"], condition=~Q(external_id=""), name="article_external_id"),
            models.Index(Upper("headline"), name="article_headline_upper"),
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def paragraphs(self) -> list[dict]:
        return [b for b in self.body if b.get("type") == BlockType.PARAGRAPH]

    @property
    def is_updated(self) -> bool:
        """Whether readers' copy changed after publication (the page then says "Updated")."""
        return bool(self.revision > 1 and self.revised_at and self.published_at and self.revised_at > self.published_at)

    @property
    def modified_at(self):
        """When the published text or metadata last changed: the current revision's time,
        or the publication time when the article has not changed since (never before it)."""
        return self.revised_at if self.is_updated else self.published_at

    def snapshot(self) -> dict:
        """The article's text and metadata as a revision stores them (REVISION_FIELDS)."""
        content = {name: getattr(self, name) for name in REVISION_FIELDS}
        content["section"] = self.section.name if self.section_id else ""
        content["source"] = self.source.name if self.source_id else ""
        return content

    def compute_body_text(self) -> str:
        return BLOCK_SEPARATOR.join(block["text"] for block in self.body)

    def compute_content_hash(self) -> str:
        """Hash of everything tagging reads: a change here means the entities may change."""
        parts = [self.headline, self.standfirst, self.photo_caption, self.language, self.compute_body_text()]
        return hashlib.sha256("\x1f".join(normalize_text(p) for p in parts).encode()).hexdigest()

    def save(self, *args, **kwargs) -> None:
        self.body_text = self.compute_body_text()
        new_hash = self.compute_content_hash()
        if new_hash != self.content_hash:
            self.content_hash = new_hash
            if new_hash != self.tagged_hash:
                # The row itself records that tagging is owed; the sweep picks it up even if
                # the queueing after commit never reaches the broker.
                self.tagging_status = JobStatus.PENDING
                self.tagging_error = ""
                self.tagging_attempts = 0
                self.tagging_requested_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                    "body_text",
                    "content_hash",
                    "tagging_status",
                    "tagging_error",
                    "tagging_attempts",
                    "tagging_requested_at",
                }
        super().save(*args, **kwargs)


class ImportBatch(models.Model):
    """One bulk import (an admin upload processed in the background, or a command run)."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", "Admin upload"
        COMMAND = "command", "import_articles command"
        SPOOL = "spool", "Spool folder"

    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    created_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    publish = models.BooleanField(default=False)
    # What the editor chose for the documents of this batch (services.ImportOptions).
    default_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="For files naming none."
    )
    default_section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="For files naming none."
    )
    default_published_at = models.DateTimeField(null=True, blank=True, help_text="For files dating none.")
    update_same_headline = models.BooleanField(
        default=False, help_text="A text without an id updates the story of the same source with the same headline."
    )
    # A batch waiting for the ingest worker is shown as "queued", as it always has been.
    status = models.CharField(
        max_length=10, choices={**dict(JobStatus.choices), JobStatus.PENDING: "Queued"}, default=JobStatus.PENDING
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of an unfinished batch: created, progress recorded by the worker,
    # or queued again by beat. Long silence means its task was lost (articles.tasks).
    heartbeat_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        indexes = [
            models.Index(
                fields=["heartbeat_at"], condition=Q(status__in=["pending", "running"]), name="import_batch_unfinished"
            )
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}


class ImportItem(models.Model):
    """One file of a batch and what became of each document it held."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255, help_text="The file's name as uploaded: shown, never used as a path.")
    stored_name = models.CharField(max_length=100, blank=True, help_text="Generated name under MEDIA_ROOT/imports/.")
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    outcomes = models.JSONField(default=list, blank=True)  # [{label, outcome, article_id, headline, reason}]
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="import_item_position")]

    def __str__(self) -> str:
        return self.name

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.refused


class Revision(models.Model):
    """One state of an article's text and metadata, stored whenever it changes: by an
    import, an editor in the admin, or a restore. Never edited afterwards."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", "Upload"
        COMMAND = "command", "import_articles command"
        SPOOL = "spool", "Spool folder"
        IMPORT = "import", "Import (no batch: demo loader, scripts)"
        ADMIN = "admin", "Admin edit"
        RESTORE = "restore", "Restore of an earlier revision"
        BASELINE = "baseline", "State before revisions were kept"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    restored_from = models.PositiveIntegerField(null=True, blank=True, help_text="The number of the revision restored.")
    content = models.JSONField(help_text="Article.snapshot(): text and metadata, complete.")
    # SHA-256 of the document an import received (ParsedArticle.fingerprint): a text that
    # once updated a story is recognised as that story's when it comes again.
    fingerprint = models.CharField(max_length=64, blank=True)
    is_correction = models.BooleanField(default=False)
    correction_note = models.TextField(blank=True, help_text="Shown to readers with the article.")

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_per_article"),
            models.CheckConstraint(
                condition=Q(is_correction=False) | ~Q(correction_note=""), name="revision_correction_has_note"
            ),
            # The first revision is the article as it was created: there is nothing to correct
            # yet. So an article never revised has no correction to show (selectors.attach_corrections).
            models.CheckConstraint(
                condition=Q(is_correction=False) | Q(number__gte=2), name="revision_correction_not_first"
            ),
        ]
        indexes = [
            models.Index(fields=["fingerprint"], condition=~Q(fingerprint=""), name="revision_fingerprint"),
            models.Index(
                fields=["article", "created_at"], condition=Q(is_correction=True), name="revision_corrections"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of article {self.article_id}"


class SpoolFile(models.Model):
    """A file delivered to the spool folder (INGEST_SPOOL_DIR), from its first sighting until
    it is filed under done/ or failed/ (articles/spool.py)."""

    class State(models.TextChoices):
        ARRIVING = "arriving", "Arriving"  # seen; imported once its size and time stop changing
        IMPORTING = "importing", "Importing"  # claimed: moved to processing/, an import batch runs
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=255, help_text="The file's name as delivered.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ARRIVING)
    size = models.BigIntegerField(default=0)
    mtime_ns = models.BigIntegerField(default=0)
    first_seen_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(default=timezone.now, help_text="The last look at its size and time.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    batch = models.OneToOneField(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="spool_file"
    )
    stored_name = models.CharField(max_length=300, blank=True, help_text="Its name in processing/.")
    filed_as = models.CharField(max_length=500, blank=True, help_text="Where it ended, relative to the spool folder.")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-first_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(state="arriving"), name="spool_file_one_arrival"),
        ]
        indexes = [models.Index(fields=["state", "-finished_at"], name="spool_file_state_finished")]

    def __str__(self) -> str:
        return self.name
