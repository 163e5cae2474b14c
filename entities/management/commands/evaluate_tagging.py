"""`make eval`: precision, recall and F1 per type of the tagger against gold news text.

Document level: a gold entity (with the names it is written as) is found when a prediction
of the same type carries one of its names (case, accents and titles ignored). "model" is
spaCy alone (label mapping only); "pipeline" adds cleaning, gazetteer typing and in-article
resolution (one prediction per resolved entity). Nothing is written to the database.
"""

import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.ingest.wiretext import parse_wire_text
from articles.models import BLOCK_SEPARATOR
from entities.extraction import gazetteer, ner
from entities.extraction.resolve import clean, clean_person, cluster_article
from entities.models import EntityKind, name_key

ROOT = Path(settings.BASE_DIR)
SHARED = ROOT.parent / "shared" / "data"
NEWSEYE = SHARED / "restricted" / "newseye" / "fr_newseye_historical_ocr.jsonl"
OPEN_ARTICLES = SHARED / "open" / "articles"
GOLD = ROOT / "entities" / "eval" / "gold.jsonl"
TYPES = {"PER": EntityKind.PERSON, "ORG": EntityKind.ORGANISATION, "LOC": EntityKind.PLACE}
KIND_LABEL = {v: k for k, v in TYPES.items()}


def _keys(name: str) -> set[str]:
    return {name_key(name), name_key(clean(name)), name_key(clean_person(name))} - {""}


def _gold_entities(record: dict) -> list[tuple[str, set[str]]]:
    if "names" in (record["entities"][0] if record["entities"] else {}):
        return [(TYPES[e["type"]], set().union(*(_keys(n) for n in e["names"]))) for e in record["entities"]]
    grouped: dict[tuple, set[str]] = defaultdict(set)  # NewsEye: one entry per mention
    for e in record["entities"]:
        if e["type"] in TYPES:
            grouped[(e["type"], e.get("wikidata") or name_key(e["text"]))] |= _keys(e["text"])
    return [(TYPES[t], keys) for (t, _id), keys in grouped.items()]


def _model_predictions(raw: list[ner.RawMention]) -> list[tuple[str, set[str]]]:
    seen = {(m.kind, name_key(m.text)) for m in raw if m.kind is not None}
    return [(kind, {key}) for kind, key in seen if key]


def _pipeline_predictions(raw: list[ner.RawMention]) -> list[tuple[str, set[str]]]:
    return [(c.kind, c.keys | {c.key}) for c in cluster_article(raw)]


class Scores:
    def __init__(self):
        self.tp_pred = defaultdict(int)
        self.pred = defaultdict(int)
        self.tp_gold = defaultdict(int)
        self.gold = defaultdict(int)

    def add(self, gold: list, predicted: list) -> None:
        for kind, keys in predicted:
            self.pred[kind] += 1
            if any(g_kind == kind and keys & g_keys for g_kind, g_keys in gold):
                self.tp_pred[kind] += 1
        for kind, keys in gold:
            self.gold[kind] += 1
            if any(p_kind == kind and keys & p_keys for p_kind, p_keys in predicted):
                self.tp_gold[kind] += 1

    def row(self, kind: str | None) -> tuple[float, float, float, int]:
        kinds = [kind] if kind else list(TYPES.values())
        tp_p, p = sum(self.tp_pred[k] for k in kinds), sum(self.pred[k] for k in kinds)
        tp_g, g = sum(self.tp_gold[k] for k in kinds), sum(self.gold[k] for k in kinds)
        precision = tp_p / p if p else 0.0
        recall = tp_g / g if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1, g


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


class Command(BaseCommand):
    help = "Precision/recall/F1 per type of the tagger (model alone and whole pipeline) against gold news text."

    def handle(self, *args, **options):
        datasets = [("own gold (seed + Wikinews, 5 docs)", self._own())]
        if NEWSEYE.exists():
            datasets.append(("NewsEye FR historical OCR", self._newseye()))
        else:
            self.stdout.write(f"NewsEye gold not found at {NEWSEYE}: skipped.")
        for title, (docs, gold) in datasets:
            raws = ner.extract_many(docs)
            for variant, predict in (("model", _model_predictions), ("pipeline", _pipeline_predictions)):
                scores = Scores()
                for raw, g in zip(raws, gold, strict=True):
                    scores.add(g, predict(raw))
                self._table(f"{title} — {variant}", scores)
        self._cross_language()

    def _own(self):
        records = [json.loads(line) for line in GOLD.open(encoding="utf-8")]
        return [_texts_of_gold(r) for r in records], [_gold_entities(r) for r in records]

    def _newseye(self):
        records = [json.loads(line) for line in NEWSEYE.open(encoding="utf-8")]
        return [({"body_text": r["body"]}, r.get("lang", "fr")) for r in records], [_gold_entities(r) for r in records]

    def _table(self, title: str, scores: Scores) -> None:
        self.stdout.write(f"\n{title}")
        self.stdout.write(f"  {'type':<6} {'precision':>9} {'recall':>7} {'F1':>6} {'gold':>5}")
        for kind in [*TYPES.values(), None]:
            p, r, f, g = scores.row(kind)
            self.stdout.write(f"  {KIND_LABEL.get(kind, 'all'):<6} {p:>9.3f} {r:>7.3f} {f:>6.3f} {g:>5}")

    def _cross_language(self) -> None:
        """FR/EN Wikinews pairs (fr en_pageid = en PrimerAI id): the entities found on both
        sides, by raw name equality and after resolution (gazetteer ids, name keys)."""
        fr_path, en_path = (
            OPEN_ARTICLES / "fr_wikinews_primer_subset.jsonl",
            OPEN_ARTICLES / "en_wikinews_primer_subset.jsonl",
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

        def identities(raw, resolved: bool) -> set[tuple[str, str]]:
            if not resolved:
                return {(m.kind, name_key(m.text)) for m in raw if m.kind}
            out = set()
            for c in cluster_article(raw):
                entry = c.gazetteer_entry or gazetteer.lookup(c.name)
                out.add((c.kind, entry.id if entry else c.key))
            return out

        raw_shared = res_shared = fr_total = fr_gaz = fr_gaz_shared = 0
        for i in range(len(pairs)):
            fr_raw, en_raw = raws[2 * i], raws[2 * i + 1]
            raw_shared += len(identities(fr_raw, False) & identities(en_raw, False))
            fr_ids, en_ids = identities(fr_raw, True), identities(en_raw, True)
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
