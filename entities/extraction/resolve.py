"""From one article's clusters (`clustering.cluster_article`) to canonical entities of the archive.

Each cluster finds (or creates) its entity by case- and accent-insensitive keys of entity
names and aliases, following merges to the survivor and dropping anything an editor
rejected. A bare surname is never matched to a person elsewhere unless exactly one known
person carries it.
"""

import json
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.text import normalize_line
from entities.extraction.clustering import Cluster, cluster_article, same_first_name
from entities.extraction.ner import RawMention
from entities.models import Alias, AliasSighting, Entity, EntityKind, EntityRedirect, name_key

_ENTITY, _ALIAS, _REDIRECT = Entity._meta.db_table, Alias._meta.db_table, EntityRedirect._meta.db_table


def _entities(sql: str, params: list) -> list[Entity]:
    """Entities from a query selecting all their columns (and any others, set as attributes)."""
    return list(Entity.objects.raw(sql, params))


def _follow(entity: Entity) -> Entity:
    seen = set()
    while entity.status == Entity.Status.MERGED and entity.merged_into_id and entity.id not in seen:
        seen.add(entity.id)
        entity = Entity.objects.get(id=entity.merged_into_id)
    return entity


class Known:
    """What the archive already knows about the names of an article, or of a whole batch of
    articles: entities and aliases by key, and the people carrying given surnames.

    Filled in a few queries up front (`expect`) instead of several per mention; what was not
    expected is fetched when first asked for. Entities and aliases created while resolving
    are remembered, so the next article of a batch finds them without a query. A caller that
    rolls back a transaction in which entities were created must start a new Known.
    """

    def __init__(self, wanted: dict[str, set[str]] | None = None, surnames: set[str] | None = None):
        self.by_key: dict[tuple[str, str], list[Entity]] = {}
        self.alias_keys: set[tuple[str, str]] = set()
        self._fetched_keys: set[tuple[str, str]] = set()
        self._fetched_surnames: set[str] = set()
        self._people: dict[int, Entity] = {}  # active people, for surname matches
        self._person_aliases: list[tuple[str, Entity]] = []  # (alias key, entity)
        self._new_aliases: list[Alias] = []
        self._sightings: set[tuple[int, str, str, int]] = set()  # (entity id, kind, alias key, article id)
        self.expect(wanted or {}, surnames or set())

    def expect(self, wanted: dict[str, set[str]], surnames: set[str] = frozenset()) -> None:
        """Fetch, in at most four queries, the keys and surnames not fetched yet.

        Written in SQL: a batch looks up hundreds of keys and surnames, and building the
        same queries with the ORM (a lookup object per key) cost more CPU than running them."""
        pairs = sorted(
            (kind, key) for kind, keys in wanted.items() for key in keys if (kind, key) not in self._fetched_keys
        )
        if pairs:
            self._fetched_keys.update(pairs)
            kinds, keys = [list(column) for column in zip(*pairs, strict=True)]
            for e in _entities(
                f"SELECT e.* FROM {_ENTITY} e JOIN UNNEST(%s::text[], %s::text[]) AS w(kind, key) "  # noqa: S608
                "ON e.kind = w.kind AND e.key = w.key ORDER BY e.status, e.id",
                [kinds, keys],
            ):
                self.by_key.setdefault((e.kind, e.key), []).append(e)
            for e in _entities(
                f"SELECT e.*, a.kind AS alias_kind, a.key AS alias_key FROM {_ALIAS} a "  # noqa: S608
                "JOIN UNNEST(%s::text[], %s::text[]) AS w(kind, key) ON a.kind = w.kind AND a.key = w.key "
                f"JOIN {_ENTITY} e ON e.id = a.entity_id",
                [kinds, keys],
            ):
                if (e.alias_kind, e.alias_key) not in self.alias_keys:
                    self.by_key.setdefault((e.alias_kind, e.alias_key), []).append(e)
                    self.alias_keys.add((e.alias_kind, e.alias_key))
        missing_surnames = sorted(set(surnames) - self._fetched_surnames)
        if missing_surnames:
            self._fetched_surnames.update(missing_surnames)
            # "key ends with ' surname'" as a prefix of the reversed key: the *_key_reversed
            # indexes answer it, where LIKE '% surname' would scan every row.
            patterns = [connection.ops.prep_for_like_query((" " + s)[::-1]) + "%" for s in missing_surnames]
            ends = " OR ".join(["REVERSE({column}) LIKE %s"] * len(patterns))
            for e in _entities(
                f"SELECT e.* FROM {_ENTITY} e WHERE e.kind = %s AND e.status = %s "  # noqa: S608
                f"AND ({ends.format(column='e.key')})",
                [EntityKind.PERSON, Entity.Status.ACTIVE, *patterns],
            ):
                self._people.setdefault(e.id, e)
            known_aliases = {(key, entity.id) for key, entity in self._person_aliases}
            for e in _entities(
                f"SELECT e.*, a.key AS alias_key FROM {_ALIAS} a JOIN {_ENTITY} e ON e.id = a.entity_id "  # noqa: S608
                f"WHERE a.kind = %s AND ({ends.format(column='a.key')})",
                [EntityKind.PERSON, *patterns],
            ):
                if (e.alias_key, e.id) not in known_aliases:
                    self._person_aliases.append((e.alias_key, e))

    def find(self, kind: str, keys: set[str]) -> tuple[Entity | None, bool]:
        """The entity named by any of the keys; (entity, rejected?)."""
        self.expect({kind: keys})
        found = [e for key in sorted(keys) for e in self.by_key.get((kind, key), [])]
        resolved = [_follow(e) for e in found]
        if any(e.status == Entity.Status.REJECTED for e in resolved):
            return None, True
        active = [e for e in resolved if e.status == Entity.Status.ACTIVE]
        return (active[0] if active else None), False

    def names(self, kind: str, key: str) -> bool:
        self.expect({kind: {key}})
        return (kind, key) in self.alias_keys or any(
            e.status != Entity.Status.MERGED for e in self.by_key.get((kind, key), [])
        )

    def person_with_surname(self, surname_key: str, first: str | None = None) -> Entity | None:
        """The one known active person whose name ends with this surname (and whose first
        name is a variant of `first`, when given); None when there are zero or several."""
        self.expect({}, {surname_key})
        pattern = " " + surname_key
        candidates = {i: e for i, e in self._people.items() if e.key.endswith(pattern)}
        alias_keys: dict[int, list[str]] = {}
        for key, entity in self._person_aliases:
            if key.endswith(pattern):
                alias_keys.setdefault(entity.id, []).append(key)
                e = _follow(entity)
                if e.status == Entity.Status.ACTIVE:
                    candidates[e.id] = e
        if first is not None:
            candidates = {
                i: e
                for i, e in candidates.items()
                if same_first_name(first, e.key.split(" ", 1)[0])
                or any(same_first_name(first, k.split(" ", 1)[0]) for k in alias_keys.get(e.id, []))
            }
        return next(iter(candidates.values())) if len(candidates) == 1 else None

    def remember(self, entity: Entity) -> None:
        self._fetched_keys.add((entity.kind, entity.key))
        self.by_key.setdefault((entity.kind, entity.key), []).append(entity)
        if entity.kind == EntityKind.PERSON and entity.status == Entity.Status.ACTIVE:
            self._people[entity.id] = entity

    def add_alias(self, entity: Entity, name: str, *, article_id: int | None = None) -> None:
        """Record another name of the entity (written by `save_aliases`), unless it is
        already its name or anyone's name or alias; and that `article_id` used it for the
        entity (a sighting, whether the alias is new or not: its provenance)."""
        key = name_key(name)
        if not key or key == entity.key:
            return
        if article_id is not None:
            self._sightings.add((entity.id, entity.kind, key, article_id))
        if self.names(entity.kind, key):
            return
        self._new_aliases.append(Alias(entity=entity, kind=entity.kind, name=normalize_line(name), key=key))
        self.alias_keys.add((entity.kind, key))
        self.by_key.setdefault((entity.kind, key), []).append(entity)
        if entity.kind == EntityKind.PERSON:
            self._person_aliases.append((key, entity))

    def save_aliases(self) -> None:
        new, self._new_aliases = self._new_aliases, []
        if new:
            # One statement of arrays (bulk_create prepares every value of every row in
            # Python). A conflict is another worker recording the same alias first.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {_ALIAS} (entity_id, kind, name, key, curated) "  # noqa: S608
                    "SELECT * FROM UNNEST(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::boolean[]) "
                    "ON CONFLICT DO NOTHING",
                    [
                        [a.entity_id for a in new],
                        [a.kind for a in new],
                        [a.name for a in new],
                        [a.key for a in new],
                        [a.curated for a in new],
                    ],
                )
        sightings, self._sightings = sorted(self._sightings), set()
        if sightings:
            # One statement: the sightings of the entity's own aliases (a key that is another
            # entity's alias or name records nothing), whoever created the alias.
            rows = ", ".join(["(%s, %s, %s, %s)"] * len(sightings))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {AliasSighting._meta.db_table} (alias_id, article_id) "  # noqa: S608
                    f"SELECT a.id, v.article_id FROM (VALUES {rows}) AS v(entity_id, kind, key, article_id) "
                    f"JOIN {Alias._meta.db_table} a ON a.kind = v.kind AND a.key = v.key AND a.entity_id = v.entity_id "
                    "ON CONFLICT DO NOTHING",
                    [value for row in sightings for value in row],
                )


def _find(kind: str, keys: set[str]) -> tuple[Entity | None, bool]:
    if not keys:
        return None, False
    return Known({kind: keys}).find(kind, keys)


def unique_slug(kind: str, name: str) -> str:
    base = (slugify(name)[:240].strip("-")) or kind
    slug, n = base, 2
    while (
        Entity.objects.filter(kind=kind, slug=slug).exists()
        or EntityRedirect.objects.filter(kind=kind, slug=slug).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_alias(entity: Entity, name: str, *, curated: bool = False) -> Alias | None:
    """Record another name of the entity, unless it is its name or already someone's alias;
    the entity's alias of that name (new or not), else None. `curated`: an editor's word."""
    key = name_key(name)
    if not key or key == entity.key:
        return None
    if Entity.objects.filter(kind=entity.kind, key=key).exclude(status=Entity.Status.MERGED).exists():
        return None
    alias = Alias.objects.filter(kind=entity.kind, key=key).first()
    if alias is None:
        try:
            with transaction.atomic():
                alias = Alias(entity=entity, name=name, curated=curated)
                alias.save()
        except IntegrityError:
            alias = Alias.objects.filter(kind=entity.kind, key=key).first()  # another worker recorded it first
    if alias is None or alias.entity_id != entity.id:
        return None
    if curated and not alias.curated:
        Alias.objects.filter(id=alias.id).update(curated=True)
        alias.curated = True
    return alias


def _lookup_keys(cluster: Cluster) -> set[str]:
    keys = set(cluster.keys) | {cluster.key}
    if cluster.gazetteer_entry is not None:
        keys |= cluster.gazetteer_entry.keys
    return keys


def _surnames(cluster: Cluster) -> set[str]:
    """The surname keys resolving the cluster may look people up by."""
    if cluster.kind != EntityKind.PERSON:
        return set()
    return {cluster.key.split(" ", 1)[1] if " " in cluster.key else cluster.key}


# Resolution of one cluster: an existing entity, a new one to create, or nothing (rejected).
_NEW = object()


def _existing(cluster: Cluster, known: Known):
    kind = cluster.kind
    if kind == EntityKind.PERSON:
        full_keys = {k for k in cluster.keys if len(k.split()) > 1}
        entity, rejected = known.find(kind, full_keys or cluster.keys)
        if rejected:
            return None
        if entity is None and full_keys:
            _bare_entity, bare_rejected = known.find(kind, cluster.keys - full_keys)
            if bare_rejected:
                return None
            first, surname = cluster.key.split(" ", 1) if " " in cluster.key else (None, cluster.key)
            entity = known.person_with_surname(surname, first)
        elif entity is None:
            entity = known.person_with_surname(cluster.key)
    else:
        keys = set(cluster.keys)
        if cluster.gazetteer_entry is not None:
            keys |= cluster.gazetteer_entry.keys
        entity, rejected = known.find(kind, keys)
        if rejected:
            return None
    return _NEW if entity is None else entity


def _add_forms(cluster: Cluster, entity: Entity, known: Known, article_id: int | None) -> None:
    for form in cluster.forms:
        if cluster.kind != EntityKind.PERSON or len(name_key(form).split()) > 1:
            known.add_alias(entity, form, article_id=article_id)


def _create(kind: str, name: str, known: Known) -> Entity | None:
    key = name_key(name)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                entity = Entity(kind=kind, name=name, slug=unique_slug(kind, name))
                entity.save()
        except IntegrityError:
            # Another worker created it (same key) or took the slug: look again.
            existing, rejected = _find(kind, {key})
            if rejected:
                return None
            if existing is not None:
                known.remember(existing)
                return existing
        else:
            known.remember(entity)
            return entity
    raise RuntimeError(f"could not create entity {kind} {name!r}")


# Every column of an entity's row but its id, as `_insert_entities` writes them.
ENTITY_COLUMNS = (
    "kind",
    "name",
    "slug",
    "key",
    "status",
    "merged_into_id",
    "wikidata_id",
    "labels",
    "same_as",
    "curated",
    "article_count",
    "created_at",
    "updated_at",
)


def _insert_entities(entities: list[Entity]) -> None:
    """`Entity.objects.bulk_create(entities)` as one statement of arrays, their ids set: the
    ORM prepared each value of each row in Python, about a millisecond per article when it
    names new entities. No signals, as with bulk_create; the creation time is the statement's."""
    if not entities:
        return
    now = timezone.now()
    for entity in entities:
        entity.created_at = entity.updated_at = now
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_ENTITY} ({', '.join(ENTITY_COLUMNS)}) "  # noqa: S608
            "SELECT k, n, s, y, st, m, w, l::jsonb, sa, c, ac, %s, %s FROM UNNEST(%s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], "
            "%s::boolean[], %s::integer[]) AS v(k, n, s, y, st, m, w, l, sa, c, ac) RETURNING id, kind, slug",
            [
                now,
                now,
                [e.kind for e in entities],
                [e.name for e in entities],
                [e.slug for e in entities],
                [e.key for e in entities],
                [e.status for e in entities],
                [e.merged_into_id for e in entities],
                [e.wikidata_id for e in entities],
                [json.dumps(e.labels, ensure_ascii=False) for e in entities],
                [e.same_as for e in entities],
                [e.curated for e in entities],
                [e.article_count for e in entities],
            ],
        )
        ids = {(kind, slug): entity_id for entity_id, kind, slug in cursor.fetchall()}
    for entity in entities:
        entity.id = ids[(entity.kind, entity.slug)]
        entity._state.adding = False
        entity._state.db = connection.alias


def _create_many(new: dict[tuple[str, str], str], known: Known) -> dict[tuple[str, str], Entity | None]:
    """Create the entities named in `new` ((kind, key) -> name): one slug query and one
    INSERT for all of them; one by one (with `_create`'s retries) if another worker raced us."""
    if not new:
        return {}
    bases = {kk: (slugify(name)[:240].strip("-")) or kk[0] for kk, name in new.items()}
    by_kind: dict[str, set[str]] = {}
    for (kind, _key), base in bases.items():
        by_kind.setdefault(kind, set()).add(base)
    pairs = sorted((kind, slug) for kind, slugs in by_kind.items() for slug in slugs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.kind, t.slug FROM {_ENTITY} t JOIN UNNEST(%s::text[], %s::text[]) AS w(kind, slug) "  # noqa: S608
            f"ON t.kind = w.kind AND t.slug = w.slug UNION SELECT t.kind, t.slug FROM {_REDIRECT} t "
            "JOIN UNNEST(%s::text[], %s::text[]) AS w(kind, slug) ON t.kind = w.kind AND t.slug = w.slug",
            [list(column) for column in zip(*pairs, strict=True)] * 2,
        )
        taken = set(cursor.fetchall())
    entities, one_by_one = [], []
    for (kind, key), name in new.items():
        slug = bases[(kind, key)]
        if (kind, slug) in taken:
            one_by_one.append((kind, key))
            continue
        taken.add((kind, slug))
        entities.append(Entity(kind=kind, name=normalize_line(name), key=key, slug=slug))
    try:
        with transaction.atomic():
            _insert_entities(entities)
    except IntegrityError:
        one_by_one = list(new)
        entities = []
    out: dict[tuple[str, str], Entity | None] = {}
    for entity in entities:
        known.remember(entity)
        out[(entity.kind, entity.key)] = entity
    for kind, key in one_by_one:
        out[(kind, key)] = _create(kind, new[(kind, key)], known)
    return out


def expected_names(clusters_per_article: Iterable[list[Cluster]]) -> tuple[dict[str, set[str]], set[str]]:
    """The keys and surnames resolving these articles' clusters will look up, for `Known`."""
    wanted: dict[str, set[str]] = {}
    surnames: set[str] = set()
    for clusters in clusters_per_article:
        for cluster in clusters:
            wanted.setdefault(cluster.kind, set()).update(_lookup_keys(cluster))
            surnames |= _surnames(cluster)
    return wanted, surnames


def resolve_mentions(
    mentions: list[RawMention],
    known: Known | None = None,
    clusters: list[Cluster] | None = None,
    texts: dict[str, str] | None = None,
    article_id: int | None = None,
) -> list[tuple[RawMention, Entity]]:
    """Every kept mention of one article with its canonical entity; with `article_id`, the
    article is also recorded as a sighting of each alias it wrote the entities as.

    Pass a `Known` to share look-ups (and entities created) across the articles of a batch,
    and the article's clusters when already computed (`cluster_article(mentions, texts)`),
    else the fields' texts the mentions point into, to repair spans against.
    """
    if clusters is None:
        clusters = cluster_article(mentions, texts)
    if known is None:
        known = Known(*expected_names([clusters]))
    decided = [(cluster, _existing(cluster, known)) for cluster in clusters]
    new = {(c.kind, c.key): c.name for c, entity in decided if entity is _NEW}
    created = _create_many(new, known)
    out = []
    for cluster, entity in decided:
        if entity is _NEW:
            entity = created.get((cluster.kind, cluster.key))
        if entity is None:
            continue
        _add_forms(cluster, entity, known, article_id)
        out.extend((m, entity) for m in cluster.mentions)
    known.save_aliases()
    return out
