"""Repair stored publication times outside the years every page can read (1600 to 2199 UTC).

Such a row (imported before the range was checked, research/security-probe-2026-12.md, F1)
cannot even be loaded by Django, so the repair is SQL: the time is unknown, so the article
becomes a draft without a time, for an editor to date and publish again. The counts of the
entities it mentions are then recomputed as entities.services.refresh_article_counts does
(published articles whose time has passed). The constraint of 0012 then keeps them out.
"""

from django.db import migrations

REPAIR = """
UPDATE articles_article SET status = 'draft', published_at = NULL, updated_at = now()
WHERE published_at < '1600-01-01T00:00:00+00:00' OR published_at >= '2200-01-01T00:00:00+00:00'
RETURNING id
"""
RECOUNT = """
UPDATE entities_entity e SET article_count = (
    SELECT count(DISTINCT m.article_id) FROM entities_mention m
    JOIN articles_article a ON a.id = m.article_id
    WHERE m.entity_id = e.id AND a.status = 'published' AND a.published_at <= now()
)
WHERE e.id IN (SELECT entity_id FROM entities_mention WHERE article_id = ANY(%s))
"""


def repair_publication_times(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(REPAIR)
        repaired = [row[0] for row in cursor.fetchall()]
        if repaired:
            cursor.execute(RECOUNT, [repaired])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_publish_permission"),
        ("entities", "0005_article_entity_ids_triggers"),
    ]

    operations = [migrations.RunPython(repair_publication_times, migrations.RunPython.noop, elidable=False)]
