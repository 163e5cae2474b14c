"""articles_article.entity_ids: the entities an article's mentions name, kept by the database.

The column and its GIN index let a search by entity and words intersect two indexes. It is
not a Django field (Django would write the copy an instance was loaded with on every save);
Django never sees it, so inserts take its default and only these triggers change it.

Statement-level triggers on entities_mention (with transition tables, so a tagging rewrite,
a merge moving thousands of mentions or a rejection deleting them costs one UPDATE per
statement, not one per row) recompute the array of every article the statement touched,
and write it only where it changed. Every path that changes mentions is covered, now and
later: tagging, curation, bulk loads, a manual fix in SQL. Then the existing rows are filled.
"""

from django.db import migrations

COLUMN = """
ALTER TABLE articles_article ADD COLUMN entity_ids bigint[] NOT NULL DEFAULT '{}';
CREATE INDEX article_entity_ids_gin ON articles_article USING gin (entity_ids);
"""

DROP_COLUMN = """
DROP INDEX IF EXISTS article_entity_ids_gin;
ALTER TABLE articles_article DROP COLUMN IF EXISTS entity_ids;
"""

FUNCTION = """
CREATE OR REPLACE FUNCTION entities_mention_sync_article_entity_ids() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    -- A transition table exists only for the operations its trigger declares it for.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT article_id) INTO touched FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT article_id) INTO touched FROM old_rows;
    ELSE
        SELECT array_agg(article_id) INTO touched
        FROM (SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows) t;
    END IF;
    UPDATE articles_article a SET entity_ids = s.ids
    FROM (
        SELECT t.article_id, coalesce((
            SELECT array_agg(DISTINCT m.entity_id ORDER BY m.entity_id)
            FROM entities_mention m WHERE m.article_id = t.article_id), '{}') AS ids
        FROM unnest(touched) AS t(article_id)
    ) s
    WHERE a.id = s.article_id AND a.entity_ids IS DISTINCT FROM s.ids;
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER mention_sync_entity_ids_insert AFTER INSERT ON entities_mention
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION entities_mention_sync_article_entity_ids();
CREATE TRIGGER mention_sync_entity_ids_delete AFTER DELETE ON entities_mention
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION entities_mention_sync_article_entity_ids();
CREATE TRIGGER mention_sync_entity_ids_update AFTER UPDATE ON entities_mention
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION entities_mention_sync_article_entity_ids();
"""

DROP = """
DROP TRIGGER IF EXISTS mention_sync_entity_ids_insert ON entities_mention;
DROP TRIGGER IF EXISTS mention_sync_entity_ids_delete ON entities_mention;
DROP TRIGGER IF EXISTS mention_sync_entity_ids_update ON entities_mention;
DROP FUNCTION IF EXISTS entities_mention_sync_article_entity_ids();
"""

BACKFILL = """
UPDATE articles_article a SET entity_ids = s.ids
FROM (
    SELECT article_id, array_agg(DISTINCT entity_id ORDER BY entity_id) AS ids
    FROM entities_mention GROUP BY article_id
) s
WHERE a.id = s.article_id AND a.entity_ids IS DISTINCT FROM s.ids;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("entities", "0004_resolution_lookup_indexes"),
        ("articles", "0006_search_vector_statistics"),
    ]

    operations = [
        migrations.RunSQL(COLUMN, reverse_sql=DROP_COLUMN),
        migrations.RunSQL(FUNCTION + TRIGGERS, reverse_sql=DROP),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
