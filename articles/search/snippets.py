"""Highlighted snippets of a page of results: ts_headline over a window near the first hit, escaped, with <mark>."""

from __future__ import annotations

import functools
import html

from django.contrib.postgres.search import SearchHeadline

from articles.models import Article
from articles.search.query import ParsedQuery, own_language
from core.sql import Embedded, Sql, compiled, compose, fetch_all, table

HEADLINE_INPUT_CHARS = 20000  # the most of an article a snippet is cut from
HEADLINE_FIRST_CHARS = 3000  # what the first pass reads when no hit is found in the text
HEADLINE_NEAR_CHARS = 1000  # ... and when one is: so many characters from a little before it
HEADLINE_NEAR_BEFORE = 200  # how far before the first hit that window starts
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
    is given, as to_tsvector does, so it is given as little as will hold a hit
    (docs/decisions/0006-two-pass-snippets.md):

    1. HEADLINE_NEAR_CHARS characters from a little before the first place where one of the
       query's lexemes starts a word's letters in the text, lower-cased and unaccented as
       the lexemes are (`_first_hit`: a plain string search; folding 20,000 characters
       costs about an eighth of ts_headline's parse of 3,000); the first
       HEADLINE_FIRST_CHARS characters when none does (a stem that is not a prefix of its
       words: `citi` for "cities");
    2. when that marked nothing, for an article whose standfirst or body matches (the search
       vector's B and C weights say so) the whole text, up to HEADLINE_INPUT_CHARS (the
       place found was inside another word, the hit lies further on); for an article found
       by its headline or caption alone, the start of the text (nothing to mark)."""
    statement = compose(
        "WITH t AS MATERIALIZED (SELECT a.id, a.search_vector AS v, {config} AS config, {query} AS q,"
        " left(translate(coalesce(nullif(concat_ws(' — ', nullif(a.standfirst, ''), nullif(a.body_text, '')), ''),"
        " a.headline), E'\\x02\\x03', ''), {input_chars}) AS text FROM {articles} a WHERE a.id = ANY({ids}))"
        " , f AS MATERIALIZED (SELECT t.*, {first_hit} AS at FROM t)"
        " , g AS MATERIALIZED (SELECT f.*, CASE WHEN f.at IS NULL THEN {start_pass} ELSE {near_pass} END AS h FROM f)"
        " SELECT g.id, CASE WHEN strpos(g.h, E'\\x02') > 0 THEN g.h"
        " WHEN ts_filter(g.v, '{b,c}') @@ g.q THEN {whole_pass} WHEN g.at IS NULL THEN g.h ELSE {start_pass_g} END FROM g",
        query=_highlighted(query),
        config=_CONFIG_OF_ARTICLE,
        input_chars=HEADLINE_INPUT_CHARS,
        articles=table(Article),
        ids=ids,
        first_hit=_first_hit(),
        start_pass=_headline("f", "left(f.text, %s)", (HEADLINE_FIRST_CHARS,)),
        near_pass=_headline(
            "f",
            "CASE WHEN f.at <= %s THEN left(f.text, %s)"
            " ELSE regexp_replace(substr(f.text, f.at - %s, %s), '^\\S*\\s+', '') END",
            (HEADLINE_NEAR_BEFORE, HEADLINE_NEAR_CHARS, HEADLINE_NEAR_BEFORE, HEADLINE_NEAR_CHARS),
        ),
        whole_pass=_headline("g", "g.text"),
        start_pass_g=_headline("g", "left(g.text, %s)", (HEADLINE_FIRST_CHARS,)),
    )
    return {ident: mark(headline) for ident, headline in fetch_all(statement)}


def _first_hit() -> Sql:
    """Over a row `t` (its query q and text): the first place, in characters, where one of the
    query's lexemes (read from the query's text; a prefix `'lex':*` is its letters too)
    stands in the text lower-cased and unaccented, as the readings make their lexemes; NULL
    when none does. A place inside another word (`cris` in "écriseaux") or of a word another
    reading stems apart only costs the whole text's pass."""
    return Sql(
        "(SELECT min(nullif(strpos(n.folded, replace(m[1], '''''', '''')), 0))"
        " FROM (SELECT unaccent(lower(t.text)) AS folded OFFSET 0) n,"  # once per row, not per lexeme
        " regexp_matches(t.q::text, '''((?:[^'']|'''')+)''', 'g') m)"
    )


@functools.cache
def _headline(alias: str, text: str, params: tuple = ()) -> Sql:
    """ts_headline of `text` (SQL over `alias`, a row of a CTE, with `params`) for the row's query. The
    same for every search: compiled once per process (Django quotes each option through a
    cursor, a dozen round trips of Python a page)."""
    expression = SearchHeadline(
        Embedded(Sql(text, params)),
        Embedded(Sql(f"{alias}.q")),
        config=Embedded(Sql(f"{alias}.config")),
        **_OPTIONS,
    )
    return compiled(expression, model=Article)


def _highlighted(query: ParsedQuery) -> Sql:
    """What is marked in the row `a`: each of the words in its own language's reading, and the
    names of the entities the query names (an article found through them may not hold the
    words). Each word is marked wherever it stands: given a text that does not hold all of an
    AND's words, ts_headline marks them only in the text's first words, and a snippet's window
    seldom holds two words paragraphs apart. A phrase stays a phrase."""
    words = _any(query.own_reading("a", "included"))
    if query.named is None:
        return words
    return compose("({words} || {labels})", words=words, labels=own_language(query.named.labels, "a"))


def _any(words: Sql) -> Sql:
    """The tsquery with its ANDs made ORs (its text writes them ` & `, which no lexeme holds)."""
    return compose("replace(({words})::text, ' & ', ' | ')::tsquery", words=words)


def mark(headline: str) -> str:
    """Escape a ts_headline result, then turn its private highlight markers into <mark>."""
    return html.escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")
