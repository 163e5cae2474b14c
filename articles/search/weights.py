"""The weight of each ranked term of a query: its inverse document frequency, read from the
planner's statistics of the search vector (docs/search.md#ranking).

`ts_rank` has no IDF: in `abortion law`, "law" counted as much as "abortion", and long
round-ups using both words in passing outranked the stories about abortion laws. BM25 weighs
a term by how rare it is; here each term's rank is weighted by ln(1 + 1/f), f the share of
articles holding its rarest reading, taken from `pg_stats.most_common_elems` of
`search_vector` (ANALYZE keeps about 10,000 lexemes with their frequencies at its statistics
target of 1,000: decision 0001). A lexeme missing from the list is rarer than the rarest
listed one and gets half its frequency, as the planner assumes; a prefix too. One query, and
none for a one-term query."""

from __future__ import annotations

import math
from dataclasses import replace

from articles.models import Article
from articles.search.query import READINGS, ParsedQuery
from core.sql import compose, fetch_all

_FREQUENCIES = """
WITH st AS (
    SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs
    FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = {table} AND s.attname = 'search_vector'
),
known AS (SELECT m.elem, m.freq FROM st, unnest(st.elems, st.freqs[1:cardinality(st.elems)]) m(elem, freq)),
lexemes AS (
    SELECT w.i, x.lexeme FROM unnest({words}::text[]) WITH ORDINALITY w(word, i)
    CROSS JOIN unnest({configs}::regconfig[]) c(config)
    CROSS JOIN unnest(tsvector_to_array(to_tsvector(c.config, w.word))) x(lexeme)
)
SELECT l.i, max(k.freq), (SELECT st.freqs[cardinality(st.elems) + 1] FROM st),
    (SELECT c.reltuples FROM pg_class c WHERE c.oid = {table}::regclass)
FROM lexemes l LEFT JOIN known k ON k.elem = l.lexeme GROUP BY l.i
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
    statement = compose(_FREQUENCIES, table=Article._meta.db_table, words=words, configs=list(READINGS))
    frequencies, rarest, rows = {}, None, 0.0
    for index, frequency, minimum, tuples in fetch_all(statement):
        rarest, rows = minimum, max(tuples or 0.0, 0.0)
        frequencies[words[index - 1]] = frequency
    return frequencies, rarest * UNKNOWN if rarest else NO_STATISTICS, rows


def _weight(words: tuple[str, ...], frequencies: dict[str, float | None], unknown: float) -> float:
    if not words:  # a prefix: as rare as an unlisted word
        return _idf(unknown)
    held = [word for word in words if word in frequencies]  # stop words have no lexeme
    if not held:
        return 0.0
    return _idf(min(frequencies[word] or unknown for word in held))  # a phrase: its rarest word, at least


def _idf(frequency: float) -> float:
    return math.log(1 + 1 / max(frequency, 1e-9))
