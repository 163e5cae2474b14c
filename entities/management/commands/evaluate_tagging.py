"""`make eval`: how well the tagger finds the people, organisations and places of gold news text.

Two variants side by side: "model" is spaCy alone on the texts as they are (label mapping
only, one returned entity per distinct (type, name)); "pipeline" is what tagging does: credit
lines blanked before NER, spans repaired against the text, cleaning, gazetteer and head-word
typing, in-article resolution (one returned entity per resolved entity), and types decided
by the votes of the whole demo archive (`entities/extraction/evidence.py`: the votes tagging
records, computed here in memory over demo/). Nothing is written to the database.

Our own gold (entities/eval/gold.jsonl, gold_en.jsonl, gold_fr.jsonl when present; an
article in two files is read from the later one) is scored at document level:

- A returned entity *names* a gold entity when one of its keys (its surface forms after
  `name_key`, titles and honorifics dropped) equals a key of one of the gold entity's names.
- Precision (per type): returned entities of that type naming a gold entity of the same
  type, over returned entities of that type. Recall (per type): gold entities of that type
  named by at least one returned entity of the same type, over gold entities of that type.
  F1: their harmonic mean. "all" pools the three types; each language (fr, en) pools its
  articles, "all" every article.
- Split: a gold entity named by two or more returned entities, whatever their types
  (count, and % of gold entities): one entity the editor would see as several tags.
- Junk: a returned entity naming no gold entity of any type (count, % of returned entities).
- Wrong type: a returned entity naming gold entities, none of its type (count, % of
  returned entities). Every returned entity is correct, wrong type or junk.

`--verbose` lists, per article, the misses, junk, splits and wrong types of the pipeline
(or of the model, or both), each junk or wrong-typed entity with the model's spans and labels
behind it and what typed it (the gazetteer, a head word, the article's mentions or the
archive's votes). `--own-gold-only` skips the NewsEye set and the cross-language counts. The NewsEye historical OCR gold (restricted, read from the
shared folder) is scored the same way per type; the cross-language section counts the
entities FR/EN Wikinews pairs share (no gold).
"""

import functools
import json
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.ingest.wiretext import parse_wire_text
from articles.models import BLOCK_SEPARATOR
from core.shared_data import SHARED_DATA_VARIABLE, shared_data_for_command
from entities.extraction import gazetteer, ner
from entities.extraction.clustering import Cluster, clean, clean_person, cluster_article
from entities.extraction.evaluation import Evaluation, Named, score_document
from entities.extraction.evidence import TypeEvidence, article_votes, decide_kinds
from entities.models import EntityKind, name_key

ROOT = Path(settings.BASE_DIR)
NEWSEYE = ("restricted", "newseye", "fr_newseye_historical_ocr.jsonl")  # in the team's shared data
OPEN_ARTICLES = ("open", "articles")
DEMO_ARCHIVE = [ROOT / "demo" / name for name in ("en_wikinews_2019_2020.jsonl", "fr_wikinews_keyphrase100.jsonl")]
GOLD_FILES = [ROOT / "entities" / "eval" / name for name in ("gold.jsonl", "gold_en.jsonl", "gold_fr.jsonl")]
TYPES = {"PER": EntityKind.PERSON, "ORG": EntityKind.ORGANISATION, "LOC": EntityKind.PLACE}
KIND_LABEL = {v: k for k, v in TYPES.items()}
LANGUAGES = ("fr", "en")


def _keys(name: str, kind: str) -> frozenset[str]:
    # clean_person keeps the trailing capitalised words of a phrase: only for a person, or
    # "Canada" would name "People's Party of Canada" and "Maryland" "University of Maryland".
    person = name_key(clean_person(name)) if kind == EntityKind.PERSON else ""
    return frozenset({name_key(name), name_key(clean(name)), person} - {""})


def _gold_entities(record: dict) -> list[Named]:
    if "names" in (record["entities"][0] if record["entities"] else {}):
        return [
            Named(
                TYPES[e["type"]],
                frozenset().union(*(_keys(n, TYPES[e["type"]]) for n in e["names"])),
                e.get("name") or e["names"][0],
            )
            for e in record["entities"]
        ]
    grouped: dict[tuple, list[str]] = defaultdict(list)  # NewsEye: one entry per mention
    for e in record["entities"]:
        if e["type"] in TYPES:
            grouped[(e["type"], e.get("wikidata") or name_key(e["text"]))].append(e["text"])
    return [
        Named(TYPES[t], frozenset().union(*(_keys(text, TYPES[t]) for text in texts)), texts[0])
        for (t, _id), texts in grouped.items()
    ]


def _model_predictions(raw: list[ner.RawMention], _fields: dict[str, str]) -> list[Named]:
    first_written: dict[tuple[str, str], ner.RawMention] = {}
    for m in raw:
        key = name_key(m.text)
        if m.kind is not None and key:
            first_written.setdefault((m.kind, key), m)
    return [
        Named(kind, frozenset({key}), m.text, detail=f"{m.label} in {m.field}")
        for (kind, key), m in first_written.items()
    ]


def _pipeline_predictions(
    raw: list[ner.RawMention], fields: dict[str, str], evidence: TypeEvidence | None = None
) -> list[Named]:
    clusters = cluster_article(raw, fields)
    kinds = [c.kind for c in clusters]
    if evidence is not None:
        decide_kinds(clusters, evidence)
    return [
        Named(c.kind, frozenset(c.keys | {c.key}), c.name, detail=_how_found(c, kind))
        for c, kind in zip(clusters, kinds, strict=True)
    ]


def _how_found(cluster: Cluster, article_kind: str) -> str:
    """The model's spans and labels behind a returned entity, and what typed it (`--verbose`)."""
    spans = Counter((m.text, m.label) for m in cluster.mentions)
    shown = ", ".join(f'"{text}" {label}' + (f"x{n}" if n > 1 else "") for (text, label), n in spans.most_common(4))
    more = f" (+{len(spans) - 4})" if len(spans) > 4 else ""
    if cluster.gazetteer_entry is not None:
        typed = f"gazetteer {cluster.gazetteer_entry.id}"
    elif cluster.typed_by_name:
        typed = "head word"
    elif cluster.typed_by_context:
        typed = "the words around it"
    elif cluster.kind != article_kind:
        typed = f"archive votes (the article said {article_kind})"
    else:
        typed = "the article's mentions"
    return f"{shown}{more} in {cluster.mentions[0].field}; typed by {typed}"


def _archive_evidence(extra: dict[str, tuple[dict[str, str], str]]) -> TypeEvidence:
    """The type votes tagging would have recorded for the demo archive (every article of
    demo/, plus the `extra` documents not in it), as TypeVote rows hold them in production."""
    docs = dict(extra)
    for path in DEMO_ARCHIVE:
        for line in path.open(encoding="utf-8"):
            article = json.loads(line)
            docs[article["id"]] = ({"headline": article["title"], "body_text": article["body"]}, article["lang"])
    evidence = TypeEvidence()
    items = list(docs.values())
    for (fields, _language), raw in zip(items, ner.extract_many(items), strict=True):
        evidence.add(article_votes(cluster_article(raw, fields)))
    return evidence


# variant -> (does the model read prose only, credit lines blanked?, predictions from its spans)
VARIANTS = {"model": (False, _model_predictions), "pipeline": (True, _pipeline_predictions)}


def _own_gold_records() -> list[dict]:
    by_id: dict[str, dict] = {}
    for path in GOLD_FILES:
        if path.exists():
            for line in path.open(encoding="utf-8"):
                if line.strip():
                    record = json.loads(line)
                    by_id[record["id"]] = record
    return list(by_id.values())


def _texts_of_gold(record: dict) -> tuple[dict[str, str], str]:
    if record["id"] == "seed":
        parsed = parse_wire_text((ROOT / record["source"]).read_bytes())
        body = BLOCK_SEPARATOR.join(block["text"] for block in parsed.body)
        fields = {"headline": parsed.headline, "standfirst": parsed.standfirst, "photo_caption": parsed.photo_caption}
        return {**fields, "body_text": body}, parsed.language
    with (ROOT / record["source"]).open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            if article["id"] == record["id"]:
                return {"headline": article["title"], "body_text": article["body"]}, article["lang"]
    raise LookupError(record["id"])


def _evaluate(
    ids: list[str], docs: list, gold: list[list[Named]], evidence: TypeEvidence | None = None
) -> dict[str, Evaluation]:
    raws = {prose_only: ner.extract_many(docs, prose_only=prose_only) for prose_only in (False, True)}
    variants = {
        "model": VARIANTS["model"],
        "pipeline": (True, functools.partial(_pipeline_predictions, evidence=evidence)),
    }
    return {
        variant: Evaluation(
            [
                score_document(doc_id=doc_id, language=language, gold=entities, returned=predict(raw, fields))
                for doc_id, (fields, language), entities, raw in zip(ids, docs, gold, raws[prose_only], strict=True)
            ]
        )
        for variant, (prose_only, predict) in variants.items()
    }


class Command(BaseCommand):
    help = "Precision/recall/F1, splits, junk and wrong types of the tagger (model alone and whole pipeline) against gold news text."

    def add_arguments(self, parser):
        parser.add_argument(
            "--verbose",
            nargs="?",
            const="pipeline",
            choices=["pipeline", "model", "both"],
            help="List per article of our gold the misses, junk, splits and wrong types (default: the pipeline's).",
        )

        parser.add_argument(
            "--own-gold-only",
            action="store_true",
            help="Score our own gold only (skip the NewsEye set and the cross-language counts).",
        )

    def handle(self, *args, verbose=None, own_gold_only=False, **options):
        # Looked up first: a bad NEWSROOM_SHARED_DATA fails before the long evaluation.
        shared = None if own_gold_only else shared_data_for_command(ROOT)  # None without the team's data
        records = _own_gold_records()
        docs = [_texts_of_gold(r) for r in records]
        evidence = _archive_evidence(dict(zip([r["id"] for r in records], docs, strict=True)))
        results = _evaluate([r["id"] for r in records], docs, [_gold_entities(r) for r in records], evidence)
        files = ", ".join(path.name for path in GOLD_FILES if path.exists())
        per_language = ", ".join(f"{lang} {sum(1 for _f, doc_lang in docs if doc_lang == lang)}" for lang in LANGUAGES)
        self._own_report(f"Own gold ({files}): {len(docs)} articles ({per_language})", results)
        if verbose:
            for variant in ("model", "pipeline") if verbose == "both" else (verbose,):
                self._errors_per_article(variant, results[variant])

        if own_gold_only:
            return
        newseye_path = shared.joinpath(*NEWSEYE) if shared else None
        if newseye_path is not None and newseye_path.exists():
            newseye = [json.loads(line) for line in newseye_path.open(encoding="utf-8")]
            newseye_docs = [({"body_text": r["body"]}, r.get("lang", "fr")) for r in newseye]
            ids = [str(r.get("id", i)) for i, r in enumerate(newseye)]
            newseye_results = _evaluate(ids, newseye_docs, [_gold_entities(r) for r in newseye])
            for variant, evaluation in newseye_results.items():
                self._table(f"NewsEye FR historical OCR — {variant}", evaluation)
        else:
            where = newseye_path or f"(no shared data directory: set {SHARED_DATA_VARIABLE})"
            self.stdout.write(f"NewsEye gold not found at {where}: skipped.")
        self._cross_language(shared.joinpath(*OPEN_ARTICLES) if shared else None)

    def _own_report(self, title: str, results: dict[str, Evaluation]) -> None:
        write = self.stdout.write
        write(f"\n{title}")
        write(f"  {'':<11} {'':>5}  {'model':-^29}  {'pipeline':-^29}")
        head = f"{'returned':>8} {'prec':>6} {'recall':>6} {'F1':>6}"
        write(f"  {'lang':<4} {'type':<6} {'gold':>5}  {head}  {head}")
        for language in [*LANGUAGES, None]:
            for kind in [*TYPES.values(), None]:
                rows = [results[variant].precision_recall(kind=kind, language=language) for variant in VARIANTS]
                cells = [f"{s.returned:>8} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}" for s in rows]
                write(
                    f"  {language or 'all':<4} {KIND_LABEL.get(kind, 'all'):<6} {rows[0].gold:>5}  {cells[0]}  {cells[1]}"
                )
        write(f"\n  {'errors':<11} {'lang':<4}  {'model':>27}  {'pipeline':>27}")
        for label, measure, of in (
            ("split", "splits", "gold"),
            ("junk", "junk", "returned"),
            ("wrong type", "wrong_type", "returned"),
        ):
            for language in [*LANGUAGES, None]:
                cells = []
                for variant in VARIANTS:
                    share = getattr(results[variant], measure)(language=language)
                    cells.append(f"{share.count:>5}/{share.total:<5} {of:<8} {share.fraction:>6.1%}")
                write(f"  {label:<11} {language or 'all':<4}  {cells[0]:>27}  {cells[1]:>27}")

    def _errors_per_article(self, variant: str, evaluation: Evaluation) -> None:
        write = self.stdout.write

        def shown(entity: Named) -> str:
            return f"{KIND_LABEL.get(entity.kind, entity.kind)} {entity.name}"

        def explained(entity: Named) -> str:
            return f"{shown(entity)}  [{entity.detail}]" if entity.detail else shown(entity)

        write(f"\nErrors per article — {variant}")
        for doc in evaluation.documents:
            if not (doc.missed or doc.junk or doc.splits or doc.wrong_type):
                continue
            write(f"\n{doc.doc_id} ({doc.language})")
            if doc.missed:
                write("  missed:     " + "; ".join(shown(g) for g in doc.missed))
            for returned in doc.junk:
                write(f"  junk:       {explained(returned)}")
            for gold, naming in doc.splits:
                write(f"  split:      {shown(gold)} <- " + "; ".join(shown(r) for r in naming))
            for returned, gold in doc.wrong_type:
                write(f"  wrong type: {shown(returned)} (gold: {shown(gold)})  [{returned.detail}]")

    def _table(self, title: str, evaluation: Evaluation) -> None:
        self.stdout.write(f"\n{title}")
        self.stdout.write(f"  {'type':<6} {'precision':>9} {'recall':>7} {'F1':>6} {'gold':>5}")
        for kind in [*TYPES.values(), None]:
            s = evaluation.precision_recall(kind=kind)
            self.stdout.write(
                f"  {KIND_LABEL.get(kind, 'all'):<6} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.gold:>5}"
            )

    def _cross_language(self, open_articles: Path | None) -> None:
        """FR/EN Wikinews pairs (fr en_pageid = en PrimerAI id): the entities found on both
        sides, by raw name equality and after resolution (gazetteer ids, name keys)."""
        if open_articles is None:
            self.stdout.write(f"\nCross-language: no shared data directory (set {SHARED_DATA_VARIABLE}): skipped.")
            return
        fr_path, en_path = (
            open_articles / "fr_wikinews_primer_subset.jsonl",
            open_articles / "en_wikinews_primer_subset.jsonl",
        )
        if not (fr_path.exists() and en_path.exists()):
            self.stdout.write("\nCross-language: open article pairs not found: skipped.")
            return
        en = {json.loads(line)["id"]: json.loads(line) for line in en_path.open(encoding="utf-8")}
        pairs = []
        for line in fr_path.open(encoding="utf-8"):
            fr = json.loads(line)
            other = en.get(f"enwikinews-primer-{fr.get('en_pageid')}")
            if other:
                pairs.append((fr, other))
        if not pairs:
            self.stdout.write("\nCross-language: no FR/EN pair has both sides in the open articles.")
            return
        docs = []
        for fr, other in pairs:
            docs += [({"headline": fr["title"], "body_text": fr["body"]}, "fr")]
            docs += [({"headline": other["title"], "body_text": other["body"]}, "en")]
        raws = ner.extract_many(docs)

        def identities(raw, fields, resolved: bool) -> set[tuple[str, str]]:
            if not resolved:
                return {(m.kind, name_key(m.text)) for m in raw if m.kind}
            out = set()
            for c in cluster_article(raw, fields):
                entry = c.gazetteer_entry or gazetteer.lookup(c.name)
                out.add((c.kind, entry.id if entry else c.key))
            return out

        raw_shared = res_shared = fr_total = fr_gaz = fr_gaz_shared = 0
        for i in range(len(pairs)):
            fr_raw, en_raw = raws[2 * i], raws[2 * i + 1]
            fr_fields, en_fields = docs[2 * i][0], docs[2 * i + 1][0]
            raw_shared += len(identities(fr_raw, fr_fields, False) & identities(en_raw, en_fields, False))
            fr_ids, en_ids = identities(fr_raw, fr_fields, True), identities(en_raw, en_fields, True)
            res_shared += len(fr_ids & en_ids)
            fr_total += len(fr_ids)
            gaz = {x for x in fr_ids if ":" in x[1]}
            fr_gaz += len(gaz)
            fr_gaz_shared += len(gaz & en_ids)
        self.stdout.write(f"\nCross-language resolution on {len(pairs)} FR/EN Wikinews pairs (no gold: counts)")
        self.stdout.write(f"  entities shared by both sides, raw names equal:      {raw_shared}")
        self.stdout.write(f"  entities shared by both sides, after resolution:     {res_shared}")
        self.stdout.write(f"  FR entities resolved to an entity also in the EN text: {res_shared}/{fr_total}")
        self.stdout.write(
            f"  FR gazetteer-backed places/organisations found in the EN text: {fr_gaz_shared}/{fr_gaz}"
            f" ({(fr_gaz_shared / fr_gaz if fr_gaz else 0):.0%})"
        )
