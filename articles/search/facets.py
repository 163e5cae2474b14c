"""Facets of a search: the most frequent people, organisations, places, languages, sections
and years among its matches, counted exactly for small result sets and from a fixed random
sample of them for large ones: the matches whose id hashes into the sample's buckets
(docs/decisions/0021-facets-exact-or-sampled.md, docs/decisions/0034-facets-sampled-by-hashed-id.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from articles.models import Article, Language, Section
from articles.search import where
from articles.search.filters import ArticleFilters
from articles.search.query import ParsedQuery
from core.sql import Sql, compose, fetch_all, table
from entities.models import Entity, EntityKind

ENTITY_FACETS = tuple(EntityKind.values)  # person, organisation, place
FACETS = (*ENTITY_FACETS, "language", "section", "year")
DEFAULT_FACET_SIZE = 10
MAX_FACET_SIZE = 50
EXACT = "exact"
SAMPLE = "sample"
_LANGUAGE_NAMES = dict(Language.choices)
# Each article's sample bucket, from a hash of its id (articles migration 0026 indexes the same
# expression): a sample of a share s is the articles whose bucket is under s x BUCKETS.
BUCKETS = 65536
SAMPLE_BUCKET = "(('x' || substr(md5({alias}.id::text), 1, 4))::bit(16)::int)"


@dataclass(frozen=True)
class FacetTuning:
    """When facets are counted exactly, and how large a sample is read otherwise (the
    figures behind them: docs/decisions/0021-facets-exact-or-sampled.md)."""

    exact_limit: int = 8_000  # estimated matches up to which every match is read
    exact_cap: int = 40_000  # an exact count stops here (the estimate was too low): sample instead
    sample_matches: int = 2_000  # matches a sample aims for: its share is this over the estimate
    prefix_rows: int = 20_000  # a prefix's sample tests its rows one by one up to this many
    min_sample_matches: int = 100  # a sample holding fewer was drawn from a bad estimate


DEFAULT_FACET_TUNING = FacetTuning()


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with its number of matching articles. `value` is what the
    filter takes: an entity's id, a language code, a section's slug, a year."""

    value: int | str
    name: str
    count: int
    slug: str = ""  # entities and sections
    kind: str = ""  # entities


@dataclass(frozen=True)
class Facets:
    values: dict[str, list[FacetValue]]  # facet name -> its top values, most frequent first
    method: str  # EXACT, or SAMPLE: counted in a sample and scaled up
    sample_share: float | None = None  # with SAMPLE: the share of the articles the sample holds
    sampled: int = 0  # the matches counted (all of them when exact)

    @property
    def estimated(self) -> bool:
        return self.method == SAMPLE


def count_facets(
    filters: ArticleFilters,
    query: ParsedQuery | None,
    *,
    names: tuple[str, ...] | list[str],
    size: int = DEFAULT_FACET_SIZE,
    estimate: int,
    tuning: FacetTuning | None = None,
) -> Facets:
    """The `size` most frequent values of each facet named (FACETS) among the published
    articles a search matches (its filters resolved, its query prepared, as search_articles
    has them; `estimate` is the planner's number of matches), every condition applied.

    Exact when the planner estimates at most `exact_limit` matches (and the count confirms
    it); otherwise counted in a random sample of the matches, those whose id hashes into the
    sample's buckets (the same articles every time, so pages and reloads agree), and scaled
    up, which the result says (`method`, `sample_share`)."""
    tuning = tuning or DEFAULT_FACET_TUNING
    names = tuple(name for name in FACETS if name in names)
    if not names:
        return Facets({}, EXACT)
    matches = where.matching(filters, query)
    if estimate <= tuning.exact_limit:
        facets = _exact(matches, names, size, cap=tuning.exact_cap)
        if facets is not None:
            return facets
        estimate = max(estimate, tuning.exact_cap)
    # A prefix's index scan reads the postings of every word it starts (`minis*`: 277,000 matches
    # at 1M): when the matches are dense, its sample is found through the buckets' index alone,
    # each of the sample's rows tested (`prefix_rows` at most).
    prefixed = query is not None and query.has_prefix
    return _sampled(matches, names, size, estimate=estimate, tuning=tuning, prefixed=prefixed)


def _exact(matches: Sql, names: tuple[str, ...], size: int, *, cap: int) -> Facets | None:
    """Every match counted; None when there are more than `cap` (the estimate was too low)."""
    rows = _counted(matches, names, size, limit=cap + 1)
    total = _total(rows)
    if total > cap:
        return None
    return Facets(_values(rows, names, size, scale=1.0), EXACT, sampled=total)


def _sampled(
    matches: Sql, names: tuple[str, ...], size: int, *, estimate: int, tuning: FacetTuning, prefixed: bool = False
) -> Facets:
    """The matches in a random share of the buckets, counts scaled by 1 / share. The share aims
    at `sample_matches` matches; only those are read from the table, found by intersecting the
    buckets' index with the words'. A prefix's sample, when it holds at most `prefix_rows` of
    the table's rows, is found through the buckets' index alone, each row tested."""
    buckets = math.ceil(BUCKETS * tuning.sample_matches / max(estimate, 1))
    if buckets >= BUCKETS:  # every match would be in the sample
        rows = _counted(matches, names, size)
        return Facets(_values(rows, names, size, scale=1.0), EXACT, sampled=_total(rows))
    share = buckets / BUCKETS
    alone = prefixed and share * _table_rows() <= tuning.prefix_rows
    rows = _counted(where.hidden_from_index(matches) if alone else matches, names, size, buckets=buckets)
    total = _total(rows)
    if total < tuning.min_sample_matches:
        # So few matches in the sample: the estimate was far too high and the matches are
        # few enough to count them all.
        exact = _exact(matches, names, size, cap=tuning.exact_cap)
        if exact is not None:
            return exact
    return Facets(_values(rows, names, size, scale=1 / share), SAMPLE, sample_share=share, sampled=total)


def _table_rows() -> int:
    """The articles table's size as the planner knows it (kept by ANALYZE and autovacuum)."""
    [(rows,)] = fetch_all(
        compose(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = {name}::regclass",
            name=Article._meta.db_table,
        )
    )
    return max(int(rows), 1)


def _counted(
    matches: Sql, names: tuple[str, ...], size: int, *, buckets: int | None = None, limit: int | None = None
) -> list[tuple]:
    """One statement: the matches (those in the first `buckets` sample buckets) read once into
    `m`, then one GROUP BY per facet, each cut to its top `size` values. Rows: (facet, value,
    name, slug, kind, count), the first ("", ...) holding the number of rows counted. The
    sample's condition is its own index's: the planner intersects it with the words' indexes."""
    sampling = (
        compose(SAMPLE_BUCKET.format(alias="a") + " < {buckets} AND ", buckets=buckets)
        if buckets is not None
        else Sql("")
    )
    parts = [Sql("SELECT '', NULL, NULL, NULL, NULL, count(*) FROM m")]
    kinds = [name for name in names if name in ENTITY_FACETS]
    if kinds:
        # The array is kept by the database (docs/decisions/0002-entity-ids-array.md): one
        # unnest and GROUP BY gives every entity's count, the join keeps active ones.
        parts.append(
            compose(
                "SELECT t.kind, t.id::text, t.name, t.slug, t.kind, t.n FROM"
                " (SELECT e.kind, e.id, e.name, e.slug, c.n,"
                " row_number() OVER (PARTITION BY e.kind ORDER BY c.n DESC, e.name, e.id) AS r FROM"
                " (SELECT u.id, count(*) AS n FROM m, unnest(m.entity_ids) AS u(id) GROUP BY u.id) c"
                " JOIN {entities} e ON e.id = c.id WHERE e.status = 'active' AND e.kind = ANY({kinds})) t"
                " WHERE t.r <= {size}",
                entities=table(Entity),
                kinds=kinds,
                size=size,
            )
        )
    if "language" in names:
        parts.append(Sql("SELECT 'language', m.language, NULL, NULL, NULL, count(*) FROM m GROUP BY m.language"))
    if "section" in names:
        parts.append(
            compose(
                "SELECT 'section', s.slug, s.name, s.slug, NULL, c.n FROM"
                " (SELECT m.section_id, count(*) AS n FROM m WHERE m.section_id IS NOT NULL GROUP BY m.section_id) c"
                " JOIN {sections} s ON s.id = c.section_id",
                sections=table(Section),
            )
        )
    if "year" in names:
        # Years of the newsroom's calendar, as the reader site's dates are.
        parts.append(
            compose(
                "SELECT 'year', y.year::text, NULL, NULL, NULL, count(*) FROM"
                " (SELECT extract(year FROM m.published_at AT TIME ZONE {zone})::int AS year FROM m) y GROUP BY y.year",
                zone=settings.TIME_ZONE,
            )
        )
    statement = compose(
        "WITH m AS MATERIALIZED (SELECT a.entity_ids, a.language, a.section_id, a.published_at"
        " FROM {articles} a WHERE {sampling}{matches}{limit}) {facets}",
        limit=compose(" LIMIT {limit}", limit=limit) if limit else Sql(""),
        articles=table(Article),
        sampling=sampling,
        matches=matches,
        facets=Sql.join(" UNION ALL ", [compose("({part})", part=part) for part in parts]),
    )
    return fetch_all(statement)


def _total(rows: list[tuple]) -> int:
    return next(row[5] for row in rows if row[0] == "")


def _values(rows: list[tuple], names: tuple[str, ...], size: int, *, scale: float) -> dict[str, list[FacetValue]]:
    values: dict[str, list[FacetValue]] = {name: [] for name in names}
    for facet, value, name, slug, kind, count in rows:
        if facet not in values:
            continue
        count = max(1, round(count * scale))
        if facet in ENTITY_FACETS:
            values[facet].append(FacetValue(int(value), name, count, slug=slug, kind=kind))
        elif facet == "language":
            values[facet].append(FacetValue(value, _LANGUAGE_NAMES.get(value, value), count))
        elif facet == "section":
            values[facet].append(FacetValue(value, name, count, slug=slug))
        else:
            values[facet].append(FacetValue(int(value), value, count))
    return {name: _top(found, size) for name, found in values.items()}


def _top(found: list[FacetValue], size: int) -> list[FacetValue]:
    """The most frequent first; between equals, by name (years: the latest first)."""
    return sorted(found, key=lambda v: (-v.count, -v.value if isinstance(v.value, int) else 0, v.name))[:size]


def year_span(year: int) -> tuple[datetime, datetime]:
    """The first and last instants of a year of the newsroom's calendar (TIME_ZONE), as a
    year facet counts it."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime(year, 1, 1, tzinfo=zone), datetime(year, 12, 31, 23, 59, 59, 999999, tzinfo=zone)
