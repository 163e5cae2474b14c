"""People, organisations and places, their aliases, and their mentions in articles."""

import functools
import unicodedata

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Reverse
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.text import normalize_line

# Latin letters that Unicode does not decompose into a base letter and an accent, folded as
# their usual ASCII transliteration (after casefold: "Ł" is "ł" by then). Migration 0013
# re-keyed the names stored before; a change here needs another such migration.
LETTER_FOLDS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "ŀ": "l",
        "ĸ": "k",
        "ŋ": "ng",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ƒ": "f",
    }
)


# Tagging asks for the key of the same words hundreds of times per article (every cleaning,
# typing and clustering step compares keys): a bounded cache of a pure function (a few MiB
# at most, so a worker's memory stays flat).
@functools.lru_cache(maxsize=32_768)
def name_key(name: str) -> str:
    """The matching key of a name: case, accents, punctuation spacing and hyphens ignored,
    letters such as ł, ø and đ folded.

    "Jean-Yves Le Drian", "jean yves le drian" and "JEAN-YVES LE DRIAN" share one key, and
    so do "Jarosław Kaczyński" and "Jaroslaw Kaczynski".
    """
    decomposed = unicodedata.normalize("NFKD", normalize_line(name))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.casefold().translate(LETTER_FOLDS))
    return " ".join(cleaned.split())


class EntityKind(models.TextChoices):
    """What an entity is; the label is what pages call it ("Person")."""

    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    PLACE = "place", "Place"

    @property
    def plural(self) -> str:
        """The kind's name in URLs, of the reader's pages and of the API (SPEC: /people/,
        /organisations/, /places/)."""
        return "people" if self == EntityKind.PERSON else f"{self.value}s"

    @property
    def schema_type(self) -> str:
        """The schema.org type of the kind, for JSON-LD."""
        return {"person": "Person", "organisation": "Organization", "place": "Place"}[self.value]

    @property
    def url_name(self) -> str:
        """The name of the URL of an entity's page (its feed's is this plus "-feed")."""
        return f"entities:{self.value}"


class EntityQuerySet(models.QuerySet):
    def active(self) -> "EntityQuerySet":
        return self.filter(status=Entity.Status.ACTIVE)


class Entity(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REJECTED = "rejected", "Rejected (not an entity)"
        MERGED = "merged", "Merged into another"

    kind = models.CharField(max_length=12, choices=EntityKind.choices)
    name = models.CharField(max_length=255, help_text="Canonical name shown to readers.")
    slug = models.SlugField(max_length=255)
    key = models.CharField(max_length=255, editable=False, help_text="name_key(name), for matching.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    wikidata_id = models.CharField(max_length=20, blank=True)
    # The name in each language ({"fr": "Bagdad", "en": "Baghdad"}): from the gazetteer, else
    # the fullest form the articles of that language write; `name` where none is known.
    labels = models.JSONField(
        default=dict, blank=True, help_text='The name per language, e.g. {"fr": "Bagdad", "en": "Baghdad"}.'
    )
    # The same thing in an open knowledge base (GeoNames, Wikidata, the EU's vocabularies).
    same_as = models.URLField(blank=True, help_text="The entity in GeoNames, Wikidata or an EU vocabulary.")
    # Decisions an editor made by hand are never undone by re-tagging.
    curated = models.BooleanField(default=False, editable=False)
    # Published articles mentioning the entity; maintained by the tagging service so
    # lists and API pages need no COUNT over the mentions table.
    article_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="entity_unique_slug_per_kind"),
            models.UniqueConstraint(
                fields=["kind", "key"], condition=~Q(status="merged"), name="entity_unique_key_per_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "-article_count"], name="entity_kind_popularity"),
            # Resolution looks names up by key whatever the status (the unique index is
            # partial), and people by surname ("key ends with ' mattis'") as a prefix match.
            models.Index(fields=["kind", "key"], name="entity_kind_key"),
            models.Index(OpClass(Reverse("key"), name="text_pattern_ops"), name="entity_key_reversed"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"

    def save(self, *args, **kwargs) -> None:
        self.name = normalize_line(self.name)
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(EntityKind(self.kind).url_name, kwargs={"slug": self.slug})

    def label(self, language: str) -> str:
        """The entity's name in `language` ("fr", "en"), its canonical name when none is known."""
        return (self.labels or {}).get(language) or self.name

    @property
    def same_as_urls(self) -> list[str]:
        """Every identifier of the entity as a URL (schema.org's sameAs)."""
        urls = [self.same_as] if self.same_as else []
        wikidata = f"https://www.wikidata.org/wiki/{self.wikidata_id}" if self.wikidata_id else ""
        return urls + [wikidata] if wikidata and wikidata not in urls else urls


class AliasQuerySet(models.QuerySet):
    def public(self) -> "AliasQuerySet":
        """Aliases a reader or partner may see: given by an editor, or seen in at least one
        published article whose time has come. A name learned only from drafts or embargoed
        stories stays private until one of them is out (security probe, F4)."""
        seen = AliasSighting.objects.filter(
            alias=OuterRef("pk"), article__status=Article.Status.PUBLISHED, article__published_at__lte=timezone.now()
        )
        return self.filter(Q(curated=True) | Exists(seen))


class Alias(models.Model):
    """Another name of an entity ("James Mattis", "M. Le Drian", "Bagdad"), with its
    provenance: the articles tagging saw it in (`sightings`), or an editor's word (`curated`)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(max_length=12, choices=EntityKind.choices, editable=False)
    name = models.CharField(max_length=255)
    key = models.CharField(max_length=255, editable=False)
    curated = models.BooleanField(
        default=False,
        help_text="Given by an editor (added, or an entity's former name after a rename): public "
        "whenever the entity is. Other aliases are public once a published article used them.",
    )

    objects = AliasQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="alias_unique_key_per_kind")]
        indexes = [models.Index(OpClass(Reverse("key"), name="text_pattern_ops"), name="alias_key_reversed")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = normalize_line(self.name)
        self.key = name_key(self.name)
        self.kind = self.entity.kind
        super().save(*args, **kwargs)


class AliasSighting(models.Model):
    """An article in which tagging saw an alias name the entity (or, after a merge, an article
    that named the merged entity). Rewritten with the article's mentions at each tagging."""

    alias = models.ForeignKey(Alias, on_delete=models.CASCADE, related_name="sightings")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alias", "article"], name="alias_sighting_unique")]

    def __str__(self) -> str:
        return f"{self.alias_id} in {self.article_id}"


class EntityRedirect(models.Model):
    """An old slug (after a rename or a merge) that now redirects to an entity."""

    kind = models.CharField(max_length=12, choices=EntityKind.choices)
    slug = models.SlugField(max_length=255)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="redirects")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="entity_redirect_unique_slug")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.slug} → {self.entity_id}"


class DistinctPair(models.Model):
    """Two entities an editor has said are not one: never suggested as duplicates again."""

    low = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="distinct_pair_unique"),
            models.CheckConstraint(condition=Q(low__lt=models.F("high")), name="distinct_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.low_id} is not {self.high_id}"


class CurationEvent(models.Model):
    """One curation of an entity: who made it (no one: the machine, e.g. a type corrected
    by the archive's evidence), when, and what changed. Written by the curation services in
    the transaction of the change itself; never edited."""

    class Action(models.TextChoices):
        CREATED = "created", "Created in the admin"
        EDITED = "edited", "Edited in the admin"
        RENAMED = "renamed", "Renamed"
        ALIAS_ADDED = "alias_added", "Alias added"
        ALIAS_REMOVED = "alias_removed", "Alias removed"
        MERGED = "merged", "Merged"
        REJECTED = "rejected", "Rejected"
        CHECKED = "checked", "Checked"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
        TYPE_CORRECTED = "type_corrected", "Type corrected by evidence"

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="curation_events")
    action = models.CharField(max_length=20, choices=Action.choices)
    # A removed account leaves its name (`username`), so its decisions never read as the machine's.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="The editor's name when it was made.")
    at = models.DateTimeField(default=timezone.now)
    # What changed: old/new name or kind, the merged entities' ids and names, the other
    # entity of a pair (`other_id`), the fields an edit changed.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["entity", "-at"], name="curation_event_entity_at"),
            models.Index(fields=["-at"], name="curation_event_at"),
            # The other entities an event concerns (merged ids, the other of a pair), found
            # by containment for their own history.
            GinIndex(fields=["detail"], opclasses=["jsonb_path_ops"], name="curation_event_detail"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.entity_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def editor(self) -> str:
        """Who made it, as the admin shows it."""
        if self.user_id is not None:
            return self.user.get_username()
        return f"{self.username} (account removed)" if self.username else "machine"

    @classmethod
    def concerning(cls, entity_id: int) -> Q:
        """Events of the entity, and of others it took part in (merged into one, the other
        of a pair, folded into one by a type correction)."""
        return (
            Q(entity_id=entity_id)
            | Q(detail__contains={"merged_ids": [entity_id]})
            | Q(detail__contains={"other_id": entity_id})
        )

    def describe(self, entity_id: int | None = None) -> str:
        """What happened, in words, as seen from `entity_id`'s page (the event's own entity
        by default)."""
        d, name = self.detail or {}, self.entity.name
        own = entity_id in (None, self.entity_id)
        match self.action:
            case self.Action.RENAMED:
                return f"Renamed from “{d.get('old_name')}” to “{d.get('new_name')}”"
            case self.Action.ALIAS_ADDED | self.Action.ALIAS_REMOVED:
                return f"{self.get_action_display()}: “{d.get('alias')}”"
            case self.Action.MERGED if own:
                return "Merged in: " + ", ".join(
                    f"{n} (#{i})" for i, n in zip(d.get("merged_ids", []), d.get("merged_names", []), strict=False)
                )
            case self.Action.MERGED:
                return f"Merged into {name} (#{self.entity_id})"
            case self.Action.NOT_DUPLICATE:
                other = f"{d.get('other_name')} (#{d.get('other_id')})" if own else f"{name} (#{self.entity_id})"
                return f"Not the same as {other}"
            case self.Action.TYPE_CORRECTED:
                change = f"{d.get('old_kind')} → {d.get('new_kind')}"
                if not d.get("other_id"):
                    return f"Type corrected by evidence: {change}"
                if own:
                    return f"Type corrected by evidence: {change}, folded into {d.get('other_name')} (#{d['other_id']})"
                return f"{name} (#{self.entity_id}) folded in after its type was corrected ({change})"
            case self.Action.EDITED:
                return "Edited: " + ", ".join(
                    f"{field} {change.get('old')!r} → {change.get('new')!r}"
                    for field, change in d.get("changes", {}).items()
                )
            case self.Action.REJECTED:
                return f"Rejected (not an entity); {d.get('mentions_removed', 0)} mentions removed"
        return self.get_action_display()


class Mention(models.Model):
    """One occurrence of an entity in an article, with character offsets into a field."""

    class Field(models.TextChoices):
        HEADLINE = "headline", "Headline"
        STANDFIRST = "standfirst", "Standfirst"
        CAPTION = "photo_caption", "Photo caption"
        BODY = "body_text", "Body"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    field = models.CharField(max_length=16, choices=Field.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    surface = models.CharField(max_length=255, help_text="The text as written in the article.")
    found_by = models.CharField(
        max_length=100,
        blank=True,
        db_default="",
        help_text="The NER model and version that found it (empty: before provenance).",
    )

    class Meta:
        ordering = ["article", "field", "start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "field", "start"], name="mention_unique_position"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="mention_nonempty_span"),
        ]
        indexes = [models.Index(fields=["entity", "article"], name="mention_entity_article")]

    def __str__(self) -> str:
        return f"{self.surface} → {self.entity.name}"


class TypeVote(models.Model):
    """What the model called a name in one article: `mentions` of its mentions written
    `key` got type `kind`. The evidence an entity's type is decided from across the archive
    (`entities/extraction/evidence.py`); an article's votes are replaced when it is re-tagged
    and go with it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="type_votes")
    key = models.CharField(max_length=255, help_text="name_key of the name as written, titles dropped.")
    kind = models.CharField(max_length=12, choices=EntityKind.choices)
    mentions = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "key", "kind"], name="type_vote_unique_per_article"),
            models.CheckConstraint(condition=Q(mentions__gt=0), name="type_vote_counts_mentions"),
        ]
        indexes = [models.Index(fields=["key"], name="type_vote_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.kind} x{self.mentions} (article {self.article_id})"


class CountWatermark(models.Model):
    """How far the periodic count refresh has gone: articles whose publication time lies
    after `released_until` may still be missing from Entity.article_count (an embargo
    that has since passed). One row, written by `refresh_counts_for_released_articles`."""

    released_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"counts up to date for articles released by {self.released_until:%Y-%m-%d %H:%M:%S}"
