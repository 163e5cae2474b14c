"""Name search over people, organisations and places: the partner API's entity lists, and
the known entities an article search names (entities_named_in)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Reverse

from articles.models import Article
from articles.search.query import SearchError, clean_query, included_words
from core.pagination import INVALID_CURSOR, Cursor, InvalidCursor, Page, decode_cursor, estimate_rows, keyset_page
from core.sql import Sql, compose, table
from entities.extraction.gazetteer import lookup
from entities.models import Alias, AliasSighting, Entity, EntityKind, name_key

__all__ = ["SearchError", "entities_named_in", "search_entities"]

MIN_NAME_CHARS = 3  # shorter word runs ("de", "us") name no entity in a search
NAMED_ENTITIES = 5  # the most entities a search names


@dataclass(frozen=True)
class _Span:
    """A run of the query's words, [start, end), and its matching key."""

    start: int
    end: int
    key: str

    def overlaps(self, other: _Span) -> bool:
        return self.start < other.end and other.start < self.end


def entities_named_in(query: str, *, language: str | None = None, limit: int = NAMED_ENTITIES) -> list[Entity]:
    """The known entities a search query names, best first: active entities with published
    articles (merged ones as their survivor) whose name or an alias, compared as name keys
    (case, accents and punctuation ignored), is the whole query, or a run of its words
    from its start or to its end ("Copenhagen climate" names Copenhagen); names of the same
    gazetteer entry count as one ("Copenhagen" names the entity called "Copenhague"); a
    person is also named by their surname or last names ("Mattis" names Jim Mattis).

    Excluded terms (-word) and OR name nothing. Longer runs win: the words of a run that
    names an entity name nothing else ("Boris Johnson" is not every Johnson). With
    `language`, only entities that a published article in that language mentions.
    Each entity has `matched_words`, the query's words that name it."""
    words = name_key(included_words(clean_query(query))).split()
    spans = _spans(words)
    if not spans:
        return []
    found = _entities_by_span(spans)
    chosen: list[tuple[_Span, int, int]] = []  # (span, how: 0 name or alias, 1 surname, entity id)
    claimed: list[_Span] = []
    for span in spans:  # longest first
        if any(span.overlaps(c) for c in claimed) or span not in found:
            continue
        claimed.append(span)
        chosen.extend((span, how, ident) for how, ident in found[span])
    entities = _listed_entities({ident for _span, _how, ident in chosen}, language)
    result: dict[int, Entity] = {}
    for span, _how, ident in sorted(
        chosen, key=lambda c: (-(c[0].end - c[0].start), c[1], -getattr(entities.get(c[2]), "article_count", 0))
    ):
        if ident in entities and ident not in result:
            entity = entities[ident]
            entity.matched_words = span.key
            result[ident] = entity
    return list(result.values())[:limit]


def _spans(words: list[str]) -> list[_Span]:
    """The whole query, then the runs of words from its start and to its end, longest first."""
    n = len(words)
    spans = []
    for length in range(n, 0, -1):
        for start in dict.fromkeys((0, n - length)):
            key = " ".join(words[start : start + length])
            if len(key) >= MIN_NAME_CHARS:
                spans.append(_Span(start, start + length, key))
    return spans


def _entities_by_span(spans: list[_Span]) -> dict[_Span, list[tuple[int, int]]]:
    """{span: [(how, entity id)]}: how 0 for a name or alias (or a gazetteer name of the
    same entry), 1 for a person's surname. Ids are the survivors of merged entities."""
    labels: dict[str, set[_Span]] = {}
    for span in spans:
        entry = lookup(span.key)
        for key in {span.key} | (entry.keys if entry else set()):
            labels.setdefault(key, set()).add(span)
    kinds = EntityKind.values
    found: dict[_Span, list[tuple[int, int]]] = {}
    named = Entity.objects.filter(kind__in=kinds, key__in=labels).values_list("key", "id", "merged_into_id")
    aliased = (
        Alias.objects.public()
        .filter(kind__in=kinds, key__in=labels)
        .values_list("key", "entity_id", "entity__merged_into_id")
    )
    for key, ident, merged in [*named, *aliased]:
        for span in labels[key]:
            found.setdefault(span, []).append((0, merged or ident))
    surnames = Q()
    for span in spans:
        surnames |= Q(reversed_key__startswith=(" " + span.key)[::-1])
    people = (
        Entity.objects.filter(kind=EntityKind.PERSON)
        .annotate(reversed_key=Reverse("key"))
        .filter(surnames)
        .values_list("key", "id", "merged_into_id")
    )
    for key, ident, merged in people:
        for span in spans:
            if key.endswith(" " + span.key):
                found.setdefault(span, []).append((1, merged or ident))
    return found


def _listed_entities(ids: set[int], language: str | None) -> dict[int, Entity]:
    """The entities among `ids` that search may name: active, with published articles (and
    one in `language`, when given)."""
    if not ids:
        return {}
    entities = Entity.objects.filter(id__in=ids, status=Entity.Status.ACTIVE, article_count__gt=0)
    if language:
        published = Article.objects.published().filter(language=language, mentions__entity=OuterRef("pk"))
        entities = entities.filter(Exists(published))
    return {entity.id: entity for entity in entities}


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
                AND {public_alias}
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
        public_alias=_public_alias(),
    )


def _public_alias() -> Sql:
    """Alias.objects.public() over `a`: an editor's alias, or one seen in a published
    article whose time has come (the unique (alias, article) index finds its sightings)."""
    return compose(
        """(a.curated OR EXISTS (
            SELECT 1 FROM {sightings} s JOIN {articles} ar ON ar.id = s.article_id
            WHERE s.alias_id = a.id AND ar.status = 'published' AND ar.published_at <= now()))""",
        sightings=table(AliasSighting),
        articles=table(Article),
    )
