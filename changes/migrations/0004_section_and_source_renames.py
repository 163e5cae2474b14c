"""An article shows its section's and source's names: renaming one changes every public
article in it, so each is announced as `updated` (one statement-level trigger per table,
with transition tables; articles moved to another section or source are the article
trigger's already). docs/decisions/0015-change-feed-in-transaction-order.md."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION changes_named_list_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'articles_section' THEN
        PERFORM changes_record('article', a.id, 'updated', NULL)
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN articles_article a ON a.section_id = n.id
        WHERE n.name IS DISTINCT FROM o.name AND a.status = 'published' AND a.published_at <= now()
              AND changes_announced('article', a.id);
    ELSE
        PERFORM changes_record('article', a.id, 'updated', NULL)
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN articles_article a ON a.source_id = n.id
        WHERE n.name IS DISTINCT FROM o.name AND a.status = 'published' AND a.published_at <= now()
              AND changes_announced('article', a.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER section_change_feed AFTER UPDATE ON articles_section
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION changes_named_list_renamed();
CREATE TRIGGER source_change_feed AFTER UPDATE ON articles_source
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION changes_named_list_renamed();
"""

DROP = """
DROP TRIGGER IF EXISTS section_change_feed ON articles_section;
DROP TRIGGER IF EXISTS source_change_feed ON articles_source;
DROP FUNCTION IF EXISTS changes_named_list_renamed();
"""


class Migration(migrations.Migration):
    dependencies = [("changes", "0003_article_trigger_skips_search_exact")]

    operations = [migrations.RunSQL(FUNCTION, reverse_sql=DROP)]
