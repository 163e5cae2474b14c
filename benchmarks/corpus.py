"""The real texts the ingest and search benchmarks recombine into their archives: BBC articles
and French headlines (restricted, never committed) and Wikinews articles (open, demo)."""

import csv
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.shared_data import SHARED_DATA_VARIABLE, find_shared_data

ROOT = Path(__file__).resolve().parent.parent
DATA = find_shared_data(ROOT)  # None on a machine without the team's shared data
NO_DATA = f"no shared data directory found: set {SHARED_DATA_VARIABLE} (docs/configuration.md)"
RESTRICTED = DATA / "restricted" if DATA else None
FRENCH_HEADLINES = RESTRICTED / "fr_headlines_2020-01-10.csv" if RESTRICTED else None
OPEN_WIKINEWS = sorted((DATA / "open" / "articles").glob("*.jsonl")) if DATA else []
DEMO_WIKINEWS = sorted((ROOT / "demo").glob("*.jsonl"))
LANGUAGES = ("en", "fr")

# (language, headline, paragraphs)
Text = tuple[str, str, list[str]]
# Per language, the headlines and the paragraphs in a fixed order: the generators' seeds pick by index.
Pools = dict[str, dict[str, list[str]]]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'«À-Ý])", text) if s.strip()]


def bbc_texts(*, headline_words: int) -> Iterator[Text]:
    """The BBC articles. Their CSVs have no title: the first `headline_words` words stand for
    one, and the rest is cut into paragraphs of three sentences."""
    paths = sorted(RESTRICTED.glob("bbc_*.csv")) if RESTRICTED else []
    if not paths:
        where = f"{RESTRICTED} has none" if RESTRICTED else NO_DATA
        sys.exit(f"the BBC texts are not available ({where}): cannot build the archive")
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                words = row["text"].split()
                rest = sentences(" ".join(words[headline_words:]))
                paragraphs = [" ".join(rest[i : i + 3]) for i in range(0, len(rest), 3)]
                yield "en", " ".join(words[:headline_words]), paragraphs


def french_headlines() -> Iterator[Text]:
    """The real French headlines of 10 January 2020 (headlines only)."""
    if FRENCH_HEADLINES is None or not FRENCH_HEADLINES.exists():
        sys.exit(f"the French headlines are not available ({FRENCH_HEADLINES or NO_DATA}): cannot build the archive")
    with open(FRENCH_HEADLINES, newline="", encoding="utf-8") as f:
        # no header line: title, timestamp, id, category, ranks
        yield from (("fr", row[0].strip(), []) for row in csv.reader(f) if row and row[0].strip())


def wikinews_texts(paths: Iterable[Path], *, min_paragraph: int) -> Iterator[Text]:
    """The Wikinews articles in English or French of these JSON Lines files, in file order,
    keeping the paragraphs longer than `min_paragraph` characters."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record.get("lang") in LANGUAGES:
                    paragraphs = [p.strip() for p in record["body"].split("\n\n") if len(p) > min_paragraph]
                    yield record["lang"], record["title"], paragraphs


def pools(*sources: Iterable[Text]) -> Pools:
    """Every headline and paragraph of the sources' texts, per language, in their order."""
    out = {lang: {"headlines": [], "paragraphs": []} for lang in LANGUAGES}
    for lang, headline, paragraphs in itertools.chain(*sources):
        out[lang]["headlines"].append(headline)
        out[lang]["paragraphs"].extend(paragraphs)
    return out
