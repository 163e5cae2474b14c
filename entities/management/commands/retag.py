"""Tag articles again: all of them, those saved since a date, or those whose tagging failed."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from articles.models import Article, JobStatus
from entities import services
from entities.extraction import ner


class Command(BaseCommand):
    help = "Re-tag articles in this process (nlp.pipe in batches), or queue them for the workers with --queue."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every article.")
        which.add_argument("--since", metavar="YYYY-MM-DD", help="Articles created or changed since this date.")
        which.add_argument("--failed", action="store_true", help="Articles whose tagging failed.")
        parser.add_argument("--queue", action="store_true", help="Queue Celery tasks instead of tagging here.")
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args, all: bool, since: str | None, failed: bool, queue: bool, batch_size: int, **options):
        articles = Article.objects.all()
        if since:
            try:
                day = datetime.strptime(since, "%Y-%m-%d").date()
            except ValueError as exc:
                raise CommandError(f"--since wants a date as YYYY-MM-DD, not {since!r}") from exc
            articles = articles.filter(updated_at__gte=timezone.make_aware(datetime.combine(day, time.min)))
        elif failed:
            articles = articles.filter(tagging_status=JobStatus.FAILED)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        ids = list(articles.order_by("id").values_list("id", flat=True))
        if not ids:
            self.stdout.write("No article to re-tag.")
            return
        services.retag_articles(ids, queue=queue)
        if queue:
            self.stdout.write(self.style.SUCCESS(f"{len(ids)} article(s) queued for tagging."))
            return
        counts: dict[str, int] = {}
        with tqdm(total=len(ids), unit="article", disable=None) as bar:
            for start in range(0, len(ids), batch_size):
                batch = list(Article.objects.filter(id__in=ids[start : start + batch_size]).order_by("id"))
                raws = ner.extract_many([(services.article_fields(a), a.language) for a in batch])
                for article, raw in zip(batch, raws, strict=True):
                    try:
                        outcome = services.tag_article(
                            article_id=article.id, content_hash=article.content_hash, raw=raw
                        )
                    except Exception as exc:  # one bad article must not stop the run
                        outcome = services.record_tagging_failure(
                            article_id=article.id,
                            content_hash=article.content_hash,
                            error=f"{type(exc).__name__}: {exc}",
                        )
                    counts[outcome] = counts.get(outcome, 0) + 1
                    bar.update(1)
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Re-tagged {len(ids)} article(s): {summary}."))
