"""The WHERE clauses of article searches over `a`, the articles table: one function per use,
for plans and estimates differ in how the text match is written, not in what it matches."""

from __future__ import annotations

from articles.models import Article, Section, Source
from articles.search.filters import ArticleFilters
from articles.search.named import entity_match
from articles.search.query import OTHER, ParsedQuery, prefix_reading
from core.sql import Sql, compose, table

PUBLISHED = Sql("a.status = 'published' AND a.published_at <= now()")  # what readers may see
# Article.modified_at, the API's `updated_at`, as articles migration 0022 indexes it (the same
# expression, for the planner to use the index).
MODIFIED_AT = Sql(
    "(CASE WHEN a.revision > 1 AND a.revised_at > a.published_at THEN a.revised_at ELSE a.published_at END)"
)


def matching(filters: ArticleFilters, query: ParsedQuery | None) -> Sql:
    """Every match, as the scans and the count read them: through GIN, pairs included.

    When the query is phrases only and their pairs stand for every one (pairs_cover), the
    index is asked for the pairs alone and the match is an exact test of the rows found:
    the words' index would return every article holding the phrases' words, more than the
    pairs do, and keep the planner from adding the date index to a window's bitmap. Words
    outside the phrases stay with the GIN match, where their posting lists are intersected
    (docs/decisions/0003-phrase-pairs.md)."""
    return _where(filters, _found(query, _text(query, hidden=_pairs_alone(query)), _pairs(query)))


def matching_found(filters: ArticleFilters, query: ParsedQuery | None) -> Sql:
    """Every match, tested on rows found already (by id: the articles met in the impact
    postings). The words' match is hidden from GIN: the planner would read a common word's
    whole posting list to meet a few thousand ids (`say`, in 205,000 English articles at 1M:
    35 ms of a 60 ms statement ranking 1,600), where each row found is read anyway. A
    phrase's pairs are left to their index: they are few, and test a phrase without reading
    its words' positions."""
    return _where(filters, _found(query, _text(query, hidden=True), _pairs(query)))


def matching_words(filters: ArticleFilters, query: ParsedQuery | None) -> Sql:
    """Every match by the text match alone: what the walk reads down the date index, where
    the exact test is all there is to do (given the pairs, the planner would rather collect
    every article holding them), and what the words' estimate is made of."""
    return _where(filters, _found(query, _text(query, hidden=False)))


def pairs_estimate(filters: ArticleFilters, query: ParsedQuery) -> Sql:
    """The phrases' pairs with the words outside the phrases: a phrase estimated from the
    pairs' own statistics, not as its words AND-ed."""
    return _where(filters, _found(query, _rest(query), _pairs(query)))


def matching_unstemmed(filters: ArticleFilters, query: ParsedQuery) -> Sql:
    """The matches among the articles in languages without a stemmer of their own (through
    their partial GIN index, and the entities the query names)."""
    words = compose("a.search_vector @@ {q}", q=query.readings[OTHER].match)
    return _where(filters, Sql("a.language NOT IN ('fr', 'en')"), _found(query, words))


def in_lead(filters: ArticleFilters, query: ParsedQuery, field: str) -> Sql:
    """The published articles in the filters whose `field` (headline or standfirst) holds the
    query's words in its own language's reading (the words at weight A or B of search_vector),
    through the indexes of articles migration 0023: a signal of the strongest matches, which
    relevance ranks whatever their age. The whole match is tested apart (`matching`)."""
    return _where(filters, _in_lead(query, field))


def prefixes_in_lead(
    filters: ArticleFilters, query: ParsedQuery, fields: tuple[str, ...], upper: int, *, dates_indexed: bool
) -> Sql:
    """The matches in the filters below the id `upper` whose `fields` (headline, standfirst)
    hold what the query's prefixes match (query.prefix_reading) in their own language's
    reading, through the indexes of articles migration 0023; the match itself and the rest are
    tested on the rows found, the dates too unless `dates_indexed`. For a prefix's fields'
    newest matches below a walk (plans._best_fields)."""
    prefixes = tuple(term.prefix for term in query.terms if term.prefix is not None)
    held = _lead_holds(fields, {language: prefix_reading(prefixes, language) for _, _, language in LEAD_READINGS})
    # The date index leads with the status: ANDed with the fields' indexes, its bitmap is the
    # dates' range of published articles, the status given with them (given the dates alone, it
    # read the whole index: 42 of 56 ms, `indus*` over a year at 1M).
    dates = [PUBLISHED, *_dates(filters)]
    indexed, tested = (dates, []) if dates_indexed else ([], dates)
    rest = [
        *tested,
        compose("a.id < {upper}", upper=upper),
        *_attributes(filters),
        _found(query, _text(query, hidden=True)),
    ]
    return Sql.join(" AND ", [held, *_entities(filters), *indexed, hidden_from_index(Sql.join(" AND ", rest))])


def matching_below(filters: ArticleFilters, query: ParsedQuery, upper: int) -> Sql:
    """Every match in the filters below the id `upper`, through the words' indexes."""
    return _where(filters, compose("a.id < {upper}", upper=upper), _found(query, _text(query, hidden=False)))


def newest_rows(filters: ArticleFilters, query: ParsedQuery, lowest: int | None) -> Sql:
    """The matches in the filters from the id `lowest` up (None: every one), each row tested
    on the way down the primary key (the words hidden from GIN)."""
    clauses = [compose("a.id >= {lowest}", lowest=lowest)] if lowest is not None else []
    return _where(filters, *clauses, _found(query, _text(query, hidden=True)))


def mentioning_named(filters: ArticleFilters, query: ParsedQuery) -> Sql:
    """The published articles in the filters that mention an entity the query names
    (through the GIN index of entity_ids)."""
    ids = list(query.named.ids) if query.named else []
    return _where(filters, compose("a.entity_ids && {ids}::bigint[]", ids=ids))


def published_in_dates(filters: ArticleFilters) -> Sql:
    """Every published article in the filters' dates: the rows a walk goes through."""
    return Sql.join(" AND ", [PUBLISHED, *_dates(filters)])


def walking_window(filters: ArticleFilters, query: ParsedQuery, boundary: tuple | None) -> Sql:
    """The matches among the rows from `boundary` up, each row tested on the way down the
    date index (the pairs, a way into an index only, are left out)."""
    return _where(filters, _window(boundary), _found(query, _text(query, hidden=True)))


def scanning_window(
    filters: ArticleFilters, query: ParsedQuery, boundary: tuple | None, *, dates_indexed: bool = True
) -> Sql:
    """The matches among the rows from `boundary` up, collected through GIN and the date index;
    without `dates_indexed`, through GIN alone, each match's date tested (planner._dates_indexed)."""
    window = _window(boundary)
    if window is not None and not dates_indexed:
        window = hidden_from_index(window)
    return _where(filters, window, _found(query, _text(query, hidden=_pairs_alone(query)), _pairs(query)))


def _where(filters: ArticleFilters, *text: Sql | None) -> Sql:
    clauses = [PUBLISHED, *text, *_entities(filters), *_attributes(filters), *_dates(filters)]
    return Sql.join(" AND ", [clause for clause in clauses if clause])


def _window(boundary: tuple | None) -> Sql | None:
    """Every row from the boundary (published_at, id) up: a true prefix of the date order."""
    if boundary is None:
        return None
    published_at, ident = boundary
    return compose(
        "a.published_at >= {published_at} AND (a.published_at, a.id) >= ({published_at}, {id})",
        published_at=published_at,
        id=ident,
    )


def _found(query: ParsedQuery | None, *text: Sql | None) -> Sql | None:
    """The text conditions AND-ed, or an article found through the entities the query names
    (articles/search/named.py): an OR the GIN indexes of the words and of entity_ids serve."""
    found = Sql.join(" AND ", [clause for clause in text if clause])
    entities = entity_match(query) if query else None
    if not entities:
        return found or None
    found = found or Sql("TRUE")
    return compose("(({found}) OR {entities})", found=found, entities=entities)


def _text(query: ParsedQuery | None, *, hidden: bool) -> Sql | None:
    if query is None:
        return None
    match = query.text_match("a")
    return hidden_from_index(match) if hidden else match


def hidden_from_index(clause: Sql) -> Sql:
    """The same test, which no index can serve: the planner must find the rows another way
    (for the words: the date index, the pairs; for the dates: GIN) and test each
    (docs/decisions/0004-window-plans-and-cache.md)."""
    return compose("({clause}) IS TRUE", clause=clause)


def _rest(query: ParsedQuery) -> Sql | None:
    return compose("a.search_vector @@ {rest}", rest=query.rest) if query.rest else None


# Each language's reading of the headline and standfirst, as articles migration 0023 indexes them.
LEAD_FIELDS = ("headline", "standfirst")
LEAD_READINGS = (
    ("a.language = 'fr'", "newsroom_fr", "fr"),
    ("a.language = 'en'", "newsroom_en", "en"),
    ("a.language NOT IN ('fr', 'en')", "newsroom_simple", OTHER),
)


def _in_lead(query: ParsedQuery, field: str) -> Sql:
    words = {language: _without_adjacency(_lead_words(query, language)) for _, _, language in LEAD_READINGS}
    return _lead_holds((field,), words)


def _lead_holds(fields: tuple[str, ...], words: dict[str, Sql]) -> Sql:
    """Whether one of `fields` (headline, standfirst) holds `words` (a tsquery per
    LANGUAGE_READINGS' key) in the row's own language's reading: one branch per field and
    language, each the expression an index of articles migration 0023 holds."""
    if not fields or not set(fields) <= set(LEAD_FIELDS):
        raise ValueError(fields)
    branches = [
        compose(
            f"({condition} AND to_tsvector('{config}'::regconfig, coalesce(a.{field}, '')) @@ {{words}})",
            words=words[language],
        )
        for field in fields
        for condition, config, language in LEAD_READINGS
    ]
    return compose("({branches})", branches=Sql.join(" OR ", branches))


def _without_adjacency(words: Sql) -> Sql:
    """The tsquery with its phrases' words AND-ed: GIN answers that from the index alone, where a
    phrase makes it recompute the text's vector for each row found (0.2 ms a standfirst)."""
    return compose("regexp_replace(({words})::text, '<(-|[0-9]+)>', '&', 'g')::tsquery", words=words)


def _lead_words(query: ParsedQuery, language: str) -> Sql:
    """What the lead must hold, in one language's reading: every included word; or, when the
    terms are weighed (articles/search/weights.py), any of the heaviest (at least half the
    heaviest's weight), for the rare word in a headline outscores the common one beside it."""
    if not query.weights:
        return query.readings[language].included
    heaviest = max(query.weights)
    held = [term.readings[language] for term, weight in zip(query.terms, query.weights, strict=True)]
    heavy = [reading for reading, weight in zip(held, query.weights, strict=True) if weight >= heaviest / 2]
    return compose("({terms})", terms=Sql.join(" || ", heavy))


def _pairs(query: ParsedQuery | None) -> Sql | None:
    return query.pairs if query and query.pairs else None


def _pairs_alone(query: ParsedQuery | None) -> bool:
    """Whether the pairs stand for the whole query (phrases only), leaving the text match
    an exact test of the rows they find."""
    return bool(query and query.pairs and query.pairs_cover and not query.rest)


def _entities(filters: ArticleFilters) -> list[Sql]:
    # The ids are resolved already (resolve_entities): the article's entity_ids array, kept
    # by the database, holds them all; its GIN index meets the words' index
    # (docs/decisions/0002-entity-ids-array.md).
    ids = [*filters.entities().values(), *filters.mentioning]
    return [compose("a.entity_ids @> {ids}::bigint[]", ids=ids)] if ids else []


def _attributes(filters: ArticleFilters) -> list[Sql]:
    clauses = [compose("a.language = {language}", language=filters.language)] if filters.language else []
    for name, model in (("section", Section), ("source", Source)):
        value = getattr(filters, name)
        if value:
            clauses.append(
                compose(
                    "a.{column} IN (SELECT t.id FROM {table} t WHERE t.slug = {value} OR lower(t.name) = lower({value}))",
                    column=Sql(Article._meta.get_field(name).column),
                    table=table(model),
                    value=value,
                )
            )
    return clauses


def _dates(filters: ArticleFilters) -> list[Sql]:
    clauses = []
    if filters.published_after:
        clauses.append(compose("a.published_at >= {after}", after=filters.published_after))
    if filters.published_before:
        clauses.append(compose("a.published_at <= {before}", before=filters.published_before))
    if filters.updated_after:
        clauses.append(compose("{modified_at} >= {after}", modified_at=MODIFIED_AT, after=filters.updated_after))
    return clauses
