"""Backups: a backup restored into an empty database gives back every row, sequence, file
and search result; bad backups and targets are refused with a message, never a traceback."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg2 import sql
from rest_framework_api_key.models import APIKey

from articles import services as article_services
from articles.models import ImportItem, Revision
from articles.revisions import record_edit
from articles.search import ArticleFilters, search_articles
from core.backups import DUMP, MANIFEST, Database, create_backup, file_digest, restore_backup
from entities.models import Entity
from entities.tests.factories import EntityFactory, MentionFactory, import_seed, import_wikinews

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
# What a partner and a reader see of the archive: a search by words and one by entity, each
# page's ids in order, count and snippets (printed as JSON by `manage.py shell -c`).
SEARCHES = """
import json
from articles.search import ArticleFilters, search_articles
pages = {{"words": search_articles(ArticleFilters(q="Mattis défense")),
         "entity": search_articles(ArticleFilters(person={person}))}}
print(json.dumps({{k: [p.ids, p.count, {{str(i): t for i, t in p.snippets.items()}}] for k, p in pages.items()}}))
"""


def table_checksums(database: Database) -> dict[str, tuple[int, str]]:
    """Every table's row count and an md5 over its rows in order, and every sequence's position."""
    conn = database.connect()
    out: dict[str, tuple[int, str]] = {}
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
            for (table,) in cursor.fetchall():
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                    ).format(sql.Identifier(table))
                )
                out[table] = cursor.fetchone()
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            for name, last_value in cursor.fetchall():
                out[f"sequence {name}"] = (last_value or 0, "")
    finally:
        conn.close()
    return out


def media_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): file_digest(p) for p in sorted(root.rglob("*")) if p.is_file()}


class ScratchDatabases:
    """Empty databases on the test database's server, dropped at the end of the test."""

    def __init__(self) -> None:
        self.test_database = Database.from_settings(connection.settings_dict)
        self.names: list[str] = []

    def _admin(self, statement: sql.Composable) -> None:
        conn = Database(**{**self.test_database.__dict__, "name": "postgres"}).connect()
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement)
        finally:
            conn.close()

    def create(self) -> Database:
        name = f"{self.test_database.name}_restore_{uuid.uuid4().hex[:8]}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.names.append(name)
        return Database(**{**self.test_database.__dict__, "name": name})

    def drop(self, database: Database) -> None:
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database.name)))

    def drop_all(self) -> None:
        for name in self.names:
            self.drop(Database(**{**self.test_database.__dict__, "name": name}))


@pytest.fixture
def scratch() -> Iterator[ScratchDatabases]:
    databases = ScratchDatabases()
    yield databases
    databases.drop_all()


def manage(*args: str, database: Database, media_root: Path) -> subprocess.CompletedProcess:
    """`manage.py` as an operator runs it, against another database and MEDIA_ROOT."""
    url = f"postgres://{database.user}@/{database.name}?host={database.host}&port={database.port or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "true",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def searches(person_id: int) -> dict[str, list]:
    """SEARCHES, run in this process."""
    pages = {
        "words": search_articles(ArticleFilters(q="Mattis défense")),
        "entity": search_articles(ArticleFilters(person=person_id)),
    }
    return {k: [p.ids, p.count, {str(i): t for i, t in p.snippets.items()}] for k, p in pages.items()}


@pytest.fixture
def archive(settings, tmp_path) -> dict:
    """An archive with every kind of row, and an upload waiting in MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed = import_seed()
    import_wikinews(3)
    seed.standfirst = "Les ministres de la coalition se sont réunis à Copenhague."
    seed.save()
    record_edit(article=seed, correction_note="Le lieu de la réunion a été précisé.")
    mattis = EntityFactory(name="Jim Mattis", aliases=["James Mattis"])
    MentionFactory(article=seed, entity=mattis, surface="Mattis")
    MentionFactory(article=seed, entity=EntityFactory(name="Interpol", kind="organisation"))
    APIKey.objects.create_key(name="partner")
    batch = article_services.create_upload_batch(
        files=[SimpleUploadedFile("later.txt", b"a story waiting for the ingest worker")]
    )
    return {"person": mattis.id, "batch": batch.id, "media": Path(settings.MEDIA_ROOT)}


def test_a_backup_restored_after_the_database_is_dropped_gives_back_every_row_file_and_search(
    archive, scratch, tmp_path
):
    original = Database.from_settings(connection.settings_dict)
    before = table_checksums(original)
    for table in ("articles_article", "entities_entity", "entities_alias", "entities_mention"):
        assert before[table][0] > 0, table
    assert before["rest_framework_api_key_apikey"][0] == 1
    # Every revision (a correction among them) is among the rows compared.
    assert before[Revision._meta.db_table][0] == 5
    assert Revision.objects.filter(is_correction=True).count() == 1
    found = searches(archive["person"])
    assert found["words"][0] and found["entity"][0]

    # A copy of the archive in a database of its own, which is backed up by `manage.py backup`
    # and then dropped, with its files.
    first = create_backup(database=original, media_root=archive["media"], parent=tmp_path / "backups")
    copy = scratch.create()
    restore_backup(path=first, database=copy, media_root=tmp_path / "copy-media")
    backed_up = manage(
        "backup", "--output-dir", str(tmp_path / "backups"), database=copy, media_root=tmp_path / "copy-media"
    )
    assert backed_up.returncode == 0, backed_up.stderr
    backup = Path(backed_up.stdout.strip().splitlines()[-1])
    scratch.drop(copy)
    shutil.rmtree(tmp_path / "copy-media")

    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["name"] == copy.name
    assert manifest["server"]["major"] == connection.pg_version // 10000
    assert "0008_import_batch_waits_as_pending" in manifest["migrations"]["articles"]
    [waiting] = ImportItem.objects.filter(batch_id=archive["batch"]).values_list("stored_name", flat=True)
    assert set(manifest["files"]) == {DUMP, f"media/imports/{archive['batch']}/{waiting}"}

    restored = scratch.create()
    media = tmp_path / "restored-media"
    result = manage("restore", str(backup), database=restored, media_root=media)
    assert result.returncode == 0, result.stderr
    assert "Restored the backup" in result.stdout

    assert table_checksums(restored) == before
    assert media_digests(media) == media_digests(archive["media"])
    answered = manage("shell", "-c", SEARCHES.format(person=archive["person"]), database=restored, media_root=media)
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout.strip().splitlines()[-1]) == json.loads(json.dumps(found))


def test_a_restore_refuses_a_database_that_is_not_empty_and_touches_nothing(archive, tmp_path):
    backup = create_backup(
        database=Database.from_settings(connection.settings_dict), media_root=archive["media"], parent=tmp_path
    )
    Entity.objects.filter(name="Interpol").delete()  # the database changes after the backup
    with pytest.raises(CommandError, match=r"is not empty \(\d+ objects, e\.g\. public\.\w+.*--replace"):
        call_command("restore", str(backup))
    assert not Entity.objects.filter(name="Interpol").exists()


def test_restore_names_what_is_wrong_with_a_backup(archive, tmp_path):
    backup = create_backup(
        database=Database.from_settings(connection.settings_dict), media_root=archive["media"], parent=tmp_path
    )
    manifest = json.loads((backup / MANIFEST).read_text())

    with pytest.raises(CommandError, match=r"no backup at .*nowhere"):
        call_command("restore", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match=r"is not a backup: it has no manifest\.json"):
        call_command("restore", str(tmp_path))

    newer = {**manifest, "server": {"version": "99.0", "major": 99}}
    (backup / MANIFEST).write_text(json.dumps(newer))
    with pytest.raises(CommandError, match=r"comes from PostgreSQL 99 .* runs 1\d: restore it into a server"):
        call_command("restore", str(backup))

    dump = backup / DUMP
    dump.write_bytes(dump.read_bytes()[:1000])  # cut short
    (backup / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=r"corrupt: database\.dump does not match its checksum"):
        call_command("restore", str(backup))
    # The same bytes with a manifest written for them: pg_restore itself rejects the dump.
    files = {**manifest["files"], DUMP: {"size": dump.stat().st_size, "sha256": file_digest(dump)}}
    (backup / MANIFEST).write_text(json.dumps({**manifest, "files": files}))
    with pytest.raises(CommandError, match=r"database\.dump is not a readable dump"):
        call_command("restore", str(backup))

    (backup / MANIFEST).write_text("{not json")
    with pytest.raises(CommandError, match=r"manifest\.json is unreadable"):
        call_command("restore", str(backup))


def test_the_commands_answer_an_operator_with_a_message_not_a_traceback(tmp_path):
    nowhere = Database(**{**Database.from_settings(connection.settings_dict).__dict__, "name": "no_such_database"})
    backed_up = manage("backup", "--output-dir", str(tmp_path), database=nowhere, media_root=tmp_path)
    assert backed_up.returncode == 1
    assert "backup failed: cannot connect to the database 'no_such_database'" in backed_up.stderr
    assert "Traceback" not in backed_up.stderr
    assert not list(tmp_path.iterdir())  # no partial backup left behind

    restored = manage("restore", str(tmp_path / "missing"), database=nowhere, media_root=tmp_path)
    assert restored.returncode == 1
    assert "restore failed: no backup at" in restored.stderr and "Traceback" not in restored.stderr
