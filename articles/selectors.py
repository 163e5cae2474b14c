"""Read paths over articles that are more than a filter: related articles, sections, the spool feed."""

import os
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache

from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from articles import spool
from articles.models import SEARCH_COLUMNS, Article, Revision, Section, Source, SpoolFile
from core.sql import Sql, compose, fetch_all, table
from entities.models import Entity, Mention

# Related articles are ranked among each entity's most recent published articles: a
# person named in 100,000 stories would otherwise make every page that names them count
# shared entities over the whole archive.
RELATED_CANDIDATES_PER_ENTITY = 200
RELATED_MAX_ENTITIES = 30


def related_articles(*, article: Article, limit: int = 5, entity_ids: list[int] | None = None) -> list[Article]:
    """Published articles sharing the most entities with this one, most recent first among equals.

    `entity_ids` are the article's active entities when the caller already has them (saves
    a query). Candidates are each entity's RELATED_CANDIDATES_PER_ENTITY latest articles.
    """
    if entity_ids is None:
        entity_ids = list(
            Mention.objects.filter(article=article, entity__status=Entity.Status.ACTIVE)
            .values_list("entity_id", flat=True)
            .distinct()
        )
    entity_ids = sorted(set(entity_ids))[:RELATED_MAX_ENTITIES]
    if not entity_ids:
        return []
    articles, mentions = Article._meta.db_table, Mention._meta.db_table
    # One bounded, index-driven subquery per entity (the planner sees each entity's own
    # statistics), then the shared count over the union: one statement, whatever the size.
    per_entity = f"""(SELECT a.id, a.published_at FROM {articles} a
        WHERE a.status = 'published' AND a.published_at <= %s AND a.id <> %s
          AND EXISTS (SELECT 1 FROM {mentions} m WHERE m.article_id = a.id AND m.entity_id = %s)
        ORDER BY a.published_at DESC, a.id DESC LIMIT %s)"""  # noqa: S608 - table names and placeholders only
    now = timezone.now()
    params: list = []
    for entity_id in entity_ids:
        params += [now, article.id, entity_id, RELATED_CANDIDATES_PER_ENTITY]
    sql = f"""SELECT c.id FROM ({" UNION ALL ".join([per_entity] * len(entity_ids))}) c
        GROUP BY c.id ORDER BY count(*) DESC, max(c.published_at) DESC, c.id DESC LIMIT %s"""  # noqa: S608 - table names and placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        ids = [row[0] for row in cursor.fetchall()]
    return published_articles(ids)


def published_articles(ids: list[int]) -> list[Article]:
    """The published articles among `ids` (drafts, embargoed and unknown ids left out), in the
    order of `ids`, each with its section and source, as a page shows them.

    One statement, its rows made into models with Model.from_db: the queryset it replaces
    (`published().for_display().select_related(...).in_bulk(ids)`) spent more than its
    statement's time in Python, building and compiling the query and walking the rows (the
    pages of 80 searches at 1M, alternated: 4.24 against 2.94 ms at the median; the statement
    alone, ids and bodies, 1.0). The columns are the same: every field but
    the search vectors and `body_text` (the body again, as one string), which no page or
    answer shows; reading one of them later reads it then, as a deferred field does."""
    if not ids:
        return []
    shape = _display_shape()
    rows = fetch_all(
        compose(
            "SELECT {columns} FROM {articles} a"
            " LEFT JOIN {sections} s ON s.id = a.section_id LEFT JOIN {sources} o ON o.id = a.source_id"
            " WHERE a.id = ANY({ids}) AND a.status = {published} AND a.published_at <= {now}",
            columns=shape.columns,
            articles=table(Article),
            sections=table(Section),
            sources=table(Source),
            ids=list(ids),
            published=Article.Status.PUBLISHED,
            now=timezone.now(),
        )
    )
    found = {}
    for row in rows:
        article, section, source = shape.models(row)
        if section is not None:
            article.section = section
        if source is not None:
            article.source = source
        found[article.id] = article
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class _Part:
    """One model's columns in published_articles' rows: the article, its section, its source."""

    model: type
    attnames: list[str]
    # Per column, what the ORM's converter does (Field.from_db_value), None for none: the driver
    # leaves JSON as its text (Django's backend).
    converters: list
    pk: int  # the primary key's place among the columns: None there when a related row is not


@dataclass(frozen=True)
class _DisplayShape:
    """What published_articles reads: its parts' columns, in the order of `columns`."""

    parts: tuple[_Part, ...]
    columns: Sql

    def models(self, row: tuple) -> list:
        """The row's instances, None for a related row not there (its id NULL)."""
        made, start = [], 0
        for part in self.parts:
            values = [
                value if convert is None else convert(value, None, connection)
                for convert, value in zip(part.converters, row[start : start + len(part.attnames)], strict=True)
            ]
            start += len(part.attnames)
            made.append(
                None if values[part.pk] is None else part.model.from_db(connection.alias, part.attnames, values)
            )
        return made


@cache
def _display_shape() -> _DisplayShape:
    hidden = {*SEARCH_COLUMNS, "body_text"}
    parts = (
        ("a", Article, [f for f in Article._meta.concrete_fields if f.attname not in hidden]),
        ("s", Section, list(Section._meta.concrete_fields)),
        ("o", Source, list(Source._meta.concrete_fields)),
    )
    columns = ", ".join(f'{alias}."{f.column}"' for alias, _, fields in parts for f in fields)
    return _DisplayShape(
        tuple(
            _Part(
                model,
                [f.attname for f in fields],
                [getattr(f, "from_db_value", None) for f in fields],
                fields.index(model._meta.pk),
            )
            for _, model, fields in parts
        ),
        Sql(columns),
    )


SPOOL_LISTED = 200


@dataclass
class WaitingFile:
    name: str
    size: int
    first_seen_at: datetime | None  # None: not looked at by a scan yet


def spool_overview(*, failures: int = 20) -> dict:
    """The spool feed as the admin shows it: files waiting in the folder (and being imported),
    files imported today, and the last failures with their reasons."""
    overview: dict = {
        "enabled": spool.spool_enabled(),
        "folder": str(spool.spool_dir()) if spool.spool_enabled() else "",
    }
    arriving = {row.name: row for row in SpoolFile.objects.filter(state=SpoolFile.State.ARRIVING)}
    waiting: list[WaitingFile] = []
    waiting_count = 0
    if overview["enabled"] and spool.spool_dir().is_dir():
        for entry in sorted(os.scandir(spool.spool_dir()), key=lambda e: e.name):
            if spool.is_delivery(entry):
                waiting_count += 1
                if len(waiting) < SPOOL_LISTED:
                    row = arriving.get(entry.name)
                    size = entry.stat(follow_symlinks=False).st_size
                    waiting.append(WaitingFile(entry.name, size, row.first_seen_at if row else None))
    overview["waiting"], overview["waiting_count"] = waiting, waiting_count
    overview["importing"] = list(
        SpoolFile.objects.filter(state=SpoolFile.State.IMPORTING).select_related("batch").order_by("claimed_at")
    )
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    today = SpoolFile.objects.filter(state=SpoolFile.State.DONE, finished_at__gte=midnight)
    overview["imported_today_count"] = today.count()
    overview["imported_today"] = list(today.select_related("batch").order_by("-finished_at")[:SPOOL_LISTED])
    overview["failures"] = list(
        SpoolFile.objects.filter(state=SpoolFile.State.FAILED)
        .select_related("batch")
        .order_by("-finished_at")[:failures]
    )
    return overview


def corrections_prefetch() -> Prefetch:
    """The published corrections of each article of a page, oldest first, in one query
    (`article.public_corrections`, a list of Revision)."""
    return Prefetch(
        "revisions",
        queryset=Revision.objects.filter(is_correction=True)
        .only("id", "article_id", "correction_note", "created_at")
        .order_by("created_at", "number"),
        to_attr="public_corrections",
    )


def attach_corrections(articles: list[Article]) -> None:
    """Set `public_corrections` on each article: in one query for those revised since they
    were created, none for the others, which most articles of a page are."""
    revised = [article for article in articles if _ever_revised(article)]
    for article in articles:
        if not _ever_revised(article):
            article.public_corrections = []
    if revised:
        prefetch_related_objects(revised, corrections_prefetch())


def public_corrections(article: Article) -> list[Revision]:
    """An article's correction notes, oldest first (read now unless attached already)."""
    if getattr(article, "public_corrections", None) is None:
        attach_corrections([article])
    return article.public_corrections


def _ever_revised(article: Article) -> bool:
    """Whether the article was revised since it was created: only then can it have a correction
    (never its first revision: the `revision_correction_not_first` constraint)."""
    return article.revision > 1
