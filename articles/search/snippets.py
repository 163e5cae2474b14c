"""Highlighted snippets of a page of results: ts_headline in two passes, escaped, with <mark>."""

from __future__ import annotations

import functools
import html

from django.contrib.postgres.search import SearchHeadline

from articles.models import Article
from articles.search.query import MAX_QUERY_LENGTH, ParsedQuery, own_language
from core.sql import Embedded, Sql, compiled, compose, fetch_all, table

HEADLINE_INPUT_CHARS = 20000  # the most of an article a snippet is cut from
HEADLINE_FIRST_CHARS = 3000  # what the first pass reads
_START, _STOP = "\x02", "\x03"  # private highlight markers, taken out of the text beforehand
_OPTIONS = {
    "start_sel": _START,
    "stop_sel": _STOP,
    "max_fragments": 2,
    "max_words": 30,
    "min_words": 12,
    "fragment_delimiter": " … ",
}
_CONFIG_OF_ARTICLE = Sql(  # the article's own reading, as its search vector was made (articles.models)
    "CASE a.language WHEN 'fr' THEN 'newsroom_fr'::regconfig WHEN 'en' THEN 'newsroom_en'::regconfig "
    "ELSE 'newsroom_simple'::regconfig END"
)


def headlines(ids: list[int], query: ParsedQuery) -> dict[int, str]:
    """Highlighted snippets for the given articles only: escaped text with <mark> around hits.

    The headline is shown above the snippet, so the snippet is cut from the standfirst and
    body (the headline only for an article with neither). ts_headline parses all the text it
    is given, as to_tsvector does, so the first HEADLINE_FIRST_CHARS are read first, and only
    an article whose standfirst or body matches but whose first pass marked nothing has the
    rest read (from a word a little before the cut, so that a hit across it is whole): its
    hits all lie further on. The search vector tells which match: an article found by its
    headline or caption alone is not read further (docs/search.md)."""
    rest_from = HEADLINE_FIRST_CHARS - MAX_QUERY_LENGTH  # a hit across the cut is read whole
    statement = compose(
        "WITH t AS MATERIALIZED (SELECT a.id, a.search_vector AS v, {config} AS config, {query} AS q,"
        " left(translate(coalesce(nullif(concat_ws(' — ', nullif(a.standfirst, ''), nullif(a.body_text, '')), ''),"
        " a.headline), E'\\x02\\x03', ''), {input_chars}) AS text FROM {articles} a WHERE a.id = ANY({ids}))"
        " , f AS MATERIALIZED (SELECT t.*, {first_pass} AS h FROM t)"
        " SELECT f.id, CASE WHEN strpos(f.h, E'\\x02') = 0 AND length(f.text) > {first_chars}"
        " AND ts_filter(f.v, '{b,c}') @@ f.q THEN {second_pass} ELSE f.h END FROM f",
        query=_highlighted(query),
        config=_CONFIG_OF_ARTICLE,
        input_chars=HEADLINE_INPUT_CHARS,
        articles=table(Article),
        ids=ids,
        first_pass=_headline("t", "left(t.text, %s)", HEADLINE_FIRST_CHARS),
        first_chars=HEADLINE_FIRST_CHARS,
        second_pass=_headline("f", "regexp_replace(substr(f.text, %s), '^\\S*\\s+', '')", rest_from),
    )
    return {ident: mark(headline) for ident, headline in fetch_all(statement)}


@functools.cache
def _headline(alias: str, text: str, chars: int) -> Sql:
    """ts_headline of `text` (SQL over `alias`, a row of `t` or `f`) for the row's query. The
    same for every search: compiled once per process (Django quotes each option through a
    cursor, a dozen round trips of Python a page)."""
    expression = SearchHeadline(
        Embedded(Sql(text, (chars,))),
        Embedded(Sql(f"{alias}.q")),
        config=Embedded(Sql(f"{alias}.config")),
        **_OPTIONS,
    )
    return compiled(expression, model=Article)


def _highlighted(query: ParsedQuery) -> Sql:
    """What is marked in the row `a`: the words in its own language's reading, and the names
    of the entities the query names (an article found through them may not hold the words)."""
    words = query.own_reading("a", "included")
    if query.named is None:
        return words
    return compose("({words} || {labels})", words=words, labels=own_language(query.named.labels, "a"))


def mark(headline: str) -> str:
    """Escape a ts_headline result, then turn its private highlight markers into <mark>."""
    return html.escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")
