"""The triggers that fill the change feed: every path that changes an article or an entity
(services, the admin, the import command, bulk SQL) is announced, in the transaction that
makes the change. docs/decisions/0015-change-feed-in-transaction-order.md.

What is announced is what partners can see: an article while it is published and its time
has come, an entity while it is active and a published article names it. An object is
"announced" when its latest event is not a tombstone; each trigger compares that with the
row's new state. A published article whose time lies ahead gets an `changes_embargorelease`
row instead, which the beat task turns into a `published` event when the time comes.

Then every object public today is announced once (`created`), so that a partner who starts
from the beginning of the feed receives the whole public archive.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION changes_announced(p_type text, p_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT c.kind NOT IN ('unpublished', 'deleted', 'merged', 'rejected')
        FROM changes_change c WHERE c.object_type = p_type AND c.object_id = p_id
        ORDER BY c.id DESC LIMIT 1), false)
$$;

-- Record one event, folded into the events the same transaction already wrote for the
-- object: partners see the outcome of a transaction, not its steps.
CREATE OR REPLACE FUNCTION changes_record(p_type text, p_id bigint, p_kind text, p_target bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    last changes_change%ROWTYPE;
    tombstone boolean := p_kind IN ('unpublished', 'deleted', 'merged', 'rejected');
BEGIN
    LOOP
        SELECT * INTO last FROM changes_change c
        WHERE c.object_type = p_type AND c.object_id = p_id ORDER BY c.id DESC LIMIT 1;
        EXIT WHEN NOT FOUND OR last.xid <> pg_current_xact_id();
        IF NOT tombstone AND (p_kind = last.kind OR last.kind IN ('created', 'published')
                              OR p_kind = 'updated' AND last.kind IN ('corrected', 'renamed')) THEN
            RETURN;  -- the event already written announces the object's state at commit
        ELSIF NOT tombstone AND last.kind = 'updated' THEN
            UPDATE changes_change SET kind = p_kind, occurred_at = clock_timestamp() WHERE id = last.id;
            RETURN;  -- the more telling kind: corrected, renamed
        ELSIF tombstone AND last.kind IN ('updated', 'corrected', 'renamed') THEN
            DELETE FROM changes_change WHERE id = last.id;  -- and look at the one before
        ELSIF tombstone AND last.kind IN ('created', 'published') THEN
            DELETE FROM changes_change WHERE id = last.id;
            RETURN;  -- public for part of one transaction only: no partner ever saw it
        ELSE
            EXIT;
        END IF;
    END LOOP;
    INSERT INTO changes_change (xid, occurred_at, object_type, object_id, kind, target_id)
    VALUES (pg_current_xact_id(), clock_timestamp(), p_type, p_id, p_kind, p_target);
END
$$;

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

CREATE OR REPLACE FUNCTION changes_entity_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was_public boolean;
    is_public boolean;
    announced boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF changes_announced(OLD.kind, OLD.id) THEN
            PERFORM changes_record(OLD.kind, OLD.id, 'deleted', NULL);
        END IF;
        RETURN NULL;
    END IF;
    is_public := NEW.status = 'active' AND NEW.article_count > 0;
    IF TG_OP = 'INSERT' THEN
        IF is_public THEN
            PERFORM changes_record(NEW.kind, NEW.id, 'created', NULL);
        END IF;
        RETURN NULL;
    END IF;
    was_public := OLD.status = 'active' AND OLD.article_count > 0;
    -- Count refreshes (most updates of this table) end here, with no lookup.
    IF was_public = is_public AND NOT is_public
       OR was_public = is_public AND (NEW.name, NEW.slug, NEW.wikidata_id) = (OLD.name, OLD.slug, OLD.wikidata_id) THEN
        RETURN NULL;
    END IF;
    announced := changes_announced(NEW.kind, NEW.id);
    IF is_public AND NOT announced THEN
        PERFORM changes_record(NEW.kind, NEW.id, 'created', NULL);
    ELSIF is_public AND (NEW.name, NEW.slug) IS DISTINCT FROM (OLD.name, OLD.slug) THEN
        PERFORM changes_record(NEW.kind, NEW.id, 'renamed', NULL);
    ELSIF is_public THEN
        PERFORM changes_record(NEW.kind, NEW.id, 'updated', NULL);
    ELSIF announced AND NEW.status = 'merged' THEN
        PERFORM changes_record(NEW.kind, NEW.id, 'merged', NEW.merged_into_id);
    ELSIF announced AND NEW.status = 'rejected' THEN
        PERFORM changes_record(NEW.kind, NEW.id, 'rejected', NULL);
    ELSIF announced THEN
        PERFORM changes_record(NEW.kind, NEW.id, 'deleted', NULL);
    END IF;
    RETURN NULL;
END
$$;

-- The embargoes whose time has come: each article still public and not yet announced is
-- announced as published. The article row is locked as its own writers lock it, so a
-- concurrent edit and the release announce it once.
CREATE OR REPLACE FUNCTION changes_release_embargoes() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    due bigint[];
    released integer := 0;
    article_id bigint;
BEGIN
    WITH d AS (DELETE FROM changes_embargorelease WHERE release_at <= now() RETURNING changes_embargorelease.article_id)
    SELECT array_agg(d.article_id ORDER BY d.article_id) INTO due FROM d;
    FOR article_id IN
        SELECT a.id FROM articles_article a
        WHERE a.id = ANY(coalesce(due, '{}')) AND a.status = 'published' AND a.published_at <= now()
        ORDER BY a.id FOR UPDATE
    LOOP
        IF NOT changes_announced('article', article_id) THEN
            PERFORM changes_record('article', article_id, 'published', NULL);
            released := released + 1;
        END IF;
    END LOOP;
    RETURN released;
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER article_change_feed AFTER INSERT OR UPDATE OR DELETE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION changes_article_changed();
CREATE TRIGGER entity_change_feed AFTER INSERT OR UPDATE OR DELETE ON entities_entity
    FOR EACH ROW EXECUTE FUNCTION changes_entity_changed();
"""

BACKFILL = """
INSERT INTO changes_change (xid, occurred_at, object_type, object_id, kind)
SELECT pg_current_xact_id(), clock_timestamp(), 'article', id, 'created' FROM articles_article
WHERE status = 'published' AND published_at <= now() ORDER BY id;
INSERT INTO changes_embargorelease (article_id, release_at)
SELECT id, published_at FROM articles_article WHERE status = 'published' AND published_at > now();
INSERT INTO changes_change (xid, occurred_at, object_type, object_id, kind)
SELECT pg_current_xact_id(), clock_timestamp(), kind, id, 'created' FROM entities_entity
WHERE status = 'active' AND article_count > 0 ORDER BY id;
"""

DROP = """
DROP TRIGGER IF EXISTS article_change_feed ON articles_article;
DROP TRIGGER IF EXISTS entity_change_feed ON entities_entity;
DROP FUNCTION IF EXISTS changes_release_embargoes();
DROP FUNCTION IF EXISTS changes_entity_changed();
DROP FUNCTION IF EXISTS changes_article_changed();
DROP FUNCTION IF EXISTS changes_record(text, bigint, text, bigint);
DROP FUNCTION IF EXISTS changes_announced(text, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_change_feed"),
        ("articles", "0009_article_tagging_worker"),
        ("entities", "0005_article_entity_ids_triggers"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS + TRIGGERS, reverse_sql=DROP),
        migrations.RunSQL(BACKFILL, reverse_sql="DELETE FROM changes_change; DELETE FROM changes_embargorelease;"),
    ]
