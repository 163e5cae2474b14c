"""Load the demo archive (demo/): the AFP seed article and openly licensed Wikinews stories."""

import json
from datetime import UTC, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from articles.ingest import ParsedArticle
from articles.ingest.wiretext import is_intertitle
from articles.models import Article
from articles.services import ImportOptions, Outcome, import_article, import_uploads_now

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
SEED = DEMO_DIR / "000_ee6a87f177283e34.txt"
SEED_OPTIONS = ImportOptions(
    publish=True, source="AFP", section="International", published_at=datetime(2017, 6, 27, 9, 30, tzinfo=UTC)
)
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
        # The seed goes in exactly as an editor's upload of the file with these choices on
        # the upload form, so uploading the same file again finds it unchanged.
        with open(SEED, "rb") as stream:
            _batch, outcomes = import_uploads_now(files=[File(stream, name=SEED.name)], options=SEED_OPTIONS)
        for outcome in outcomes:
            counts[outcome.outcome] += 1
        for name in CORPORA:
            with open(DEMO_DIR / name, encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    if not record.get("date"):
                        continue
                    outcome, _ = import_article(parsed=wikinews_article(record), options=ImportOptions(publish=True))
                    counts[outcome] += 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Demo archive loaded: {summary}."))
