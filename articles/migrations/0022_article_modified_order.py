"""The API's `updated_at` (Article.modified_at: the current revision's time when the text
changed after publication, else the publication time) as an index of published articles:
what `updated_after` and `ordering=-updated_at` read (articles/search/where.py, MODIFIED_AT)."""

from django.db import migrations

MODIFIED_AT = "(CASE WHEN revision > 1 AND revised_at > published_at THEN revised_at ELSE published_at END)"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_fingerprint_stories_identified_by_headline"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX article_modified_order ON articles_article ({MODIFIED_AT} DESC, id DESC)"
            " WHERE status = 'published'",
            reverse_sql="DROP INDEX IF EXISTS article_modified_order",
        ),
    ]
