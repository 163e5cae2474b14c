"""Bulk import throughput and memory: `python -m benchmarks ingest [--articles N]
[--compare-revisions ROUNDS]`.

Builds, at run time and with a fixed seed, a zip holding one JSON Lines file of N
articles recombined from the restricted BBC texts (English) and the open Wikinews
articles (about a fifth French), written under var/bench/ (never committed). Then imports
it into a throw-away test database through the import command's code path (streamed zip
member, JSON Lines parser, services.import_stream, ImportItem progress), with tagging
left queued (pending) as in production but on a Redis database of its own (purged
afterwards, never the development queue), and prints articles/s and the process's peak and
current RSS at checkpoints: flat memory shows the archive is streamed, not loaded whole.
Then the physical limit beside it, on the same rows: the imported articles are dumped with
COPY TO, the table emptied, and loaded back with one raw COPY FROM into the same table (its
generated search vector, indexes and triggers); the last lines give both rates and the
import / COPY ratio (the target is 0.8x or better).

With --compare-revisions, the same import runs with revision writing off and on in turn
(the setting ARTICLE_REVISIONS, which exists for this comparison only) and prints both rates.
"""

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import time
import zipfile
from pathlib import Path

from benchmarks import corpus
from benchmarks.corpus import ROOT

SEED = 20260101
# The Redis database that receives the imported articles' tagging messages (then purged).
BROKER_DATABASE = 8


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_pools() -> corpus.Pools:
    """The BBC texts (nine words for a headline) and the open Wikinews articles."""
    return corpus.pools(
        corpus.bbc_texts(headline_words=9), corpus.wikinews_texts(corpus.OPEN_WIKINEWS, min_paragraph=40)
    )


def build_archive(n: int, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"ingest-{n}.zip"
    if path.exists():
        return path
    rng = random.Random(SEED)
    pools = load_pools()
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, zf.open("articles.jsonl", "w") as out:
        for i in range(n):
            lang = "fr" if rng.random() < 0.2 else "en"
            pool = pools[lang]
            record = {
                "id": f"bench-{i}",
                "headline": f"{rng.choice(pool['headlines'])} ({i})",
                "body": "\n\n".join(rng.sample(pool["paragraphs"], rng.randint(3, 7))),
                "language": lang,
                "source": "Bench Wire",
                "section": rng.choice(["Politics", "Business", "Sport", "Culture", "Tech"]),
                "published_at": f"20{rng.randint(5, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
                "version": 1,
            }
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
    tmp.rename(path)
    return path


def import_archive(archive: Path, checkpoints: list[int], *, quiet: bool = False) -> float:
    """Import the archive as the import command does (services.run_item: chunks of stories,
    their revisions and the file's progress in one transaction each), printing throughput
    and memory at the checkpoints; returns articles/s."""
    from articles import services
    from articles.models import Article, ImportItem

    batch = services.create_command_batch(options=services.ImportOptions())
    item = ImportItem.objects.create(batch=batch, position=0, name=archive.name, size=archive.stat().st_size)
    if not quiet:
        print(f"{'articles':>9} {'art/s (cumul.)':>15} {'art/s (window)':>15} {'RSS MB':>8} {'peak RSS MB':>12}")
    base_rss = rss_mb()
    t0 = time.perf_counter()
    window = {"n": 0, "t": t0, "next": 0}

    def checkpoint(item: ImportItem) -> None:
        done = item.processed
        while window["next"] < len(checkpoints) and done >= checkpoints[window["next"]]:
            window["next"] += 1
            now = time.perf_counter()
            if not quiet:
                print(
                    f"{done:>9,} {done / (now - t0):>15,.0f} {(done - window['n']) / (now - window['t']):>15,.0f} "
                    f"{rss_mb():>8,.0f} {peak_rss_mb():>12,.0f}",
                    flush=True,
                )
            window.update(n=done, t=now)

    services.run_item(item=item, path=archive, options=services.ImportOptions(), on_chunk=checkpoint)
    elapsed = time.perf_counter() - t0
    done = item.processed
    pending = Article.objects.filter(tagging_status="pending").count()
    if not quiet:
        print(
            f"imported {done:,} documents ({item.created:,} created, {item.refused:,} refused) in {elapsed:,.0f}s: "
            f"{done / elapsed:,.0f} articles/s; RSS {base_rss:,.0f} MB before, {rss_mb():,.0f} MB after; "
            f"{pending:,} articles queued for tagging (pending)",
            flush=True,
        )
    return done / elapsed


def compare_revisions(archive: Path, n: int, rounds: int, fresh_database) -> None:
    """The cost of revisions: the same archive imported into a fresh database with revision
    writing off and on, alternately (off, on, off, on...), so load on the machine falls on
    both alike."""
    from django.test import override_settings

    from articles.models import Revision

    rates: dict[bool, list[float]] = {False: [], True: []}
    print(f"{'round':>5} {'revisions':>9} {'art/s':>7} {'revision rows':>14} {'revision MB':>12}", flush=True)
    for round_ in range(1, rounds + 1):
        for writing in (False, True):
            with fresh_database(), override_settings(ARTICLE_REVISIONS=writing):
                rate = import_archive(archive, [], quiet=True)
                rows = Revision.objects.count()
                size = _table_mb("articles_revision")
            rates[writing].append(rate)
            print(f"{round_:>5} {'on' if writing else 'off':>9} {rate:>7,.1f} {rows:>14,} {size:>12,.1f}", flush=True)
    off, on = (statistics.median(rates[w]) for w in (False, True))
    print(
        f"median of {rounds} round(s), {n:,} articles each: {off:,.1f} articles/s without revisions, "
        f"{on:,.1f} with ({(on - off) / off:+.1%})",
        flush=True,
    )


def copy_same_rows(directory: Path) -> tuple[int, float]:
    """The machine's limit for these rows: the articles the import just wrote, dumped with COPY
    TO, the table emptied, then loaded back with one raw COPY FROM (the same table, its generated
    search vector, indexes and triggers, one commit). Returns (rows, seconds of the COPY FROM)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles_article' "
            "AND is_generated = 'NEVER' AND table_schema = current_schema() ORDER BY ordinal_position"
        )
        columns = ", ".join(f'"{row[0]}"' for row in cursor.fetchall())
    dump = directory / "ingest-copy.tsv"
    with open(dump, "wb") as out, connection.cursor() as cursor:
        cursor.copy_expert(f"COPY (SELECT {columns} FROM articles_article ORDER BY id) TO STDOUT", out)  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article CASCADE")
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # the import's dirty pages are not the COPY's to write
    started = time.perf_counter()
    with transaction.atomic(), open(dump, "rb") as source, connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")  # one statement for all the rows
        cursor.copy_expert(f"COPY articles_article ({columns}) FROM STDIN", source)  # noqa: S608
        rows = cursor.rowcount
    elapsed = time.perf_counter() - started
    dump.unlink()
    return rows, elapsed


def _table_mb(table: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
        return cursor.fetchone()[0] / 2**20


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks ingest")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--without-revisions",
        action="store_true",
        help="import without writing revisions (the COPY comparison then prices the rest of the path alone)",
    )
    parser.add_argument(
        "--compare-revisions",
        type=int,
        metavar="ROUNDS",
        default=0,
        help="the cost of revisions: import the archive ROUNDS times each with revision writing off and on, "
        "alternately, each into a fresh database",
    )
    args = parser.parse_args(argv)
    n = args.articles
    checkpoints = sorted({c for c in (1_000, 10_000, 50_000, 100_000) if c <= n} | {n})

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from articles.models import Article
    from benchmarks.broker import empty_private_broker, use_private_broker

    settings.DEBUG = False  # no query log
    # Its own throw-away database, so the test suite can run meanwhile.
    connection.settings_dict["TEST"]["NAME"] = "bench_ingest"
    started = time.perf_counter()
    archive = build_archive(n, ROOT / "var" / "bench")
    print(
        f"archive: {archive.relative_to(ROOT)}, {archive.stat().st_size / 2**20:.1f} MB zipped, "
        f"built in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    use_private_broker(database=BROKER_DATABASE)

    @contextlib.contextmanager
    def fresh_database():
        # Every run starts from the same empty, migrated archive (a flush keeps the schema,
        # the search configurations and the triggers).
        call_command("flush", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        yield

    try:
        if args.compare_revisions:
            compare_revisions(archive, n, args.compare_revisions, fresh_database)
        else:
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
            with override_settings(ARTICLE_REVISIONS=not args.without_revisions):
                import_rate = import_archive(archive, checkpoints)
            imported = Article.objects.count()
            rows, copy_seconds = copy_same_rows(ROOT / "var" / "bench")
            copy_rate = rows / copy_seconds
            print(
                f"\n{'':<34} {'articles':>9} {'seconds':>8} {'articles/s':>11}\n"
                f"{'import (batched, whole path)':<34} {imported:>9,} {imported / import_rate:>8,.1f} "
                f"{import_rate:>11,.0f}\n"
                f"{'raw COPY of the same rows':<34} {rows:>9,} {copy_seconds:>8,.1f} {copy_rate:>11,.0f}\n"
                f"import / COPY: {import_rate / copy_rate:.2f}x   peak RSS {peak_rss_mb():,.0f} MB   "
                f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                flush=True,
            )
    finally:
        queued = empty_private_broker()
        print(f"{queued:,} tagging messages went to Redis database {BROKER_DATABASE} (the benchmark's), now purged")
        if not args.keep_db:
            connection.creation.destroy_test_db(test_db, verbosity=0)
