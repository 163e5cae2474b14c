"""Extensions and text search configurations the archive's search is built on.

unaccent is placed in front of the Snowball stemmers, so "Élysée" and "elysee" index and
query alike; f_unaccent is an IMMUTABLE wrapper usable in indexes and generated columns
(unaccent() itself is only STABLE).
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

CONFIGS = [
    ("newsroom_fr", "french", "french_stem"),
    ("newsroom_en", "english", "english_stem"),
    ("newsroom_simple", "simple", "simple"),
]

FORWARD = []
REVERSE = []
for name, parent, dictionary in CONFIGS:
    FORWARD.append(
        f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent});"
        f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word "
        f"WITH unaccent, {dictionary};"
    )
    REVERSE.append(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};")

F_UNACCENT = """
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(FORWARD, reverse_sql=REVERSE),
        migrations.RunSQL(F_UNACCENT, reverse_sql="DROP FUNCTION IF EXISTS f_unaccent(text);"),
    ]
