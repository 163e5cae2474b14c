"""Document-level scores of a tagger's entities against gold entities: precision, recall and F1,
gold entities split across several returned entities, junk and wrong-typed returns.

Definitions are in `entities/management/commands/evaluate_tagging.py` (what `make eval` prints).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Named:
    """One entity of one document, gold or returned: its kind, the keys of the names it is
    written as, a name to show in reports, and (for a returned one) how it was found and
    typed, for the per-article listing."""

    kind: str
    keys: frozenset[str]
    name: str
    detail: str = field(default="", compare=False)

    def names(self, other: "Named") -> bool:
        return bool(self.keys & other.keys)


@dataclass(frozen=True)
class DocumentScore:
    """One document's returned entities checked against its gold entities."""

    doc_id: str
    language: str
    gold: tuple[Named, ...]
    returned: tuple[Named, ...]
    missed: tuple[Named, ...]  # gold entities no returned entity of their kind names
    correct: tuple[Named, ...]  # returned entities naming a gold entity of their kind
    wrong_type: tuple[tuple[Named, Named], ...]  # (returned, a gold entity it names) when none has its kind
    junk: tuple[Named, ...]  # returned entities naming no gold entity
    splits: tuple[tuple[Named, tuple[Named, ...]], ...]  # (gold, the two or more returned entities naming it)


def score_document(*, doc_id: str, language: str, gold: Iterable[Named], returned: Iterable[Named]) -> DocumentScore:
    gold, returned = tuple(gold), tuple(returned)
    missed, splits = [], []
    for entity in gold:
        naming = tuple(r for r in returned if r.names(entity))
        if not any(r.kind == entity.kind for r in naming):
            missed.append(entity)
        if len(naming) >= 2:
            splits.append((entity, naming))
    correct, wrong_type, junk = [], [], []
    for entity in returned:
        named = [g for g in gold if entity.names(g)]
        if not named:
            junk.append(entity)
        elif any(g.kind == entity.kind for g in named):
            correct.append(entity)
        else:
            wrong_type.append((entity, named[0]))
    return DocumentScore(
        doc_id=doc_id,
        language=language,
        gold=gold,
        returned=returned,
        missed=tuple(missed),
        correct=tuple(correct),
        wrong_type=tuple(wrong_type),
        junk=tuple(junk),
        splits=tuple(splits),
    )


@dataclass(frozen=True)
class PrecisionRecall:
    precision: float
    recall: float
    f1: float
    gold: int
    returned: int


@dataclass(frozen=True)
class Share:
    """`count` of `total` (gold or returned entities), with its fraction."""

    count: int
    total: int

    @property
    def fraction(self) -> float:
        return self.count / self.total if self.total else 0.0


class Evaluation:
    """Document scores pooled by language and kind (micro-averaged: every entity counts once)."""

    def __init__(self, documents: Sequence[DocumentScore]):
        self.documents = list(documents)

    def _documents(self, language: str | None) -> list[DocumentScore]:
        return [d for d in self.documents if language is None or d.language == language]

    def precision_recall(self, *, kind: str | None = None, language: str | None = None) -> PrecisionRecall:
        def of_kind(entities: Iterable[Named]) -> int:
            return sum(1 for e in entities if kind is None or e.kind == kind)

        documents = self._documents(language)
        gold = sum(of_kind(d.gold) for d in documents)
        found = gold - sum(of_kind(d.missed) for d in documents)
        returned = sum(of_kind(d.returned) for d in documents)
        correct = sum(of_kind(d.correct) for d in documents)
        precision = correct / returned if returned else 0.0
        recall = found / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return PrecisionRecall(precision, recall, f1, gold, returned)

    def splits(self, *, language: str | None = None) -> Share:
        documents = self._documents(language)
        return Share(sum(len(d.splits) for d in documents), sum(len(d.gold) for d in documents))

    def junk(self, *, language: str | None = None) -> Share:
        documents = self._documents(language)
        return Share(sum(len(d.junk) for d in documents), sum(len(d.returned) for d in documents))

    def wrong_type(self, *, language: str | None = None) -> Share:
        documents = self._documents(language)
        return Share(sum(len(d.wrong_type) for d in documents), sum(len(d.returned) for d in documents))
