"""articles_article.search_pairs: hashes of the adjacent word pairs of the search vector.

GIN stores no positions, so a phrase search finds every article holding all of the phrase's
words and re-reads each one's tsvector to test the adjacency: a phrase of two common words
re-checked 30,000 articles at a million. The pairs of lexemes at consecutive positions of the
stored tsvector, hashed to integers and indexed with GIN, are a superset of the phrase's
matches by construction (they are read off the positions the phrase test reads), so
`search_pairs @> pairs_of(phrase)` narrows the candidates to the articles holding the pair
before the exact test (articles/search/).

Like entity_ids it is not a Django field: a BEFORE trigger computes it from the same columns
and the same expression as the generated search_vector (a generated column may not read
another one, and a BEFORE trigger may not read a generated column), only when those columns
are written, so the tagging's status updates never pay for it. md5 rather than hashtext():
the stored hashes must never change under a PostgreSQL upgrade.
"""

from django.db import migrations

# The expression of articles.models.SEARCH_VECTOR_SQL, frozen here: parameters named as the
# columns, so the text is the generated column's own.
FUNCTIONS = """
CREATE FUNCTION newsroom_article_tsvector(language text, headline text, standfirst text, body_text text,
                                          photo_caption text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT setweight(to_tsvector(CASE language WHEN 'fr' THEN 'newsroom_fr'::regconfig
                                           WHEN 'en' THEN 'newsroom_en'::regconfig
                                           ELSE 'newsroom_simple'::regconfig END, coalesce(headline, '')), 'A') ||
       setweight(to_tsvector(CASE language WHEN 'fr' THEN 'newsroom_fr'::regconfig
                                           WHEN 'en' THEN 'newsroom_en'::regconfig
                                           ELSE 'newsroom_simple'::regconfig END, coalesce(standfirst, '')), 'B') ||
       setweight(to_tsvector(CASE language WHEN 'fr' THEN 'newsroom_fr'::regconfig
                                           WHEN 'en' THEN 'newsroom_en'::regconfig
                                           ELSE 'newsroom_simple'::regconfig END,
                             coalesce(body_text, '') || ' ' || coalesce(photo_caption, '')), 'C')
$$;

-- The distinct hashes of "lexeme next-lexeme" for lexemes at consecutive positions. Our
-- configurations give one lexeme per position, so the next position's lexeme is the row
-- after in position order.
CREATE FUNCTION newsroom_word_pairs(vector tsvector) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT ('x' || left(md5(lexeme || ' ' || next_lexeme), 8))::bit(32)::integer), '{}')
FROM (
    SELECT u.lexeme, p, lead(u.lexeme) OVER w AS next_lexeme, lead(p) OVER w AS next_p
    FROM unnest(vector) u, unnest(u.positions) p
    WINDOW w AS (ORDER BY p)
) t
WHERE next_p = p + 1
$$;

CREATE FUNCTION articles_article_set_search_pairs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_pairs := newsroom_word_pairs(newsroom_article_tsvector(
        NEW.language, NEW.headline, NEW.standfirst, NEW.body_text, NEW.photo_caption));
    RETURN NEW;
END
$$;
"""

COLUMN = """
ALTER TABLE articles_article ADD COLUMN search_pairs integer[] NOT NULL DEFAULT '{}';
-- Read on every candidate of a phrase: kept inline, uncompressed, like search_vector.
ALTER TABLE articles_article ALTER COLUMN search_pairs SET STORAGE MAIN;
-- The plan is chosen from the estimate of the phrase's pairs (see 0006 for the tsvector).
ALTER TABLE articles_article ALTER COLUMN search_pairs SET STATISTICS 1000;
CREATE TRIGGER article_search_pairs
    BEFORE INSERT OR UPDATE OF language, headline, standfirst, body_text, photo_caption ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_set_search_pairs();
"""

# The stored vector is the same expression of the same columns: read it instead of
# computing it again.
BACKFILL = """
UPDATE articles_article SET search_pairs = newsroom_word_pairs(search_vector);
CREATE INDEX article_search_pairs_gin ON articles_article USING gin (search_pairs);
ANALYZE articles_article (search_pairs);
"""

DROP = """
DROP INDEX IF EXISTS article_search_pairs_gin;
DROP TRIGGER IF EXISTS article_search_pairs ON articles_article;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_pairs;
DROP FUNCTION IF EXISTS articles_article_set_search_pairs();
DROP FUNCTION IF EXISTS newsroom_word_pairs(tsvector);
DROP FUNCTION IF EXISTS newsroom_article_tsvector(text, text, text, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search_vector_statistics")]

    operations = [
        migrations.RunSQL(FUNCTIONS + COLUMN + BACKFILL, reverse_sql=DROP),
    ]
