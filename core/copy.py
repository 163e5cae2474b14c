"""Writing model instances with PostgreSQL's COPY instead of INSERT (a bulk import's chunk):
the values go through each field's pre_save() and get_db_prep_save(), as a save() or a
bulk_create() would send them, and the table's defaults, generated columns and triggers
apply as they do to an INSERT. Decision: docs/decisions/0024-bulk-import-by-copy.md."""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

# Bytes handed to the server per call: a few rows, so that the server starts on the first
# ones while the next are encoded (psycopg2 sends each block with the GIL released).
_COPY_BLOCK = 1 << 16


def copy_fields(model: type[Model], *, with_pk: bool) -> list[Field]:
    """The columns a COPY writes: every concrete field but those the database fills itself
    (generated columns, a db_default), and the primary key only when the caller allocated it."""
    return [
        f
        for f in model._meta.concrete_fields
        if not f.generated and not f.has_db_default() and (with_pk or not f.primary_key)
    ]


def copy_text(obj: Model, fields: Sequence[Field], connection: BaseDatabaseWrapper) -> str:
    """One row of COPY's text format for these fields of `obj`, tab-separated (no newline):
    auto_now and auto_now_add fields take the time now, as in an INSERT. Needs no database
    round trip: a thread preparing the next rows may call it with the writer's connection."""
    return "\t".join(copy_value(field.get_db_prep_save(field.pre_save(obj, True), connection)) for field in fields)


def copy_value(value) -> str:
    """A value as get_db_prep_save() prepared it, in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    dumps = getattr(value, "dumps", None)  # a JSON adapter (psycopg2's Json, psycopg's Jsonb)
    if dumps is not None:
        return _escape(dumps(value.adapted if hasattr(value, "adapted") else value.obj))
    raise TypeError(f"no COPY text format for {type(value).__name__}")


def _escape(text: str) -> str:
    # COPY's text format: a backslash escapes; tab, newline and carriage return end fields and rows.
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def allocate_ids(model: type[Model], count: int, *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """`count` ids from the table's own sequence, ascending: rows written by COPY with these
    ids can never meet an INSERT's (a failed write leaves a gap, as a failed INSERT does)."""
    if count <= 0:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def copy_rows(
    model: type[Model], fields: Sequence[Field], rows: Iterable[str], *, using: str = DEFAULT_DB_ALIAS
) -> int:
    """Write rows (copy_text() of these fields, in this order) with one COPY FROM STDIN; a
    row the database refuses fails the whole statement as a DatabaseError (the caller's
    transaction or savepoint is then to roll back). Returns the number of rows written.

    `rows` is read as the server takes the data: a generator's work on the next rows runs
    while PostgreSQL stores the previous ones."""
    connection = connections[using]
    quote = connection.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(statement, _RowReader(rows), _COPY_BLOCK)
        return cursor.rowcount


class _RowReader(io.RawIOBase):
    """The file COPY reads: rows joined by newlines, produced a block at a time."""

    def __init__(self, rows: Iterable[str]) -> None:
        self.rows = iter(rows)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        block, length = [], 0
        for row in self.rows:
            encoded = f"{row}\n".encode()
            block.append(encoded)
            length += len(encoded)
            if 0 <= size <= length:
                break
        return b"".join(block)
