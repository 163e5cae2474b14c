"""Name search over people, organisations and places for the partner API's entity lists."""

from __future__ import annotations

from articles.search.query import SearchError, clean_query
from core.pagination import INVALID_CURSOR, Cursor, InvalidCursor, Page, decode_cursor, estimate_rows, keyset_page
from core.sql import Sql, compose, table
from entities.models import Alias, Entity

__all__ = ["SearchError", "search_entities"]


def search_entities(*, kind: str, q: str = "", cursor: str | None = None, page_size: int = 20) -> Page:
    """Active entities of one kind that published articles mention, most mentioned first; with
    `q`, prefix and typo-tolerant matches on names and aliases (pg_trgm), best match first."""
    q = clean_query(q)
    position = _position(cursor)
    if not q:
        return _most_mentioned(kind, position, page_size)
    return _best_matches(kind, " ".join(q.casefold().split()), position, page_size)


def _position(cursor: str | None) -> Cursor | None:
    if not cursor:
        return None
    try:
        return decode_cursor(cursor, key_type=int)
    except InvalidCursor:
        raise SearchError("cursor", INVALID_CURSOR) from None


def _listed(kind: str) -> Sql:
    """Lists hold active entities that published articles mention (article_count is kept by
    the tagging, publishing and curation services): one named only in a draft or an
    embargoed story must not show its name."""
    return compose("e.kind = {kind} AND e.status = 'active' AND e.article_count > 0", kind=kind)


def _most_mentioned(kind: str, position: Cursor | None, page_size: int) -> Page:
    rows = compose(
        "SELECT e.id, e.article_count::bigint AS k FROM {entities} e WHERE {listed}",
        entities=table(Entity),
        listed=_listed(kind),
    )
    page = keyset_page(rows, cursor=position, page_size=page_size)
    estimate = estimate_rows(
        compose("SELECT 1 FROM {entities} e WHERE {listed}", entities=table(Entity), listed=_listed(kind))
    )
    return Page(page.ids, page.next_cursor, page.previous_cursor, estimate, True)


def _best_matches(kind: str, name: str, position: Cursor | None, page_size: int) -> Page:
    rows = _scored(kind, name)
    page = keyset_page(rows, cursor=position, page_size=page_size, materialize=True)
    if page.next_cursor or page.previous_cursor:
        return Page(page.ids, page.next_cursor, page.previous_cursor, estimate_rows(rows), True)
    return Page(page.ids, page.next_cursor, page.previous_cursor, len(page.ids), False)


def _scored(kind: str, name: str) -> Sql:
    """The listed entities whose name or an alias matches, scored: a prefix match of the name
    or an alias outranks any fuzzy match; then trigram similarity; popularity breaks ties.
    Rounded so that the keyset cursor survives float4."""
    like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return compose(
        """
        SELECT e.id, round((
            greatest(
                CASE WHEN lower(f_unaccent(e.name)) LIKE lower(f_unaccent({like})) THEN 2 ELSE 0 END
                    + similarity(lower(f_unaccent(e.name)), lower(f_unaccent({name}))),
                coalesce(al.score, 0)
            ) * 1000))::bigint * 1000000 + least(e.article_count, 999999) AS k
        FROM {entities} e
        LEFT JOIN (
            SELECT a.entity_id, max(
                CASE WHEN lower(f_unaccent(a.name)) LIKE lower(f_unaccent({like})) THEN 2 ELSE 0 END
                    + similarity(lower(f_unaccent(a.name)), lower(f_unaccent({name})))) AS score
            FROM {aliases} a
            WHERE a.kind = {kind} AND (lower(f_unaccent(a.name)) LIKE lower(f_unaccent({like}))
                                   OR lower(f_unaccent(a.name)) %% lower(f_unaccent({name})))
            GROUP BY a.entity_id
        ) al ON al.entity_id = e.id
        WHERE {listed} AND (
            lower(f_unaccent(e.name)) LIKE lower(f_unaccent({like}))
            OR lower(f_unaccent(e.name)) %% lower(f_unaccent({name}))
            OR al.entity_id IS NOT NULL)
    """,
        like=like,
        name=name,
        kind=kind,
        entities=table(Entity),
        aliases=table(Alias),
        listed=_listed(kind),
    )
