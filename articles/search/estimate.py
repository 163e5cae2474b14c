"""The planner's estimates a search's plans are chosen from: one EXPLAIN, no execution."""

from __future__ import annotations

from articles.models import Article
from articles.search import where
from articles.search.filters import ArticleFilters
from articles.search.planner import Estimate
from articles.search.query import ParsedQuery
from core.sql import Sql, compose, explain, table


def estimate_matches(filters: ArticleFilters, query: ParsedQuery | None) -> Estimate:
    """The matches and the published rows in the filters' dates, in one EXPLAIN.

    The planner reads a phrase as its words AND-ed and multiplies their selectivities as if
    they were independent. With phrase pairs, the pairs (with the words outside the phrases)
    are estimated too, from the pairs' own statistics; when they stand for every phrase
    (pairs_cover) that estimate is the one kept, otherwise the smaller of the two
    (docs/decisions/0003-phrase-pairs.md)."""
    branches = [where.matching_words(filters, query)]
    if query and query.pairs:
        branches.append(where.pairs_estimate(filters, query))
    branches.append(where.published_in_dates(filters))
    selects = [compose("SELECT 1 FROM {articles} a WHERE {where}", articles=table(Article), where=b) for b in branches]
    plan = explain(Sql.join(" UNION ALL ", selects))
    *matches, published = (max(1, int(branch["Plan Rows"])) for branch in plan["Plans"])
    covered = bool(query and query.pairs_cover)
    return Estimate(
        matches=matches[-1] if covered else min(matches),
        published=published,
        trusted=not (query and query.has_phrase and not covered),
        anded=bool(query and len(query.terms) >= 2 and not query.has_or),
    )
