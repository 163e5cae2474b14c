"""The search benchmark's profile mode: where a search's time goes. Each query of the fixed
set, by relevance and newest first, and with every facet (as the facets mode asks), runs
through `search_articles` in process; an execute wrapper times every SQL statement and files
it under the step of the engine that ran it, found from the calling function (the innermost
frame in articles/search/), and the page's statements under the plan that read them
(planner.Plan). What is not SQL is the Python around it, and the wait for the work found
beside the page on the workers' own connections (the facets and the snippets, core/beside.py),
whose statements this timer does not see."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.search.facets import ALL_FACETS, BROWSE
from benchmarks.search.harness import PAGE_SIZE, describe, pct

SEARCH_PACKAGE = str(Path("articles", "search", ""))
# The engine's functions that run SQL, by step; a function not listed is shown as module.function.
STEPS = {
    "filters.resolve_entities": "entity filters",
    "phrase_pairs._pairs_of_each_reading": "phrase pairs",
    "named.with_named_entities": "named entities",
    "weights._frequencies": "IDF weights",
    "weights.get": "IDF weights (statistics list)",
    "estimate.estimate_matches": "estimate (EXPLAIN)",
    "windows.window_boundary": "window boundary",
    "impact.bounded_terms": "impact: bounds",
    "impact._read": "impact: postings read",
    "impact._ranked": "impact: met ranked",
    "impact.rounds": "impact: unstemmed apart",
    "impact.prefix_candidates": "impact: prefix",
    "plans._page": "page",
    "plans._matches_beyond": "proven page: any match beyond",
    "engine._count_up_to": "count",
    "snippets.headlines": "snippets",
    "facets._counted": "facets",
}
# The page's plan (planner.Plan), and PROOF: the first page the impact postings prove
# (plans.proven_first_page), a try before the plan when it is followed by another.
PLAN_FUNCTIONS = {
    "proven_first_page": "PROOF",
    "rank_all": "RANK_ALL",
    "walk": "WALK",
    "scan": "SCAN",
    "window_walk": "WINDOW_WALK",
    "window_scan": "WINDOW_SCAN",
    "recently_updated": "UPDATED",
}
PYTHON = "Python outside SQL"
SLOWEST = 15
TAIL = 0.10  # the slowest share of queries whose steps are averaged apart


class StatementTimer:
    """A connection.execute_wrapper: each statement's ms, by step, and the plans seen."""

    def __init__(self):
        self.steps: dict[str, float] = defaultdict(float)
        self.statements: dict[str, int] = defaultdict(int)
        self.plans: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        step, plan = _caller()
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.steps[step] += (time.perf_counter() - start) * 1000
            self.statements[step] += 1
            if plan and plan not in self.plans:
                self.plans.append(plan)


def _caller() -> tuple[str, str]:
    """(the step: the innermost function of articles/search/ on the stack, the plan function
    the statement runs under, if any)."""
    frame = sys._getframe(2)
    step = plan = ""
    while frame is not None:
        code = frame.f_code
        if SEARCH_PACKAGE in code.co_filename:
            module = Path(code.co_filename).stem
            if not step:
                name = f"{module}.{code.co_name}"
                step = STEPS.get(name, name)
            if module == "plans" and code.co_name in PLAN_FUNCTIONS:
                plan = PLAN_FUNCTIONS[code.co_name]
                break
        frame = frame.f_back
    return step or "outside the engine", plan


def requests(queries: list[dict]) -> list[tuple[str, dict, dict]]:
    """(mode, query, the API's query parameters) for every search profiled."""
    out = []
    for mode, ordering in (("relevance", "relevance"), ("newest", "-published_at")):
        out += [(mode, q, {"q": q["q"], "ordering": ordering, **q["filters"]}) for q in queries]
    out += [("facets", q, {"q": q["q"], "facets": ALL_FACETS, **q["filters"]}) for q in [*queries, *BROWSE]]
    return out


def run_once(params: dict) -> dict:
    """One search as the API runs it, timed: total ms, ms and statements per step, plans."""
    from django.db import connection

    from articles.api.filters import ArticleFilterForm
    from articles.search import search_articles

    form = ArticleFilterForm.validated({k: v for k, v in params.items() if v != ""})
    timer = StatementTimer()
    with connection.execute_wrapper(timer):
        start = time.perf_counter()
        page = search_articles(
            form.search_filters(),
            page_size=PAGE_SIZE,
            facets=form.cleaned_data["facets"],
            facet_size=form.cleaned_data["facet_size"],
        )
        # Found beside the page until first read (core/beside.py): waited for here, as a caller does.
        _ = page.snippets, page.facets
        total = (time.perf_counter() - start) * 1000
    steps = dict(timer.steps)
    steps[PYTHON] = total - sum(steps.values())
    return {
        "ms": total,
        "steps": steps,
        "statements": dict(timer.statements),
        "plan": ">".join(timer.plans) or "-",
        "hits": page.count,
        "facets": page.facets.method if page.facets else None,
    }


def measure(queries: list[dict], repeat: int) -> list[dict]:
    """Each search run once untimed, then `repeat` times: the run of median total kept."""
    out = []
    for mode, query, params in requests(queries):
        run_once(params)
        runs = sorted((run_once(params) for _ in range(repeat)), key=lambda r: r["ms"])
        out.append({"mode": mode, **query, **runs[len(runs) // 2]})
    return out


def report(results: list[dict], n: int, path: Path) -> None:
    print(f"\nWhere the time goes at {n:,} articles: search_articles in process, first page of {PAGE_SIZE}")
    for mode in ("relevance", "newest", "facets"):
        rows = [r for r in results if r["mode"] == mode]
        _mode_table(mode, rows)
        _plan_table(rows)
        _slowest(rows)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\nper-query profile: {path}")


def _mode_table(mode: str, rows: list[dict]) -> None:
    totals = [r["ms"] for r in rows]
    tail = sorted(rows, key=lambda r: -r["ms"])[: max(1, round(len(rows) * TAIL))]
    print(
        f"\n== {mode}: {len(rows)} searches, ms p50 {pct(totals, 50):.1f}  p95 {pct(totals, 95):.1f}"
        f"  max {max(totals):.1f}  (slowest {len(tail)}: from {tail[-1]['ms']:.1f})"
    )
    steps = sorted({s for r in rows for s in r["steps"]}, key=lambda s: -sum(r["steps"].get(s, 0) for r in rows))
    whole = sum(totals)
    print(f"  {'step':<32} {'runs':>5} {'stmts':>6} {'mean ms':>8} {'share':>6} {'tail mean':>10}")
    for step in steps:
        ms = [r["steps"].get(step, 0.0) for r in rows]
        ran = sum(1 for r in rows if step in r["steps"])
        statements = sum(r["statements"].get(step, 0) for r in rows) / len(rows)
        tail_ms = statistics.mean(r["steps"].get(step, 0.0) for r in tail)
        print(
            f"  {step:<32} {ran:>5} {statements:>6.2f} {statistics.mean(ms):>8.1f}"
            f" {100 * sum(ms) / whole:>5.1f}% {tail_ms:>10.1f}"
        )


def _plan_table(rows: list[dict]) -> None:
    by_plan = defaultdict(list)
    for r in rows:
        by_plan[r["plan"]].append(r)
    print(f"  {'plan(s) tried':<32} {'runs':>5} {'page mean':>10} {'total p50':>10} {'p95':>8} {'max':>8}")
    for plan, found in sorted(by_plan.items(), key=lambda item: -len(item[1])):
        totals = [r["ms"] for r in found]
        page = statistics.mean(r["steps"].get("page", 0.0) for r in found)
        print(
            f"  {plan:<32} {len(found):>5} {page:>10.1f} {pct(totals, 50):>10.1f}"
            f" {pct(totals, 95):>8.1f} {max(totals):>8.1f}"
        )


def _slowest(rows: list[dict]) -> None:
    print(f"  slowest {SLOWEST}:")
    for r in sorted(rows, key=lambda r: -r["ms"])[:SLOWEST]:
        parts = ", ".join(f"{s} {ms:.1f}" for s, ms in sorted(r["steps"].items(), key=lambda i: -i[1]) if ms >= 0.5)
        extra = f" facets={r['facets']}" if r["facets"] else ""
        print(f"  {r['ms']:8.1f} ms  {r['class']:<9} {describe(r)}  [{r['plan']}, {r['hits']:,} hits{extra}]")
        print(f"  {'':13}{parts}")
