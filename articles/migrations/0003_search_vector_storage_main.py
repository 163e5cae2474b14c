"""Keep the tsvector in the heap, uncompressed where it fits: ranking reads it for every
candidate, and de-TOASTing dominated ranking time (research/fts.md: 1.7x faster)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_article")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN;",
            reverse_sql="ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE EXTENDED;",
        )
    ]
