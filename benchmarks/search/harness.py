"""The search benchmark's timing: our API served by gunicorn and called over HTTP, Tantivy in
process, the same queries and pages on both sides, and the report that sets them side by side."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import urlencode, urlsplit

from benchmarks.corpus import ROOT
from benchmarks.search.archive import BENCH_DIR
from benchmarks.search.queries import QUERY_CLASSES
from benchmarks.search.tantivy import tantivy_query

DEEP_PAGE = 5
PAGE_SIZE = 20
MODES = [
    ("relevance", "relevance, page 1"),
    ("newest", "newest first, page 1"),
    ("relevance_deep", f"relevance, page {DEEP_PAGE}"),
    ("newest_deep", f"newest first, page {DEEP_PAGE}"),
]
# What the comparison leaves out; true as long as articles/search/ ranks and counts this way.
NOT_THE_SAME_WORK = (
    "Not the same work on both sides: ours ranks only candidates of broad queries (2,000 matches or more\n"
    "estimated, or a phrase): the newest 300 and up to 300 per strong signal (words in the headline, in the\n"
    "standfirst, a named entity; decision 0025), and estimates large counts; Tantivy ranks and counts all matches.\n"
    "Ours includes HTTP, snippets, entities and JSON; Tantivy runs in process, with none of them."
)
# The indexes and tables a search reads, loaded into the OS page cache before the timing.
PREWARMED = (
    "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relname IN"
    " ('articles_article', 'article_search_fr_gin', 'article_search_en_gin', 'article_search_other_gin',"
    " 'article_search_pairs_gin', 'article_entity_ids_gin', 'entities_entity', 'entities_alias',"
    " 'article_published_order', 'entities_mention', 'mention_entity_article', 'articles_article_pkey',"
    " 'article_headline_fr_gin', 'article_headline_en_gin', 'article_headline_other_gin',"
    " 'article_standfirst_fr_gin', 'article_standfirst_en_gin', 'article_standfirst_other_gin')"
    " OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'articles_article')"
)

# --- Our side: gunicorn and HTTP ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, conn_params: dict) -> subprocess.Popen:
    """gunicorn (2 workers, DEBUG off, as production) against the bench database, once it answers."""
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


class Client:
    """One keep-alive connection with the API key; get() returns (ms, JSON answer)."""

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


def warm_caches(connection) -> None:
    """Read what a search reads into the OS page cache, as on a running site."""
    with connection.cursor() as cur:
        cur.execute("SHOW shared_buffers")
        print(
            f"PostgreSQL shared_buffers {cur.fetchone()[0]} (the private cluster's default is 256MB; the figures in"
            " the README were taken with 4GB: ALTER SYSTEM SET shared_buffers = '4GB', then restart)"
        )
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cur.execute("SET statement_timeout = 0")  # reading 11 GB takes longer than a request may
        # into the OS page cache ('read'): the heap is far larger than the private cluster's shared_buffers
        cur.execute(PREWARMED)
    connection.close()


# --- Timing ----------------------------------------------------------------------------------


def timed(fn, repeat: int) -> tuple[float, object]:
    """The median ms of `repeat` calls after one untimed warm-up, and the last call's result."""
    fn()
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
    """Top PAGE_SIZE and the exact count, by relevance or by date; page DEEP_PAGE by offset."""
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


# --- Report -----------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def stats(values: list[float]) -> str:
    return f"{pct(values, 50):7.1f} {pct(values, 95):7.1f} {max(values):7.1f}"


def describe(query: dict) -> str:
    extra = " ".join(f"{k}={v}" for k, v in query["filters"].items())
    return f"{query['q']!r} {extra}".strip()


def _latency_table(ours: dict, theirs: dict, n: int) -> None:
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
    print(NOT_THE_SAME_WORK)


def _class_table(ours: dict, theirs: dict) -> None:
    print("Per query class, p95 ms (ours / Tantivy):")
    print(f"{'mode':<24} " + " ".join(f"{c:>17}" for c in QUERY_CLASSES))
    for mode, label in MODES:
        cells = []
        for cls in QUERY_CLASSES:
            a = [r["ms"] for r in ours[mode] if r["class"] == cls]
            b = [r["ms"] for r in theirs[mode] if r["class"] == cls]
            cells.append(f"{pct(a, 95):7.1f} / {pct(b, 95):6.2f}" if a else "-")
        print(f"{label:<24} " + " ".join(f"{c:>17}" for c in cells))


def _hits_table(ours: dict, theirs: dict) -> None:
    print("Median hits per class (ours: count as returned, exact or estimated / Tantivy: exact):")
    for cls in QUERY_CLASSES:
        a = [r["hits"] for r in ours["relevance"] if r["class"] == cls]
        b = [r["hits"] for r in theirs["relevance"] if r["class"] == cls]
        print(f"  {cls:<10} {statistics.median(a):>10,.0f} / {statistics.median(b):>10,.0f}")


def report(ours: dict, theirs: dict, n: int) -> None:
    print()
    _latency_table(ours, theirs, n)
    print()
    _class_table(ours, theirs)
    print()
    _hits_table(ours, theirs)
    for mode, label in MODES:
        print(f"\nSlowest 5, {label}:")
        for r in sorted(ours[mode], key=lambda r: -r["ms"])[:5]:
            print(f"  {r['ms']:8.1f} ms  {r['class']:<9} {describe(r)}")
