"""The article trigger of the change feed leaves out `search_exact` (articles migration 0019),
a second derived copy of the text: comparing it would only cost time, never find a change
the text itself does not show."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION changes_article_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    -- Columns that do not change what partners see: tagging's bookkeeping, derived copies.
    unseen text[] := ARRAY['updated_at', 'search_vector', 'search_exact', 'body_text', 'content_hash', 'tagging_status',
                           'tagging_error', 'tagging_attempts', 'tagged_hash', 'tagging_requested_at',
                           'tagged_at', 'tagging_claim', 'tagging_worker'];
    was_public boolean;
    is_public boolean;
    announced boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM changes_embargorelease WHERE article_id = OLD.id;
        IF changes_announced('article', OLD.id) THEN
            PERFORM changes_record('article', OLD.id, 'deleted', NULL);
        END IF;
        RETURN NULL;
    END IF;
    is_public := NEW.status = 'published' AND NEW.published_at <= now();
    IF TG_OP = 'UPDATE' THEN
        was_public := OLD.status = 'published' AND OLD.published_at <= now();
        -- Tagging's own updates (most updates of this table) end here, with no lookup.
        IF was_public = is_public AND NOT is_public THEN
            NULL;
        ELSIF was_public = is_public AND (to_jsonb(NEW) - unseen) = (to_jsonb(OLD) - unseen) THEN
            NULL;
        ELSE
            announced := changes_announced('article', NEW.id);
            IF is_public AND NOT announced THEN
                PERFORM changes_record('article', NEW.id, 'published', NULL);
            ELSIF is_public THEN
                PERFORM changes_record('article', NEW.id, 'updated', NULL);
            ELSIF announced THEN
                PERFORM changes_record('article', NEW.id, 'unpublished', NULL);
            END IF;
        END IF;
    ELSIF is_public THEN
        PERFORM changes_record('article', NEW.id, 'created', NULL);
    END IF;
    IF NEW.status = 'published' AND NEW.published_at > now() THEN
        INSERT INTO changes_embargorelease (article_id, release_at) VALUES (NEW.id, NEW.published_at)
        ON CONFLICT (article_id) DO UPDATE SET release_at = EXCLUDED.release_at;
    END IF;
    RETURN NULL;
END
$$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION changes_article_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    -- Columns that do not change what partners see: tagging's bookkeeping, derived copies.
    unseen text[] := ARRAY['updated_at', 'search_vector', 'body_text', 'content_hash', 'tagging_status',
                           'tagging_error', 'tagging_attempts', 'tagged_hash', 'tagging_requested_at',
                           'tagged_at', 'tagging_claim', 'tagging_worker'];
    was_public boolean;
    is_public boolean;
    announced boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM changes_embargorelease WHERE article_id = OLD.id;
        IF changes_announced('article', OLD.id) THEN
            PERFORM changes_record('article', OLD.id, 'deleted', NULL);
        END IF;
        RETURN NULL;
    END IF;
    is_public := NEW.status = 'published' AND NEW.published_at <= now();
    IF TG_OP = 'UPDATE' THEN
        was_public := OLD.status = 'published' AND OLD.published_at <= now();
        -- Tagging's own updates (most updates of this table) end here, with no lookup.
        IF was_public = is_public AND NOT is_public THEN
            NULL;
        ELSIF was_public = is_public AND (to_jsonb(NEW) - unseen) = (to_jsonb(OLD) - unseen) THEN
            NULL;
        ELSE
            announced := changes_announced('article', NEW.id);
            IF is_public AND NOT announced THEN
                PERFORM changes_record('article', NEW.id, 'published', NULL);
            ELSIF is_public THEN
                PERFORM changes_record('article', NEW.id, 'updated', NULL);
            ELSIF announced THEN
                PERFORM changes_record('article', NEW.id, 'unpublished', NULL);
            END IF;
        END IF;
    ELSIF is_public THEN
        PERFORM changes_record('article', NEW.id, 'created', NULL);
    END IF;
    IF NEW.status = 'published' AND NEW.published_at > now() THEN
        INSERT INTO changes_embargorelease (article_id, release_at) VALUES (NEW.id, NEW.published_at)
        ON CONFLICT (article_id) DO UPDATE SET release_at = EXCLUDED.release_at;
    END IF;
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_triggers"),
        ("articles", "0019_search_exact_and_language_indexes"),
    ]

    operations = [migrations.RunSQL(FUNCTION, reverse_sql=PREVIOUS)]
