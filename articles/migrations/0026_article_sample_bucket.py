"""An index of each article's sample bucket, a hash of its id from 0 to 65,535: a facet's sample is
the matches whose bucket is under a bound, found by intersecting this index with the words'
(docs/decisions/0034-facets-sampled-by-hashed-id.md)."""

from django.db import migrations

# articles/search/facets.py writes the same expression (SAMPLE_BUCKET), over the row's alias, for
# the planner to use the index. md5, not hashint8(): what an index holds must not change with a
# PostgreSQL upgrade (as for search_pairs, docs/decisions/0003-phrase-pairs.md).
BUCKET = "(('x' || substr(md5(id::text), 1, 4))::bit(16)::int)"

CREATE = f"""
SET LOCAL statement_timeout = 0;
CREATE INDEX article_sample_bucket ON articles_article ({BUCKET});
ANALYZE articles_article;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0025_search_postings_unstemmed"),
    ]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP INDEX IF EXISTS article_sample_bucket;"),
    ]
