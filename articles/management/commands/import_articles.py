"""manage.py import_articles PATH...: files, folders and archives, with a progress bar.

Every file becomes an ImportItem of one ImportBatch, so a run is recorded like an admin
upload. Re-running after an interruption imports nothing twice: stories are upserted by
(source, provider id) with their version, and files already fully imported (same SHA-256)
are skipped without being read again unless --force is given.
"""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from articles import services
from articles.ingest import SUPPORTED_EXTENSIONS
from articles.models import ImportItem, JobStatus

MAX_LISTED_REFUSALS = 50


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files to import (folders walked, in name order) and paths that do not exist."""
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not p.is_symlink()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.suffix.lower() in SUPPORTED_EXTENSIONS
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(raw)
    return files, missing


class Command(BaseCommand):
    help = "Import articles from files, folders and zip archives (wire text, NewsML-G2, NITF, JSON Lines)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--publish", action="store_true", help="publish the imported stories")
        parser.add_argument("--source", default="", help="the source of documents that name none (e.g. AFP)")
        parser.add_argument("--section", default="", help="the section of documents that name none")
        parser.add_argument(
            "--update-same-headline",
            action="store_true",
            help="a text without an id updates the story with the same headline instead of becoming a new one",
        )
        parser.add_argument("--force", action="store_true", help="read files again even if already imported")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, paths, publish, source, section, update_same_headline, force, no_progress, **options):
        files, missing = expand(paths)
        for raw in missing:
            self.stderr.write(f"not found: {raw}")
        if not files:
            raise CommandError("nothing to import: no file of a supported type in the given paths")
        import_options = services.ImportOptions(
            publish=publish, source=source, section=section, update_same_headline=update_same_headline
        )
        batch = services.create_command_batch(options=import_options)
        totals = {outcome.value: 0 for outcome in services.Outcome}
        skipped, refusals = 0, []
        progress = tqdm(total=None, unit=" docs", disable=True if no_progress else None, file=self.stderr._out)
        try:
            for position, path in enumerate(files):
                sha = file_sha256(path)
                if not force and ImportItem.objects.filter(sha256=sha, status=JobStatus.DONE).exists():
                    skipped += 1
                    continue
                item = ImportItem.objects.create(
                    batch=batch, position=position, name=str(path)[:255], size=path.stat().st_size, sha256=sha
                )
                progress.set_description(path.name[:40])
                before = len(item.outcomes)
                services.run_item(item=item, path=path, options=import_options)
                for outcome in ("created", "updated", "unchanged", "refused"):
                    totals[outcome] += getattr(item, outcome)
                progress.update(item.processed)
                progress.set_postfix(totals)
                refusals.extend(o for o in item.outcomes[before:] if o["outcome"] == "refused")
        except KeyboardInterrupt:
            progress.close()
            batch.status, batch.error = JobStatus.FAILED, "interrupted"
            batch.finished_at = timezone.now()
            batch.save()
            self.stderr.write("interrupted: run the same command again to finish; nothing will be imported twice")
            raise SystemExit(130) from None
        progress.close()
        batch.status, batch.finished_at = JobStatus.DONE, timezone.now()
        batch.save(update_fields=["status", "finished_at"])

        self.stdout.write(
            f"{totals['created']} created, {totals['updated']} updated, {totals['unchanged']} unchanged, "
            f"{totals['refused']} refused"
            + (f"; {skipped} file(s) skipped (already imported, use --force to read them again)" if skipped else "")
        )
        for refusal in refusals[:MAX_LISTED_REFUSALS]:
            self.stdout.write(f"  refused {refusal['label']}: {refusal['reason']}")
        if len(refusals) > MAX_LISTED_REFUSALS:
            self.stdout.write(
                f"  ... and {len(refusals) - MAX_LISTED_REFUSALS} more refused (see import batch {batch.id})"
            )
