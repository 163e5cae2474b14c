"""The relevance score of a match (docs/search.md#ranking): its own language's reading of the
words, exact forms above stem-only matches, length normalised, and the entities the query
names. One SQL expression over a row of the articles table."""

from __future__ import annotations

import math

from articles.search.query import LANGUAGE_READINGS, ParsedQuery, RankedTerm, own_language, prefix_reading
from core.sql import Sql, compose

# ts_rank's normalisation: 1 divides by 1 + log(the vector's length), so that a very long
# article does not win a query it barely matches; a short one is not favoured beyond that.
NORMALISATION = 1
# An exact (unstemmed) form counts as much again as its stem: "Mattis" above "Matty" (both
# 'matti' in English), "Mali" above French "mal".
EXACT_WEIGHT = 1.0
# When the query names entities, some matches hold none of its words (found through their
# mentions): an article that holds every word (in its own reading) ranks above one that does
# not, unless the whole query names an entity it mentions.
ALL_WORDS_WEIGHT = 1.0
# Mentioning an entity the whole query names outranks sharing its words; a run of the words
# that names one counts for its share of the query; both times how surely the words name it
# (EntityGroup.confidence: "law" is rarely the person called Law).
MENTION_WEIGHT = 1.0
# The entities' names and aliases, and the other words, in the text of an article found
# through its mentions: what orders those among themselves.
LABEL_WEIGHT = 0.5
# A prefix* is ranked by the best field holding a word it starts, not by how many words it
# starts (docs/decisions/0035-prefixes-ranked-by-field.md): as one occurrence of a word in an
# article of TYPICAL_LENGTH words would be by ts_rank, at its weight for the headline (A, 1),
# the standfirst (B, 0.4) or the body and caption (C, 0.2). Its matches in one field rank
# alike, the newer first. A summed rank favoured texts holding many words the prefix starts,
# and no postings bound it: its first page could not be found without ranking every match.
TYPICAL_LENGTH = 500
# calc_rank_or's share of one occurrence at weight 1, normalised as ts_rank's flag 1 does
# (tsrank.c: divided by log2(1 + the vector's number of positions)).
_ONE_OCCURRENCE = 1 / 1.64493406685 / math.log2(1 + TYPICAL_LENGTH)
PREFIX_FIELDS = (("A", 1.0 * _ONE_OCCURRENCE), ("AB", 0.4 * _ONE_OCCURRENCE), ("", 0.2 * _ONE_OCCURRENCE))


def rank(query: ParsedQuery, alias: str) -> Sql:
    """The score of the row `alias` (higher first), a real, as the keyset cursor keeps it."""
    if query.weights:
        terms = [
            compose("{weight}::real * {rank}", weight=weight, rank=_term_rank(term, alias))
            for term, weight in zip(query.terms, query.weights, strict=True)
            if weight > 0
        ]
    elif len(query.terms) == 1 and query.terms[0].prefix is not None:
        terms = [prefix_rank(query.terms[0].prefix, alias)]
    else:
        terms = [
            _ts_rank(f"{alias}.search_vector", query.own_reading(alias, "included")),
            compose(
                "{weight}::real * {rank}",
                weight=EXACT_WEIGHT,
                rank=_ts_rank(f"{alias}.search_exact", compose("({q} || {q})", q=query.exact)),
            ),
        ]
    if query.named:
        # Some matches are found through the entities alone: holding every word comes first.
        terms.append(
            compose(
                f"({alias}.search_vector @@ {{match}})::int::real * {{weight}}::real",
                match=query.own_reading(alias, "match"),
                weight=ALL_WORDS_WEIGHT,
            )
        )
        for group in query.named.groups:
            terms.append(
                compose(
                    f"({alias}.entity_ids && {{ids}}::bigint[])::int::real * {{weight}}::real",
                    ids=list(group.ids),
                    weight=MENTION_WEIGHT * group.share * group.confidence,
                )
            )
            if group.others is not None:
                terms.append(
                    compose(
                        "{weight}::real * {rank}",
                        weight=LABEL_WEIGHT,
                        rank=_ts_rank(f"{alias}.search_vector", own_language(group.others, alias)),
                    )
                )
        terms.append(
            compose(
                "{weight}::real * {rank}",
                weight=LABEL_WEIGHT,
                rank=_ts_rank(f"{alias}.search_vector", own_language(query.named.labels, alias)),
            )
        )
    return compose("({terms})::real", terms=Sql.join(" + ", terms))


def _term_rank(term: RankedTerm, alias: str) -> Sql:
    if term.prefix is not None:
        return prefix_rank(term.prefix, alias)
    return compose(
        "({rank} + {exact}::real * {exact_rank})",
        rank=_ts_rank(f"{alias}.search_vector", own_language(term.readings, alias)),
        exact=EXACT_WEIGHT,
        exact_rank=_ts_rank(f"{alias}.search_exact", term.exact),
    )


def prefix_rank(prefix: str, alias: str) -> Sql:
    """A prefix's rank in the row `alias`: its best field's (PREFIX_FIELDS), 0 when the row
    holds no word it starts nor its own word's stem (a match found through the entities)."""
    scores = [
        compose("WHEN {field} THEN {score}::real", field=index, score=score)
        for index, (_, score) in enumerate(PREFIX_FIELDS)
    ]
    return compose(
        "(CASE {field} {scores} ELSE 0::real END)", field=best_field((prefix,), alias), scores=Sql.join(" ", scores)
    )


def best_field(prefixes: tuple[str, ...], alias: str) -> Sql:
    """The index in PREFIX_FIELDS of the best field of the row `alias` holding what a prefix
    matches (query.prefix_reading) in its own language's reading; len(PREFIX_FIELDS) for none."""
    fields = [
        compose(
            f"WHEN {alias}.search_vector @@ {{reading}} THEN {{index}}",
            reading=own_language({lang: prefix_reading(prefixes, lang, weights) for lang in LANGUAGE_READINGS}, alias),
            index=index,
        )
        for index, (weights, _) in enumerate(PREFIX_FIELDS)
    ]
    return compose("(CASE {fields} ELSE {none} END)", fields=Sql.join(" ", fields), none=len(PREFIX_FIELDS))


def _ts_rank(vector: str, query: Sql) -> Sql:
    return compose(f"ts_rank({vector}, {{query}}, {NORMALISATION})", query=query)
