"""The search benchmark's facets mode: every query of the fixed set (and the whole archive,
browsed with filters only) asked through the API with all six facets, timed; then, for each
answer counted from a sample, the same facets counted exactly in process, and the sample's
error: how far its counts are from the exact ones, and how many of the exact top values it
shows (docs/decisions/0021-facets-exact-or-sampled.md)."""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlencode

from benchmarks.search.harness import PAGE_SIZE, Client, pct, stats, timed

ALL_FACETS = "person,organisation,place,language,section,year"
TOP = 10  # values per facet, the API's default
# Browsing without words: the broadest result sets there are.
BROWSE = [
    {"class": "browse", "q": "", "filters": {}},
    {"class": "browse", "q": "", "filters": {"language": "fr"}},
    {"class": "browse", "q": "", "filters": {"section": "politics"}},
    {"class": "browse", "q": "", "filters": {"published_after": "2020-01-01T00:00:00Z"}},
]


def facets_path(query: dict) -> str:
    params = {"q": query["q"], "page_size": PAGE_SIZE, "facets": ALL_FACETS, **query["filters"]}
    return "/api/v1/articles/?" + urlencode({k: v for k, v in params.items() if v != ""})


def measure(client: Client, queries: list[dict], repeat: int) -> list[dict]:
    """The first page with every facet, per query: time, count and how the facets were counted."""
    out = []
    for query in [*queries, *BROWSE]:
        ms, data = timed(lambda q=query: client.get(facets_path(q)), repeat)
        facets = data["facets"]
        out.append(
            {
                **query,
                "ms": ms,
                "hits": data["count"],
                "method": facets["method"],
                "sample_share": facets["sample_share"],
                "facets": {name: facets[name] for name in ALL_FACETS.split(",")},
            }
        )
    return out


def exact_facets(query: dict) -> tuple[float, dict]:
    """(ms, the facets counted over every match), in process, as the API's form reads the query."""
    from django.db import connection

    from articles.api.filters import ArticleFilterForm
    from articles.search import search_articles
    from articles.search.facets import FACETS, FacetTuning

    form = ArticleFilterForm.validated({"q": query["q"], **query["filters"]})
    everything = FacetTuning(exact_limit=10**9, exact_cap=10**9)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")  # an exact count of a broad search takes seconds
    start = time.perf_counter()
    page = search_articles(form.search_filters(), page_size=1, facets=FACETS, facet_size=1000, facet_tuning=everything)
    ms = (time.perf_counter() - start) * 1000
    return ms, {name: {_key(v): v.count for v in values} for name, values in page.facets.values.items()}


def _key(value) -> object:
    return value.value


def _answer_key(name: str, value: dict) -> object:
    return value["id"] if "id" in value else value["value"]


def errors(results: list[dict]) -> list[dict]:
    """Per sampled answer and facet: the relative error of each value it shows (against the
    exact count), and the share of the exact top TOP values it shows."""
    rows = []
    for result in results:
        if result["method"] != "sample":
            continue
        exact_ms, exact = exact_facets(result)
        for name, shown in result["facets"].items():
            truth = exact[name]
            if not truth:
                continue
            top = sorted(truth, key=lambda k: -truth[k])[:TOP]
            shown_keys = {_answer_key(name, v) for v in shown}
            relative = [
                abs(v["count"] - truth.get(_answer_key(name, v), 0)) / max(truth.get(_answer_key(name, v), 0), 1)
                for v in shown
            ]
            rows.append(
                {
                    "query": result,
                    "facet": name,
                    "exact_ms": exact_ms,
                    "relative_errors": relative,
                    "top_recall": len(shown_keys & set(top)) / len(top),
                    "largest": max(truth.values()),
                }
            )
    return rows


def report(results: list[dict], error_rows: list[dict], n: int) -> None:
    report_latency(results, n)
    report_errors(error_rows)


def report_latency(results: list[dict], n: int) -> None:
    print(f"\nFacets at {n:,} articles: {len(results)} first pages with all six facets, ms (median of the repeats)")
    print(f"{'requests':<28} | {'count':>5} | {'p50     p95     max':>23}")
    print("-" * 64)
    groups = {
        "all": results,
        "counted exactly": [r for r in results if r["method"] == "exact"],
        "counted from a sample": [r for r in results if r["method"] == "sample"],
    }
    for label, group in groups.items():
        if group:
            print(f"{label:<28} | {len(group):>5} | {stats([r['ms'] for r in group]):>23}")
    classes = sorted({r["class"] for r in results})
    print(
        "p95 per query class: "
        + ", ".join(f"{c} {pct([r['ms'] for r in results if r['class'] == c], 95):.1f}" for c in classes)
    )
    sampled = groups["counted from a sample"]
    if sampled:
        shares = [r["sample_share"] for r in sampled]
        print(
            f"sample share of the articles: min {min(shares):.4f}, median {statistics.median(shares):.4f}, max {max(shares):.4f}"
        )
    over = [r for r in results if r["ms"] > 150]
    print(f"over 150 ms: {len(over)}; slowest 5:")
    for r in sorted(results, key=lambda r: -r["ms"])[:5]:
        extra = " ".join(f"{k}={v}" for k, v in r["filters"].items())
        print(f"  {r['ms']:7.1f} ms  {r['method']:<6} {r['hits']:>9,}  {r['q']!r} {extra}")


def report_errors(error_rows: list[dict]) -> None:
    if not error_rows:
        print("\nNo answer was counted from a sample: no sampling error to measure.")
        return
    print(f"\nSampling error, {len({id(r['query']) for r in error_rows})} sampled answers, against exact counts:")
    print(
        f"{'facet':<14} | {'answers':>7} | {'rel. error p50':>14} | {'p95':>6} | {'max':>6} | {'top-10 recall mean':>18} | {'min':>5}"
    )
    print("-" * 90)
    for name in ALL_FACETS.split(","):
        rows = [r for r in error_rows if r["facet"] == name]
        if not rows:
            continue
        rel = [e for r in rows for e in r["relative_errors"]]
        recall = [r["top_recall"] for r in rows]
        print(
            f"{name:<14} | {len(rows):>7} | {pct(rel, 50):>13.1%} | {pct(rel, 95):>5.1%} | {max(rel):>5.1%} |"
            f" {statistics.mean(recall):>18.1%} | {min(recall):>4.0%}"
        )
    exact_ms = [r["exact_ms"] for r in {id(r["query"]): r for r in error_rows}.values()]
    print(f"(the same facets counted exactly, in process: p50 {pct(exact_ms, 50):.0f} ms, max {max(exact_ms):.0f} ms)")
