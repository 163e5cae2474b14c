"""The word pairs a phrase asks for in `search_pairs`, the GIN-indexed hashes of each
article's adjacent lexemes (docs/decisions/0003-phrase-pairs.md)."""

from __future__ import annotations

from dataclasses import replace

from articles.search.query import READINGS, ParsedQuery
from core.sql import Sql, compose, fetch_one


def with_phrase_pairs(query: ParsedQuery) -> ParsedQuery:
    """The query with a condition on `search_pairs` (articles migration 0007) for its phrases.

    An article matches when one of the three readings matches, and a reading's phrase holds
    only where the article has that reading's adjacent word pairs: so each phrase asks for
    the pairs of its French, English or simple reading (newsroom_word_pairs of to_tsvector
    of the phrase: the lexemes and positions websearch_to_tsquery gives it). A reading with
    no adjacent pair (one word, or stop words between) asks for nothing, and the phrase is
    then left to the exact test alone. One query, only for queries with phrases."""
    if not query.phrases:
        return query
    readings = _pairs_of_each_reading(query.phrases)
    clauses = [_any_pairs(pairs) for pairs in readings if all(pairs)]
    return replace(
        query,
        pairs=Sql.join(" AND ", clauses) if clauses else None,
        pairs_cover=bool(clauses) and len(clauses) == len(readings),
    )


def _pairs_of_each_reading(phrases: tuple[str, ...]) -> list[tuple[list[int], ...]]:
    """Per phrase, the pair hashes of its reading in each of READINGS."""
    columns = [
        compose("newsroom_word_pairs(to_tsvector({config}, {phrase}))", config=config, phrase=phrase)
        for phrase in phrases
        for config in READINGS
    ]
    row = fetch_one(compose("SELECT {columns}", columns=Sql.join(", ", columns)))
    return [tuple(row[i : i + len(READINGS)]) for i in range(0, len(row), len(READINGS))]


def _any_pairs(readings: tuple[list[int], ...]) -> Sql:
    distinct = list(dict.fromkeys(tuple(sorted(pairs)) for pairs in readings))
    return compose(
        "({any})",
        any=Sql.join(" OR ", [compose("a.search_pairs @> {pairs}::integer[]", pairs=list(p)) for p in distinct]),
    )
