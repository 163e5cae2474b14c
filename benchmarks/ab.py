"""One benchmark, two versions of the code, side by side in one run.

    python -m benchmarks ab --old=REV [--rounds=2] search --articles=100000
    python -m benchmarks ab --old=REV pages --runs=20
    make bench BENCH_ARGS="ab --old=ac062a1 search --articles=100000"

The old version is checked out (detached) under var/bench/ab-<rev>/ and shares this checkout's
virtualenv; both run against the same database (this checkout's, passed as DATABASE_URL), so the
search benchmark's archive is built once, by the first run, and read by every later one. The runs
alternate, old then new, `--rounds` times, so that a spell of load on the machine falls on both
sides; Tantivy's figures in each search run are the yardstick of how fast the machine was then.
Each run's whole output goes to var/bench/ab-<benchmark>-<side>-<round>.log; the summary puts
the figures of every run in one table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from benchmarks.corpus import DATA as SHARED_DATA
from benchmarks.corpus import ROOT
from benchmarks.search.archive import BENCH_DIR
from benchmarks.search.harness import MODES, pct
from core.shared_data import SHARED_DATA_VARIABLE

# A row of the pages benchmark's table: label, first, median, p95, queries, status.
PAGE_ROW = re.compile(r"^(?P<label>.+?)\s+(?P<first>[\d.]+)\s+(?P<median>[\d.]+)\s+(?P<p95>[\d.]+)\s+\d+\s+\d{3}$")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks ab")
    parser.add_argument("--old", required=True, help="the git revision to compare this checkout with")
    parser.add_argument("--rounds", type=int, default=2, help="old-then-new rounds (default 2)")
    parser.add_argument("benchmark", choices=["search", "pages"])
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the benchmark's own arguments")
    return parser.parse_args(argv)


def database_url() -> str:
    """This checkout's database as a URL the other checkout's settings read."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.db import connection

    params = connection.get_connection_params()
    host = params.get("host") or "localhost"
    user = params.get("user") or "postgres"
    password = f":{params['password']}" if params.get("password") else ""
    port = f":{params['port']}" if params.get("port") and not host.startswith("/") else ""
    if host.startswith("/"):
        return f"postgres://{user}{password}@{port}/{params['dbname']}?host={host}"
    return f"postgres://{user}{password}@{host}{port}/{params['dbname']}"


def checkout(rev: str) -> Path:
    """A detached worktree of REV under var/bench/, sharing this checkout's virtualenv."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = BENCH_DIR / f"ab-{sha[:10]}"
    if not path.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=ROOT, check=True)
    venv = path / ".venv"
    if not venv.exists():
        venv.symlink_to((ROOT / ".venv").resolve())
    # Both checkouts find the corpora: this code through NEWSROOM_SHARED_DATA (main), code older
    # than core/shared_data.py only where it looked for them, ../shared/data beside the checkout.
    beside = path.parent / "shared" / "data"
    if SHARED_DATA is not None and not beside.exists():
        beside.parent.mkdir(exist_ok=True)
        beside.symlink_to(SHARED_DATA)
    return path


def run_side(root: Path, benchmark: str, args: list[str], env: dict, log: Path) -> str:
    print(f"-- {log.name}", flush=True)
    with log.open("w") as out:
        proc = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-m", "benchmarks", benchmark, *args],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    text = log.read_text()
    if proc.returncode:
        sys.exit(f"{log} ended with status {proc.returncode}:\n{text[-3000:]}")
    return text


def search_figures(root: Path, args: list[str]) -> dict[str, tuple[float, float, float]]:
    """{mode: (ours p50, ours p95, Tantivy p50)} from the run's per-query results file."""
    n = next((int(a.split("=", 1)[1]) for a in args if a.startswith("--articles=")), 1_000_000)
    results = json.loads((root / "var" / "bench" / f"search-results-{n}.json").read_text())
    out = {}
    for mode, _label in MODES:
        ours = [r["ms"] for r in results["ours"][mode]]
        theirs = [r["ms"] for r in results["tantivy"][mode]]
        out[mode] = (pct(ours, 50), pct(ours, 95), pct(theirs, 50))
    return out


def page_figures(text: str) -> dict[str, tuple[float, float]]:
    """{page label: (median, p95)} from the pages benchmark's tables."""
    rows = {}
    for line in text.splitlines():
        if m := PAGE_ROW.match(line.strip()):
            rows[m["label"].strip()] = (float(m["median"]), float(m["p95"]))
    return rows


def summarise(benchmark: str, runs: list[tuple[str, int, object]]) -> None:
    print(f"\nA/B summary, {benchmark}: each run in order (old = the --old revision, new = this checkout)")
    if benchmark == "search":
        print(f"{'mode':<24} " + " ".join(f"{side}{i} p50/p95 (T p50)".rjust(26) for side, i, _ in runs))
        for mode, label in MODES:
            cells = [f"{f[mode][0]:6.1f} / {f[mode][1]:6.1f} ({f[mode][2]:5.2f})" for _, _, f in runs]
            print(f"{label:<24} " + " ".join(c.rjust(26) for c in cells))
        for mode, label in MODES:
            old = [f[mode][1] for side, _, f in runs if side == "old"]
            new = [f[mode][1] for side, _, f in runs if side == "new"]
            print(
                f"{label:<24} p95 mean of runs: old {statistics.mean(old):6.1f}  new {statistics.mean(new):6.1f}"
                f"  new/old {statistics.mean(new) / statistics.mean(old):.2f}"
            )
    else:
        labels = [label for label in runs[0][2] if all(label in f for _, _, f in runs)]
        print(f"{'page':<44} " + " ".join(f"{side}{i} median".rjust(12) for side, i, _ in runs) + "   new/old")
        for label in labels:
            old = [f[label][0] for side, _, f in runs if side == "old"]
            new = [f[label][0] for side, _, f in runs if side == "new"]
            cells = " ".join(f"{f[label][0]:12.1f}" for _, _, f in runs)
            print(f"{label[:44]:<44} {cells}   {statistics.mean(new) / statistics.mean(old):7.2f}")


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    extra = [a for a in args.args if a != "--"]
    # One database, one broker, one cache for both sides (the old side's own var/ has none).
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": settings.CACHE_URL,
        "PYTHONHASHSEED": "0",
        **({SHARED_DATA_VARIABLE: str(SHARED_DATA)} if SHARED_DATA is not None else {}),
    }
    old_root = checkout(args.old)
    if args.benchmark == "search":  # the archive built (or checked) once, by this checkout's code
        run_side(ROOT, "search", [*extra, "--build-only"], env, BENCH_DIR / "ab-search-build.log")
    runs = []
    for i in range(1, args.rounds + 1):
        for side, root in (("old", old_root), ("new", ROOT)):
            text = run_side(root, args.benchmark, extra, env, BENCH_DIR / f"ab-{args.benchmark}-{side}-{i}.log")
            figures = search_figures(root, extra) if args.benchmark == "search" else page_figures(text)
            runs.append((side, i, figures))
    summarise(args.benchmark, runs)
    if args.benchmark == "search":
        same = (old_root / "var/bench/search-queries.json").read_bytes() == (
            BENCH_DIR / "search-queries.json"
        ).read_bytes()
        print(f"query sets: {'identical' if same else 'DIFFERENT'} on both sides")
