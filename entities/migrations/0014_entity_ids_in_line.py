"""Keep articles_article.entity_ids in the heap row (STORAGE MAIN), as search_vector is.

With search_vector kept in line (articles 0003), the toaster moved every other column of a
long article out of line to make the row fit, entity_ids too (a few hundred bytes): each row
the facets count, the entity filters test and relevance's entity parts read then fetched it
from the TOAST table (about half the facets statement at 100,000 articles: decision 0032's
results). MAIN makes it the last column moved out: it stays in the row.

The change applies to rows written from now on (every insert, and every article whose
mentions change); rows already stored keep their value where it is until rewritten:
docs/operations.md says how (VACUUM FULL, at a quiet time)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("entities", "0013_name_keys_fold_letters")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE articles_article ALTER COLUMN entity_ids SET STORAGE MAIN;",
            reverse_sql="ALTER TABLE articles_article ALTER COLUMN entity_ids SET STORAGE EXTENDED;",
        )
    ]
