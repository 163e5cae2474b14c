"""`manage.py backup` (`make backup`): the database and MEDIA_ROOT, in a timestamped
directory under var/backups/ (core.backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backups import BackupError, Database, create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the files under MEDIA_ROOT, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(settings.VAR_DIR / "backups"),
            help="where the backup's directory is written (default: var/backups)",
        )

    def handle(self, *args, output_dir: str, **options):
        database = Database.from_settings(connections[DEFAULT_DB_ALIAS].settings_dict)
        try:
            path = create_backup(database=database, media_root=Path(settings.MEDIA_ROOT), parent=Path(output_dir))
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"backup failed: {exc.strerror or exc}: {exc.filename or output_dir}") from exc
        self.stderr.write(f"Backed up the {database.describe()} and MEDIA_ROOT ({settings.MEDIA_ROOT}) to:")
        self.stdout.write(str(path))
