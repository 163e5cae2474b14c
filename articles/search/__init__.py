"""Full-text search of the archive, for the partner API and the reader's /search/ page.

`search_articles(filters) -> Page` is the boundary callers use: query.py reads the web-search
syntax, where.py writes the WHERE variants, planner.py chooses plans (pure), plans.py runs
them, snippets.py highlights the page. The design: docs/search.md; the reasons and their
evidence: docs/decisions/0001-stored-weighted-tsvector.md to 0004-window-plans-and-cache.md."""

from articles.search.engine import search_articles
from articles.search.filters import NEWEST, ORDERINGS, RELEVANCE, UPDATED, ArticleFilters, resolve_entities
from articles.search.phrase_pairs import with_phrase_pairs
from articles.search.planner import DEFAULT_TUNING, Plan, SearchTuning
from articles.search.query import MAX_QUERY_LENGTH, READINGS, ParsedQuery, SearchError, clean_query, parse_query
from articles.search.snippets import HEADLINE_FIRST_CHARS, mark
from articles.search.windows import boundary_cache
from core.pagination import Page

__all__ = [
    "DEFAULT_TUNING",
    "HEADLINE_FIRST_CHARS",
    "MAX_QUERY_LENGTH",
    "NEWEST",
    "ORDERINGS",
    "READINGS",
    "RELEVANCE",
    "UPDATED",
    "ArticleFilters",
    "Page",
    "ParsedQuery",
    "Plan",
    "SearchError",
    "SearchTuning",
    "boundary_cache",
    "clean_query",
    "mark",
    "parse_query",
    "resolve_entities",
    "search_articles",
    "with_phrase_pairs",
]
