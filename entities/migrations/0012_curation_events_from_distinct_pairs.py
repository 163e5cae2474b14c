"""The curation log for the decisions recorded before it: each pair an editor said was not
one entity (`DistinctPair`, with who and when) becomes its "not a duplicate" event, under
the pair's first entity. Other curations made before 0011 recorded no editor or time, so
they have no event; the log starts with them.
"""

from django.db import migrations

BACKFILL = r"""
INSERT INTO entities_curationevent (entity_id, action, user_id, username, at, detail)
SELECT p.low_id, 'not_duplicate', p.decided_by_id, coalesce(u.username, ''), p.decided_at,
       jsonb_build_object('other_id', p.high_id, 'other_name', e.name, 'backfilled', true)
FROM entities_distinctpair p
JOIN entities_entity e ON e.id = p.high_id
LEFT JOIN auth_user u ON u.id = p.decided_by_id
"""

UNDO = r"""
DELETE FROM entities_curationevent WHERE action = 'not_duplicate' AND detail @> '{"backfilled": true}'
"""


class Migration(migrations.Migration):
    dependencies = [("entities", "0011_curation_events")]

    operations = [migrations.RunSQL(BACKFILL, UNDO, elidable=False)]
