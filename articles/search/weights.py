"""The weight of each ranked term of a query: its inverse document frequency, read from the
planner's statistics of the search vector (docs/search.md#ranking).

`ts_rank` has no IDF: in `abortion law`, "law" counted as much as "abortion", and long
round-ups using both words in passing outranked the stories about abortion laws. BM25 weighs
a term by how rare it is; here each term's rank is weighted by ln(1 + 1/f), f the share of
articles holding its rarest reading, taken from `pg_stats.most_common_elems` of
`search_vector` (ANALYZE keeps about 10,000 lexemes with their frequencies at its statistics
target of 1,000: decision 0001). A lexeme missing from the list is rarer than the rarest
listed one and gets half its frequency, as the planner assumes; a prefix too. One query, and
none for a one-term query: the list is kept per process until the next ANALYZE."""

from __future__ import annotations

import math
from dataclasses import replace

from django.db import connection

from articles.models import Article
from articles.search.query import READINGS, ParsedQuery
from core.sql import compose, fetch_all, fetch_one

# The words' lexemes in every reading, with the statistics' stamp and the table's row estimate:
# one cheap query per ranked search. The stamp (the list's length, its first and last
# frequencies, the table's row estimate) changes with each ANALYZE: the list itself (10,000
# lexemes to cast and unnest, 5-25 ms a search) is then read again (_ELEMENTS), and otherwise
# taken from this process's cache. pg_stats is read within the transaction, so an ANALYZE is
# seen at once.
_STATISTICS = (
    "FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = {table} AND s.attname = 'search_vector'"
)
_LEXEMES = f"""
WITH stamp AS (
    SELECT concat_ws(' ', cardinality(s.most_common_elem_freqs), s.most_common_elem_freqs[1:16]::text,
        s.most_common_elem_freqs[cardinality(s.most_common_elem_freqs) - 2:]::text, s.null_frac, s.avg_width,
        (SELECT c.reltuples FROM pg_class c WHERE c.oid = {{table}}::regclass)) AS stamp
    {_STATISTICS}
),
lexemes AS (
    SELECT w.i, x.lexeme FROM unnest({{words}}::text[]) WITH ORDINALITY w(word, i)
    CROSS JOIN unnest({{configs}}::regconfig[]) c(config)
    CROSS JOIN unnest(tsvector_to_array(to_tsvector(c.config, w.word))) x(lexeme)
)
SELECT (SELECT stamp.stamp FROM stamp), (SELECT c.reltuples FROM pg_class c WHERE c.oid = {{table}}::regclass),
    l.i, l.lexeme
FROM (SELECT 1) one LEFT JOIN lexemes l ON TRUE
"""
_ELEMENTS = f"""
SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs {_STATISTICS}
"""
UNKNOWN = 0.5  # a lexeme the statistics do not list: this share of the rarest listed one's frequency
NO_STATISTICS = 0.01  # the frequency assumed for every term before the table's first ANALYZE


def with_term_weights(query: ParsedQuery) -> ParsedQuery:
    """The query with a weight per ranked term, summing to 1 (none for fewer than two terms:
    the one term is the whole query), and the confidence of each entity group it names: the
    share of the articles holding the run's words that mention the entities, estimated as
    their article count over the run's rarest word's frequency (at most 1). "law" names a
    person called Law in 2 of the 58 articles that hold it; "Kabul" names Kabul in all."""
    groups = query.named.groups if query.named else ()
    if len(query.terms) < 2 and not groups:
        return query
    words = sorted({w for term in query.terms for w in term.words} | {w for g in groups for w in g.words})
    frequencies, unknown, rows = _frequencies(words)
    weights = tuple(_weight(term.words, frequencies, unknown) for term in query.terms)
    total = sum(weights)
    query = replace(query, weights=tuple(w / total for w in weights) if len(weights) > 1 and total > 0 else ())
    if groups:
        confident = []
        for group in groups:
            held = [frequencies[w] or unknown for w in group.words if w in frequencies]
            share = group.article_count / rows / min(held) if held and rows else 1.0
            confident.append(replace(group, confidence=min(1.0, share)))
        query = replace(query, named=replace(query.named, groups=tuple(confident)))
    return query


def _frequencies(words: list[str]) -> tuple[dict[str, float | None], float, float]:
    """{word: the frequency of its most frequent reading, None when the statistics do not
    list it}, for the words that keep a lexeme (stop words do not); the frequency of an
    unlisted one; the table's row estimate (0 before the first ANALYZE)."""
    if not words:
        return {}, NO_STATISTICS, 0.0
    rows = fetch_all(compose(_LEXEMES, table=Article._meta.db_table, words=words, configs=list(READINGS)))
    stamp, tuples = rows[0][0], max(rows[0][1] or 0.0, 0.0)
    listed, rarest = listed_cache.get(stamp)
    frequencies: dict[str, float | None] = {}
    for _stamp, _tuples, index, lexeme in rows:
        if index is not None:  # None: no word keeps a lexeme
            word = words[index - 1]
            known = [f for f in (frequencies.get(word), listed.get(lexeme)) if f is not None]
            frequencies[word] = max(known, default=None)
    return frequencies, rarest * UNKNOWN if rarest else NO_STATISTICS, tuples


class _ListedCache:
    """The listed lexemes' frequencies and the rarest listed frequency, per database, as of
    the statistics' stamp: {database: (stamp, listed, rarest)}."""

    def __init__(self):
        self._entries: dict[str, tuple[str, dict[str, float], float | None]] = {}

    def get(self, stamp: str | None) -> tuple[dict[str, float], float | None]:
        if stamp is None:  # no statistics yet (before the first ANALYZE)
            return {}, None
        database = connection.settings_dict["NAME"]
        cached = self._entries.get(database)
        if cached is None or cached[0] != stamp:
            row = fetch_one(compose(_ELEMENTS, table=Article._meta.db_table))
            elements, freqs = row if row else ([], [])
            listed = dict(zip(elements or [], freqs or [], strict=False))
            rarest = freqs[len(elements)] if freqs and len(freqs) > len(elements) else None
            cached = (stamp, listed, rarest)
            self._entries[database] = cached
        return cached[1], cached[2]

    def clear(self) -> None:
        self._entries.clear()


listed_cache = _ListedCache()


def _weight(words: tuple[str, ...], frequencies: dict[str, float | None], unknown: float) -> float:
    if not words:  # a prefix: as rare as an unlisted word
        return _idf(unknown)
    held = [word for word in words if word in frequencies]  # stop words have no lexeme
    if not held:
        return 0.0
    return _idf(min(frequencies[word] or unknown for word in held))  # a phrase: its rarest word, at least


def _idf(frequency: float) -> float:
    return math.log(1 + 1 / max(frequency, 1e-9))
