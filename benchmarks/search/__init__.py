"""Full-text search at archive size, through the partner API, beside Tantivy.

    python -m benchmarks search [--articles=1000000] [--rebuild] [--database=NAME] [--repeat=3] [--build-only]
                                [--facets] [--relevance-only] [--profile]
    make bench BENCH_ARGS="search --articles=20000"

archive.py builds (or reuses) the generated archive, tantivy.py the same articles in Tantivy,
queries.py draws the fixed query set, harness.py times both sides and prints the comparison,
then the same queries asking for every facet (facets.py), on the same server in the same run;
exhaustive.py then measures how often relevance's first page differs from ranking every match
(with --relevance-only: also with the newest candidates alone, and the engine's time with each).
So one run gives every figure of issue 16's speed targets beside Tantivy's. With --facets,
facets.py times the facets alone and measures the error of the facets counted from a sample
against exact counts. With --profile, profile.py runs the same searches in process instead and
shows where their time goes, step by step.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from benchmarks.corpus import ROOT
from benchmarks.search import exhaustive, facets, harness, profile
from benchmarks.search.archive import BENCH_DIR, DB_NAME, GENERATOR_VERSION, build_database, marker
from benchmarks.search.queries import QUERY_CLASSES, make_queries
from benchmarks.search.tantivy import build_tantivy, open_tantivy


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks search")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the archive and Tantivy index again")
    parser.add_argument("--database", default=DB_NAME, help=f"benchmark database (default {DB_NAME})")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per request (median kept)")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the archive, do not measure")
    parser.add_argument(
        "--facets", action="store_true", help="time the queries with every facet and measure the sampling error"
    )
    parser.add_argument(
        "--relevance-only", action="store_true", help="only compare relevance's first pages with exhaustive ranking"
    )
    parser.add_argument(
        "--profile", action="store_true", help="time each step of the searches in process, statement by statement"
    )
    return parser.parse_args(argv)


def use_database(name: str) -> dict:
    """Set Django up on the benchmark database; returns its psycopg2 connection parameters."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    connection.settings_dict["NAME"] = name
    conn_params = connection.get_connection_params()
    return {k: v for k, v in conn_params.items() if k in ("dbname", "host", "port", "user", "password")}


def ensure_archive(n: int, conn_params: dict, tantivy_path: Path, *, rebuild: bool) -> None:
    """Build the archive and the Tantivy index unless the marker says this N and generator are there."""
    current = None if rebuild else marker(conn_params)
    if current != (GENERATOR_VERSION, n):
        build_database(n, conn_params)
        build_tantivy(n, tantivy_path)
    elif not (tantivy_path / "meta.json").exists():
        build_tantivy(n, tantivy_path)
    else:
        print(
            f"archive: reusing {conn_params['dbname']} ({n:,} articles, generator v{GENERATOR_VERSION})"
            f" and {tantivy_path.name}"
        )


def api_key_and_entities() -> tuple[str, dict[str, list[int]]]:
    """A fresh API key for the benchmark, and the archive's entity ids per kind."""
    from django.db import connection
    from rest_framework_api_key.models import APIKey

    APIKey.objects.filter(name="search-bench").delete()
    _, key = APIKey.objects.create_key(name="search-bench")
    ids = archive_entity_ids()
    connection.close()
    return key, ids


def archive_entity_ids() -> dict[str, list[int]]:
    """The archive's entity ids per kind, which the filtered queries draw from."""
    from entities.models import Entity

    return {
        kind: list(Entity.objects.filter(kind=kind).order_by("id").values_list("id", flat=True))
        for kind in ("person", "organisation", "place")
    }


def write_queries(entity_ids: dict[str, list[int]]) -> list[dict]:
    queries = make_queries(entity_ids)
    (BENCH_DIR / "search-queries.json").write_text(json.dumps(queries, ensure_ascii=False, indent=1))
    print(
        f"queries: {len(queries)} ("
        + ", ".join(f"{c} {sum(q['class'] == c for q in queries)}" for c in QUERY_CLASSES)
        + ")"
    )
    return queries


def time_both(conn_params: dict, key: str, queries: list[dict], tantivy_path: Path, repeat: int) -> tuple:
    """(ours, Tantivy's, ours with every facet, load averages before and after ours): Tantivy
    first, then our API over HTTP, by relevance and newest first, then with every facet."""
    index = open_tantivy(tantivy_path)
    index.reload()
    print("timing: Tantivy (in-process)...", flush=True)
    theirs = harness.measure_tantivy(index, queries, repeat)
    port = harness.free_port()
    server = harness.start_server(port, conn_params)
    try:
        client = harness.Client(port, key)
        load_before = os.getloadavg()
        print("timing: our API over HTTP...", flush=True)
        started = time.perf_counter()
        ours = harness.measure_ours(client, queries, repeat)
        print("timing: our API with every facet over HTTP...", flush=True)
        with_facets = facets.measure(client, queries, repeat)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"our API timed in {time.perf_counter() - started:.0f}s")
    return ours, theirs, with_facets, load_before, load_after


def time_facets(conn_params: dict, key: str, queries: list[dict], repeat: int, n: int) -> None:
    """The facets mode: our API over HTTP with every facet, then the sampled answers' error."""
    port = harness.free_port()
    server = harness.start_server(port, conn_params)
    try:
        load_before = os.getloadavg()
        print("timing: our API with facets over HTTP...", flush=True)
        results = facets.measure(harness.Client(port, key), queries, repeat)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("counting the sampled answers' facets exactly...", flush=True)
    error_rows = facets.errors(results)
    facets.report(results, error_rows, n)
    print(
        f"\nload average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    path = BENCH_DIR / f"search-facets-{n}.json"
    rows = [{k: v for k, v in r.items() if k != "query"} | {"q": r["query"]["q"]} for r in error_rows]
    path.write_text(json.dumps({"results": results, "errors": rows}, ensure_ascii=False, default=str))
    print(f"per-query results: {path.relative_to(ROOT)}")


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    conn_params = use_database(args.database)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    tantivy_path = BENCH_DIR / f"tantivy-{args.database}"
    ensure_archive(args.articles, conn_params, tantivy_path, rebuild=args.rebuild)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # the engine's latest migrations, on a reused archive too
    if args.build_only:
        return
    if args.profile:
        queries = write_queries(archive_entity_ids())
        harness.warm_caches(connection)
        results = profile.measure(queries, args.repeat)
        profile.report(results, args.articles, BENCH_DIR / f"search-profile-{args.articles}.json")
        return
    key, entity_ids = api_key_and_entities()
    queries = write_queries(entity_ids)
    if args.relevance_only:
        exhaustive.report(exhaustive.measure(queries))
        exhaustive.report(exhaustive.measure(queries, exhaustive.signals_only()), "decision 0025's candidates alone")
        exhaustive.report(exhaustive.measure(queries, exhaustive.newest_only()), "the newest candidates alone")
        exhaustive.report_timing(exhaustive.time_candidates(queries, args.repeat))
        return
    harness.warm_caches(connection)
    if args.facets:
        time_facets(conn_params, key, queries, args.repeat, args.articles)
        return
    ours, theirs, with_facets, load_before, load_after = time_both(conn_params, key, queries, tantivy_path, args.repeat)
    harness.report(ours, theirs, args.articles)
    facets.report_latency(with_facets, args.articles)
    print(
        f"\nload average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    exhaustive.report(exhaustive.measure(queries))
    results = BENCH_DIR / f"search-results-{args.articles}.json"
    results.write_text(
        json.dumps({"ours": ours, "tantivy": theirs, "facets": with_facets}, ensure_ascii=False, default=str)
    )
    print(f"per-query results: {results.relative_to(ROOT)}")
