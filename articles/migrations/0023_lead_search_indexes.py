"""The headline's and the standfirst's own-language readings, indexed per language as
search_vector is (articles migration 0019): relevance's candidates include the matches that
hold the query there, whatever their age (docs/decisions/0025-relevance-candidates-by-signal.md)."""

from django.db import migrations

# The headline (weight A) and standfirst (B) parts of Article.search_vector, one expression
# per index: the query side (articles/search/where.py, LEAD_READINGS) writes the same ones, for
# the planner to use the indexes.
LANGUAGES = {
    "fr": ("newsroom_fr", "language = 'fr'"),
    "en": ("newsroom_en", "language = 'en'"),
    "other": ("newsroom_simple", "language NOT IN ('fr', 'en')"),
}
FIELDS = ("headline", "standfirst")


def _create(field: str, language: str, config: str, condition: str) -> str:
    # Each index reads every row's text: minutes at a million articles, past the site's
    # statement timeout (settings.DB_STATEMENT_TIMEOUT_MS), which is for requests.
    return (
        "SET LOCAL statement_timeout = 0;"
        f" CREATE INDEX article_{field}_{language}_gin ON articles_article"
        f" USING gin (to_tsvector('{config}'::regconfig, coalesce({field}, ''))) WHERE {condition}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_article_modified_order"),
    ]

    operations = [
        migrations.RunSQL(
            _create(field, language, config, condition),
            reverse_sql=f"DROP INDEX IF EXISTS article_{field}_{language}_gin",
        )
        for field in FIELDS
        for language, (config, condition) in LANGUAGES.items()
    ]
