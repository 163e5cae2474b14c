"""The search benchmark's fixed query set: words, pairs and phrases drawn with a fixed seed from
the texts the archive is made of, alone and with the API's filters."""

from __future__ import annotations

import random
import re
from collections import Counter

from benchmarks import corpus
from benchmarks.search.archive import SECTIONS, SEED, SOURCES, pools

QUERY_CLASSES = ["common", "rare", "and", "phrase", "exclusion", "prefix", "filtered"]
ABSENT_WORDS = ("zqxjvwk", "fnordulate", "xylophonistes")
FILTER_KINDS = 8
_WORD_RE = re.compile(r"[^\W\d_]+")


def word_bands(text_pools: corpus.Pools) -> dict[str, dict]:
    """Per language, the words of four letters or more by document frequency: the 60 most
    frequent are left out, "common" are the next 340, "mid" the 2,600 after, "rare" occur once."""
    bands = {}
    for lang in ("en", "fr"):
        df = Counter()
        for text in text_pools[lang]["paragraphs"] + text_pools[lang]["headlines"]:
            # Each word once per text, in the text's order: words of equal frequency then rank the same
            # in every process (a set's order changes with PYTHONHASHSEED, and so did the query set).
            df.update(list(dict.fromkeys(w for w in _WORD_RE.findall(text.lower()) if len(w) >= 4)))
        ranked = [w for w, _ in df.most_common()]
        bands[lang] = {
            "common": ranked[60:400],
            "long": [w for w in ranked[60:400] if len(w) >= 7],
            "mid": ranked[400:3000],
            "rare": sorted(w for w, c in df.items() if c == 1 and len(w) >= 7 and w.isalpha()),
            "paragraphs": text_pools[lang]["paragraphs"],
        }
    return bands


class _Draws:
    """The seeded draws the queries are made of, and the queries so far. The order of the draws
    fixes the query set: a new kind of query goes after the others."""

    def __init__(self, bands: dict[str, dict]):
        self.rng = random.Random(SEED)
        self.bands = bands
        self.queries: list[dict] = []

    def add(self, cls: str, q: str, **filters) -> None:
        self.queries.append({"class": cls, "q": q, "filters": filters})

    def lang(self) -> str:
        return "fr" if self.rng.random() < 0.5 else "en"

    def word(self, lang: str, band: str) -> str:
        return self.rng.choice(self.bands[lang][band])

    def pair(self, lang: str, *, adjacent: bool, band: str = "mid") -> tuple[str, str]:
        """Two words of the band (common, or common and mid) found together in one paragraph,
        side by side when `adjacent`."""
        bands = self.bands[lang]
        words_ok = set(bands["common"]) if band == "common" else set(bands["common"]) | set(bands["mid"])
        while True:
            words = _WORD_RE.findall(self.rng.choice(bands["paragraphs"]).lower())
            if adjacent:
                pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if a in words_ok and b in words_ok]
            else:
                good = [w for w in dict.fromkeys(words) if w in words_ok]
                pairs = [(good[i], good[j]) for i in range(len(good)) for j in range(i + 1, len(good))]
            if pairs:
                return self.rng.choice(pairs)


def _single_words(draws: _Draws) -> None:
    for _ in range(25):
        draws.add("common", draws.word(draws.lang(), "common"))
    for word in ABSENT_WORDS:
        draws.add("rare", word)
    for _ in range(22):
        draws.add("rare", draws.word(draws.lang(), "rare"))


def _ands_and_phrases(draws: _Draws) -> None:
    for _ in range(25):
        draws.add("and", " ".join(draws.pair(draws.lang(), adjacent=False)))
    for i in range(25):
        a, b = draws.pair(draws.lang(), adjacent=True, band="common" if i % 5 == 0 else "mid")
        draws.add("phrase", f'"{a} {b}"')


def _exclusions(draws: _Draws) -> None:
    for i in range(20):
        lang = draws.lang()
        a = draws.word(lang, "common")
        if i % 4 == 3:
            b, c = draws.pair(lang, adjacent=True)
            draws.add("exclusion", f'{a} -"{b} {c}"')
        else:
            draws.add("exclusion", f"{a} -{draws.word(lang, 'common')}")


def _prefixes(draws: _Draws) -> None:
    for i in range(20):
        word = draws.word(draws.lang(), "long")
        draws.add("prefix", word[: 3 + i % 5] + "*")


def _filters(draws: _Draws, kind: int, lang: str, entity_ids: dict[str, list[int]]) -> dict:
    rng = draws.rng
    match kind:
        case 0:
            return {"language": lang}
        case 1:
            return {"section": rng.choice(SECTIONS)}
        case 2:
            return {"source": rng.choice(SOURCES)}
        case 3:
            year = rng.randint(2011, 2025)
            return {
                "published_after": f"{year}-01-01T00:00:00+00:00",
                "published_before": f"{year + 1}-01-01T00:00:00+00:00",
            }
        case 4:
            return {"person": rng.choice(entity_ids["person"][:5])}
        case 5:
            return {"organisation": rng.choice(entity_ids["organisation"][:10])}
        case 6:
            return {"place": rng.choice(entity_ids["place"])}
        case _:
            return {"language": lang, "published_after": f"{rng.randint(2015, 2024)}-06-01T00:00:00+00:00"}


def _filtered(draws: _Draws, entity_ids: dict[str, list[int]]) -> None:
    """A word, an AND, a phrase or a prefix, each kind in turn, with each kind of filter in turn."""
    for i in range(32):
        lang = draws.lang()
        kind = i % 4
        if kind == 0:
            q = draws.word(lang, "common")
        elif kind == 1:
            q = " ".join(draws.pair(lang, adjacent=False))
        elif kind == 2:
            q = '"{} {}"'.format(*draws.pair(lang, adjacent=True))
        else:
            q = draws.word(lang, "long")[:5] + "*"
        draws.add("filtered", q, **_filters(draws, i % FILTER_KINDS, lang, entity_ids))


def make_queries(entity_ids: dict[str, list[int]]) -> list[dict]:
    """The fixed query set: [{class, q, filters}], entity filters taken from `entity_ids` per kind."""
    draws = _Draws(word_bands(pools()))
    _single_words(draws)
    _ands_and_phrases(draws)
    _exclusions(draws)
    _prefixes(draws)
    _filtered(draws, entity_ids)
    return draws.queries
