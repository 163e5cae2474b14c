"""An entity's name in each language and its identifiers, learned as articles are tagged.

A French story says "Bagdad" and an English one "Baghdad": one entity, one page, and each
reader sees the name their article uses. The gazetteer's names come first (the EU's
country list and the international organisations have both languages; GeoNames gives
cities their English name); otherwise the first article of a language to name the entity
gives the fullest form it writes. Labels an editor set are never replaced: a language
that has a label keeps it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connection

from entities.extraction import clustering, gazetteer
from entities.extraction.ner import RawMention
from entities.models import Entity, EntityKind, name_key

LANGUAGES = ("fr", "en")


def _fullest(entity: Entity, surfaces: Counter) -> str:
    """The label this article's surfaces give the entity: its canonical name when the
    article writes it; else the most frequent of the fullest forms (as many words as the
    canonical name at least, for a person: "Ratana" alone never names Matt Ratana)."""
    clean = clustering.clean_person if entity.kind == EntityKind.PERSON else clustering.clean
    forms: Counter = Counter()
    for surface, n in surfaces.items():
        form = clean(surface) or surface
        if name_key(form) == entity.key:
            return entity.name
        forms[form] += n
    if not forms:
        return ""
    words = len(entity.key.split()) if entity.kind == EntityKind.PERSON else 1
    fullest = max(len(name_key(f).split()) for f in forms)
    if fullest < words:
        return ""
    return max((f for f in forms if len(name_key(f).split()) == fullest), key=lambda f: (forms[f], f))


def learn(*, language: str, resolved: Iterable[tuple[RawMention, Entity]]) -> None:
    """Give the article's entities what they lack: a label in the article's language, the
    gazetteer's labels and identifier. One statement for all the entities that learn something."""
    surfaces: dict[Entity, Counter] = defaultdict(Counter)
    for mention, entity in resolved:
        surfaces[entity][mention.text] += 1
    learned: dict[int, tuple[Entity, dict, str]] = {}
    for entity, seen in surfaces.items():
        entry = gazetteer.lookup(entity.name, entity.kind)
        new = dict(entry.labels) if entry is not None else {}
        if language in LANGUAGES and language not in new and (label := _fullest(entity, seen)):
            new[language] = label
        same_as = entry.url if entry is not None else ""
        known = entity.labels or {}
        if all(lang in known for lang in new) and (not same_as or entity.same_as):
            continue
        learned[entity.id] = (entity, new, same_as)
    if not learned:
        return
    # In id order: two workers learning about the same entities take their row locks alike.
    rows = sorted((i, json.dumps(new, ensure_ascii=False), same_as) for i, (_, new, same_as) in learned.items())
    with connection.cursor() as cursor:
        # Existing labels win (`new || labels`): an editor's, or another worker's first.
        cursor.execute(
            "UPDATE entities_entity AS e SET labels = v.new::jsonb || e.labels,"
            " same_as = CASE WHEN e.same_as = '' THEN v.same_as ELSE e.same_as END"
            " FROM UNNEST(%s::bigint[], %s::text[], %s::text[]) AS v(id, new, same_as)"
            " WHERE e.id = v.id RETURNING e.id, e.labels, e.same_as",
            [list(column) for column in zip(*rows, strict=True)],
        )
        for entity_id, labels, same_as in cursor.fetchall():
            entity = learned[entity_id][0]
            entity.same_as = same_as
            entity.labels = json.loads(labels) if isinstance(labels, str) else labels
