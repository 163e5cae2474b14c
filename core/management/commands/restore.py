"""`manage.py restore PATH` (`make restore FILE=...`): a backup of `manage.py backup` into
an empty database and MEDIA_ROOT (core.backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from core.backups import BackupError, Database, restore_backup


class Command(BaseCommand):
    help = "Restore a backup (a directory written by `manage.py backup`) into an empty database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="BACKUP", help="the backup's directory (or its manifest.json)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="restore over a database that is not empty: the objects the backup holds are dropped "
            "first, and files of MEDIA_ROOT that differ are overwritten",
        )

    def handle(self, *args, path: str, replace: bool, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        database = Database.from_settings(connection.settings_dict)
        connection.close()  # restore_backup connects on its own; no session of ours may hold the target
        code_migrations: dict[str, list[str]] = {}
        for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations:
            code_migrations.setdefault(app, []).append(name)
        try:
            restored = restore_backup(
                path=Path(path),
                database=database,
                media_root=Path(settings.MEDIA_ROOT),
                replace=replace,
                code_migrations=code_migrations,
            )
        except BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"restore failed: {exc.strerror or exc}: {exc.filename or path}") from exc
        manifest = restored.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (database {manifest['database']['name']!r}, "
            f"PostgreSQL {manifest['server']['version']}) into the {database.describe()} "
            f"(PostgreSQL {restored.server.version}), and {restored.media_files} files into MEDIA_ROOT."
        )
        if restored.missing_migrations:
            self.stdout.write(
                f"The code has {len(restored.missing_migrations)} migrations the backup had not applied "
                f"({', '.join(restored.missing_migrations[:5])}...): run `manage.py migrate`."
            )
        if restored.unknown_migrations:
            self.stdout.write(
                f"The backup has {len(restored.unknown_migrations)} migrations this code does not know "
                f"({', '.join(restored.unknown_migrations[:5])}...): it comes from newer code."
            )
        self.stdout.write(
            "Redis holds no archive data: tagging still owed is re-queued by celery beat's sweep, "
            "and cached entity lists expire on their own."
        )
