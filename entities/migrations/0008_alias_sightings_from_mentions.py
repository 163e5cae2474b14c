"""Provenance for the aliases recorded before 0007: each alias was seen in the articles whose
mentions of its entity are written as the alias (its name key, computed here in SQL as
entities.models.name_key does: accents, case and punctuation ignored).

A few aliases may not match any mention this way (a title stripped by the cleaner, "M. Le
Drian"); they stay private until their entity's articles are tagged again, which records
their sightings as tagging does. Private is the safe side: a name from a draft never shows.
"""

from django.db import migrations

BACKFILL = r"""
INSERT INTO entities_aliassighting (alias_id, article_id)
SELECT DISTINCT a.id, m.article_id
FROM entities_alias a
JOIN entities_mention m ON m.entity_id = a.entity_id
WHERE btrim(regexp_replace(lower(f_unaccent(m.surface)), '[^[:alnum:]]+', ' ', 'g')) = a.key
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [("entities", "0007_alias_provenance")]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False)]
