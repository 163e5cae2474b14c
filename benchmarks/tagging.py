"""Tagging throughput and worker memory: `python -m benchmarks tagging [--articles N]`.

End to end: N real articles saved in PostgreSQL (a scratch database, newsroom_bench),
queued through Redis (a scratch Redis database) to a Celery worker with 2 processes, and
their mentions written back; measured from the first save to the last article done. Side
by side, in this process: raw `nlp.pipe` over the same texts (NER only, batches of 64).
Memory: resident set of each worker process when 100 articles are done and at the end.
The load average is printed before and after: the machine may be shared.
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "demo" / "fr_wikinews_keyphrase100.jsonl",
    ROOT / "demo" / "en_wikinews_2019_2020.jsonl",
    ROOT.parent / "shared" / "data" / "open" / "articles" / "fr_wikinews_primer_subset.jsonl",
    ROOT.parent / "shared" / "data" / "open" / "articles" / "en_wikinews_primer_subset.jsonl",
]
BENCH_DB = "newsroom_bench"


def records(n: int) -> tuple[list[dict], int]:
    distinct = []
    for path in SOURCES:
        if path.exists():
            distinct += [json.loads(line) for line in path.open(encoding="utf-8")]
    out = []
    for i, r in enumerate(itertools.islice(itertools.cycle(distinct), n)):
        out.append({**r, "id": f"{r['id']}#{i}"})
    return out, len(distinct)


def rss_kib(pid: int) -> tuple[int, int]:
    """(resident set, peak resident set) of a process, KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line.split(":")[0]] = int(line.split()[1])
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(data_dir: str, database: str) -> list[int]:
    """PostgreSQL backends of the cluster in data_dir connected to `database`."""
    postmaster = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
    out = []
    for pid in children(postmaster):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().split()
        except OSError:
            continue
        if len(title) > 2 and title[0] == "postgres:" and title[2] == database:
            out.append(pid)
    return out


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return sorted(out)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks tagging")
    parser.add_argument("--articles", type=int, default=2000, help="articles to tag (default 2000)")
    parser.add_argument("--batch-size", type=int, help="articles per worker batch (default TAGGING_BATCH_SIZE)")
    args = parser.parse_args(argv)
    django.setup()
    from django.conf import settings
    from django.db import connection

    from articles.management.commands.load_demo import wikinews_article
    from articles.models import Article
    from articles.services import import_article
    from entities.extraction import ner
    from entities.services import article_fields

    rows, distinct = records(args.articles)
    print(f"tagging benchmark: {len(rows)} articles ({distinct} distinct Wikinews texts, cycled)", flush=True)

    # A scratch database and a scratch Redis database: nothing of the archive is touched.
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": BENCH_DB}
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    broker = settings.CELERY_BROKER_URL + ("&" if "?" in settings.CELERY_BROKER_URL else "?") + "virtual_host=7"
    from newsroom.celery import app

    app.conf.broker_url = app.conf.broker_write_url = broker
    app._pool = None
    app.amqp._producer_pool = None
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    s = connection.settings_dict
    db_url = f"postgres://{s['USER']}@/{s['NAME']}?host={s['HOST']}&port={s['PORT'] or 5432}"
    batch_size = args.batch_size or settings.TAGGING_BATCH_SIZE
    env = {**os.environ, "DATABASE_URL": db_url, "CELERY_BROKER_URL": broker, "LOG_LEVEL": "WARNING"}
    env["TAGGING_BATCH_SIZE"] = str(batch_size)
    celery = str(Path(sys.executable).parent / "celery")
    worker = subprocess.Popen(
        [celery, "-A", "newsroom", "worker", "-Q", "tagging", "-c", "2", "-P", "prefork", "--loglevel", "WARNING"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "bench@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # Warm: models loaded in both pool processes before the clock starts.
        time.sleep(3)
        ner.preload()
        parsed = [wikinews_article(r) for r in rows]
        while len(children(worker.pid)) < 2:
            time.sleep(0.5)
        time.sleep(25)

        pool = [worker.pid, *children(worker.pid)]
        cpu_start = {pid: cpu_seconds(pid) for pid in pool}
        data_dir = str(ROOT / "var" / "postgres")
        pg_start = {pid: cpu_seconds(pid) for pid in database_backends(data_dir, BENCH_DB)}
        self_start = time.process_time()
        load_before = os.getloadavg()
        start = time.perf_counter()
        ids = [import_article(parsed=p, publish=True)[1].id for p in parsed]
        saved = time.perf_counter() - start
        rss_first = None
        done = 0
        while done < len(ids):
            time.sleep(0.25)
            done = Article.objects.filter(tagging_status="done").count()
            if rss_first is None and done >= 100:
                rss_first = {pid: rss_kib(pid) for pid in children(worker.pid)}
            if worker.poll() is not None:
                raise SystemExit("the worker died")
        end_to_end = time.perf_counter() - start
        self_cpu = time.process_time() - self_start
        worker_cpu = sum(cpu_seconds(pid) - cpu_start.get(pid, 0.0) for pid in [worker.pid, *children(worker.pid)])
        pg_cpu = sum(cpu_seconds(pid) - pg_start.get(pid, 0.0) for pid in database_backends(data_dir, BENCH_DB))
        rss_last = {pid: rss_kib(pid) for pid in children(worker.pid)}
        failed = Article.objects.filter(tagging_status="failed").count()

        articles = list(Article.objects.filter(id__in=ids).order_by("id"))
        items = [(article_fields(a), a.language) for a in articles]
        start, raw_cpu_start = time.perf_counter(), time.process_time()
        ner.extract_many(items, batch_size=64)
        raw = time.perf_counter() - start
        raw_cpu = time.process_time() - raw_cpu_start
        load_after = os.getloadavg()
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
        connection.creation.destroy_test_db(BENCH_DB, verbosity=0)

    n = len(ids)
    e2e_rate, raw_rate = n / end_to_end, n / raw
    print(
        f"  load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    print(f"  saves (import_article, queued on commit): {saved:.1f} s")
    print(
        f"  end to end, 2 worker processes, batches of {batch_size}:"
        f"  {e2e_rate:7.1f} articles/s  ({end_to_end:.1f} s, {failed} failed)"
    )
    print(f"  raw nlp.pipe, 1 process:         {raw_rate:7.1f} articles/s  ({raw:.1f} s)")
    print(f"  ratio end to end / raw:          {e2e_rate / raw_rate:7.2f}")
    # CPU per article says where the time goes whatever else the machine is running: on a
    # shared machine the end-to-end ratio mostly measures how many cores were free.
    print(
        f"  CPU per article, end to end: worker processes {worker_cpu / n * 1000:.1f} ms,"
        f" PostgreSQL {pg_cpu / n * 1000:.1f} ms, saving process {self_cpu / n * 1000:.1f} ms;"
        f" raw nlp.pipe {raw_cpu / n * 1000:.1f} ms"
    )
    # A sample can land mid-batch (spaCy's arrays for 16 articles live): the peak (VmHWM)
    # says more about growth than the instantaneous RSS.
    for pid in sorted(rss_last):
        (first, first_peak), (last, last_peak) = (rss_first or {}).get(pid, (0, 0)), rss_last[pid]
        print(
            f"  worker process {pid}: RSS after the first 100 articles {first / 1024:.0f} MiB"
            f" (peak {first_peak / 1024:.0f}); after {n}: {last / 1024:.0f} MiB (peak {last_peak / 1024:.0f});"
            f" growth {(last - first) / 1024:+.0f} MiB (peak {(last_peak - first_peak) / 1024:+.0f})"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
