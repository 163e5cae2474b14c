"""Bulk import throughput and memory: `python -m benchmarks ingest [--articles N]`.

Builds, at run time and with a fixed seed, a zip holding one JSON Lines file of N
articles recombined from the restricted BBC texts (English) and the open Wikinews
articles (about a fifth French), written under var/bench/ (never committed). Then imports
it into a throw-away test database through the import command's code path (streamed zip
member, JSON Lines parser, services.import_document_chunks: chunks of stories written per
transaction, ImportItem progress), with tagging left queued (pending) as in production but
on a Redis database of its own (purged afterwards, never the development queue), and prints
articles/s and the process's peak and current RSS at checkpoints: flat memory shows the
archive is streamed, not loaded whole.

Then the physical limit beside it, on the same rows: the imported articles are dumped with
COPY TO, the table emptied, and loaded back with one raw COPY FROM into the same table (its
generated search vector, indexes and triggers); the last lines give both rates and the
import / COPY ratio (the target is 0.8x or better).
"""

import argparse
import json
import os
import random
import resource
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


def import_archive(archive: Path, checkpoints: list[int]) -> tuple[int, float]:
    """Import the archive exactly as the import command's run_item does (streamed member, JSON
    Lines parser, chunks of IMPORT_BATCH_SIZE stories per transaction, ImportItem progress after
    each chunk), printing throughput and memory as it passes the checkpoints."""
    from articles import services
    from articles.ingest import read_stream
    from articles.models import Article, ImportBatch, ImportItem

    batch = ImportBatch.objects.create(origin=ImportBatch.Origin.COMMAND)
    item = ImportItem.objects.create(batch=batch, position=0, name=archive.name, size=archive.stat().st_size)
    print(f"{'articles':>9} {'art/s (cumul.)':>15} {'art/s (window)':>15} {'RSS MB':>8} {'peak RSS MB':>12}")
    base_rss = rss_mb()
    t0 = last_t = time.perf_counter()
    last_n, done, pending_checkpoints = 0, 0, list(checkpoints)
    with open(archive, "rb") as stream:
        documents = read_stream(archive.name, stream, archive.stat().st_size)
        for chunk in services.import_document_chunks(documents, options=services.ImportOptions(), name=archive.name):
            for outcome in chunk:
                services.record_outcome(item, outcome)
            services._save_progress(item)
            done += len(chunk)
            while pending_checkpoints and done >= pending_checkpoints[0]:
                pending_checkpoints.pop(0)
                now = time.perf_counter()
                print(
                    f"{done:>9,} {done / (now - t0):>15,.0f} {(done - last_n) / (now - last_t):>15,.0f} "
                    f"{rss_mb():>8,.0f} {peak_rss_mb():>12,.0f}",
                    flush=True,
                )
                last_n, last_t = done, now
    elapsed = time.perf_counter() - t0
    pending = Article.objects.filter(tagging_status="pending").count()
    print(
        f"imported {done:,} documents ({item.created:,} created, {item.refused:,} refused) in {elapsed:,.1f}s: "
        f"{done / elapsed:,.0f} articles/s; RSS {base_rss:,.0f} MB before, {rss_mb():,.0f} MB after; "
        f"{pending:,} articles queued for tagging (pending)",
        flush=True,
    )
    return item.created, elapsed


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


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks ingest")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args(argv)
    n = args.articles
    checkpoints = sorted({c for c in (1_000, 10_000, 50_000, 100_000) if c <= n} | {n})

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

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
    try:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        imported, import_seconds = import_archive(archive, checkpoints)
        rows, copy_seconds = copy_same_rows(ROOT / "var" / "bench")
        import_rate, copy_rate = imported / import_seconds, rows / copy_seconds
        print(
            f"\n{'':<34} {'articles':>9} {'seconds':>8} {'articles/s':>11}\n"
            f"{'import (batched, whole path)':<34} {imported:>9,} {import_seconds:>8,.1f} {import_rate:>11,.0f}\n"
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
