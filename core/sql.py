"""SQL text kept together with its parameters, for the statements the ORM cannot write
(search plans, keyset pages, EXPLAIN): no parallel parameter lists to keep in step."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Expression, Model
from django.db.models.sql import Query

_PART = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Sql:
    """A piece of SQL and the values of its %s placeholders, in the order the text reads."""

    text: str
    params: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.text)

    @classmethod
    def join(cls, separator: str, parts: Iterable[Sql]) -> Sql:
        parts = list(parts)
        return cls(separator.join(part.text for part in parts), tuple(p for part in parts for p in part.params))


def compose(template: str, **parts: object) -> Sql:
    """`template` with each {name} replaced by its part: an Sql's text (its parameters
    follow where it stands), or a %s placeholder bound to any other value."""
    params: list = []

    def substitute(match: re.Match) -> str:
        part = parts[match.group(1)]
        if not isinstance(part, Sql):
            part = Sql("%s", (part,))
        params.extend(part.params)
        return part.text

    return Sql(_PART.sub(substitute, template), tuple(params))


class Embedded(Expression):
    """Hand-written SQL (a column of a CTE, a query compiled already) as an ORM expression's
    argument, its parameters kept with it."""

    def __init__(self, sql: Sql):
        super().__init__()
        self.sql = sql

    def as_sql(self, compiler, connection):
        return self.sql.text, list(self.sql.params)


def table(model: type[Model]) -> Sql:
    """A model's table, to name in hand-written SQL."""
    return Sql(model._meta.db_table)


def compiled(expression: Expression, *, model: type[Model]) -> Sql:
    """An ORM expression (a SearchQuery, a SearchRank...) compiled to SQL, to stand inside a
    hand-written statement."""
    query = Query(model)
    text, params = query.get_compiler(connection=connection).compile(expression.resolve_expression(query))
    return Sql(text, tuple(params))


def fetch_all(sql: Sql) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql.text, list(sql.params))
        return cursor.fetchall()


def fetch_one(sql: Sql) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql.text, list(sql.params))
        return cursor.fetchone()


def explain(sql: Sql) -> dict:
    """The planner's plan for a statement (EXPLAIN, no execution), as JSON."""
    plan = fetch_one(Sql("EXPLAIN (FORMAT JSON) " + sql.text, sql.params))[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
