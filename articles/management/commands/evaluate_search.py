"""`make eval` (search part): our API's relevance order and a Tantivy BM25 baseline scored on the
judged query set of the demo archive (articles/eval/), side by side, per query class.

The evaluation has its own database (`newsroom_eval` in the same cluster, never the development
one): migrated, the demo archive loaded through `load_demo` and tagged in this process. It is
reused while the demo files, the migrations and the code that loads and tags the archive are
unchanged (a fingerprint of them is stored in it); `--rebuild` builds it again anyway.

- **API**: the first page (10 results) of `/api/v1/articles/?q=` through DRF's test client with
  a real key, so the order is what a partner gets.
- **Baseline**: Tantivy over the same published articles, in memory: per-language headline,
  standfirst and body fields (lowercase, ASCII folding, the language's Snowball stemmer), headline
  boost, BM25; the query syntax translated as the search benchmark does
  (benchmarks/search/tantivy.py).
- **Measures** (articles/search/evaluation.py): nDCG@10 (gain 2^grade - 1), P@5 and MRR@10
  (relevant: grade >= 1). A result without a grade for that query is scored 0 and counted as
  unjudged; `--unjudged` lists them so they can be graded.
- **Foreign-stem results**: results in the API's top five whose text matches some word of the
  query only through another language's stemmer: not under the article's own configuration, nor
  unstemmed (`newsroom_simple`), but under the other language's reading. A result matching no
  reading at all (found through an entity's labels, say) is counted apart, as "no text match".
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from articles.ingest import read_documents
from articles.management.commands.load_demo import CORPORA, DEMO_DIR, SEED
from articles.models import Article
from articles.search.evaluation import (
    DEPTH,
    FOREIGN,
    NO_TEXT_MATCH,
    QUERY_CLASSES,
    JudgedQuery,
    QueryScore,
    load_judgments,
    load_queries,
    mean_scores,
    score_ranking,
    text_matches,
)
from newsroom.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)
EVAL_DATABASE = "newsroom_eval"
# What the evaluation database's rows are made from: a change to any of these files builds it again.
FINGERPRINT_FILES = (
    "demo/*",
    "*/migrations/*.py",
    "articles/management/commands/load_demo.py",
    "entities/management/commands/retag.py",
    "articles/services.py",
    "articles/ingest/*.py",
    "entities/services.py",
    "entities/extraction/**/*",
    "entities/data/*",
)
SYSTEMS = ("api", "tantivy")
TOP_FOREIGN = 5
LANGUAGES = ("fr", "en")


def fingerprint() -> str:
    """A digest of the paths and contents of FINGERPRINT_FILES."""
    digest = hashlib.sha256()
    for pattern in FINGERPRINT_FILES:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def stored_fingerprint() -> str | None:
    """The fingerprint of the complete build in the database in use (None: none was finished)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('search_eval_build') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT fingerprint FROM search_eval_build")
        row = cursor.fetchone()
        return row[0] if row else None


def use_evaluation_database(*, rebuild: bool, write) -> None:
    """Point this process at the evaluation database, building it when it is missing or stale."""
    configured = connection.settings_dict["NAME"]
    if configured == EVAL_DATABASE:
        raise CommandError(f"the configured database is already {EVAL_DATABASE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [EVAL_DATABASE])
        exists = cursor.fetchone() is not None
    connection.close()
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": EVAL_DATABASE}
    connection.settings_dict["NAME"] = EVAL_DATABASE
    wanted = fingerprint()
    if exists and not rebuild and stored_fingerprint() == wanted:
        write(f"Evaluation database {EVAL_DATABASE}: reused (build {wanted}).")
        return
    started = time.perf_counter()
    write(f"Evaluation database {EVAL_DATABASE}: building (migrate, load_demo, tag)...")
    if exists:  # dropped from the configured database's connection, which destroy_test_db returns to
        connection.creation.destroy_test_db(old_database_name=configured, verbosity=0)
    else:
        connection.settings_dict["NAME"] = configured
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    call_command("retag", all=True, verbosity=0, stdout=io.StringIO())
    with connection.cursor() as cursor:
        # The statistics the terms' weights are read from (articles/search/weights.py), taken
        # from the archive as built: an ANALYZE run midway (autovacuum's, during the build) would
        # weigh the words differently in a first evaluation than in the next ones.
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE search_eval_build (fingerprint text NOT NULL, built_at timestamptz NOT NULL)")
        cursor.execute("INSERT INTO search_eval_build VALUES (%s, now())", [wanted])
    write(f"  built in {time.perf_counter() - started:.0f} s (build {wanted}).")


def stable_ids() -> dict[int, str]:
    """{database id: stable demo id}: the Wikinews record's id, "seed" for the AFP seed article.
    An article that maps to no demo record is an error: its grades could not be found."""
    [(_, seed)] = read_documents(SEED.name, SEED.read_bytes())
    seed_external_id = seed.external_id
    rows = Article.objects.published().values_list("id", "external_id")
    ids = {pk: ("seed" if external == seed_external_id else external) for pk, external in rows}
    demo_ids = {"seed"}
    for name in CORPORA:
        with open(DEMO_DIR / name, encoding="utf-8") as lines:
            demo_ids.update(json.loads(line)["id"] for line in lines if line.strip())
    unknown = sorted(set(ids.values()) - demo_ids)
    if unknown or len(set(ids.values())) != len(ids):
        raise CommandError(
            f"the evaluation database's articles must map one to one to demo records (unknown: {unknown[:3]});"
            " the grades are kept by demo id"
        )
    return ids


def api_rankings(queries: list[JudgedQuery], ids: dict[int, str]) -> dict[str, list[str]]:
    """Each query's first page in the API's relevance order, as stable ids."""
    from rest_framework.test import APIClient
    from rest_framework_api_key.models import APIKey

    APIKey.objects.filter(name="search-eval").delete()
    _, key = APIKey.objects.create_key(name="search-eval")
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}", HTTP_HOST="localhost")
    url = reverse("api-v1:article-list")
    rankings = {}
    for query in queries:
        response = client.get(url, {"q": query.text, "page_size": DEPTH}, secure=True)
        if response.status_code != 200:
            raise CommandError(
                f"{query.id} {query.text!r}: the API answered {response.status_code}: {response.content!r}"
            )
        rankings[query.id] = [ids[result["id"]] for result in response.json()["results"]]
    return rankings


def tantivy_rankings(queries: list[JudgedQuery], ids: dict[int, str]) -> dict[str, list[str]]:
    """Each query's top 10 from Tantivy BM25 over the same published articles."""
    import tantivy

    from benchmarks.search.tantivy import open_tantivy, tantivy_query

    index = open_tantivy(None)
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    fields = ("id", "language", "headline", "standfirst", "body_text", "photo_caption")
    for pk, language, headline, standfirst, body, caption in Article.objects.published().values_list(*fields):
        if language not in LANGUAGES:
            continue
        doc = tantivy.Document()
        doc.add_integer("id", pk)
        doc.add_text(f"{language}_headline", headline)
        doc.add_text(f"{language}_standfirst", standfirst)
        doc.add_text(f"{language}_body", f"{body}\n\n{caption}")
        doc.add_text("language", language)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    rankings = {}
    for query in queries:
        hits = searcher.search(tantivy_query(index, query.text, {}), DEPTH).hits
        rankings[query.id] = [ids[searcher.doc(address)["id"][0]] for _score, address in hits]
    return rankings


@dataclass
class EvaluationRun:
    """What one run measured: the judged set, each system's ranking (stable ids) and, for the
    API's top five, how each result's text matches its query."""

    queries: list[JudgedQuery]
    judgments: dict[str, dict[str, int]]
    rankings: dict[str, dict[str, list[str]]]  # {system: {query id: stable ids}}
    matches: dict[str, dict[str, str]]  # {query id: {stable id: OWN | FOREIGN | NO_TEXT_MATCH}}
    headlines: dict[str, str]  # {stable id: headline}

    def scores(self, system: str) -> dict[str, QueryScore]:
        return {q.id: score_ranking(self.rankings[system][q.id], self.judgments.get(q.id, {})) for q in self.queries}


def run_evaluation() -> EvaluationRun:
    """Query both systems on the evaluation database (already in use) and classify the API's top five."""
    queries, judgments, ids = load_queries(), load_judgments(), stable_ids()
    by_stable = {stable: pk for pk, stable in ids.items()}
    rankings = {"api": api_rankings(queries, ids), "tantivy": tantivy_rankings(queries, ids)}
    matches = {}
    for q in queries:
        top = rankings["api"][q.id][:TOP_FOREIGN]
        found = text_matches(query_text=q.text, article_ids=[by_stable[a] for a in top])
        matches[q.id] = {ids[pk]: kind for pk, kind in found.items()}
    headlines = {ids[pk]: headline for pk, headline in Article.objects.filter(id__in=ids).values_list("id", "headline")}
    return EvaluationRun(queries, judgments, rankings, matches, headlines)


class Command(BaseCommand):
    help = "Search quality on the judged query set: nDCG@10, P@5, MRR per class, API vs Tantivy BM25."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help=f"Build {EVAL_DATABASE} again even if current.")
        parser.add_argument(
            "--unjudged", action="store_true", help="List the results in either top 10 that have no grade."
        )
        parser.add_argument(
            "--queries", action="store_true", help="Print each query's nDCG@10 and its foreign-stem results."
        )

    def handle(self, *args, rebuild: bool, unjudged: bool, queries: bool, **options):
        # Nothing of this run reaches the development broker or cache: load_demo's tagging tasks
        # go to an in-memory transport (this process tags the archive itself), the API's
        # throttle counters to a local cache.
        celery_app.conf.broker_url = celery_app.conf.broker_write_url = celery_app.conf.broker_read_url = (
            "memory://localhost/"
        )
        celery_app._pool = None
        started = time.perf_counter()
        with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
            use_evaluation_database(rebuild=rebuild, write=self.stdout.write)
            run = run_evaluation()
        self._report(run)
        if queries:
            self._per_query(run)
        if unjudged:
            self._unjudged(run)
        self.stdout.write(f"\n({time.perf_counter() - started:.0f} s)")

    def _report(self, run: EvaluationRun) -> None:
        write = self.stdout.write
        grades = Counter(g for q in run.queries for g in run.judgments.get(q.id, {}).values())
        write(
            f"\nSearch quality: {len(run.queries)} judged queries over the demo archive ({len(run.headlines)} articles),"
            f" {sum(grades.values())} judgments (grade 2: {grades[2]}, 1: {grades[1]}, 0: {grades[0]})"
        )
        write("nDCG@10 (gain 2^grade - 1), P@5 and MRR@10 count grade >= 1 as relevant; unjudged results score 0.")
        scores = {system: run.scores(system) for system in SYSTEMS}
        head = f"{'nDCG@10':>7} {'P@5':>5} {'MRR':>5} {'unj':>4}"
        write(f"\n  {'class':<15} {'queries':>7} {'fr/en':>6}  {'API':-^24}  {'Tantivy BM25':-^24}")
        write(f"  {'':<15} {'':>7} {'':>6}  {head}  {head}")
        for query_class in [*QUERY_CLASSES, None]:
            members = [q for q in run.queries if query_class in (None, q.query_class)]
            if not members:
                continue
            split = "/".join(str(sum(q.language == language for q in members)) for language in LANGUAGES)
            cells = []
            for system in SYSTEMS:
                mean = mean_scores([scores[system][q.id] for q in members])
                cells.append(
                    f"{mean.ndcg:>7.3f} {mean.precision:>5.3f} {mean.reciprocal_rank:>5.3f} {mean.unjudged:>4}"
                )
            write(f"  {query_class or 'all':<15} {len(members):>7} {split:>6}  {cells[0]}  {cells[1]}")
        kinds = Counter(kind for found in run.matches.values() for kind in found.values())
        in_queries = sum(1 for found in run.matches.values() if FOREIGN in found.values())
        write(
            f"\nForeign-stem results in the API's top {TOP_FOREIGN}, all queries: {kinds[FOREIGN]} (in {in_queries}"
            f" queries); results matching no reading of the query (no text match): {kinds[NO_TEXT_MATCH]}"
        )
        unanswerable = [q.id for q in run.queries if not any(g >= 1 for g in run.judgments.get(q.id, {}).values())]
        if unanswerable:
            write(f"Queries with no relevant article judged (they score 0): {', '.join(unanswerable)}")

    def _per_query(self, run: EvaluationRun) -> None:
        write = self.stdout.write
        api, baseline = run.scores("api"), run.scores("tantivy")
        write(f"\nPer query: nDCG@10 API / Tantivy; F: a foreign-stem result in the API's top {TOP_FOREIGN}")
        for q in run.queries:
            write(f"  {q.id} {q.query_class:<14} {api[q.id].ndcg:.2f} / {baseline[q.id].ndcg:.2f}  {q.text}")
            for article, kind in run.matches[q.id].items():
                if kind == FOREIGN:
                    write(f"      F {run.headlines[article]} ({article})")

    def _unjudged(self, run: EvaluationRun) -> None:
        write = self.stdout.write
        write("\nUnjudged results (query, system:rank, article, headline): grade them in articles/eval/")
        count = 0
        for q in run.queries:
            judged = run.judgments.get(q.id, {})
            where: dict[str, list[str]] = defaultdict(list)
            for system in SYSTEMS:
                for rank, article in enumerate(run.rankings[system][q.id], 1):
                    if article not in judged:
                        where[article].append(f"{system}:{rank}")
            for article, places in where.items():
                count += 1
                write(f"  {q.id} [{q.text}] {','.join(places)} {article} | {run.headlines[article]}")
        write(f"  {count} unjudged pooled articles")
