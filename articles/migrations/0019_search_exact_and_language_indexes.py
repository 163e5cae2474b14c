"""Own-language matching and exact forms (docs/search.md#matching, docs/decisions/0017-own-language-entity-aware-ranking.md).

- `search_exact`: the text unstemmed (newsroom_simple), weighted as search_vector, for
  ranking exact forms above stem-only matches; no index (read for rows already found).
- The GIN index of search_vector split into one partial index per stemmed language and one
  for the rest: a query reads each language's articles in that language only, so each
  branch of its OR reads that language's postings alone.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_revisions"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="article_search_gin",
        ),
        migrations.AddField(
            model_name="article",
            name="search_exact",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.expressions.RawSQL(
                    "\nsetweight(to_tsvector('newsroom_simple'::regconfig, coalesce(headline, '')), 'A') ||\nsetweight(to_tsvector('newsroom_simple'::regconfig, coalesce(standfirst, '')), 'B') ||\nsetweight(to_tsvector('newsroom_simple'::regconfig, coalesce(body_text, '') || ' ' || coalesce(photo_caption, '')), 'C')\n",
                    [],
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("language", "fr")), fields=["search_vector"], name="article_search_fr_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("language", "en")), fields=["search_vector"], name="article_search_en_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("language__in", ("fr", "en")), _negated=True),
                fields=["search_vector"],
                name="article_search_other_gin",
            ),
        ),
    ]
