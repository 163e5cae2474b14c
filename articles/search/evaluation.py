"""The judged query set of the demo archive (articles/eval/), the ranking measures `make eval`
prints for it (nDCG@10, P@5, MRR@10) and the test of how a result's text matches its query, which
finds foreign-stem results (docs/search.md#quality)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

EVAL_DIR = Path(settings.BASE_DIR) / "articles" / "eval"
QUERIES_FILE = EVAL_DIR / "search_queries.jsonl"
JUDGMENTS_FILE = EVAL_DIR / "search_judgments.jsonl"
# The order the report lists the classes in; a query of any other class is refused.
QUERY_CLASSES = ("name", "topic", "phrase", "exclusion", "cross_language", "foreign_stem", "prefix")
GRADES = (0, 1, 2)
DEPTH = 10  # results read per query: nDCG@10, MRR@10, the pool's depth
RELEVANT = 1  # a result of at least this grade counts as relevant for P@5 and MRR


@dataclass(frozen=True)
class JudgedQuery:
    id: str
    text: str  # what the user types, as sent in `q`
    query_class: str
    language: str  # the language the user writes in
    need: str  # what the user wants, in one sentence: the grader judges against it


@dataclass(frozen=True)
class QueryScore:
    ndcg: float
    precision: float
    reciprocal_rank: float
    unjudged: int  # results in the top DEPTH without a grade (scored as 0)


def load_queries(path: Path = QUERIES_FILE) -> list[JudgedQuery]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record["class"] not in QUERY_CLASSES:
            raise ValueError(f"{path.name}:{number}: unknown class {record['class']!r}")
        queries.append(JudgedQuery(record["id"], record["query"], record["class"], record["language"], record["need"]))
    ids = [q.id for q in queries]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name}: duplicate query ids")
    return queries


def load_judgments(path: Path = JUDGMENTS_FILE) -> dict[str, dict[str, int]]:
    """{query id: {stable article id: grade}}; a later line for the same pair wins."""
    judgments: dict[str, dict[str, int]] = {}
    if not path.exists():
        return judgments
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record["grade"] not in GRADES:
            raise ValueError(f"{path.name}:{number}: grade must be one of {GRADES}")
        judgments.setdefault(record["query_id"], {})[record["article"]] = record["grade"]
    return judgments


def dcg(grades: Iterable[int]) -> float:
    """Discounted cumulative gain with the exponential gain 2^grade - 1 (an article about the
    need weighs three times one that only mentions it) and a log2(rank + 1) discount."""
    return sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(grades, 1))


def ndcg_at(ranked: Sequence[int], judged: Iterable[int], k: int = DEPTH) -> float:
    """DCG of the first k grades of a ranking over the DCG of the best ranking of every judged
    grade of the query; 0.0 when the query has no relevant article."""
    ideal = dcg(sorted(judged, reverse=True)[:k])
    return dcg(ranked[:k]) / ideal if ideal else 0.0


def precision_at(ranked: Sequence[int], k: int = 5) -> float:
    """Share of the first k places holding a relevant article (a missing result counts as not)."""
    return sum(1 for grade in ranked[:k] if grade >= RELEVANT) / k


def reciprocal_rank(ranked: Sequence[int], k: int = DEPTH) -> float:
    """1 / the rank of the first relevant article within the first k, else 0.0."""
    return next((1 / rank for rank, grade in enumerate(ranked[:k], 1) if grade >= RELEVANT), 0.0)


def score_ranking(ranking: Sequence[str], judged: dict[str, int]) -> QueryScore:
    """The measures of one system's ranking (stable article ids, best first) for one query."""
    top = list(ranking[:DEPTH])
    grades = [judged.get(article, 0) for article in top]
    return QueryScore(
        ndcg=ndcg_at(grades, judged.values()),
        precision=precision_at(grades),
        reciprocal_rank=reciprocal_rank(grades),
        unjudged=sum(1 for article in top if article not in judged),
    )


def mean_scores(scores: Sequence[QueryScore]) -> QueryScore:
    """The mean of each measure over queries (the unjudged results are summed)."""
    n = len(scores) or 1
    return QueryScore(
        ndcg=sum(s.ndcg for s in scores) / n,
        precision=sum(s.precision for s in scores) / n,
        reciprocal_rank=sum(s.reciprocal_rank for s in scores) / n,
        unjudged=sum(s.unjudged for s in scores),
    )


# --- How a result's text matches its query ------------------------------------------------

OWN = "own"  # every word matches under the article's own configuration or unstemmed
FOREIGN = "foreign"  # some word matches only under another language's stemmer
NO_TEXT_MATCH = "none"  # some word matches under no reading (found another way, e.g. an entity's labels)
STEMMED_CONFIGS = ("newsroom_fr", "newsroom_en")
_TERM_RE = re.compile(r'(-?)("[^"]*"?|[^\s"]+)')
_ARTICLE_TEXT = "concat_ws(' ', a.headline, a.standfirst, a.body_text, a.photo_caption)"
_OWN_CONFIG = (
    "(CASE a.language WHEN 'fr' THEN 'newsroom_fr'::regconfig WHEN 'en' THEN 'newsroom_en'::regconfig"
    " ELSE 'newsroom_simple'::regconfig END)"
)


def included_terms(text: str) -> list[tuple[str, bool]]:
    """(term, is_prefix) for each word, "phrase" or prefix* the query asks for, exclusions left
    out; a query with OR is one term, its alternatives read together."""
    tokens = _TERM_RE.findall(text)
    terms = [(t, t.endswith("*")) for negated, t in tokens if not negated and t.upper() != "OR"]
    if any(t.upper() == "OR" for _negated, t in tokens):
        return [(" ".join(t for t, _prefix in terms), False)]
    return terms


def _term_sql(term: str, is_prefix: bool, *, own_only: bool) -> tuple[str, list[str]]:
    """SQL true when the article (row of `v` below) matches the term under its own configuration
    or unstemmed (own_only), or under any reading the engine may use. A reading that keeps no
    lexeme (stop words only) does not constrain."""

    def test(vector: str, tsquery: str, value: str) -> tuple[str, list[str]]:
        return f"(numnode({tsquery}) = 0 OR {vector} @@ {tsquery})", [value, value]  # written twice

    if is_prefix:  # prefixes are read unstemmed by every engine
        return test("simple_vector", "to_tsquery('newsroom_simple', %s)", term.rstrip("*").casefold() + ":*")
    tests = [
        test("own_vector", "websearch_to_tsquery(own_config, %s)", term),
        test("simple_vector", "websearch_to_tsquery('newsroom_simple', %s)", term),
    ]
    if not own_only:
        tests += [test("own_vector", f"websearch_to_tsquery('{config}', %s)", term) for config in STEMMED_CONFIGS]
    return "(" + " OR ".join(sql for sql, _params in tests) + ")", [p for _sql, params in tests for p in params]


def text_matches(*, query_text: str, article_ids: Sequence[int]) -> dict[int, str]:
    """{article id: OWN | FOREIGN | NO_TEXT_MATCH}: how each article's text (headline, standfirst,
    body, caption) matches the words the query asks for, each word read on its own."""
    if not article_ids:
        return {}
    terms = included_terms(query_text)
    parts = {own_only: [_term_sql(t, prefix, own_only=own_only) for t, prefix in terms] for own_only in (True, False)}
    own_sql = " AND ".join(sql for sql, _params in parts[True]) or "true"
    any_sql = " AND ".join(sql for sql, _params in parts[False]) or "true"
    params = [p for own_only in (True, False) for _sql, ps in parts[own_only] for p in ps]
    # Each article's two vectors are built once (MATERIALIZED), then tested against every reading.
    vectors = (
        f"SELECT a.id, {_OWN_CONFIG} AS own_config, to_tsvector({_OWN_CONFIG}, {_ARTICLE_TEXT}) AS own_vector,"
        f" to_tsvector('newsroom_simple', {_ARTICLE_TEXT}) AS simple_vector"
        " FROM articles_article a WHERE a.id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v AS MATERIALIZED ({vectors}) SELECT id, {own_sql}, {any_sql} FROM v",  # noqa: S608 - fixed SQL, values as parameters
            [list(article_ids), *params],
        )
        return {pk: OWN if own else FOREIGN if any_ else NO_TEXT_MATCH for pk, own, any_ in cursor.fetchall()}
