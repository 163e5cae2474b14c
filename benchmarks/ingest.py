"""Bulk import throughput and memory: `python -m benchmarks ingest [--articles N]`.

Builds, at run time and with a fixed seed, a zip holding one JSON Lines file of N
articles recombined from the restricted BBC texts (English) and the open Wikinews
articles (about a fifth French), written under var/bench/ (never committed). Then imports
it into a throw-away test database through the import command's code path (streamed zip
member, JSON Lines parser, services.import_stream, ImportItem progress), with tagging
left queued (pending) as in production but on a Redis database of its own (purged
afterwards, never the development queue), and prints articles/s and the process's peak and
current RSS at checkpoints: flat memory shows the archive is streamed, not loaded whole.
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


def import_archive(archive: Path, checkpoints: list[int]) -> None:
    """Import the archive as the import command does, printing throughput and memory at the checkpoints."""
    from articles import services
    from articles.models import Article, ImportBatch, ImportItem

    batch = ImportBatch.objects.create(origin=ImportBatch.Origin.COMMAND)
    item = ImportItem.objects.create(batch=batch, position=0, name=archive.name, size=archive.stat().st_size)
    print(f"{'articles':>9} {'art/s (cumul.)':>15} {'art/s (window)':>15} {'RSS MB':>8} {'peak RSS MB':>12}")
    base_rss = rss_mb()
    t0 = last_t = time.perf_counter()
    last_n, done = 0, 0
    with open(archive, "rb") as stream:
        for outcome in services.import_stream(name=archive.name, stream=stream, size=archive.stat().st_size):
            services.record_outcome(item, outcome)
            done += 1
            if done % services.PROGRESS_EVERY == 0:
                services._save_progress(item)
            if done in checkpoints:
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
        f"imported {done:,} documents ({item.created:,} created, {item.refused:,} refused) in {elapsed:,.0f}s: "
        f"{done / elapsed:,.0f} articles/s; RSS {base_rss:,.0f} MB before, {rss_mb():,.0f} MB after; "
        f"{pending:,} articles queued for tagging (pending)",
        flush=True,
    )


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
        import_archive(archive, checkpoints)
    finally:
        queued = empty_private_broker()
        print(f"{queued:,} tagging messages went to Redis database {BROKER_DATABASE} (the benchmark's), now purged")
        if not args.keep_db:
            connection.creation.destroy_test_db(test_db, verbosity=0)
