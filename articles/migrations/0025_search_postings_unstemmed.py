"""Impact-ordered postings of every unstemmed form: each article's search_exact lexemes whose
impact, ts_rank(search_exact, 'form', 1), is at least FLOOR, posted as in migration 0024 under
the form after a space (no lexeme holds one). Until now only the forms a French or English
stemmer drops as stop words were posted (from 0.05): the exact part of every other term was
bounded by its stem's impact, which counts the stem's other forms as well (`saying` was
bounded by 'say', so every article saying "says" in its headline had to be ranked before a
page could be proven). Each form is now bounded by its own postings
(docs/decisions/0033-unstemmed-postings.md).

The backfill recomputes the marked postings of every article: about as long as migration 0024's
(an hour at a million articles, on two cores); the index is dropped for it and built again."""

from django.db import migrations

# As in migration 0024 and articles/search/impact.py.
FLOOR = 0.02
STOP_WORD_FLOOR = 0.05

POSTED = """
CREATE OR REPLACE FUNCTION newsroom_search_posted(vector tsvector, exact tsvector, language text)
RETURNS TABLE (lexeme text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.lexeme, p.impact FROM newsroom_search_reaching(vector, FLOOR, NULL) p
    UNION ALL
    SELECT ' ' || p.lexeme, p.impact FROM newsroom_search_reaching(exact, FLOOR, NULL) p
$$;
""".replace("FLOOR", repr(FLOOR))

# Migration 0024's: the stop words of French and English articles only, from STOP_WORD_FLOOR.
POSTED_BEFORE = """
CREATE OR REPLACE FUNCTION newsroom_search_posted(vector tsvector, exact tsvector, language text)
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

# The marked postings are the lexemes from ' ' (code point 32) up to '!' (33): the column's
# collation is C. The triggers find an article's rows again by recomputing them with the
# function, so the table is rewritten in the same transaction as the function.
BACKFILL = """
SET LOCAL statement_timeout = 0;
SET LOCAL maintenance_work_mem = '512MB';
DROP INDEX articles_searchposting_order;
DELETE FROM articles_searchposting WHERE lexeme >= ' ' AND lexeme < '!';
INSERT INTO articles_searchposting (lexeme, impact, article_id)
SELECT ' ' || p.lexeme, p.impact, a.id FROM articles_article a
CROSS JOIN LATERAL newsroom_search_reaching(a.search_exact, FLOOR, NULL) p;
CREATE INDEX articles_searchposting_order ON articles_searchposting (lexeme, impact DESC, article_id DESC);
ANALYZE articles_searchposting;
""".replace("FLOOR", repr(FLOOR))

BACKFILL_BEFORE = """
SET LOCAL statement_timeout = 0;
DELETE FROM articles_searchposting WHERE lexeme >= ' ' AND lexeme < '!';
INSERT INTO articles_searchposting (lexeme, impact, article_id)
SELECT p.lexeme, p.impact, a.id FROM articles_article a
CROSS JOIN LATERAL newsroom_search_posted(a.search_vector, a.search_exact, a.language) p
WHERE p.lexeme >= ' ' AND p.lexeme < '!';
ANALYZE articles_searchposting;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0024_search_postings"),
    ]

    operations = [migrations.RunSQL(POSTED + BACKFILL, reverse_sql=POSTED_BEFORE + BACKFILL_BEFORE)]
