"""What a search of the archive asks for: its filters and ordering, entity ids resolved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.sql import compose, fetch_all, table
from entities.models import Entity, EntityKind

RELEVANCE = "relevance"
NEWEST = "-published_at"
UPDATED = "-updated_at"  # for partners catching up on what changed
ORDERINGS = (RELEVANCE, NEWEST, UPDATED)
NO_ENTITY = -1  # what an unknown entity filter becomes: no article mentions it


@dataclass
class ArticleFilters:
    q: str = ""
    person: int | None = None  # one field per EntityKind value
    organisation: int | None = None
    place: int | None = None
    language: str = ""
    section: str = ""
    source: str = ""
    published_after: datetime | None = None
    published_before: datetime | None = None
    updated_after: datetime | None = None
    ordering: str = ""
    mentioning: tuple[int, ...] = ()  # more entities, of any kind, every one required

    @property
    def narrowed(self) -> bool:
        """Whether any filter besides the text narrows the matches."""
        return bool(
            self.entities()
            or self.mentioning
            or self.language
            or self.section
            or self.source
            or self.published_after
            or self.published_before
            or self.updated_after
        )

    def entities(self) -> dict[str, int]:
        """The entity filters given: kind -> id."""
        return {kind: getattr(self, kind) for kind in EntityKind.values if getattr(self, kind) is not None}


def resolve_entities(filters: ArticleFilters) -> ArticleFilters:
    """The filters with each entity id replaced by the id its articles are found under: a
    merged entity's survivor (merging repoints every older merge at the survivor, so one hop
    is enough). An unknown id, or one of another kind, becomes NO_ENTITY, which no article has.
    `mentioning` ids are resolved the same way, of whatever kind.
    One query, and none without an entity filter."""
    wanted = filters.entities()
    if not wanted and not filters.mentioning:
        return filters
    rows = fetch_all(
        compose(
            "SELECT id, kind, coalesce(merged_into_id, id) FROM {entities} WHERE id = ANY({ids})",
            entities=table(Entity),
            ids=[*wanted.values(), *filters.mentioning],
        )
    )
    found = {(ident, kind): survivor for ident, kind, survivor in rows}
    survivors = {ident: survivor for (ident, _kind), survivor in found.items()}
    return replace(
        filters,
        **{kind: found.get((ident, kind), NO_ENTITY) for kind, ident in wanted.items()},
        mentioning=tuple(survivors.get(ident, NO_ENTITY) for ident in filters.mentioning),
    )
