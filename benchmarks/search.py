"""Full-text search at archive size, through the partner API, beside Tantivy.

    python -m benchmarks search [--articles=1000000] [--rebuild] [--database=NAME] [--repeat=3]
    make bench BENCH_ARGS="search --articles=20000"

1. Archive. A generator (fixed seed, at run time, never checked in) recombines real texts:
   English articles take a BBC headline and BBC paragraphs (restricted/bbc_*.csv, Wikinews
   English too), French ones a real French headline (restricted/fr_headlines_2020-01-10.csv)
   or a Wikinews title and French Wikinews paragraphs (open/articles/*.jsonl, demo/*.jsonl);
   about half each; a standfirst is one real sentence; 3-6 paragraphs; publication times
   spread over 15 years independently of the id (like a back-filled archive); 6 sections,
   4 sources, 1% drafts; 60 entities with a skewed number of mentions (0-3 per article;
   mention offsets are synthetic: they only serve the person/organisation/place filters).
   Rows go in with COPY (two processes) into the dedicated database `newsroom_bench_archive`
   of the private cluster, migrated like production: the stored weighted tsvector is the
   migrations' generated column, computed by PostgreSQL. The secondary indexes are dropped
   before the COPY and rebuilt after it, then VACUUM ANALYZE. A marker table
   (`bench_archive_marker`: generator version, N) lets the next run reuse the database and
   the Tantivy index; `--rebuild` forces a new build.
2. Tantivy (`tantivy` package, in-process): the same published rows, headline (boost 2),
   standfirst (boost 1.5) and body per language with lowercase + ASCII folding + the
   Snowball stemmer of the article's language; language, section, source as raw terms, the
   publication time as a fast integer, entity ids as terms. Index under var/bench/.
3. Queries: a fixed, seeded set (>= 150) derived from the same texts: common words, rare
   words (and a few absent ones), two-word ANDs, "phrases" (including frequent-word
   pairs), -exclusions, prefix* (3 to 7 letters), and the same kinds with filters
   (language, section, source, dates, person/organisation/place). Tantivy gets the
   equivalent query (words required, phrases, must-not, prefixes as regex over the folded
   terms, filters as term/range queries).
4. Timing. gunicorn (2 workers, DEBUG off, as production) on a localhost port against the
   bench database, a real API key, one keep-alive client (http.client). Each request is
   timed 3 times (after one untimed warm-up), the median kept; p50/p95/max over the queries,
   per mode: relevance and newest first, first page and a deep page (page 5, reached by
   following `next`), and the deep-page delta per query. Ours is the whole API answer over
   HTTP (search, estimated count, snippets, entities, JSON); Tantivy's is the in-process
   top 20 + count (page 5: offset 80), no HTTP, no snippets. The ratio is ours / Tantivy.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
BENCH_DIR = ROOT / "var" / "bench"
DB_NAME = "newsroom_bench_archive"
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
TEXT_FIELDS = [f"{lang}_{part}" for lang in ("en", "fr") for part in ("headline", "standfirst", "body")]
BOOSTS = {f: {"headline": 2.0, "standfirst": 1.5, "body": 1.0}[f.split("_")[1]] for f in TEXT_FIELDS}
DEEP_PAGE = 5
PAGE_SIZE = 20
QUERY_CLASSES = ["common", "rare", "and", "phrase", "exclusion", "prefix", "filtered"]
MODES = [
    ("relevance", "relevance, page 1"),
    ("newest", "newest first, page 1"),
    ("relevance_deep", f"relevance, page {DEEP_PAGE}"),
    ("newest_deep", f"newest first, page {DEEP_PAGE}"),
]

# --- Source texts --------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'«À-Ý])", text) if s.strip()]


def load_pools() -> dict[str, dict[str, list[str]]]:
    """Real headlines and paragraphs per language, in a fixed order."""
    restricted = DATA / "restricted"
    bbc = sorted(restricted.glob("bbc_*.csv"))
    french = restricted / "fr_headlines_2020-01-10.csv"
    if not bbc or not french.exists():
        sys.exit(f"the restricted texts are not available in {restricted}: cannot build the archive")
    pools = {"en": {"headlines": [], "paragraphs": []}, "fr": {"headlines": [], "paragraphs": []}}
    for path in bbc:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                words = row["text"].split()
                pools["en"]["headlines"].append(" ".join(words[:8]))
                sentences = _sentences(" ".join(words[8:]))
                pools["en"]["paragraphs"].extend(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
    with open(french, newline="", encoding="utf-8") as f:
        # no header line: title, timestamp, id, category, ranks
        pools["fr"]["headlines"].extend(row[0].strip() for row in csv.reader(f) if row and row[0].strip())
    seen = set()
    paths = sorted((DATA / "open" / "articles").glob("*.jsonl")) + sorted((ROOT / "demo").glob("*.jsonl"))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                lang = record.get("lang", "")
                if lang not in pools or record["title"] in seen:
                    continue
                seen.add(record["title"])
                pools[lang]["headlines"].append(record["title"])
                pools[lang]["paragraphs"].extend(p.strip() for p in record["body"].split("\n\n") if len(p) > 60)
    for pool in pools.values():
        pool["paragraphs"] = [p for p in dict.fromkeys(pool["paragraphs"]) if len(p) > 60]
        pool["headlines"] = list(dict.fromkeys(pool["headlines"]))
    return pools


# --- Generator ---------------------------------------------------------------------------

_POOLS: dict | None = None


def pools() -> dict:
    global _POOLS
    if _POOLS is None:
        _POOLS = load_pools()
    return _POOLS


def generate_chunk(chunk: int, n_total: int) -> list[tuple]:
    """Articles chunk*CHUNK ... as (id, lang, headline, standfirst, paragraphs, published_at,
    draft, section, source, entity indexes); the same for any process that asks."""
    rng = random.Random(SEED * 1_000_003 + chunk)
    p = pools()
    rows = []
    for i in range(chunk * CHUNK, min(n_total, (chunk + 1) * CHUNK)):
        lang = "fr" if rng.random() < 0.5 else "en"
        pool = p[lang]
        paragraphs = [rng.choice(pool["paragraphs"]) for _ in range(rng.randint(3, 6))]
        lead = _sentences(rng.choice(pool["paragraphs"]))
        published = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        n_entities = rng.choice((0, 0, 1, 1, 1, 2, 3))
        entities = sorted(set(rng.choices(range(len(ENTITY_ROWS)), weights=ENTITY_WEIGHTS, k=n_entities)))
        rows.append(
            (
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


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


ARTICLE_COLUMNS = (
    "id, headline, slug, standfirst, body, body_text, byline, dateline, language, photo_caption, photo_credit,"
    " status, published_at, external_id, source_url, rights, version, content_hash, tagging_status, tagging_error,"
    " tagging_attempts, tagged_hash, tagging_requested_at, tagged_at, tagging_claim, created_at, updated_at,"
    " section_id, source_id, entity_ids"
)
MENTION_COLUMNS = 'article_id, entity_id, field, start, "end", surface'


def copy_chunk(args: tuple) -> int:
    """Generate one chunk and COPY its articles and mentions (runs in a worker process)."""
    import io

    import psycopg2

    chunk, n_total, conn_params = args
    rows = generate_chunk(chunk, n_total)
    articles, mentions = io.StringIO(), io.StringIO()
    for ident, lang, headline, standfirst, paragraphs, published, draft, section, source, entities in rows:
        body = json.dumps([{"type": "paragraph", "text": t} for t in paragraphs], ensure_ascii=False)
        body_text = "\n\n".join(paragraphs)
        digest = hashlib.sha256(f"{ident}|{headline}|{body_text}".encode()).hexdigest()
        when = published.isoformat()
        values = (
            ident,
            headline,
            f"bench-{ident}",
            standfirst,
            body,
            body_text,
            "Bench Desk",
            "",
            lang,
            "",
            "",
            "draft" if draft else "published",
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
            when,
            when,
            section + 1,
            source + 1,
            "{" + ",".join(str(entity + 1) for entity in entities) + "}",  # what the mention triggers keep
        )
        articles.write("\t".join(_copy_text(v) for v in values) + "\n")
        for position, entity in enumerate(entities):
            name = ENTITY_ROWS[entity][1]
            mentions.write(f"{ident}\t{entity + 1}\theadline\t{position}\t{position + 1}\t{_copy_text(name)}\n")
    conn = psycopg2.connect(**conn_params)
    try:
        with conn, conn.cursor() as cur:
            articles.seek(0)
            cur.copy_expert(f"COPY articles_article ({ARTICLE_COLUMNS}) FROM STDIN", articles)
            mentions.seek(0)
            cur.copy_expert(f"COPY entities_mention ({MENTION_COLUMNS}) FROM STDIN", mentions)
    finally:
        conn.close()
    return len(rows)


# --- The benchmark database ----------------------------------------------------------------


def admin_params(conn_params: dict) -> dict:
    return {k: v for k, v in conn_params.items() if k in ("host", "port", "user", "password")} | {"dbname": "postgres"}


def marker(conn_params: dict) -> tuple[int, int] | None:
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


def build_database(n: int, conn_params: dict) -> None:
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Section, Source
    from entities.models import Entity

    started = time.perf_counter()
    connection.close()
    recreate_database(conn_params)
    call_command("migrate", verbosity=0)
    for i, slug in enumerate(SECTIONS):
        Section.objects.create(id=i + 1, name=slug.capitalize(), slug=slug)
    for i, slug in enumerate(SOURCES):
        Source.objects.create(id=i + 1, name=slug.upper() if len(slug) < 5 else slug.capitalize(), slug=slug)
    for i, (kind, name) in enumerate(ENTITY_ROWS):
        slug = re.sub(
            r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        )
        Entity.objects.create(id=i + 1, kind=kind, name=name, slug=slug.strip("-"))
    tables = ("articles_article", "entities_mention")
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_archive_marker (version int, articles int, complete bool, built_at timestamptz)"
        )
        cur.execute("INSERT INTO bench_archive_marker VALUES (%s, %s, false, now())", [GENERATOR_VERSION, n])
        # Secondary indexes (not those behind constraints) are rebuilt after the load.
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid::regclass::text = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [list(tables)],
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        # The generator writes each article's entity_ids itself: the triggers that keep them
        # are off while the mentions are copied.
        cur.execute("ALTER TABLE entities_mention DISABLE TRIGGER USER")
    connection.close()
    chunks = (n + CHUNK - 1) // CHUNK
    done = 0
    print(f"archive: generating and loading {n:,} articles (COPY, 2 processes)...", flush=True)
    pools()  # loaded once, inherited by the forked workers
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for count in pool.imap_unordered(copy_chunk, [(c, n, conn_params) for c in range(chunks)]):
            done += count
            if done % 100_000 < CHUNK or done == n:
                print(f"  {done:,} articles loaded, {time.perf_counter() - started:.0f}s", flush=True)
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
            size = cur.fetchone()[0]
    finally:
        conn.close()
    print(f"archive: {n:,} articles built in {time.perf_counter() - started:.0f}s, database {size}", flush=True)


# --- Tantivy -------------------------------------------------------------------------------


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=f"{name[:2]}_fold")
    for name in ("language", "section", "source"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_integer_field("entities", indexed=True)
    return builder.build()


def open_tantivy(path: Path, create: bool = False):
    import tantivy

    if create:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
    index = tantivy.Index(tantivy_schema(), path=str(path))
    for lang, stemmer in (("en", "english"), ("fr", "french")):
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer(stemmer))
            .build()
        )
        index.register_tokenizer(f"{lang}_fold", analyzer)
    return index


def build_tantivy(n: int, path: Path) -> None:
    import tantivy

    started = time.perf_counter()
    index = open_tantivy(path, create=True)
    writer = index.writer(heap_size=1_000_000_000, num_threads=2)
    for chunk in range((n + CHUNK - 1) // CHUNK):
        for (
            ident,
            lang,
            headline,
            standfirst,
            paragraphs,
            published,
            draft,
            section,
            source,
            entities,
        ) in generate_chunk(chunk, n):
            if draft:
                continue
            doc = tantivy.Document()
            doc.add_integer("id", ident)
            doc.add_text(f"{lang}_headline", headline)
            doc.add_text(f"{lang}_standfirst", standfirst)
            doc.add_text(f"{lang}_body", "\n\n".join(paragraphs))
            doc.add_text("language", lang)
            doc.add_text("section", SECTIONS[section])
            doc.add_text("source", SOURCES[source])
            doc.add_integer("published", int(published.timestamp()))
            for entity in entities:
                doc.add_integer("entities", entity + 1)
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    size = sum(f.stat().st_size for f in path.iterdir()) / 2**20
    print(f"tantivy: indexed in {time.perf_counter() - started:.0f}s, {size:.0f} MiB", flush=True)


_TOKEN_RE = re.compile(r'(-?)("[^"]*"?|[^\s"]+)')
_ID_FILTERS = ("person", "organisation", "place")


def tantivy_query(index, q: str, filters: dict):
    """The Tantivy equivalent of our web-search syntax plus the API filters."""
    import tantivy

    schema = index.schema
    must, must_not = [], []
    for negated, token in _TOKEN_RE.findall(q):
        if token.upper() == "OR":
            continue
        if token.startswith('"'):
            words = re.findall(r"\w+", token)
            sub = index.parse_query('"' + " ".join(words) + '"', TEXT_FIELDS, field_boosts=BOOSTS) if words else None
        elif token.endswith("*"):
            prefix = fold(token.rstrip("*"))
            sub = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.regex_query(schema, f, re.escape(prefix) + ".*"))
                    for f in TEXT_FIELDS
                ]
            )
        else:
            words = re.findall(r"\w+", token)
            sub = index.parse_query(" AND ".join(words), TEXT_FIELDS, field_boosts=BOOSTS) if words else None
        if sub is not None:
            (must_not if negated else must).append(sub)
    clauses = [(tantivy.Occur.Must, s) for s in must] + [(tantivy.Occur.MustNot, s) for s in must_not]
    for name in ("language", "section", "source"):
        if filters.get(name):
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, name, filters[name])))
    for name in _ID_FILTERS:
        if filters.get(name):
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "entities", int(filters[name]))))
    after, before = filters.get("published_after"), filters.get("published_before")
    if after or before:
        bound = [int(datetime.fromisoformat(v).timestamp()) if v else None for v in (after, before)]
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.range_query(schema, "published", tantivy.FieldType.Integer, *bound))
        )
    return tantivy.Query.boolean_query(clauses)


# --- Queries --------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W\d_]+")


def make_queries(entity_ids: dict[str, list[int]]) -> list[dict]:
    """The fixed query set: [{class, q, filters}], derived from the pools with a fixed seed."""
    rng = random.Random(SEED)
    p = pools()
    by_lang = {}
    for lang in ("en", "fr"):
        df = Counter()
        docs = p[lang]["paragraphs"] + p[lang]["headlines"]
        for text in docs:
            df.update({w for w in _WORD_RE.findall(text.lower()) if len(w) >= 4})
        ranked = [w for w, _ in df.most_common()]
        by_lang[lang] = {
            "ranked": ranked,
            "common": ranked[60:400],
            "mid": ranked[400:3000],
            "rare": sorted(w for w, c in df.items() if c == 1 and len(w) >= 7 and w.isalpha()),
            "top": set(ranked[:60]),
            "paragraphs": p[lang]["paragraphs"],
        }

    def lang_pick() -> str:
        return "fr" if rng.random() < 0.5 else "en"

    def pair(lang: str, adjacent: bool, band: str = "mid") -> tuple[str, str]:
        words_ok = (
            set(by_lang[lang]["common"]) | set(by_lang[lang]["mid"])
            if band != "common"
            else set(by_lang[lang]["common"])
        )
        while True:
            words = _WORD_RE.findall(rng.choice(by_lang[lang]["paragraphs"]).lower())
            if adjacent:
                pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if a in words_ok and b in words_ok]
            else:
                good = [w for w in dict.fromkeys(words) if w in words_ok]
                pairs = [(good[i], good[j]) for i in range(len(good)) for j in range(i + 1, len(good))]
            if pairs:
                return rng.choice(pairs)

    queries: list[dict] = []

    def add(cls: str, q: str, **filters) -> None:
        queries.append({"class": cls, "q": q, "filters": filters})

    for _ in range(25):
        add("common", rng.choice(by_lang[lang_pick()]["common"]))
    for word in ("zqxjvwk", "fnordulate", "xylophonistes"):
        add("rare", word)
    for _ in range(22):
        add("rare", rng.choice(by_lang[lang_pick()]["rare"]))
    for _ in range(25):
        add("and", " ".join(pair(lang_pick(), adjacent=False)))
    for i in range(25):
        a, b = pair(lang_pick(), adjacent=True, band="common" if i % 5 == 0 else "mid")
        add("phrase", f'"{a} {b}"')
    for i in range(20):
        lang = lang_pick()
        a = rng.choice(by_lang[lang]["common"])
        if i % 4 == 3:
            b, c = pair(lang, adjacent=True)
            add("exclusion", f'{a} -"{b} {c}"')
        else:
            add("exclusion", f"{a} -{rng.choice(by_lang[lang]['common'])}")
    for i in range(20):
        word = rng.choice([w for w in by_lang[lang_pick()]["common"] if len(w) >= 7])
        add("prefix", word[: 3 + i % 5] + "*")
    filters = [
        lambda lang: {"language": lang},
        lambda lang: {"section": rng.choice(SECTIONS)},
        lambda lang: {"source": rng.choice(SOURCES)},
        lambda lang: (
            lambda y: {
                "published_after": f"{y}-01-01T00:00:00+00:00",
                "published_before": f"{y + 1}-01-01T00:00:00+00:00",
            }
        )(rng.randint(2011, 2025)),
        lambda lang: {"person": rng.choice(entity_ids["person"][:5])},
        lambda lang: {"organisation": rng.choice(entity_ids["organisation"][:10])},
        lambda lang: {"place": rng.choice(entity_ids["place"])},
        lambda lang: {"language": lang, "published_after": f"{rng.randint(2015, 2024)}-06-01T00:00:00+00:00"},
    ]
    for i in range(32):
        lang = lang_pick()
        kind = i % 4
        if kind == 0:
            q = rng.choice(by_lang[lang]["common"])
        elif kind == 1:
            q = " ".join(pair(lang, adjacent=False))
        elif kind == 2:
            q = '"{} {}"'.format(*pair(lang, adjacent=True))
        else:
            q = rng.choice([w for w in by_lang[lang]["common"] if len(w) >= 7])[:5] + "*"
        add("filtered", q, **filters[i % len(filters)](lang))
    return queries


# --- Timing -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int, key: str):
        self.port = port
        self.headers = {"Authorization": f"Api-Key {key}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[float, dict]:
        for attempt in (1, 2):
            try:
                start = time.perf_counter()
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - start) * 1000
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
        return elapsed, json.loads(body)


def timed(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm-up, untimed
    results = [fn() for _ in range(repeat)]
    return statistics.median(r[0] for r in results), results[-1][1]


def api_path(query: dict, ordering: str, cursor: str | None = None) -> str:
    params = {"q": query["q"], "ordering": ordering, "page_size": PAGE_SIZE, **query["filters"]}
    if cursor:
        params["cursor"] = cursor
    return "/api/v1/articles/?" + urlencode(params)


def deep_path(client: Client, query: dict, ordering: str) -> tuple[str, int]:
    """The URL of page DEEP_PAGE (or the last page there is), by following `next`."""
    path, page = api_path(query, ordering), 1
    while page < DEEP_PAGE:
        _, data = client.get(path)
        if not data["next"]:
            break
        split = urlsplit(data["next"])
        path, page = f"{split.path}?{split.query}", page + 1
    return path, page


def measure_ours(client: Client, queries: list[dict], repeat: int) -> dict[str, list[dict]]:
    out = {mode: [] for mode, _ in MODES}
    for query in queries:
        for mode, ordering in (("relevance", "relevance"), ("newest", "-published_at")):
            ms, data = timed(lambda o=ordering, q=query: client.get(api_path(q, o)), repeat)
            out[mode].append({**query, "ms": ms, "hits": data["count"], "estimate": data["count_is_estimate"]})
            path, page = deep_path(client, query, ordering)
            ms, _ = timed(lambda p=path: client.get(p), repeat)
            out[f"{mode}_deep"].append({**query, "ms": ms, "page": page})
    return out


def measure_tantivy(index, queries: list[dict], repeat: int) -> dict[str, list[dict]]:
    searcher = index.searcher()
    out = {mode: [] for mode, _ in MODES}

    def run(query, order_by, offset):
        start = time.perf_counter()
        result = searcher.search(
            tantivy_query(index, query["q"], query["filters"]),
            PAGE_SIZE,
            count=True,
            offset=offset,
            **({"order_by_field": "published"} if order_by else {}),
        )
        return (time.perf_counter() - start) * 1000, result.count

    for query in queries:
        for mode, order_by in (("relevance", False), ("newest", True)):
            ms, hits = timed(lambda ob=order_by, q=query: run(q, ob, 0), repeat)
            out[mode].append({**query, "ms": ms, "hits": hits})
            ms, _ = timed(lambda ob=order_by, q=query: run(q, ob, (DEEP_PAGE - 1) * PAGE_SIZE), repeat)
            out[f"{mode}_deep"].append({**query, "ms": ms})
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def stats(values: list[float]) -> str:
    return f"{pct(values, 50):7.1f} {pct(values, 95):7.1f} {max(values):7.1f}"


def describe(query: dict) -> str:
    extra = " ".join(f"{k}={v}" for k, v in query["filters"].items())
    return f"{query['q']!r} {extra}".strip()


def report(ours: dict, theirs: dict, n: int) -> None:
    print()
    print(f"Search latency at {n:,} articles, {len(ours['relevance'])} queries, ms (median of the repeats per query)")
    print(f"{'mode':<24} | {'ours p50     p95     max':>23} | {'Tantivy p50     p95     max':>27} | ratio p50 / p95")
    print("-" * 100)
    for mode, label in MODES:
        a = [r["ms"] for r in ours[mode]]
        b = [r["ms"] for r in theirs[mode]]
        ratio = f"{pct(a, 50) / max(pct(b, 50), 0.001):6.0f}x / {pct(a, 95) / max(pct(b, 95), 0.001):.0f}x"
        print(f"{label:<24} | {stats(a):>23} | {stats(b):>27} | {ratio}")
    for mode in ("relevance", "newest"):
        deltas = [d["ms"] - f["ms"] for f, d in zip(ours[mode], ours[f"{mode}_deep"], strict=True)]
        label = f"{mode} page {DEEP_PAGE} - page 1"
        print(f"{label:<24} | {stats(deltas):>23} | (ours: deep-page delta per query)")
    print()
    print("Per query class, p95 ms (ours / Tantivy):")
    print(f"{'mode':<24} " + " ".join(f"{c:>17}" for c in QUERY_CLASSES))
    for mode, label in MODES:
        cells = []
        for cls in QUERY_CLASSES:
            a = [r["ms"] for r in ours[mode] if r["class"] == cls]
            b = [r["ms"] for r in theirs[mode] if r["class"] == cls]
            cells.append(f"{pct(a, 95):7.1f} / {pct(b, 95):6.2f}" if a else "-")
        print(f"{label:<24} " + " ".join(f"{c:>17}" for c in cells))
    print()
    print("Median hits per class (ours: count as returned, exact or estimated / Tantivy: exact):")
    for cls in QUERY_CLASSES:
        a = [r["hits"] for r in ours["relevance"] if r["class"] == cls]
        b = [r["hits"] for r in theirs["relevance"] if r["class"] == cls]
        print(f"  {cls:<10} {statistics.median(a):>10,.0f} / {statistics.median(b):>10,.0f}")
    for mode, label in MODES:
        print(f"\nSlowest 5, {label}:")
        for r in sorted(ours[mode], key=lambda r: -r["ms"])[:5]:
            print(f"  {r['ms']:8.1f} ms  {r['class']:<9} {describe(r)}")


def start_server(port: int, conn_params: dict) -> subprocess.Popen:
    url = f"postgres://{conn_params.get('user', 'postgres')}@/{conn_params['dbname']}?host={conn_params['host']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_RATE": "100000000/hour",
        "LOG_LEVEL": "WARNING",
    }
    log = open(BENCH_DIR / "search-gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "newsroom.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "1",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited: see {BENCH_DIR / 'search-gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/articles/")
            if conn.getresponse().status in (200, 401):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks search")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the archive and Tantivy index again")
    parser.add_argument("--database", default=DB_NAME, help=f"benchmark database (default {DB_NAME})")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per request (median kept)")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the archive, do not measure")
    args = parser.parse_args(argv)
    n = args.articles

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    connection.settings_dict["NAME"] = args.database
    conn_params = connection.get_connection_params()
    conn_params = {k: v for k, v in conn_params.items() if k in ("dbname", "host", "port", "user", "password")}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    tantivy_path = BENCH_DIR / f"tantivy-{args.database}"

    current = None if args.rebuild else marker(conn_params)
    if current != (GENERATOR_VERSION, n):
        build_database(n, conn_params)
        build_tantivy(n, tantivy_path)
    elif not (tantivy_path / "meta.json").exists():
        build_tantivy(n, tantivy_path)
    else:
        print(
            f"archive: reusing {args.database} ({n:,} articles, generator v{GENERATOR_VERSION}) and {tantivy_path.name}"
        )
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the engine's latest migrations, on a reused archive too
    if args.build_only:
        return

    from rest_framework_api_key.models import APIKey

    from entities.models import Entity

    APIKey.objects.filter(name="search-bench").delete()
    _, key = APIKey.objects.create_key(name="search-bench")
    entity_ids = {
        kind: list(Entity.objects.filter(kind=kind).order_by("id").values_list("id", flat=True))
        for kind in ("person", "organisation", "place")
    }
    connection.close()
    queries = make_queries(entity_ids)
    (BENCH_DIR / "search-queries.json").write_text(json.dumps(queries, ensure_ascii=False, indent=1))
    print(
        f"queries: {len(queries)} ("
        + ", ".join(f"{c} {sum(q['class'] == c for q in queries)}" for c in QUERY_CLASSES)
        + ")"
    )

    with connection.cursor() as cur:  # warm the caches as a running site would be
        cur.execute("SHOW shared_buffers")
        print(
            f"PostgreSQL shared_buffers {cur.fetchone()[0]} (the private cluster's default is 256MB; the figures in"
            " the README were taken with 4GB: ALTER SYSTEM SET shared_buffers = '4GB', then restart)"
        )
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cur.execute("SET statement_timeout = 0")  # reading 11 GB takes longer than a request may
        # into the OS page cache ('read'): the heap is far larger than the private cluster's shared_buffers
        cur.execute(
            "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relname IN"
            " ('articles_article', 'article_search_gin', 'article_search_pairs_gin', 'article_entity_ids_gin',"
            " 'article_published_order', 'entities_mention', 'mention_entity_article', 'articles_article_pkey')"
            " OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'articles_article')"
        )
    connection.close()

    index = open_tantivy(tantivy_path)
    index.reload()
    print("timing: Tantivy (in-process)...", flush=True)
    theirs = measure_tantivy(index, queries, args.repeat)
    port = free_port()
    server = start_server(port, conn_params)
    try:
        client = Client(port, key)
        load_before = os.getloadavg()
        print("timing: our API over HTTP...", flush=True)
        started = time.perf_counter()
        ours = measure_ours(client, queries, args.repeat)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"our API timed in {time.perf_counter() - started:.0f}s")
    report(ours, theirs, n)
    print(
        f"\nload average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    results = BENCH_DIR / f"search-results-{n}.json"
    results.write_text(json.dumps({"ours": ours, "tantivy": theirs}, ensure_ascii=False, default=str))
    print(f"per-query results: {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
