"""Web-search syntax to a tsquery built from Django's search expressions: words, "phrases",
prefix* and -excluded terms, read in French, English and simple at once (docs/search.md)."""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
)
from django.db.models import Func, Q, Value

from articles.models import STEMMED_LANGUAGES, Article
from core.sql import Sql, compiled, compose

if TYPE_CHECKING:
    from articles.search.named import NamedEntities

MAX_QUERY_LENGTH = 200
MIN_PREFIX_LENGTH = 3
# The 400s a well-formed q can still get (documented in the API schema and docs/api.md).
ONLY_EXCLUSIONS = "Give at least one word to find: -word only excludes."
NOTHING_TO_FIND = "There is nothing to search for: give at least one word."
SHORT_PREFIX = f"Prefix searches need at least {MIN_PREFIX_LENGTH} letters before the *."
# Every configuration a query is read in (unaccent is in each, so accents never matter).
READINGS = ("newsroom_fr", "newsroom_en", "newsroom_simple")
# Prefixes are read unstemmed: websearch syntax drops the star, and a stemmed prefix breaks.
PREFIX_READING = "newsroom_simple"

_PREFIX_RE = re.compile(r"(?<![\w\"-])(\w+)\*")
# An excluded term as websearch_to_tsquery reads one: "-" at the start of a word, then a word,
# prefix* or "phrase"; an "OR" just before it goes with it (it would be left dangling).
_EXCLUDED_RE = re.compile(r'(?i:\bOR\s+)?(?<![^\s(])-\s*(?!-)("[^"]*"?|[^\s"()]+)')
_WORD_RE = re.compile(r"\w")
# A quoted phrase as websearch_to_tsquery reads one (an unclosed quote runs to the end).
_PHRASE_RE = re.compile(r'"([^"]*)"?')
_OR_RE = re.compile(r"(?i)\bor\b")
_WORD_SPLIT_RE = re.compile(r"\w+")
# Phrases whose text is words and plain punctuation: read alike by websearch_to_tsquery's
# phrase and by to_tsvector, which the pair filter relies on.
_PLAIN_PHRASE_RE = re.compile(r"[\w\s'’.,-]+")


class SearchError(ValueError):
    """A bad parameter; `param` names it for the client's error message."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


def clean_query(q: str) -> str:
    """`q` stripped (blank when there is nothing to search); SearchError("q") when it is too
    long or holds a NUL, which PostgreSQL refuses in text."""
    q = q.strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError("q", f"Ensure this value has at most {MAX_QUERY_LENGTH} characters.")
    if "\x00" in q:
        raise SearchError("q", "Null characters are not allowed.")
    return q


class NegatedSearchQuery(SearchQueryCombinable, Func):
    """!!(query) for a combined query: Django's ~ inverts a single SearchQuery only."""

    template = "!!(%(expressions)s)"
    output_field = SearchQueryField()


class _AllOf(SearchQueryCombinable, Func):
    """Its queries joined by &&, unbracketed: `x && a && b` is read ((x && a) && b)."""

    template = "%(expressions)s"
    arg_joiner = " && "
    output_field = SearchQueryField()


class ExcludingSearchQuery(CombinedSearchQuery):
    """included && !!excluded..., or the empty query when the included words keep no lexeme
    (e.g. only "²"): '' && !!x is !x, which matches nearly everything and no index finds."""

    def __init__(self, included: SearchQueryCombinable, negated: list[SearchQueryCombinable]):
        super().__init__(included, self.BITAND, _AllOf(*negated), config=None)

    def as_sql(self, compiler, connection):
        included, included_params = compiler.compile(self.lhs)
        negated, negated_params = compiler.compile(self.rhs)
        sql = f"(CASE WHEN numnode({included}) = 0 THEN ''::tsquery ELSE {included} && {negated} END)"
        return sql, [*included_params, *included_params, *negated_params]


# How each language's articles are read (articles.models.SEARCH_VECTOR_SQL): their own
# Snowball stemmer and the unstemmed form, never another language's stemmer; articles of any
# other language are indexed unstemmed. OTHER stands for those languages.
OTHER = ""
LANGUAGE_READINGS: dict[str, tuple[str, ...]] = {
    "fr": ("newsroom_fr", "newsroom_simple"),
    "en": ("newsroom_en", "newsroom_simple"),
    OTHER: ("newsroom_simple",),
}
_STEMMED_IN = "('fr', 'en')"  # the same, as SQL (and as the partial GIN indexes' predicates)


@dataclass(frozen=True)
class Reading:
    """The query as the articles of one language read it."""

    expression: SearchQueryCombinable  # what a match must hold, exclusions included
    match: Sql  # the same, compiled
    included: Sql  # the words to find alone: what is ranked (an exclusion only filters)
    excluded: Sql | None  # the excluded terms OR-ed, when there are any


@dataclass(frozen=True)
class RankedTerm:
    """One term of the included words, ranked on its own: a word, a "phrase" or a prefix*."""

    words: tuple[str, ...]  # its words, whose document frequencies weigh it (none for a prefix)
    readings: dict[str, Sql]  # its tsquery in each language's reading (LANGUAGE_READINGS' keys)
    exact: Sql  # its tsquery unstemmed
    prefix: str | None = None  # a prefix*'s letters, casefolded (articles/search/ranking.py ranks it apart)


@dataclass(frozen=True)
class ParsedQuery:
    readings: dict[str, Reading]  # by LANGUAGE_READINGS' keys
    exact: Sql  # the included words unstemmed (newsroom_simple), for the exact-form vector
    has_phrase: bool
    has_prefix: bool = False  # an included prefix* term
    has_or: bool = False  # an OR between included terms
    # The "phrases" every match must hold, as websearch_to_tsquery reads them, when their
    # word pairs can narrow the candidates (with_phrase_pairs); none when words are OR-ed.
    phrases: tuple[str, ...] = ()
    # The included words outside the phrases in every reading, which the pairs' estimate is made with.
    rest: Sql | None = None
    # Set by with_phrase_pairs: the pair condition (over `a`) and whether it stands for
    # every phrase of the query, so that the pairs' estimate is the phrases' too.
    pairs: Sql | None = None
    pairs_cover: bool = False
    # Set by with_named_entities (articles/search/named.py): the known entities the query names.
    named: NamedEntities | None = None
    # The included terms ranked one by one (none past MAX_RANKED_TERMS) and, set by
    # with_term_weights (articles/search/weights.py), the weight of each: rarer terms weigh more.
    terms: tuple[RankedTerm, ...] = ()
    weights: tuple[float, ...] = ()

    def text_match(self, alias: str = "a") -> Sql:
        """Whether the row `alias` matches in its own language's reading: one condition per
        language, each served by that language's partial GIN index (articles migration 0019)."""
        return matches_own_language({language: reading.match for language, reading in self.readings.items()}, alias)

    def own_reading(self, alias: str, part: str = "match") -> Sql:
        """The reading of the row `alias`'s language: its `match`, `included` or `excluded`
        tsquery (nothing when there is none)."""
        return own_language(
            {language: getattr(reading, part) or Sql("''::tsquery") for language, reading in self.readings.items()},
            alias,
        )

    @property
    def prefix_alone(self) -> bool:
        """Whether the whole score is one prefix's (no other word, no entity named): its
        first page is the newest matches of its best field (articles/search/ranking.py)."""
        return len(self.terms) == 1 and self.terms[0].prefix is not None and self.named is None

    @property
    def has_exclusions(self) -> bool:
        return self.readings[OTHER].excluded is not None

    def condition(self) -> Q:
        """The text match for querysets (the admin's search)."""
        other = ~Q(language__in=STEMMED_LANGUAGES) & Q(search_vector=self.readings[OTHER].expression)
        stemmed = [
            Q(language=language, search_vector=self.readings[language].expression) for language in STEMMED_LANGUAGES
        ]
        return functools.reduce(operator.or_, stemmed, other)


def matches_own_language(parts: dict[str, Sql], alias: str) -> Sql:
    """Whether the row `alias`'s search vector matches its own language's tsquery among
    per-language `parts` (LANGUAGE_READINGS' keys): one condition per language, each served by
    that language's partial GIN index, where `search_vector @@ own_language(...)` is served by
    none (its tsquery depends on the row) and tests every row it is given."""
    branches = [
        compose(f"({alias}.language = '{language}' AND {alias}.search_vector @@ {{query}})", query=parts[language])
        for language in STEMMED_LANGUAGES
    ]
    branches.append(
        compose(f"({alias}.language NOT IN {_STEMMED_IN} AND {alias}.search_vector @@ {{query}})", query=parts[OTHER])
    )
    return compose("({branches})", branches=Sql.join(" OR ", branches))


def own_language(parts: dict[str, Sql], alias: str) -> Sql:
    """The tsquery of the row `alias`'s language among per-language `parts` (LANGUAGE_READINGS' keys)."""
    return compose(
        f"CASE {alias}.language WHEN 'fr' THEN {{fr}} WHEN 'en' THEN {{en}} ELSE {{other}} END",
        fr=parts["fr"],
        en=parts["en"],
        other=parts[OTHER],
    )


def included_words(q: str) -> str:
    """The words of a web-search string a match must hold: excluded terms (-word,
    -"phrase", -prefix*) and OR operators taken out; quotes and stars are left to the caller."""
    included = _EXCLUDED_RE.sub(" ", q)
    return " ".join(_OR_RE.sub(" ", included).split())


def parse_query(q: str) -> ParsedQuery | None:
    """The tsquery of a web-search string in each language's reading; None for a blank one;
    SearchError("q") when it has nothing to find (only operators, only excluded words, a
    too short prefix).

    Excluded terms (-word, -"phrase", -prefix*) are taken out and negated once over the
    reading: inside each config's websearch_to_tsquery, "!'football'" read by one config
    would let through an article indexed with the other's lexeme."""
    q = clean_query(q)
    if not q:
        return None
    excluded = [term for term in _EXCLUDED_RE.findall(q) if _WORD_RE.search(term)]
    included = " ".join(_EXCLUDED_RE.sub(" ", q).split())
    if _terms(included, READINGS)[0] is None:
        if excluded:
            raise SearchError("q", ONLY_EXCLUSIONS)
        raise SearchError("q", NOTHING_TO_FIND)
    phrases = _required_phrases(included, _terms(included, READINGS)[1])
    rest = _terms(_PHRASE_RE.sub(" ", included), READINGS, stems=True)[0] if phrases else None
    return ParsedQuery(
        readings={language: _reading(included, excluded, configs) for language, configs in LANGUAGE_READINGS.items()},
        exact=_compiled(_terms(included, (PREFIX_READING,))[0]),
        has_phrase='"' in included,
        has_prefix=bool(_PREFIX_RE.search(included)),
        has_or=bool(_OR_RE.search(included)),
        phrases=tuple(phrases),
        rest=_compiled(rest) if rest is not None else None,
        terms=_ranked_terms(included),
    )


MAX_RANKED_TERMS = 8  # a longer query is ranked as a whole


def _ranked_terms(included: str) -> tuple[RankedTerm, ...]:
    """The included terms one by one: each "phrase", each prefix*, each other word (OR is
    an operator, not a word)."""
    texts = [f'"{phrase}"' for phrase in _PHRASE_RE.findall(included)]
    rest = _PHRASE_RE.sub(" ", included)
    texts += [f"{prefix}*" for prefix in _PREFIX_RE.findall(rest)]
    texts += [w for w in _PREFIX_RE.sub(" ", rest).split() if _WORD_RE.search(w) and not _OR_RE.fullmatch(w)]
    if len(texts) > MAX_RANKED_TERMS:
        return ()
    terms = []
    for text in texts:
        expression, _phrases = _terms(text, READINGS)
        if expression is None:
            continue
        prefix = _PREFIX_RE.fullmatch(text)  # not `x:*`, a word and stray operators
        terms.append(
            RankedTerm(
                words=() if prefix else tuple(_WORD_SPLIT_RE.findall(text.strip('"'))),
                readings={lang: _compiled(_terms(text, configs)[0]) for lang, configs in LANGUAGE_READINGS.items()},
                exact=_compiled(_terms(text, (PREFIX_READING,))[0]),
                prefix=prefix.group(1).casefold() if prefix else None,
            )
        )
    return tuple(terms)


def _reading(included: str, excluded: list[str], configs: tuple[str, ...]) -> Reading:
    words = _terms(included, configs)[0]
    expression = _terms(included, configs, stems=True)[0]
    negated = None
    if excluded:
        terms = [_terms(term, configs, stems=True)[0] for term in excluded]
        expression = ExcludingSearchQuery(expression, [_negated(term) for term in terms])
        negated = functools.reduce(operator.or_, terms)
    return Reading(
        expression=expression,
        match=_compiled(expression),
        included=_compiled(words),
        excluded=_compiled(negated) if negated is not None else None,
    )


def _terms(
    text: str, configs: tuple[str, ...], *, stems: bool = False
) -> tuple[SearchQueryCombinable | None, list[str]]:
    """The words, "phrases" and prefix* terms of `text` AND-ed (None when there are none),
    the words read in each of `configs` OR-ed, and the text of its "phrases".

    With `stems` (what a match must hold, not what is ranked), a prefix also matches its own
    word's stem in each stemming config: the vectors hold stems, and a prefix longer than its
    word's stem starts none (`economy*`: English `economi`; `elections*`: `elect`)."""
    prefixes = _PREFIX_RE.findall(text)
    for prefix in prefixes:
        if len(prefix) < MIN_PREFIX_LENGTH:
            raise SearchError("q", SHORT_PREFIX)
    words = _PREFIX_RE.sub(" ", text)
    parts = [_readings(words, configs)] if _WORD_RE.search(words) else []
    parts += [_prefix(p, configs if stems else ()) for p in prefixes]
    expression = None
    for part in parts:
        expression = part if expression is None else expression & part
    return expression, _PHRASE_RE.findall(words)


def _prefix(prefix: str, configs: tuple[str, ...]) -> SearchQueryCombinable:
    """The words `prefix` starts, unstemmed, or its own word's stem in each stemming config."""
    expression = SearchQuery(prefix.casefold() + ":*", config=PREFIX_READING, search_type="raw")
    for config in configs:
        if config != PREFIX_READING:
            expression = expression | SearchQuery(prefix, config=config, search_type="plain")
    return expression


def prefix_reading(prefixes: tuple[str, ...], language: str, weights: str = "") -> Sql:
    """What the prefixes match in one language's reading (LANGUAGE_READINGS' keys), as `_prefix`
    reads them: the words each starts, unstemmed, or its own word's stem; restricted to the
    fields of `weights` (search_vector's: A the headline, B the standfirst; none: anywhere)."""
    parts = []
    for prefix in prefixes:
        parts.append(compose(f"to_tsquery('{PREFIX_READING}'::regconfig, {{text}})", text=f"{prefix}:*{weights}"))
        for config in LANGUAGE_READINGS[language]:
            if config != PREFIX_READING:
                text = f"{prefix}:{weights}" if weights else prefix
                parts.append(compose(f"to_tsquery('{config}'::regconfig, {{text}})", text=text))
    return compose("({parts})", parts=Sql.join(" || ", parts))


def _readings(words: str, configs: tuple[str, ...]) -> SearchQueryCombinable:
    return functools.reduce(
        operator.or_, [SearchQuery(words, config=config, search_type="websearch") for config in configs]
    )


def _negated(expression: SearchQueryCombinable) -> SearchQueryCombinable:
    return ~expression if isinstance(expression, SearchQuery) else NegatedSearchQuery(expression)


def _required_phrases(included: str, phrases: list[str]) -> list[str]:
    """The phrases every match holds and to_tsvector reads as websearch_to_tsquery does.
    Only a phrase to find makes estimates unreliable: an excluded one is tested on rows the
    other words already found."""
    if _OR_RE.search(included) or not all(_PLAIN_PHRASE_RE.fullmatch(p) for p in phrases):
        return []  # an OR-ed phrase is not required; an odd one is not read as to_tsvector would
    return phrases


def _compiled(expression: SearchQueryCombinable) -> Sql:
    """The expression's SQL, bracketed as one operand (of @@, &&, ts_rank...): Django
    brackets a combined query itself."""
    sql = search_sql(expression)
    return sql if isinstance(expression, CombinedSearchQuery) else Sql(f"({sql.text})", sql.params)


def search_sql(expression: SearchQueryCombinable) -> Sql:
    """A search expression's SQL, as Django's compiler writes it."""
    return _written(expression) or compiled(expression, model=Article)


def _written(expression: SearchQueryCombinable) -> Sql | None:
    """The SQL Django's compiler writes for the search expressions this module builds, written
    directly (the compiler's generic walk cost about 1 ms a query, a dozen compilations); None
    for any other expression, which the compiler is then left to. Tested to be the compiler's
    own text and parameters (articles/tests/search/test_query.py)."""
    if isinstance(expression, ExcludingSearchQuery):
        included, negated = _written(expression.lhs), _written(expression.rhs)
        if included is None or negated is None:
            return None
        return compose("(CASE WHEN numnode({i}) = 0 THEN ''::tsquery ELSE {i} && {n} END)", i=included, n=negated)
    if isinstance(expression, CombinedSearchQuery):
        left, right = _written(expression.lhs), _written(expression.rhs)
        if left is None or right is None:
            return None
        return compose(f"({{left}} {expression.connector} {{right}})", left=left, right=right)
    if type(expression) in (NegatedSearchQuery, _AllOf):
        parts = [_written(part) for part in expression.get_source_expressions()]
        if any(part is None for part in parts):
            return None
        joined = Sql.join(expression.arg_joiner, parts)
        return Sql(expression.template % {"expressions": joined.text}, joined.params)
    if type(expression) is SearchQuery:
        *config, value = expression.get_source_expressions()
        if not isinstance(value, Value) or (config and not isinstance(config[0].config, Value)):
            return None
        arguments = (["%s::regconfig"] if config else []) + ["%s"]
        params = ((config[0].config.value,) if config else ()) + (value.value,)
        sql = f"{expression.function}({', '.join(arguments)})"
        return Sql(f"!!({sql})" if expression.invert else sql, params)
    return None
