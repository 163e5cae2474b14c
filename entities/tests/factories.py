"""Articles for tagging tests: the seed and real Wikinews stories from demo/."""

import itertools
import json

from django.conf import settings

from articles.ingest.wiretext import parse_wire_text
from articles.management.commands.load_demo import SEED, wikinews_article
from articles.models import Article
from articles.services import import_article


def import_seed() -> Article:
    parsed = parse_wire_text(SEED.read_bytes())
    parsed.source = "AFP"
    return import_article(parsed=parsed, publish=True)[1]


def wikinews_records(n: int):
    files = [
        settings.BASE_DIR / "demo" / name for name in ("fr_wikinews_keyphrase100.jsonl", "en_wikinews_2019_2020.jsonl")
    ]
    lines = itertools.chain.from_iterable(path.open(encoding="utf-8") for path in files)
    return [json.loads(line) for line in itertools.islice(lines, n)]


def import_wikinews(n: int) -> list[Article]:
    return [import_article(parsed=wikinews_article(r), publish=True)[1] for r in wikinews_records(n)]
