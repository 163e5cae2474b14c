"""Entity-aware search: the known entities a query names (entities.search.entities_named_in)
and what they add to the match and the rank (docs/search.md#entities-in-a-query).

An article that mentions a named entity (its `entity_ids`, kept from the tagging's mentions)
matches even when its words differ, so `Copenhagen` finds the story that says Copenhague;
when the entity is named by only some of the query's words (`Kabul hotel attack`), such an
article must also hold one of the other words in its own reading. Excluded terms exclude
these matches too."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchQuery

from articles.search.planner import DEFAULT_TUNING
from articles.search.query import (
    LANGUAGE_READINGS,
    ParsedQuery,
    included_words,
    matches_own_language,
    own_language,
    search_sql,
)
from core.sql import Sql, compose
from entities.models import Entity, name_key
from entities.search import entities_named_in

# An entity named by a run of the query's words brings the articles that mention it on their
# own when it has fewer published articles than this (as many as the planner ranks in full:
# planner.SearchTuning.rank_all_below), so that they can never push the articles holding every
# word out of a broad query's candidates; a broader one brings only those that also hold
# another of the query's words.
ENTITY_ALONE_BELOW = DEFAULT_TUNING.rank_all_below


@dataclass(frozen=True)
class EntityGroup:
    """The entities one run of the query's words names."""

    ids: tuple[int, ...]
    words: tuple[str, ...]  # the run of the query's words that names them (name keys)
    article_count: int  # the published articles mentioning them (their sum)
    share: float  # the share of the query's words in the run
    # The query's other words OR-ed, in each language's reading; None when the run is the whole query.
    others: dict[str, Sql] | None
    # How surely the run names them rather than being just words: set by with_term_weights
    # (articles/search/weights.py) from the words' document frequency, 1 until then.
    confidence: float = 1.0


@dataclass(frozen=True)
class NamedEntities:
    entities: tuple[Entity, ...]  # what the answer lists, best first
    groups: tuple[EntityGroup, ...]
    labels: dict[str, Sql]  # every name and alias of the entities, OR-ed phrases, in each reading
    # Whether the search's entity filters narrow the articles: a broad entity's mentions among
    # them are then few, and testing each for the other words beats reading their postings.
    filtered: bool = False

    @property
    def ids(self) -> list[int]:
        return [entity.id for entity in self.entities]


def with_named_entities(query: ParsedQuery, q: str, *, language: str = "", filtered: bool = False) -> ParsedQuery:
    """The query with the entities it names (none when it names none): matched, ranked and
    highlighted through their mentions and labels. `language`, the search's language filter,
    keeps the entities its articles mention; `filtered`, whether entity filters narrow the
    search (see entity_match)."""
    entities = entities_named_in(q, language=language or None)
    if not entities:
        return query
    words = name_key(included_words(q)).split()
    runs: dict[str, list[Entity]] = {}
    for entity in entities:
        runs.setdefault(entity.matched_words, []).append(entity)
    groups = tuple(
        EntityGroup(
            ids=tuple(e.id for e in named),
            words=tuple(run.split()),
            article_count=sum(e.article_count for e in named),
            share=len(run.split()) / len(words),
            others=_others(words, run.split()),
        )
        for run, named in runs.items()
    )
    return replace(query, named=NamedEntities(tuple(entities), groups, _labels(entities), filtered))


def _others(words: list[str], run: list[str]) -> dict[str, Sql] | None:
    """The query's words outside the run (which starts or ends it), OR-ed, per reading."""
    start = 0 if words[: len(run)] == run else len(words) - len(run)
    others = words[:start] + words[start + len(run) :]
    if not others:
        return None
    return {language: _any_of(others, configs) for language, configs in LANGUAGE_READINGS.items()}


def _any_of(texts: list[str], configs: tuple[str, ...]) -> Sql:
    """Any of the texts (each as a phrase) read in any of the configs: a tsquery."""
    queries = [SearchQuery(f'"{text}"', config=config, search_type="websearch") for text in texts for config in configs]
    return search_sql(functools.reduce(operator.or_, queries))


def _labels(entities: list[Entity]) -> dict[str, Sql]:
    names = {entity.name for entity in entities} | {name for entity in entities for name in entity.alias_names}
    texts = sorted(name.replace('"', " ") for name in names)
    return {language: _any_of(texts, configs) for language, configs in LANGUAGE_READINGS.items()}


def entity_match(query: ParsedQuery, alias: str = "a") -> Sql | None:
    """The articles found through the named entities (None when there are none): mentioning
    an entity the whole query names, or one a run names and holding another of the words,
    and none of the excluded terms."""
    named = query.named
    if named is None:
        return None
    branches = []
    for group in named.groups:
        mentions = compose(f"{alias}.entity_ids && {{ids}}::bigint[]", ids=list(group.ids))
        if group.others is not None and group.article_count >= ENTITY_ALONE_BELOW:
            # Per language, so that GIN intersects the entity's postings with the words' (a
            # CASE over the row's language tests each of the entity's articles in turn: 1.9 s
            # for London's at a million articles). With entity filters, the entity's articles
            # among theirs are few, and testing each beats reading a common word's postings
            # (`labour home` + an organisation: 1,362 articles, against 104,161 for `home`).
            others = (
                compose(f"{alias}.search_vector @@ {{others}}", others=own_language(group.others, alias))
                if named.filtered
                else matches_own_language(group.others, alias)
            )
            mentions = compose("({mentions} AND {others})", mentions=mentions, others=others)
        branches.append(mentions)
    match = compose("({branches})", branches=Sql.join(" OR ", branches))
    if query.has_exclusions:
        match = compose(
            "({match} AND NOT ({alias}.search_vector @@ {excluded}))",
            match=match,
            alias=Sql(alias),
            excluded=query.own_reading(alias, "excluded"),
        )
    return match
