"""The archive: articles with their structured body, sections and sources."""

import hashlib

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from articles.text import normalize_text


class Language(models.TextChoices):
    FRENCH = "fr", "French"
    ENGLISH = "en", "English"
    GERMAN = "de", "German"
    SPANISH = "es", "Spanish"
    ITALIAN = "it", "Italian"
    PORTUGUESE = "pt", "Portuguese"
    DUTCH = "nl", "Dutch"
    UNKNOWN = "und", "Unknown"


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """The agency or desk an article comes from (AFP, Reuters, staff...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """What readers and partners may see: published, and not embargoed."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


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
    published_at = models.DateTimeField(null=True, blank=True, help_text="Publication time (a future time embargoes).")
    external_id = models.CharField(max_length=255, blank=True, help_text="The provider's id of the story.")
    source_url = models.URLField(max_length=500, blank=True, help_text="Where the story was first published.")
    rights = models.CharField(
        max_length=500, blank=True, help_text="Copyright or licence and attribution shown with the text."
    )
    version = models.PositiveIntegerField(default=0, help_text="The provider's version of the story.")
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

    # The table also has `entity_ids bigint[]` (GIN-indexed): the ids of the entities the
    # article's mentions name, kept by triggers on entities_mention (entities migration 0005)
    # so that a search by entity and words intersects two indexes. It is deliberately not a
    # model field: no save() of an instance loaded before a tagging can write a stale copy.

    search_vector = models.GeneratedField(
        expression=RawSQL(SEARCH_VECTOR_SQL, []),  # noqa: S611 - a constant, no user input
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
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_gin"),
            models.Index(fields=["status", "-published_at", "-id"], name="article_published_order"),
            models.Index(fields=["-updated_at", "-id"], condition=Q(status="published"), name="article_updated_order"),
            models.Index(
                fields=["tagging_status", "tagging_requested_at"],
                condition=~Q(tagging_status="done"),
                name="article_tagging_owed",
            ),
            models.Index(fields=["tagging_claim"], condition=~Q(tagging_claim=""), name="article_tagging_claimed"),
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def paragraphs(self) -> list[dict]:
        return [b for b in self.body if b.get("type") == BlockType.PARAGRAPH]

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

    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    created_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    publish = models.BooleanField(default=False)
    # A batch waiting for the ingest worker is shown as "queued", as it always has been.
    status = models.CharField(
        max_length=10, choices={**dict(JobStatus.choices), JobStatus.PENDING: "Queued"}, default=JobStatus.PENDING
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

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
