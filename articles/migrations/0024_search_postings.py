"""Impact-ordered postings of search_vector: for each article and each of its lexemes whose
share of the relevance score can be large, that share's exact value, so that relevance finds
its first page by reading the postings of the query's lexemes in descending impact and stops
when nothing unread can score higher (docs/decisions/0030-exact-relevance-by-impact-ordered-postings.md).

A lexeme's impact is what ts_rank(search_vector, 'lexeme', 1) gives for it (PostgreSQL's
calc_rank_or: the sum over its positions j = 1, 2, ... of the position's weight over j², over
pi²/6, divided by log2(1 + the vector's number of positions)). Only impacts of at least FLOOR
are posted (a lexeme in a headline or standfirst, or dense in a short text): every share not
posted is below it. The rows follow the articles through statement-level triggers, so COPY,
admin saves, revisions, retagging and deletes all keep them true; drafts are posted too and
the search joins the articles to keep to published ones. A TRUNCATE of the articles empties them.
"""

from django.db import migrations

# Every posted impact is at least this (articles/search/impact.py reads the same values); an
# unstemmed stop word's at least STOP_WORD_FLOOR (they are frequent: in a headline, mostly).
FLOOR = 0.02
STOP_WORD_FLOOR = 0.05

# ts_rank itself gives each lexeme's impact, for the lexemes that can reach FLOOR: a lexeme
# whose first position is in the body (weight C: all its positions are) has an impact under
# 0.2 / log2(1 + positions) (the sum over j of 1/j² is under pi²/6), under FLOOR in a text of
# more than 2^(0.2 / FLOOR) positions. Posted too, marked by a leading space (no lexeme has
# one), the unstemmed forms (search_exact) a French or English article's stemmer drops as stop
# words, from STOP_WORD_FLOOR: their exact part has no stem to be bounded by.
POSTINGS_FUNCTION = """
CREATE FUNCTION newsroom_search_postings(vector tsvector)
RETURNS TABLE (lexeme text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT u.lexeme, ts_rank(vector, quote_literal(u.lexeme)::tsquery, 1)
    FROM unnest(vector) u
$$;
CREATE FUNCTION newsroom_search_reaching(vector tsvector, floor real, stop_words regdictionary)
RETURNS TABLE (lexeme text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.lexeme, p.impact
    FROM (SELECT sum(coalesce(cardinality(u.positions), 1)) AS positions FROM unnest(vector) u) n
    CROSS JOIN LATERAL (
        SELECT u.lexeme, ts_rank(vector, quote_literal(u.lexeme)::tsquery, 1) AS impact
        FROM unnest(vector) u
        WHERE (coalesce(u.weights[1], 'D') IN ('A', 'B') OR log(2, n.positions + 1) <= 0.2 / floor)
        AND (stop_words IS NULL OR ts_lexize(stop_words, u.lexeme) = '{}')
    ) p
    WHERE p.impact >= floor
$$;
CREATE FUNCTION newsroom_search_posted(vector tsvector, exact tsvector, language text)
RETURNS TABLE (lexeme text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.lexeme, p.impact FROM newsroom_search_reaching(vector, FLOOR, NULL) p
    UNION ALL
    SELECT ' ' || p.lexeme, p.impact FROM newsroom_search_reaching(
        exact, STOP_WORD_FLOOR,
        CASE language WHEN 'fr' THEN 'french_stem'::regdictionary ELSE 'english_stem'::regdictionary END
    ) p
    WHERE language IN ('fr', 'en')
$$;
""".replace("STOP_WORD_FLOOR", repr(STOP_WORD_FLOOR)).replace("FLOOR", repr(FLOOR))

TABLE = """
CREATE TABLE articles_searchposting (
    lexeme text COLLATE "C" NOT NULL,
    impact real NOT NULL,
    article_id bigint NOT NULL
);
"""

# No foreign key (a check per posting would double a bulk import's work): the triggers remove
# an article's postings, found by recomputing them from the old vector (the function is
# immutable, so the same rows come out) through the one index the search reads.
_GONE = """
    DELETE FROM articles_searchposting s USING old_rows o CROSS JOIN LATERAL newsroom_search_posted(o.search_vector, o.search_exact, o.language) p
    WHERE s.lexeme = p.lexeme AND s.impact = p.impact AND s.article_id = o.id{changed};"""
_NEW = """
    INSERT INTO articles_searchposting (lexeme, impact, article_id)
    SELECT p.lexeme, p.impact, n.id FROM new_rows n CROSS JOIN LATERAL newsroom_search_posted(n.search_vector, n.search_exact, n.language) p{changed};"""
_CHANGED = (
    " AND NOT EXISTS (SELECT FROM {other} x WHERE x.id = {alias}.id"
    " AND x.search_vector IS NOT DISTINCT FROM {alias}.search_vector"
    " AND x.search_exact IS NOT DISTINCT FROM {alias}.search_exact AND x.language = {alias}.language)"
)
TRIGGERS = f"""
CREATE FUNCTION articles_search_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_NEW.format(changed="")}
    RETURN NULL;
END $$;
CREATE FUNCTION articles_search_postings_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_GONE.format(changed=_CHANGED.format(other="new_rows", alias="o"))}{
    _NEW.format(changed=" WHERE" + _CHANGED.format(other="old_rows", alias="n").removeprefix(" AND"))
}
    RETURN NULL;
END $$;
CREATE FUNCTION articles_search_postings_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{_GONE.format(changed="")}
    RETURN NULL;
END $$;
CREATE TRIGGER articles_search_postings_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_search_postings_inserted();
CREATE TRIGGER articles_search_postings_update AFTER UPDATE ON articles_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION articles_search_postings_updated();
CREATE TRIGGER articles_search_postings_delete AFTER DELETE ON articles_article
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_search_postings_deleted();
CREATE FUNCTION articles_search_postings_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE articles_searchposting;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_search_postings_truncate AFTER TRUNCATE ON articles_article
    FOR EACH STATEMENT EXECUTE FUNCTION articles_search_postings_truncated();
"""

BACKFILL = """
SET LOCAL statement_timeout = 0;
SET LOCAL maintenance_work_mem = '512MB';
INSERT INTO articles_searchposting (lexeme, impact, article_id)
SELECT p.lexeme, p.impact, a.id FROM articles_article a CROSS JOIN LATERAL newsroom_search_posted(a.search_vector, a.search_exact, a.language) p;
CREATE INDEX articles_searchposting_order ON articles_searchposting (lexeme, impact DESC, article_id DESC);
ANALYZE articles_searchposting;
"""

REVERSE = """
DROP TRIGGER IF EXISTS articles_search_postings_insert ON articles_article;
DROP TRIGGER IF EXISTS articles_search_postings_update ON articles_article;
DROP TRIGGER IF EXISTS articles_search_postings_delete ON articles_article;
DROP TRIGGER IF EXISTS articles_search_postings_truncate ON articles_article;
DROP FUNCTION IF EXISTS articles_search_postings_truncated();
DROP FUNCTION IF EXISTS articles_search_postings_deleted();
DROP FUNCTION IF EXISTS articles_search_postings_inserted();
DROP FUNCTION IF EXISTS articles_search_postings_updated();
DROP TABLE IF EXISTS articles_searchposting;
DROP FUNCTION IF EXISTS newsroom_search_posted(tsvector, tsvector, text);
DROP FUNCTION IF EXISTS newsroom_search_reaching(tsvector, real, regdictionary);
DROP FUNCTION IF EXISTS newsroom_search_postings(tsvector);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_lead_search_indexes"),
    ]

    operations = [migrations.RunSQL(POSTINGS_FUNCTION + TABLE + TRIGGERS + BACKFILL, reverse_sql=REVERSE)]
