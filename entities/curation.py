"""What the curation desk reads: the review queue and the likely duplicates.

An archive of a few hundred stories already holds well over a thousand people; nobody can
read that list by name. These selectors put first what matters most (the entities that
touch the most published articles) and what is most likely wrong (weak or mixed evidence,
two entities that are probably one). Editors act on them through the services
(`merge_entities`, `reject_entity`, `mark_entity_checked`, `dismiss_duplicate`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from entities.models import Alias, DistinctPair, Entity, EntityKind

# Particles of transliterated names that spellings add, drop or change: al-Sisi, el-Sisi,
# as-Sisi; bin/ben/ibn Salman; they do not tell two people apart.
PARTICLES = ("al", "el", "ad", "ed", "ar", "as", "ash", "at", "az", "ul", "bin", "ben", "ibn", "abu")
# Trigram similarity (pg_trgm) above which two names of one kind are worth a look.
SIMILAR_NAMES = 0.6
# The most-mentioned entities of a kind are looked up by trigram similarity (one index probe
# each); every entity is compared by the exact rules (loose key, surname, alias, acronym).
TRIGRAM_POOL = 1000
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
_JUNK_NAME = re.compile(r"\d|^[^A-ZÀ-ÖØ-Þ\"'«]|[@/\\|<>{}]")


@dataclass(frozen=True)
class Flags:
    mentions: int  # 0, 1, or 2 for two or more
    mixed_kinds: bool
    odd_name: bool

    @property
    def labels(self) -> list[str]:
        out = []
        if self.mentions <= 1:
            out.append("one mention" if self.mentions else "no mention")
        if self.mixed_kinds:
            out.append("also known as another kind")
        if self.odd_name:
            out.append("unusual name")
        return out


@dataclass(frozen=True)
class DuplicateSuggestion:
    keep: Entity  # the one with more published articles: the merge's default survivor
    other: Entity
    score: float
    reasons: tuple[str, ...]
    shared_articles: int


def review_queue(*, kind: str = "", weak_only: bool = False) -> QuerySet[Entity]:
    """Active entities no editor has checked yet, those touching the most published articles
    first, annotated with their evidence: `mention_total` and `mixed_kinds` (the same name
    is an entity or alias of another kind too)."""
    other_kind = Entity.objects.filter(key=OuterRef("key"), status=Entity.Status.ACTIVE).exclude(kind=OuterRef("kind"))
    other_alias = Alias.objects.filter(key=OuterRef("key")).exclude(kind=OuterRef("kind"))
    queue = (
        Entity.objects.active()
        .filter(curated=False)
        .annotate(
            # 0, 1 or 2 (two or more): enough to tell a single sighting, without counting
            # the thousands of mentions of a popular entity.
            mention_total=RawSQL(
                "(SELECT count(*) FROM (SELECT 1 FROM entities_mention m"
                " WHERE m.entity_id = entities_entity.id LIMIT 2) AS up_to_two)",
                [],
                output_field=IntegerField(),
            ),
            mixed_kinds=Exists(other_kind) | Exists(other_alias),
        )
        .order_by("-article_count", "name", "id")
    )
    if kind:
        queue = queue.filter(kind=kind)
    if weak_only:
        queue = queue.filter(Q(mention_total__lte=1) | Q(mixed_kinds=True))
    return queue


def flags(entity: Entity) -> Flags:
    """The weak-evidence flags of an entity annotated by `review_queue`."""
    return Flags(
        mentions=entity.mention_total,
        mixed_kinds=bool(entity.mixed_kinds),
        odd_name=bool(_JUNK_NAME.search(entity.name)) or len(entity.name.split()) > 6,
    )


def _candidate_pairs(kind: str) -> dict[tuple[int, int], dict[str, float]]:
    """{(low id, high id): {reason: strength}} for active entities of one kind."""
    queries = {
        # al-Sisi / el-Sisi / Sisi: the same name once the particles are gone.
        "spelling variant": """
            WITH loose AS (
                SELECT id, trim(regexp_replace(regexp_replace(key, %(particles)s, ' ', 'g'), ' +', ' ', 'g')) AS k
                  FROM entities_entity WHERE kind = %(kind)s AND status = 'active')
            SELECT a.id, b.id, 1.0 FROM loose a JOIN loose b ON a.k = b.k AND a.id < b.id WHERE a.k <> ''""",
        # One entity's alias is the other's name (resolution met them in different articles).
        "alias of the other": """
            SELECT least(a.id, b.id), greatest(a.id, b.id), 1.0
              FROM entities_alias al JOIN entities_entity a ON a.id = al.entity_id
              JOIN entities_entity b ON b.kind = al.kind AND b.key = al.key AND b.id <> a.id
             WHERE al.kind = %(kind)s AND a.status = 'active' AND b.status = 'active'""",
        # Trigram-similar names (typos, transliterations), for the most-mentioned entities,
        # each looked up through the names' trigram index.
        "similar name": """
            WITH pool AS (
                SELECT id, lower(f_unaccent(name)) AS n FROM entities_entity
                 WHERE kind = %(kind)s AND status = 'active' ORDER BY article_count DESC, id LIMIT %(pool)s)
            SELECT least(a.id, b.id), greatest(a.id, b.id), similarity(a.n, lower(f_unaccent(b.name)))
              FROM pool a JOIN entities_entity b
                ON lower(f_unaccent(b.name)) %% a.n AND b.id <> a.id AND b.kind = %(kind)s AND b.status = 'active'""",
    }
    if kind == EntityKind.PERSON:
        # "Ratana" and "Matt Ratana": a one-word name that is another person's surname.
        queries["surname of the other"] = """
            SELECT least(a.id, b.id), greatest(a.id, b.id), 1.0 / count(*) OVER (PARTITION BY a.id)
              FROM entities_entity a JOIN entities_entity b
                ON b.kind = a.kind AND b.key LIKE '%% ' || a.key AND b.id <> a.id AND b.status = 'active'
             WHERE a.kind = %(kind)s AND a.status = 'active' AND position(' ' in a.key) = 0
               AND length(a.key) > 2"""
    params = {"kind": kind, "particles": rf"\m({'|'.join(PARTICLES)})\M", "pool": TRIGRAM_POOL}
    pairs: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    with transaction.atomic(), connection.cursor() as cursor:
        # The trigram operator's threshold, for this transaction only.
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(SIMILAR_NAMES)])
        for reason, sql in queries.items():
            cursor.execute(sql, params)
            for low, high, strength in cursor.fetchall():
                pairs[(low, high)][reason] = max(float(strength), pairs[(low, high)].get(reason, 0.0))
    if kind == EntityKind.ORGANISATION:
        for pair in _acronym_pairs():
            pairs[pair]["acronym of the other"] = 1.0
    return pairs


def _acronym_pairs() -> list[tuple[int, int]]:
    """(low id, high id) of organisations where one name is the initials of the other's
    (WWE and World Wrestling Entertainment; EI and Etat islamique)."""
    rows = list(Entity.objects.active().filter(kind=EntityKind.ORGANISATION).values_list("id", "name").order_by("id"))
    by_initials: dict[str, list[int]] = defaultdict(list)
    for entity_id, name in rows:
        words = [w for w in re.split(r"[\s\-]+", name) if w and w[0].isalpha()]
        if len(words) >= 2:
            by_initials["".join(w[0] for w in words).upper()].append(entity_id)
            significant = [w for w in words if w[0].isupper()]
            if 2 <= len(significant) < len(words):
                by_initials["".join(w[0] for w in significant).upper()].append(entity_id)
    pairs = set()
    for entity_id, name in rows:
        if _ACRONYM.match(name):
            for other in by_initials.get(name.replace("&", ""), []):
                if other != entity_id:
                    pairs.add((min(entity_id, other), max(entity_id, other)))
    return sorted(pairs)


def _shared_articles(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Published articles that mention both entities of each pair."""
    if not pairs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.a, p.b, count(DISTINCT m1.article_id)
              FROM unnest(%s::bigint[], %s::bigint[]) AS p(a, b)
              JOIN entities_mention m1 ON m1.entity_id = p.a
              JOIN entities_mention m2 ON m2.entity_id = p.b AND m2.article_id = m1.article_id
              JOIN articles_article art ON art.id = m1.article_id AND art.status = 'published'
                   AND art.published_at <= now()
             GROUP BY p.a, p.b""",
            [[a for a, _ in pairs], [b for _, b in pairs]],
        )
        return {(a, b): n for a, b, n in cursor.fetchall()}


def likely_duplicates(*, kind: str = "", limit: int = 50) -> list[DuplicateSuggestion]:
    """Pairs of active entities of one kind that are probably one, most likely first.

    Evidence: a spelling variant (particles), one's alias is the other's name, a surname
    alone, an acronym, trigram-similar names; being named together in the same published
    articles adds to any of them (a story says "Matt Ratana" and then "Ratana"). Pairs an
    editor has said are distinct never come back."""
    kinds = [kind] if kind else list(EntityKind.values)
    scored: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    for one_kind in kinds:
        for pair, reasons in _candidate_pairs(one_kind).items():
            scored[pair] = (max(reasons.values()), tuple(sorted(reasons)))
    dismissed = set(DistinctPair.objects.filter(low_id__in={a for a, _ in scored}).values_list("low_id", "high_id"))
    for pair in dismissed:
        scored.pop(pair, None)
    shared = _shared_articles(list(scored))
    ranked = sorted(
        scored.items(),
        key=lambda item: -(item[1][0] + min(0.5, 0.1 * shared.get(item[0], 0)) + 0.1 * (len(item[1][1]) - 1)),
    )[:limit]
    entities = Entity.objects.in_bulk({i for pair, _ in ranked for i in pair})
    suggestions = []
    for (low, high), (strength, reasons) in ranked:
        a, b = entities[low], entities[high]
        keep, other = (a, b) if (a.article_count, len(a.name)) >= (b.article_count, len(b.name)) else (b, a)
        both = shared.get((low, high), 0)
        score = strength + min(0.5, 0.1 * both) + 0.1 * (len(reasons) - 1)
        suggestions.append(
            DuplicateSuggestion(keep=keep, other=other, score=round(score, 2), reasons=reasons, shared_articles=both)
        )
    return suggestions
