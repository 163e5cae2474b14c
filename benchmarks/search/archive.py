"""The search benchmark's archive: N articles recombined from real texts with a fixed seed,
loaded with COPY into a database of their own, migrated like production, and marked for reuse."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import random
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from benchmarks import corpus
from benchmarks.corpus import ROOT

BENCH_DIR = ROOT / "var" / "bench"
DB_NAME = "newsroom_bench_archive"
# What the marker records: a run with another version or N rebuilds the archive.
GENERATOR_VERSION = 2  # 2: articles carry entity_ids
SEED = 20261125
CHUNK = 5000  # articles per generator chunk: each chunk has its own seed, so any process can make it
START = datetime(2011, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int(timedelta(days=365 * 15).total_seconds())
SECTIONS = ["politics", "business", "sport", "culture", "tech", "world"]
SECTION_WEIGHTS = [30, 20, 20, 10, 10, 10]
SOURCES = ["afp", "bbc", "wikinews", "newsroom"]
SOURCE_WEIGHTS = [50, 25, 15, 10]
PEOPLE = [
    "Tony Blair",
    "Gordon Brown",
    "Emmanuel Macron",
    "Angela Merkel",
    "Jacques Chirac",
    "Kofi Annan",
    "Paula Radcliffe",
    "Roger Federer",
    "Nicolas Sarkozy",
    "Michael Howard",
    "Charles Kennedy",
    "George Bush",
    "Vladimir Poutine",
    "Bill Gates",
    "Jose Mourinho",
    "Arsène Wenger",
    "Marine Le Pen",
    "Édouard Philippe",
    "Boris Johnson",
    "Donald Trump",
]
ORGANISATIONS = [
    "Labour",
    "Microsoft",
    "Union européenne",
    "BBC",
    "Chelsea",
    "Arsenal",
    "Nations unies",
    "SNCF",
    "Google",
    "Apple",
    "Banque de France",
    "Bank of England",
    "OTAN",
    "FIFA",
    "Sony",
    "Nasa",
    "Renault",
    "Airbus",
    "Parlement européen",
    "Conseil constitutionnel",
]
PLACES = [
    "Londres",
    "Paris",
    "Washington",
    "Bruxelles",
    "Berlin",
    "Irak",
    "Chine",
    "Lyon",
    "Marseille",
    "Manchester",
    "New York",
    "Moscou",
    "Tokyo",
    "Genève",
    "Madrid",
    "Rome",
    "Dublin",
    "Edinburgh",
    "Bordeaux",
    "Toulouse",
]
ENTITY_ROWS = (
    [("person", n) for n in PEOPLE] + [("organisation", n) for n in ORGANISATIONS] + [("place", n) for n in PLACES]
)
# Zipf-like: entity k (within its kind) is mentioned about 1/(k+1) as often as the first.
ENTITY_WEIGHTS = [1 / (1 + i % 20) for i in range(len(ENTITY_ROWS))]
ARTICLE_COLUMNS = (
    "id, headline, slug, standfirst, body, body_text, byline, dateline, language, photo_caption, photo_credit,"
    " status, published_at, external_id, source_url, rights, version, content_hash, tagging_status, tagging_error,"
    " tagging_attempts, tagged_hash, tagging_requested_at, tagged_at, tagging_claim, tagging_worker,"
    " created_at, updated_at, revision,"
    " section_id, source_id, entity_ids"
)
MENTION_COLUMNS = 'article_id, entity_id, field, start, "end", surface'
# The tables COPY fills (the search postings through their trigger): their indexes are built after.
LOADED_TABLES = ("articles_article", "entities_mention", "articles_searchposting")


class GeneratedArticle(NamedTuple):
    id: int
    lang: str
    headline: str
    standfirst: str
    paragraphs: list[str]
    published: datetime
    draft: bool
    section: int  # index into SECTIONS
    source: int  # index into SOURCES
    entities: list[int]  # indexes into ENTITY_ROWS


# --- Generator ---------------------------------------------------------------------------


def load_pools() -> corpus.Pools:
    """BBC texts (eight words for a headline), the French headlines and the open and demo
    Wikinews articles, each headline and paragraph once."""
    pools = corpus.pools(
        corpus.bbc_texts(headline_words=8),
        corpus.french_headlines(),
        _distinct_headlines(corpus.wikinews_texts(corpus.OPEN_WIKINEWS + corpus.DEMO_WIKINEWS, min_paragraph=60)),
    )
    for pool in pools.values():
        pool["paragraphs"] = [p for p in dict.fromkeys(pool["paragraphs"]) if len(p) > 60]
        pool["headlines"] = list(dict.fromkeys(pool["headlines"]))
    return pools


def _distinct_headlines(texts: Iterable[corpus.Text]) -> Iterator[corpus.Text]:
    """The texts whose headline has not come before (the demo repeats open Wikinews articles)."""
    seen = set()
    for lang, headline, paragraphs in texts:
        if headline not in seen:
            seen.add(headline)
            yield lang, headline, paragraphs


_POOLS: corpus.Pools | None = None


def pools() -> corpus.Pools:
    global _POOLS
    if _POOLS is None:
        _POOLS = load_pools()
    return _POOLS


def generate_chunk(chunk: int, n_total: int) -> list[GeneratedArticle]:
    """Articles chunk*CHUNK + 1 ... (ids from 1); the same for any process that asks."""
    rng = random.Random(SEED * 1_000_003 + chunk)
    p = pools()
    rows = []
    for i in range(chunk * CHUNK, min(n_total, (chunk + 1) * CHUNK)):
        lang = "fr" if rng.random() < 0.5 else "en"
        pool = p[lang]
        paragraphs = [rng.choice(pool["paragraphs"]) for _ in range(rng.randint(3, 6))]
        lead = corpus.sentences(rng.choice(pool["paragraphs"]))
        published = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        n_entities = rng.choice((0, 0, 1, 1, 1, 2, 3))
        entities = sorted(set(rng.choices(range(len(ENTITY_ROWS)), weights=ENTITY_WEIGHTS, k=n_entities)))
        # The draws below come in this order (headline after the entities): the archive a
        # seed gives must stay the same, or archives already built would not be reused.
        rows.append(
            GeneratedArticle(
                i + 1,
                lang,
                rng.choice(pool["headlines"]),
                lead[0] if lead else "",
                paragraphs,
                published,
                rng.random() < 0.01,
                rng.choices(range(len(SECTIONS)), weights=SECTION_WEIGHTS)[0],
                rng.choices(range(len(SOURCES)), weights=SOURCE_WEIGHTS)[0],
                entities,
            )
        )
    return rows


# --- COPY ----------------------------------------------------------------------------------


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def article_line(article: GeneratedArticle) -> str:
    """The article's row in COPY text format, columns as ARTICLE_COLUMNS."""
    ident = article.id
    body = json.dumps([{"type": "paragraph", "text": t} for t in article.paragraphs], ensure_ascii=False)
    body_text = "\n\n".join(article.paragraphs)
    digest = hashlib.sha256(f"{ident}|{article.headline}|{body_text}".encode()).hexdigest()
    when = article.published.isoformat()
    values = (
        ident,
        article.headline,
        f"bench-{ident}",
        article.standfirst,
        body,
        body_text,
        "Bench Desk",
        "",
        article.lang,
        "",
        "",
        "draft" if article.draft else "published",
        when,
        f"bench-{ident}",
        "",
        "© Bench",
        1,
        digest,
        "done",
        "",
        1,
        digest,
        when,
        when,
        "",
        "",
        when,
        when,
        1,  # revision: the first stored version (NOT NULL since articles 0018; no revision rows are made)
        article.section + 1,
        article.source + 1,
        "{" + ",".join(str(entity + 1) for entity in article.entities) + "}",  # what the mention triggers keep
    )
    return "\t".join(_copy_text(v) for v in values) + "\n"


def mention_lines(article: GeneratedArticle) -> str:
    """The article's mentions in COPY text format, columns as MENTION_COLUMNS (synthetic
    offsets: they only serve the entity filters)."""
    return "".join(
        f"{article.id}\t{entity + 1}\theadline\t{position}\t{position + 1}\t{_copy_text(ENTITY_ROWS[entity][1])}\n"
        for position, entity in enumerate(article.entities)
    )


def copy_chunk(args: tuple) -> int:
    """Generate one chunk and COPY its articles and mentions (runs in a worker process)."""
    import psycopg2

    chunk, n_total, conn_params = args
    rows = generate_chunk(chunk, n_total)
    articles = io.StringIO("".join(article_line(article) for article in rows))
    mentions = io.StringIO("".join(mention_lines(article) for article in rows))
    conn = psycopg2.connect(**conn_params)
    try:
        with conn, conn.cursor() as cur:
            cur.copy_expert(f"COPY articles_article ({ARTICLE_COLUMNS}) FROM STDIN", articles)
            cur.copy_expert(f"COPY entities_mention ({MENTION_COLUMNS}) FROM STDIN", mentions)
    finally:
        conn.close()
    return len(rows)


# --- The benchmark database ----------------------------------------------------------------


def admin_params(conn_params: dict) -> dict:
    return {k: v for k, v in conn_params.items() if k in ("host", "port", "user", "password")} | {"dbname": "postgres"}


def marker(conn_params: dict) -> tuple[int, int] | None:
    """(generator version, N) of the complete archive in that database; None when there is none."""
    import psycopg2

    admin = psycopg2.connect(**admin_params(conn_params))
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [conn_params["dbname"]])
            if not cur.fetchone():
                return None
    finally:
        admin.close()
    conn = psycopg2.connect(**conn_params)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('bench_archive_marker') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None
            cur.execute("SELECT version, articles FROM bench_archive_marker WHERE complete")
            row = cur.fetchone()
            return (row[0], row[1]) if row else None
    finally:
        conn.close()


def recreate_database(conn_params: dict) -> None:
    import psycopg2

    admin = psycopg2.connect(**admin_params(conn_params))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{conn_params["dbname"]}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{conn_params["dbname"]}"')
    finally:
        admin.close()


def create_reference_rows() -> None:
    """The sections, sources and entities the generated articles point at, by fixed ids."""
    from articles.models import Section, Source
    from entities.models import Entity

    for i, slug in enumerate(SECTIONS):
        Section.objects.create(id=i + 1, name=slug.capitalize(), slug=slug)
    for i, slug in enumerate(SOURCES):
        Source.objects.create(id=i + 1, name=slug.upper() if len(slug) < 5 else slug.capitalize(), slug=slug)
    for i, (kind, name) in enumerate(ENTITY_ROWS):
        slug = re.sub(
            r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        )
        Entity.objects.create(id=i + 1, kind=kind, name=name, slug=slug.strip("-"))


def prepare_load(n: int) -> list[tuple[str, str]]:
    """Mark the build as started, drop the secondary indexes (not those behind constraints)
    and turn the mention triggers off; returns the dropped indexes as (name, definition)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_archive_marker (version int, articles int, complete bool, built_at timestamptz)"
        )
        cur.execute("INSERT INTO bench_archive_marker VALUES (%s, %s, false, now())", [GENERATOR_VERSION, n])
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid::regclass::text = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [list(LOADED_TABLES)],
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        # The generator writes each article's entity_ids itself: the triggers that keep them
        # are off while the mentions are copied.
        cur.execute("ALTER TABLE entities_mention DISABLE TRIGGER USER")
    connection.close()
    return indexes


def load_rows(n: int, conn_params: dict, started: float) -> None:
    """Generate and COPY every chunk, two processes at a time."""
    chunks = (n + CHUNK - 1) // CHUNK
    done = 0
    print(f"archive: generating and loading {n:,} articles (COPY, 2 processes)...", flush=True)
    pools()  # loaded once, inherited by the forked workers
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for count in pool.imap_unordered(copy_chunk, [(c, n, conn_params) for c in range(chunks)]):
            done += count
            if done % 100_000 < CHUNK or done == n:
                print(f"  {done:,} articles loaded, {time.perf_counter() - started:.0f}s", flush=True)


def finish_load(n: int, indexes: list[tuple[str, str]]) -> None:
    """Rebuild the dropped indexes, turn the triggers back on, set the id sequence and the
    entities' article counts."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SET statement_timeout = 0")  # the site's timeout is for requests, not index builds
        cur.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            t = time.perf_counter()
            cur.execute(definition)
            print(f"  index {name}: {time.perf_counter() - t:.0f}s", flush=True)
        cur.execute("ALTER TABLE entities_mention ENABLE TRIGGER USER")
        cur.execute("SELECT setval(pg_get_serial_sequence('articles_article', 'id'), %s)", [n])
        cur.execute(
            "UPDATE entities_entity e SET article_count = (SELECT count(DISTINCT m.article_id) FROM entities_mention m"
            " JOIN articles_article a ON a.id = m.article_id WHERE m.entity_id = e.id AND a.status = 'published')"
        )
    connection.close()


def vacuum_and_mark_complete(conn_params: dict) -> str:
    """VACUUM ANALYZE, then mark the archive complete; returns the database's size."""
    import psycopg2

    conn = psycopg2.connect(**conn_params)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            t = time.perf_counter()
            cur.execute("VACUUM ANALYZE")
            print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.0f}s", flush=True)
            cur.execute("UPDATE bench_archive_marker SET complete = true, built_at = now()")
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cur.fetchone()[0]
    finally:
        conn.close()


def build_database(n: int, conn_params: dict) -> None:
    """A new database holding the generated archive of N articles."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    connection.close()
    recreate_database(conn_params)
    call_command("migrate", verbosity=0)
    create_reference_rows()
    indexes = prepare_load(n)
    load_rows(n, conn_params, started)
    finish_load(n, indexes)
    size = vacuum_and_mark_complete(conn_params)
    print(f"archive: {n:,} articles built in {time.perf_counter() - started:.0f}s, database {size}", flush=True)
