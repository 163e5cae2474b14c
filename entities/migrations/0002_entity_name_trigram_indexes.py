"""Trigram GIN indexes for the entity lists' ?q= (prefix LIKE and typo-tolerant %).

GIN only, no GiST: with both present the planner picked the slower GiST (research/fts.md §2.4).
"""

from django.db import migrations

INDEXES = [
    ("entity_name_trgm", "entities_entity"),
    ("alias_name_trgm", "entities_alias"),
]


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_initial"), ("articles", "0001_search_configuration")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON {table} USING gin (lower(f_unaccent(name)) gin_trgm_ops);",
            reverse_sql=f"DROP INDEX IF EXISTS {name};",
        )
        for name, table in INDEXES
    ]
