"""Load the demo archive (demo/): the AFP seed article and openly licensed Wikinews stories."""

import json
from datetime import UTC, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.ingest import ParsedArticle
from articles.ingest.wiretext import is_intertitle, parse_wire_text
from articles.models import Article
from articles.services import Outcome, import_article

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
SEED = DEMO_DIR / "000_ee6a87f177283e34.txt"
CORPORA = ["en_wikinews_2019_2020.jsonl", "fr_wikinews_keyphrase100.jsonl"]


def wikinews_article(record: dict) -> ParsedArticle:
    article = ParsedArticle(
        headline=record["title"],
        language=record["lang"],
        source="Wikinews",
        external_id=record["id"],
        source_url=record.get("url", ""),
        rights=record.get("attribution", ""),
        dateline=record.get("dateline") or "",
    )
    blocks = [b.strip() for b in record["body"].split("\n\n") if b.strip()]
    for i, block in enumerate(blocks):
        if 0 < i < len(blocks) - 1 and is_intertitle(block):
            article.intertitle(block)
        else:
            article.paragraph(block)
    if record.get("date"):
        day = datetime.fromisoformat(record["date"]).date()
        article.published_at = datetime.combine(day, time(12, 0), tzinfo=UTC)
    return article


class Command(BaseCommand):
    help = "Load the demo archive: the AFP seed article and ~390 Wikinews articles (CC BY 2.5), published."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the archive has articles.")

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Article.objects.exists():
            self.stdout.write("The archive already has articles: demo not loaded.")
            return
        if not SEED.exists():
            raise CommandError(f"demo files missing: {SEED}")
        counts = dict.fromkeys(Outcome, 0)
        seed = parse_wire_text(SEED.read_bytes())
        seed.source = "AFP"
        seed.section = "International"
        seed.published_at = datetime(2017, 6, 27, 9, 30, tzinfo=UTC)
        outcome, _ = import_article(parsed=seed, publish=True)
        counts[outcome] += 1
        for name in CORPORA:
            with open(DEMO_DIR / name, encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    if not record.get("date"):
                        continue
                    outcome, _ = import_article(parsed=wikinews_article(record), publish=True)
                    counts[outcome] += 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Demo archive loaded: {summary}."))
