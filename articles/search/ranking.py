"""The relevance score of a match (docs/search.md#ranking): its own language's reading of the
words, exact forms above stem-only matches, length normalised, and the entities the query
names. One SQL expression over a row of the articles table."""

from __future__ import annotations

from articles.search.query import ParsedQuery, own_language
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


def rank(query: ParsedQuery, alias: str) -> Sql:
    """The score of the row `alias` (higher first), a real, as the keyset cursor keeps it."""
    if query.weights:
        terms = [
            compose(
                "{weight}::real * ({rank} + {exact}::real * {exact_rank})",
                weight=weight,
                rank=_ts_rank(f"{alias}.search_vector", own_language(term.readings, alias)),
                exact=EXACT_WEIGHT,
                exact_rank=_ts_rank(f"{alias}.search_exact", term.exact),
            )
            for term, weight in zip(query.terms, query.weights, strict=True)
            if weight > 0
        ]
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


def _ts_rank(vector: str, query: Sql) -> Sql:
    return compose(f"ts_rank({vector}, {{query}}, {NORMALISATION})", query=query)
