"""Tagging throughput and worker memory: `python -m benchmarks tagging [--articles N] [--batch-size B]`.

End to end: N real articles saved in PostgreSQL (a scratch database, newsroom_bench), queued through
Redis (a Redis database of its own) to a Celery worker with 2 processes, and their mentions written
back; measured from the first save to the last article done. Raw: `nlp.pipe` over the same texts
(NER only, batches of 64), in 2 forked processes each taking half of the articles, like for like with
the worker, and in this one process, as earlier runs did. CPU per article is counted on both sides.
Memory: resident set of each worker process when 100 articles are done and at the end.
The load average is printed before and after: the machine may be shared.
"""

import argparse
import itertools
import json
import multiprocessing
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import django

from benchmarks.corpus import DATA

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

ROOT = Path(__file__).resolve().parent.parent
OPEN_ARTICLES = DATA / "open" / "articles" if DATA else None
SOURCES = [
    ROOT / "demo" / "fr_wikinews_keyphrase100.jsonl",
    ROOT / "demo" / "en_wikinews_2019_2020.jsonl",
    *(
        [OPEN_ARTICLES / "fr_wikinews_primer_subset.jsonl", OPEN_ARTICLES / "en_wikinews_primer_subset.jsonl"]
        if OPEN_ARTICLES
        else []
    ),
]
BENCH_DB = "newsroom_bench"
BROKER_DATABASE = 7
WORKER_PROCESSES = 2
RAW_BATCH_SIZE = 64


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


@dataclass
class EndToEnd:
    ids: list[int]
    seconds: float
    saves: float  # of which saving (import_article, queued on commit)
    failed: int
    worker_cpu: float  # the worker's main process and its pool processes
    pg_cpu: float  # the PostgreSQL backends of the scratch database
    self_cpu: float  # this process, which saves the articles
    rss_first: dict[int, tuple[int, int]]  # per pool process, after the first 100 articles
    rss_last: dict[int, tuple[int, int]]


@dataclass
class Raw:
    processes: int
    seconds: float
    cpu: float  # summed over the processes


def start_worker(*, broker: str, batch_size: int) -> subprocess.Popen:
    """A Celery worker (prefork, WORKER_PROCESSES processes) on the scratch database and broker."""
    from django.db import connection

    s = connection.settings_dict
    db_url = f"postgres://{s['USER']}@/{s['NAME']}?host={s['HOST']}&port={s['PORT'] or 5432}"
    env = {**os.environ, "DATABASE_URL": db_url, "CELERY_BROKER_URL": broker, "LOG_LEVEL": "WARNING"}
    env["TAGGING_BATCH_SIZE"] = str(batch_size)
    celery = str(Path(sys.executable).parent / "celery")
    return subprocess.Popen(
        [celery, "-A", "newsroom", "worker", "-Q", "tagging", "-c", str(WORKER_PROCESSES), "-P", "prefork"]
        + ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "bench@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def time_end_to_end(worker: subprocess.Popen, parsed: list) -> EndToEnd:
    """Save every article and wait until the worker has tagged them all."""
    from articles.models import Article
    from articles.services import ImportOptions, import_article

    pool = [worker.pid, *children(worker.pid)]
    cpu_start = {pid: cpu_seconds(pid) for pid in pool}
    data_dir = str(ROOT / "var" / "postgres")
    pg_start = {pid: cpu_seconds(pid) for pid in database_backends(data_dir, BENCH_DB)}
    self_start = time.process_time()
    start = time.perf_counter()
    ids = [import_article(parsed=p, options=ImportOptions(publish=True))[1].id for p in parsed]
    saves = time.perf_counter() - start
    rss_first = None
    done = 0
    while done < len(ids):
        time.sleep(0.25)
        done = Article.objects.filter(tagging_status="done").count()
        if rss_first is None and done >= 100:
            rss_first = {pid: rss_kib(pid) for pid in children(worker.pid)}
        if worker.poll() is not None:
            raise SystemExit("the worker died")
    seconds = time.perf_counter() - start
    return EndToEnd(
        ids=ids,
        seconds=seconds,
        saves=saves,
        failed=Article.objects.filter(tagging_status="failed").count(),
        worker_cpu=sum(cpu_seconds(pid) - cpu_start.get(pid, 0.0) for pid in [worker.pid, *children(worker.pid)]),
        pg_cpu=sum(cpu_seconds(pid) - pg_start.get(pid, 0.0) for pid in database_backends(data_dir, BENCH_DB)),
        self_cpu=time.process_time() - self_start,
        rss_first=rss_first or {},
        rss_last={pid: rss_kib(pid) for pid in children(worker.pid)},
    )


def wait_until_idle(worker: subprocess.Popen, *, at_least: float = 25) -> None:
    """Wait (at least `at_least` seconds) until the pool processes have loaded their models:
    their CPU time stops growing. On a loaded machine loading takes longer than any fixed wait,
    and the worker's CPU per article must not count it."""
    time.sleep(at_least)
    before = None
    while True:
        used = sum(cpu_seconds(pid) for pid in children(worker.pid))
        if before is not None and used - before < 0.05:
            return
        before = used
        time.sleep(2)


def _raw_share(items: list, results) -> None:
    from entities.extraction import ner

    start = time.process_time()
    ner.extract_many(items, batch_size=RAW_BATCH_SIZE, prose_only=False)
    results.put(time.process_time() - start)


def time_raw(items: list, *, processes: int) -> Raw:
    """extract_many (nlp.pipe, NER only, texts as they are: the model alone) over the items: in this process when `processes` is 1,
    else in that many processes forked from this one (models loaded), each over its share."""
    from entities.extraction import ner

    if processes == 1:
        start, cpu_start = time.perf_counter(), time.process_time()
        ner.extract_many(items, batch_size=RAW_BATCH_SIZE, prose_only=False)
        return Raw(1, time.perf_counter() - start, time.process_time() - cpu_start)
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    shares = [context.Process(target=_raw_share, args=(items[i::processes], results)) for i in range(processes)]
    start = time.perf_counter()
    for share in shares:
        share.start()
    cpu = sum(results.get() for _ in shares)
    seconds = time.perf_counter() - start
    for share in shares:
        share.join()
    return Raw(processes, seconds, cpu)


def print_report(e2e: EndToEnd, raw_equal: Raw, raw_one: Raw, *, batch_size: int, loads: tuple) -> None:
    n = len(e2e.ids)
    e2e_rate = n / e2e.seconds
    ms = 1000 / n  # seconds in all -> ms per article
    print(
        f"  load average before: {' '.join(f'{x:.2f}' for x in loads[0])}; after: {' '.join(f'{x:.2f}' for x in loads[1])}"
    )
    print(f"  saves (import_article, queued on commit): {e2e.saves:.1f} s")
    label = f"end to end, {WORKER_PROCESSES} worker processes, batches of {batch_size}:"
    print(f"  {label:<50}{e2e_rate:7.1f} articles/s  ({e2e.seconds:.1f} s, {e2e.failed} failed)")
    for raw in (raw_equal, raw_one):
        label = f"raw nlp.pipe, {raw.processes} process{'es' if raw.processes > 1 else ''}:"
        print(f"  {label:<50}{n / raw.seconds:7.1f} articles/s  ({raw.seconds:.1f} s)")
    print(
        f"  ** ratio end to end / raw, {WORKER_PROCESSES} processes each (like for like, per core):"
        f" {e2e_rate / (n / raw_equal.seconds):.2f} **"
    )
    # CPU per article says where the time goes whatever else the machine is running.
    print(
        f"  ratio of CPU per article, raw / end to end: {raw_equal.cpu / e2e.worker_cpu:.2f} counting the worker"
        f" processes only (PostgreSQL and the saving process not included);"
        f" {raw_equal.cpu / (e2e.worker_cpu + e2e.pg_cpu + e2e.self_cpu):.2f} including them"
    )
    print(
        f"  ratio end to end ({WORKER_PROCESSES} worker processes) / raw (1 process), as in earlier runs:"
        f" {e2e_rate / (n / raw_one.seconds):.2f}"
    )
    print(
        f"  CPU per article, end to end: worker processes {e2e.worker_cpu * ms:.1f} ms,"
        f" PostgreSQL {e2e.pg_cpu * ms:.1f} ms, saving process {e2e.self_cpu * ms:.1f} ms;"
        f" raw nlp.pipe {raw_equal.cpu * ms:.1f} ms ({raw_equal.processes} processes), {raw_one.cpu * ms:.1f} ms (1)"
    )
    # A sample can land mid-batch (spaCy's arrays for 16 articles live): the peak (VmHWM)
    # says more about growth than the instantaneous RSS.
    for pid in sorted(e2e.rss_last):
        (first, first_peak), (last, last_peak) = e2e.rss_first.get(pid, (0, 0)), e2e.rss_last[pid]
        print(
            f"  worker process {pid}: RSS after the first 100 articles {first / 1024:.0f} MiB"
            f" (peak {first_peak / 1024:.0f}); after {n}: {last / 1024:.0f} MiB (peak {last_peak / 1024:.0f});"
            f" growth {(last - first) / 1024:+.0f} MiB (peak {(last_peak - first_peak) / 1024:+.0f})"
        )


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
    from benchmarks.broker import empty_private_broker, use_private_broker
    from entities.extraction import ner
    from entities.services import article_fields

    rows, distinct = records(args.articles)
    print(f"tagging benchmark: {len(rows)} articles ({distinct} distinct Wikinews texts, cycled)", flush=True)

    # A scratch database and a scratch Redis database: nothing of the archive is touched.
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": BENCH_DB}
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    broker = use_private_broker(database=BROKER_DATABASE)
    batch_size = args.batch_size or settings.TAGGING_BATCH_SIZE
    worker = start_worker(broker=broker, batch_size=batch_size)
    try:
        # Warm: models loaded in both pool processes before the clock starts.
        time.sleep(3)
        ner.preload()
        parsed = [wikinews_article(r) for r in rows]
        while len(children(worker.pid)) < WORKER_PROCESSES:
            time.sleep(0.5)
        wait_until_idle(worker)

        load_before = os.getloadavg()
        e2e = time_end_to_end(worker, parsed)
        articles = list(Article.objects.filter(id__in=e2e.ids).order_by("id"))
        items = [(article_fields(a), a.language) for a in articles]
        raw_one = time_raw(items, processes=1)
        raw_equal = time_raw(items, processes=WORKER_PROCESSES)
        load_after = os.getloadavg()
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
        empty_private_broker()
        connection.creation.destroy_test_db(BENCH_DB, verbosity=0)
    print_report(e2e, raw_equal, raw_one, batch_size=batch_size, loads=(load_before, load_after))


if __name__ == "__main__":
    main(sys.argv[1:])
