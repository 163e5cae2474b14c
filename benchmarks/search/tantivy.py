"""The search benchmark's yardstick: a Tantivy index of the same published articles, per-language
stemmed fields, and our web-search syntax and API filters translated into Tantivy queries."""

from __future__ import annotations

import re
import shutil
import time
import unicodedata
from datetime import datetime
from pathlib import Path

from benchmarks.search.archive import CHUNK, SECTIONS, SOURCES, generate_chunk

TEXT_FIELDS = [f"{lang}_{part}" for lang in ("en", "fr") for part in ("headline", "standfirst", "body")]
BOOSTS = {f: {"headline": 2.0, "standfirst": 1.5, "body": 1.0}[f.split("_")[1]] for f in TEXT_FIELDS}
_TOKEN_RE = re.compile(r'(-?)("[^"]*"?|[^\s"]+)')
_ID_FILTERS = ("person", "organisation", "place")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=f"{name[:2]}_fold")
    for name in ("language", "section", "source"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_integer_field("entities", indexed=True)
    return builder.build()


def open_tantivy(path: Path | None, create: bool = False):
    """The index at `path` (emptied first with `create`; in memory when None), with its language
    analysers: lowercase, ASCII folding and the language's Snowball stemmer."""
    import tantivy

    if create and path is not None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
    index = tantivy.Index(tantivy_schema(), path=str(path) if path is not None else None)
    for lang, stemmer in (("en", "english"), ("fr", "french")):
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer(stemmer))
            .build()
        )
        index.register_tokenizer(f"{lang}_fold", analyzer)
    return index


def build_tantivy(n: int, path: Path) -> None:
    """Index the published articles of the archive of N articles, generated again chunk by chunk."""
    import tantivy

    started = time.perf_counter()
    index = open_tantivy(path, create=True)
    writer = index.writer(heap_size=1_000_000_000, num_threads=2)
    for chunk in range((n + CHUNK - 1) // CHUNK):
        for article in generate_chunk(chunk, n):
            if article.draft:
                continue
            doc = tantivy.Document()
            doc.add_integer("id", article.id)
            doc.add_text(f"{article.lang}_headline", article.headline)
            doc.add_text(f"{article.lang}_standfirst", article.standfirst)
            doc.add_text(f"{article.lang}_body", "\n\n".join(article.paragraphs))
            doc.add_text("language", article.lang)
            doc.add_text("section", SECTIONS[article.section])
            doc.add_text("source", SOURCES[article.source])
            doc.add_integer("published", int(article.published.timestamp()))
            for entity in article.entities:
                doc.add_integer("entities", entity + 1)
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    size = sum(f.stat().st_size for f in path.iterdir()) / 2**20
    print(f"tantivy: indexed in {time.perf_counter() - started:.0f}s, {size:.0f} MiB", flush=True)


def _text_clause(index, schema, token: str):
    """A phrase, a prefix (a regex over the folded terms) or required words; None when empty."""
    import tantivy

    if token.startswith('"'):
        words = re.findall(r"\w+", token)
        return index.parse_query('"' + " ".join(words) + '"', TEXT_FIELDS, field_boosts=BOOSTS) if words else None
    if token.endswith("*"):
        prefix = fold(token.rstrip("*"))
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.regex_query(schema, f, re.escape(prefix) + ".*"))
                for f in TEXT_FIELDS
            ]
        )
    words = re.findall(r"\w+", token)
    return index.parse_query(" AND ".join(words), TEXT_FIELDS, field_boosts=BOOSTS) if words else None


def _filter_clauses(schema, filters: dict) -> list:
    """The API filters as required term and range queries."""
    import tantivy

    clauses = []
    for name in ("language", "section", "source"):
        if filters.get(name):
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, name, filters[name])))
    for name in _ID_FILTERS:
        if filters.get(name):
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "entities", int(filters[name]))))
    after, before = filters.get("published_after"), filters.get("published_before")
    if after or before:
        bound = [int(datetime.fromisoformat(v).timestamp()) if v else None for v in (after, before)]
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.range_query(schema, "published", tantivy.FieldType.Integer, *bound))
        )
    return clauses


def tantivy_query(index, q: str, filters: dict):
    """The Tantivy equivalent of our web-search syntax plus the API filters."""
    import tantivy

    schema = index.schema
    must, must_not = [], []
    for negated, token in _TOKEN_RE.findall(q):
        if token.upper() == "OR":
            continue
        sub = _text_clause(index, schema, token)
        if sub is not None:
            (must_not if negated else must).append(sub)
    clauses = [(tantivy.Occur.Must, s) for s in must] + [(tantivy.Occur.MustNot, s) for s in must_not]
    return tantivy.Query.boolean_query(clauses + _filter_clauses(schema, filters))
