"""Name search over people, organisations and places: the partner API's entity lists, and
the known entities an article search names (entities_named_in)."""

from __future__ import annotations

from dataclasses import dataclass

from articles.models import Article
from articles.search.query import SearchError, clean_query, included_words
from core.pagination import INVALID_CURSOR, Cursor, InvalidCursor, Page, decode_cursor, estimate_rows, keyset_page
from core.sql import Sql, compose, table
from entities.extraction.gazetteer import lookup
from entities.models import Alias, AliasSighting, Entity, EntityKind, Mention, name_key

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
    Each entity has `matched_words`, the query's words that name it, and `alias_names`.
    One query."""
    words = name_key(included_words(clean_query(query))).split()
    spans = _spans(words)
    if not spans:
        return []
    found: dict[_Span, list[tuple[int, Entity]]] = {}  # span -> [(how: 0 name or alias, 1 surname, entity)]
    for entity in _named(spans, language):
        if entity.how == 0:
            for span in spans:
                if entity.label == span.key or entity.label in _gazetteer_keys(span):
                    found.setdefault(span, []).append((0, entity))
        else:
            for span in spans:
                if entity.label.endswith(" " + span.key):
                    found.setdefault(span, []).append((1, entity))
    chosen: list[tuple[_Span, int, Entity]] = []
    claimed: list[_Span] = []
    for span in spans:  # longest first
        if span not in found or any(span.overlaps(c) for c in claimed):
            continue
        claimed.append(span)
        chosen += [(span, how, entity) for how, entity in found[span]]
    result: dict[int, Entity] = {}
    for span, _how, entity in sorted(chosen, key=lambda c: (c[0].start - c[0].end, c[1], -c[2].article_count)):
        if entity.id not in result:
            entity.matched_words = span.key
            result[entity.id] = entity
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


def _gazetteer_keys(span: _Span) -> set[str]:
    entry = lookup(span.key)
    return entry.keys if entry else set()


def _named(spans: list[_Span], language: str | None) -> list[Entity]:
    """The listed entities (merged ones as their survivor) that the spans' keys (and their
    gazetteer names) name, or, for people, end: one query. Each has `label`, the key that
    matched (for a surname, the person's key), `how` (0 a name or alias, 1 a surname) and
    `alias_names`."""
    labels = sorted({key for span in spans for key in {span.key} | _gazetteer_keys(span)})
    surnames = Sql.join(
        " OR ", [compose("reverse(e.key) LIKE {pattern}", pattern=(" " + span.key)[::-1] + "%") for span in spans]
    )
    in_language = (
        compose(
            "AND EXISTS (SELECT 1 FROM {mentions} m JOIN {articles} a ON a.id = m.article_id"
            " WHERE m.entity_id = e.id AND a.language = {language} AND {published})",
            mentions=table(Mention),
            articles=table(Article),
            language=language,
            published=Sql("a.status = 'published' AND a.published_at <= now()"),  # what readers may see
        )
        if language
        else Sql("")
    )
    statement = compose(
        """
        WITH hits AS (
            SELECT e.key AS label, 0 AS how, coalesce(e.merged_into_id, e.id) AS id
            FROM {entities} e WHERE e.kind = ANY({kinds}) AND e.key = ANY({labels})
            UNION ALL
            SELECT al.key, 0, coalesce(e.merged_into_id, e.id)
            FROM {aliases} al JOIN {entities} e ON e.id = al.entity_id
            WHERE al.kind = ANY({kinds}) AND al.key = ANY({labels}) AND {public_alias}
            UNION ALL
            SELECT e.key, 1, coalesce(e.merged_into_id, e.id)
            FROM {entities} e WHERE e.kind = {person} AND ({surnames})
        )
        SELECT DISTINCT ON (e.id, h.label, h.how) e.*, h.label, h.how,
            ARRAY(SELECT al.name FROM {aliases} al WHERE al.entity_id = e.id AND {public_alias}
                  ORDER BY al.name) AS alias_names
        FROM hits h JOIN {entities} e ON e.id = h.id
        WHERE e.status = 'active' AND e.article_count > 0 {in_language}
        """,
        entities=table(Entity),
        aliases=table(Alias),
        kinds=list(EntityKind.values),
        labels=labels,
        person=EntityKind.PERSON.value,
        surnames=surnames,
        in_language=in_language,
        public_alias=_public_alias("al"),
    )
    return list(Entity.objects.raw(statement.text, statement.params))


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
        public_alias=_public_alias("a"),
    )


def _public_alias(alias: str) -> Sql:
    """Alias.objects.public() over the row `alias` of the alias table: an editor's alias, or
    one seen in a published article whose time has come (the unique (alias, article) index
    finds its sightings). Decision 0019."""
    return compose(
        f"""({alias}.curated OR EXISTS (
            SELECT 1 FROM {{sightings}} s JOIN {{articles}} ar ON ar.id = s.article_id
            WHERE s.alias_id = {alias}.id AND ar.status = 'published' AND ar.published_at <= now()))""",
        sightings=table(AliasSighting),
        articles=table(Article),
    )
