"""Backups of the whole site: a PostgreSQL dump in custom format with the files under
MEDIA_ROOT, in one directory with a manifest; and their restore into an empty database.
How and why: docs/operations.md#backups-and-restore."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an operator."""


@dataclass(frozen=True)
class Database:
    """Where a database is, as libpq reads it (a host starting with / is a socket directory)."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> "Database":
        # A DATABASE_URL's query string (`?host=/run/postgresql&sslmode=require`) lands in OPTIONS.
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or options.get("user") or "",
            password=settings_dict.get("PASSWORD") or options.get("password") or "",
            host=settings_dict.get("HOST") or options.get("host") or "",
            port=str(settings_dict.get("PORT") or options.get("port") or ""),
            sslmode=options.get("sslmode", ""),
        )

    def libpq_env(self) -> dict[str, str]:
        """The environment pg_dump, pg_restore and psql read (the password never on a command line)."""
        values = {
            "PGDATABASE": self.name,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGSSLMODE": self.sslmode,
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return {**base, **{k: v for k, v in values.items() if v}}

    def describe(self) -> str:
        return f"database {self.name!r} on {self.host or 'localhost'}" + (f":{self.port}" if self.port else "")

    def connect(self):
        params = {"dbname": self.name, "user": self.user, "password": self.password, "host": self.host}
        params |= {"port": self.port, "sslmode": self.sslmode}
        try:
            return psycopg2.connect(**{k: v for k, v in params.items() if v}, connect_timeout=10)
        except psycopg2.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackupError(f"cannot connect to the {self.describe()}: {reason}") from exc


@dataclass(frozen=True)
class Server:
    version: str  # as the server says it, e.g. "15.20 (Debian 15.20-0+deb12u1)"
    major: int


def server_of(conn) -> Server:
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('server_version_num')::int")
        version, number = cursor.fetchone()
    return Server(version=version, major=number // 10000)


def client_program(name: str, major: int) -> str:
    """pg_dump or pg_restore of the server's own major version: an older client refuses a
    newer server, and a newer pg_dump writes archives older pg_restore cannot read."""
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"\s(\d+)(?:\.\d+)?", out)
        if match and int(match.group(1)) == major:
            return found
    raise BackupError(
        f"{name} of PostgreSQL {major} was not found (looked in /usr/lib/postgresql/{major}/bin and on PATH); "
        f"install the client of the server's version (Debian: postgresql-client-{major})"
    )


def file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _stage_media(media_root: Path, staged: Path) -> None:
    """Hard-link (copy across file systems) the files of MEDIA_ROOT not staged yet: a file
    the importer deletes afterwards stays in the backup."""
    for source in _media_files(media_root):
        target = staged / source.relative_to(media_root)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileNotFoundError:
            continue  # imported and deleted since it was listed
        except OSError:
            try:
                shutil.copy2(source, target)
            except FileNotFoundError:
                continue


def _applied_migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _new_backup_dir(parent: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 100):
        path = parent / (stamp if n == 1 else f"{stamp}-{n}")
        if not path.exists() and not path.with_name(path.name + ".partial").exists():
            return path
    raise BackupError(f"too many backups named {stamp} in {parent}")


def create_backup(*, database: Database, media_root: Path, parent: Path) -> Path:
    """Write a backup directory under `parent`, named by the UTC time; returns its path.

    The dump is taken in a snapshot exported by this function's own transaction, in which
    the applied migrations are read too, so the manifest describes exactly what was dumped.
    MEDIA_ROOT's files are hard-linked just before the snapshot and again after the dump:
    every file an unfinished import of the dump needs is in the backup. The directory is
    written as `<name>.partial` and renamed when complete.
    """
    parent.mkdir(parents=True, exist_ok=True)
    final = _new_backup_dir(parent)
    work = final.with_name(final.name + ".partial")
    work.mkdir()
    try:
        manifest = _write_backup(database=database, media_root=media_root, work=work)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _write_backup(*, database: Database, media_root: Path, work: Path) -> dict[str, Any]:
    conn = database.connect()
    try:
        server = server_of(conn)
        pg_dump = client_program("pg_dump", server.major)
        conn.rollback()
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        _stage_media(media_root, work / MEDIA)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            migrations = _applied_migrations(cursor)
            # The snapshot lives as long as this transaction: pg_dump imports it at its start.
            result = subprocess.run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={work / DUMP}"],
                env=database.libpq_env(),
                capture_output=True,
                text=True,
                check=False,
            )
        conn.rollback()
    finally:
        conn.close()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    _stage_media(media_root, work / MEDIA)
    files = {DUMP: _file_entry(work / DUMP)}
    for path in _media_files(work / MEDIA):
        files[path.relative_to(work).as_posix()] = _file_entry(path)
    dump_version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"name": database.name, "host": database.host or "localhost", "port": database.port},
        "server": {"version": server.version, "major": server.major},
        "pg_dump": dump_version,
        "migrations": migrations,
        "files": files,
    }


def _file_entry(path: Path) -> dict[str, Any]:
    return {"size": path.stat().st_size, "sha256": file_digest(path)}


# --- Restore ---------------------------------------------------------------------------------


def read_backup(path: Path) -> tuple[Path, dict[str, Any]]:
    """The backup directory (given it or its manifest) and its manifest, checked whole:
    every file present with its size and checksum."""
    directory = path.parent if path.name == MANIFEST else path
    if not directory.exists():
        raise BackupError(f"no backup at {path}")
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST} (give the directory `make backup` wrote)")
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
        manifest["server"]["major"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{manifest_path} is unreadable or incomplete ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path} has format {manifest.get('format')!r}; this version reads {FORMAT}")
    if DUMP not in files:
        raise BackupError(f"{manifest_path} lists no {DUMP}")
    for name, entry in files.items():
        file = directory / name
        if not file.resolve().is_relative_to(directory.resolve()):
            raise BackupError(f"{manifest_path} names a file outside the backup: {name!r}")
        if not file.is_file():
            raise BackupError(f"the backup is incomplete: {name} is missing")
        if file.stat().st_size != entry["size"] or file_digest(file) != entry["sha256"]:
            raise BackupError(f"the backup is corrupt: {name} does not match its checksum in the manifest")
    return directory, manifest


# Objects that make a database "not empty": tables, views, sequences and the like, functions
# and text search configurations outside the system schemas, unless an extension owns them
# (an extension a DBA created beforehand, such as unaccent, is fine).
_USER_OBJECTS = """
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {schema}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE {schema}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT n.nspname || '.' || t.cfgname FROM pg_ts_config t JOIN pg_namespace n ON n.oid = t.cfgnamespace
 WHERE {schema}
"""
_EXTENSION_COMMENT = re.compile(r"^\d+; \d+ \d+ COMMENT - EXTENSION ")
_NOT_SYSTEM = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%'"


def user_objects(conn, limit: int = 5) -> tuple[int, list[str]]:
    """How many objects the database holds outside the system schemas, and a few names."""
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT count(*) OVER (), name FROM ({}) AS o(name) ORDER BY name LIMIT %s").format(
                sql.SQL(_USER_OBJECTS.format(schema=_NOT_SYSTEM))
            ),
            [limit],
        )
        rows = cursor.fetchall()
    return (rows[0][0] if rows else 0), [name for _, name in rows]


def _media_conflicts(directory: Path, manifest: dict[str, Any], media_root: Path) -> list[str]:
    conflicts = []
    for name, entry in manifest["files"].items():
        if not name.startswith(MEDIA + "/"):
            continue
        target = media_root / name.removeprefix(MEDIA + "/")
        if target.exists() and (not target.is_file() or file_digest(target) != entry["sha256"]):
            conflicts.append(str(target))
    return conflicts


@dataclass(frozen=True)
class Restored:
    directory: Path
    manifest: dict[str, Any]
    server: Server
    media_files: int
    # Migrations the code has that the backup had not applied (run `manage.py migrate`), and
    # the reverse (the backup comes from newer code).
    missing_migrations: list[str]
    unknown_migrations: list[str]


def restore_backup(
    *, path: Path, database: Database, media_root: Path, replace: bool = False, code_migrations=None
) -> Restored:
    """Restore a backup into an empty database and MEDIA_ROOT; everything is checked before
    anything is written, and the dump goes in as one transaction (a failure leaves the
    target as it was). `replace` restores over a non-empty target: objects the backup holds
    are dropped first (pg_restore --clean) and differing media files are overwritten.
    `code_migrations` (app -> names) is what the code knows, to say whether to migrate."""
    directory, manifest = read_backup(path)
    conn = database.connect()
    try:
        server = server_of(conn)
        count, names = user_objects(conn)
    finally:
        conn.close()
    backup_major = manifest["server"]["major"]
    if server.major < backup_major:
        raise BackupError(
            f"the backup comes from PostgreSQL {backup_major} and the {database.describe()} runs "
            f"{server.major}: restore it into a server of version {backup_major} or newer"
        )
    pg_restore = client_program("pg_restore", server.major)
    listing = subprocess.run([pg_restore, "--list", str(directory / DUMP)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(f"{directory / DUMP} is not a readable dump: {listing.stderr.strip()[-500:]}")
    if count and not replace:
        raise BackupError(
            f"the {database.describe()} is not empty ({count} objects, e.g. {', '.join(names)}): restore into "
            "an empty database, or pass --replace to drop what the backup holds and restore over it"
        )
    conflicts = _media_conflicts(directory, manifest, media_root)
    if conflicts and not replace:
        raise BackupError(
            f"{len(conflicts)} files in MEDIA_ROOT differ from the backup's (e.g. {conflicts[0]}): "
            "pass --replace to overwrite them"
        )
    # An extension's comment can only be set by its owner: skipped, so a role that is not
    # the owner of an extension a DBA created beforehand can restore.
    toc = "".join(line + "\n" for line in listing.stdout.splitlines() if not _EXTENSION_COMMENT.search(line))
    command = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    if replace and count:
        command += ["--clean", "--if-exists"]
    with tempfile.NamedTemporaryFile("w", suffix=".list") as use_list:
        use_list.write(toc)
        use_list.flush()
        result = subprocess.run(
            [*command, f"--use-list={use_list.name}", f"--dbname={database.name}", str(directory / DUMP)],
            env=database.libpq_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: {result.stderr.strip()[-2000:]}")
    media_files = 0
    for name in manifest["files"]:
        if name.startswith(MEDIA + "/"):
            target = media_root / name.removeprefix(MEDIA + "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / name, target)
            media_files += 1
    missing, unknown = _compare_migrations(manifest.get("migrations", {}), code_migrations)
    return Restored(directory, manifest, server, media_files, missing, unknown)


def _compare_migrations(backup: dict[str, list[str]], code: dict[str, list[str]] | None) -> tuple[list, list]:
    if code is None:
        return [], []
    applied = {(app, name) for app, names in backup.items() for name in names}
    known = {(app, name) for app, names in code.items() for name in names}
    apps = set(code)
    missing = sorted(f"{app}.{name}" for app, name in known - applied)
    unknown = sorted(f"{app}.{name}" for app, name in applied - known if app in apps)
    return missing, unknown
