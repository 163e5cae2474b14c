"""The change feed: one row per public change of an article or an entity, written by database
triggers (changes migration 0001) in the transaction that makes the change.

Events are read in (xid, id) order and only once every transaction that could still add one
before them has ended: docs/decisions/0015-change-feed-in-transaction-order.md."""

from django.db import models
from django.db.models.expressions import Func


class TransactionIdField(models.BigIntegerField):
    """A PostgreSQL `xid8` (a 64-bit transaction id, never wrapping), read as an int."""

    def db_type(self, connection) -> str:
        return "xid8"

    def from_db_value(self, value, expression, connection):
        return None if value is None else int(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        return None if value is None else str(int(value))


class CurrentTransactionId(Func):
    function = "pg_current_xact_id"
    template = "%(function)s()"
    output_field = TransactionIdField()


class ObjectType(models.TextChoices):
    """What changed: an article, or an entity of one kind (the API's names)."""

    ARTICLE = "article", "Article"
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    PLACE = "place", "Place"


class ChangeKind(models.TextChoices):
    CREATED = "created", "Created (first public)"
    PUBLISHED = "published", "Published (public again, or its embargo ended)"
    UPDATED = "updated", "Updated"
    CORRECTED = "corrected", "Corrected"
    RENAMED = "renamed", "Renamed"
    UNPUBLISHED = "unpublished", "Unpublished (tombstone)"
    DELETED = "deleted", "Deleted, or no longer public (tombstone)"
    MERGED = "merged", "Merged into another entity (tombstone)"
    REJECTED = "rejected", "Rejected as not an entity (tombstone)"


# After one of these the object is not public any more: a mirror removes it.
TOMBSTONES = frozenset({ChangeKind.UNPUBLISHED, ChangeKind.DELETED, ChangeKind.MERGED, ChangeKind.REJECTED})


class Change(models.Model):
    xid = TransactionIdField(db_default=CurrentTransactionId(), editable=False)
    occurred_at = models.DateTimeField(db_default=Func(function="clock_timestamp", template="clock_timestamp()"))
    object_type = models.CharField(max_length=12, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    target_id = models.BigIntegerField(null=True, blank=True, help_text="For a merge: the entity it went into.")

    class Meta:
        ordering = ["xid", "id"]
        indexes = [
            models.Index(fields=["xid", "id"], name="change_feed_order"),
            models.Index(fields=["object_type", "object_id", "-id"], name="change_latest_per_object"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} {self.kind}"


class EmbargoRelease(models.Model):
    """A published article not public yet: when its publication time comes, the beat task
    `release_embargoed_articles` announces it. Rows are written by the article trigger."""

    article_id = models.BigIntegerField(primary_key=True)
    release_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"article {self.article_id} at {self.release_at:%Y-%m-%d %H:%M}"
