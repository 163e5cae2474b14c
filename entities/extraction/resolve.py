"""From raw NER spans to canonical entities.

Two steps:
1. `clean` / `cluster_article`: within one article, drop titles and honorifics, junk spans
   and nationalities, type names the gazetteer knows, and group the forms of one person
   ("Jim Mattis", "James Mattis", "Mattis"; "Jean-Yves Le Drian", "M. Le Drian").
2. `resolve_clusters`: find (or create) the entity of each group across the archive by
   case- and accent-insensitive keys of entity names and aliases, following merges to the
   survivor and dropping anything an editor rejected. A bare surname is never matched to
   a person elsewhere unless exactly one known person carries it.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Reverse
from django.utils.text import slugify

from articles.text import normalize_line
from entities.extraction import gazetteer
from entities.extraction.ner import RawMention
from entities.models import Alias, Entity, EntityKind, EntityRedirect, name_key

# Titles, honorifics and functions that precede a name; matched on name_key'd tokens.
HONORIFICS = {
    "m",
    "mm",
    "mme",
    "mmes",
    "mlle",
    "mr",
    "mrs",
    "ms",
    "messrs",
    "dr",
    "pr",
    "prof",
    "me",
    "sir",
    "dame",
    "lord",
    "lady",
    "president",
    "presidente",
    "vice",
    "premier",
    "prime",
    "minister",
    "ministre",
    "secretary",
    "secretaire",
    "general",
    "gen",
    "colonel",
    "col",
    "captain",
    "capitaine",
    "senator",
    "senateur",
    "senatrice",
    "sen",
    "rep",
    "representative",
    "depute",
    "deputee",
    "governor",
    "gouverneur",
    "mayor",
    "maire",
    "king",
    "queen",
    "roi",
    "reine",
    "prince",
    "princesse",
    "princess",
    "pope",
    "pape",
    "chancellor",
    "chanceliere",
    "chancelier",
    "judge",
    "juge",
    "justice",
    "commissioner",
    "commissaire",
    "saint",
    "st",
    "father",
    "pere",
    "abbe",
    "mgr",
    "monseigneur",
    "cardinal",
    "archbishop",
    "bishop",
    "eveque",
    "ambassador",
    "ambassadeur",
    "ceo",
    "director",
    "directeur",
    "directrice",
    "chief",
    "chef",
    "le",
    "la",
    "les",
    "the",
    "l",
    "de",
    "du",
    "a",
    "au",
    "of",
}
# Tokens that may start a name but are dropped only as part of a title ("le secrétaire").
_PARTICLES = {"le", "la", "les", "the", "l", "de", "du", "a", "au", "of"}

# Words spaCy likes to call places or organisations that are not: ministries' portfolios,
# "Etat" of "Etat islamique" split off, and the like.
STOPLIST = {
    "defense",
    "defence",
    "etat",
    "etats",
    "interieur",
    "justice",
    "sante",
    "economie",
    "gouvernement",
    "government",
    "affaires etrangeres",
    "premier ministre",
    "president",
    "ministre",
    "parlement",
    "state",
    "g",
    "ap",
    "afp",
    "reuters",
    "archives",
    "photo",
    "wikinews",
}
_DEMONYM = re.compile(
    r"^[A-ZÉÈÀÂ][a-zéèêëïîôûüç]+(?:iens|iennes|ais|aises|ois|oises|ains|aines|ins|ines|ans|ens|ese|ish)$"
)
_TITLE_GLUED = re.compile(r"^(M|MM|Mme|Mlle|Mr|Mrs|Ms|Dr|Pr)\.(?=[A-ZÉ])")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")
_EDGE_PUNCT = " \t\n\"'«»“”‘’,;:!?()[]{}-–—."

# Common first-name variants: each set is one name.
_VARIANT_SETS = [
    {"jim", "james", "jimmy", "jamie"},
    {"bill", "william", "will", "billy", "willy"},
    {"bob", "robert", "rob", "bobby", "robbie"},
    {"mike", "michael", "mick", "mickey"},
    {"tom", "thomas", "tommy"},
    {"dick", "richard", "rick", "rich", "ricky"},
    {"joe", "joseph", "joey"},
    {"ben", "benjamin", "benny"},
    {"dan", "daniel", "danny"},
    {"dave", "david"},
    {"chris", "christopher"},
    {"tony", "anthony", "antony"},
    {"ted", "edward", "ed", "eddie", "ned"},
    {"nick", "nicholas", "nicolas"},
    {"alex", "alexander", "alexandre"},
    {"steve", "steven", "stephen"},
    {"andy", "andrew", "drew"},
    {"matt", "matthew"},
    {"sam", "samuel"},
    {"pat", "patrick"},
    {"jack", "john", "johnny", "jon"},
    {"chuck", "charles", "charlie"},
    {"larry", "lawrence", "laurence"},
    {"jerry", "gerald", "jeremy"},
    {"greg", "gregory"},
    {"ron", "ronald", "ronnie"},
    {"don", "donald"},
    {"liz", "elizabeth", "beth", "betty", "eliza"},
    {"kate", "katherine", "catherine", "kathy", "cathy", "katie"},
    {"maggie", "margaret", "meg", "peggy"},
    {"jenny", "jennifer", "jen"},
    {"sue", "susan", "suzanne", "susie"},
    {"vlad", "vladimir"},
]
VARIANTS: dict[str, frozenset[str]] = {}
for _names in _VARIANT_SETS:
    for _n in _names:
        VARIANTS[_n] = frozenset(_names)


def same_first_name(a: str, b: str) -> bool:
    return a == b or b in VARIANTS.get(a, ())


def clean(surface: str) -> str:
    """The name in a surface form: titles and honorifics, possessives and edge punctuation removed."""
    text = _TITLE_GLUED.sub(r"\1. ", surface.strip())
    text = " ".join(text.split()).strip(_EDGE_PUNCT)
    text = _POSSESSIVE.sub("", text).strip(_EDGE_PUNCT)
    words = text.split(" ")
    # Drop leading title words ("M.", "le secrétaire américain à la Défense"), but keep a
    # particle that belongs to the name ("Le Drian", "De Gaulle").
    while len(words) > 1:
        first = name_key(words[0])
        if first in HONORIFICS and not (first in _PARTICLES and name_key(words[1]) not in HONORIFICS):
            words.pop(0)
        else:
            break
    return " ".join(words).strip(_EDGE_PUNCT)


# Portfolios and nationalities that sit between a title and a name ("le secrétaire
# américain à la Défense James Mattis"); stripped only in front of a person's name.
_PERSON_PREFIX_WORDS = HONORIFICS | {
    "etat",
    "state",
    "defense",
    "defence",
    "interieur",
    "affaires",
    "etrangeres",
    "foreign",
    "home",
    "us",
    "u",
    "s",
    "american",
    "americain",
    "americaine",
    "francais",
    "francaise",
    "danois",
    "britannique",
    "british",
    "d",
    "a",
    "aux",
    "et",
    "and",
}
_NAME_PARTICLES = {
    "de",
    "du",
    "des",
    "le",
    "la",
    "van",
    "von",
    "der",
    "den",
    "da",
    "di",
    "bin",
    "ben",
    "al",
    "el",
    "y",
    "d",
    "l",
}


def clean_person(surface: str) -> str:
    """clean() for a person: also keep only the name at the end of a longer phrase."""
    words = clean(surface).split(" ")
    # The trailing run of capitalised words, with name particles inside it ("Le Drian").
    start = len(words)
    while start > 0:
        w = words[start - 1]
        if w[:1].isupper() or (name_key(w) in _NAME_PARTICLES and start - 1 > 0 and start < len(words)):
            start -= 1
        else:
            break
    words = words[start:] or words
    while len(words) > 1:
        first, following = name_key(words[0]), name_key(words[1])
        if first in _PERSON_PREFIX_WORDS and (first not in _NAME_PARTICLES or following in _PERSON_PREFIX_WORDS):
            words.pop(0)
        else:
            break
    return " ".join(words)


@dataclass
class Cluster:
    """One entity of one article: its kind, the name to use, every key it was written as."""

    kind: str
    name: str
    keys: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)  # cleaned names, for aliases
    gazetteer_entry: gazetteer.GazetteerEntry | None = None
    mentions: list[RawMention] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the cleaned name of each mention

    @property
    def key(self) -> str:
        return name_key(self.name)


@dataclass
class _Typed:
    mention: RawMention
    kind: str
    name: str
    key: str
    entry: gazetteer.GazetteerEntry | None


def _type(mention: RawMention) -> _Typed | None:
    name = clean_person(mention.text) if mention.kind == EntityKind.PERSON else clean(mention.text)
    key = name_key(name)
    if len(key) < 2 or key in STOPLIST or any(ch.isdigit() for ch in key) or not any(c.isupper() for c in name):
        return None
    entry = gazetteer.lookup(name)
    if entry is None and mention.kind != EntityKind.PERSON:
        # "la Chine", "l'Irak", "the United States": the article is not part of the name.
        bare = re.sub(r"^(?:le|la|les|l'|l’|the)\s*", "", name, flags=re.IGNORECASE)
        if bare != name and (found := gazetteer.lookup(bare)) is not None:
            name, key, entry = bare, name_key(bare), found
    kind = mention.kind
    if entry is not None and (kind != EntityKind.PERSON or entry.subtype != "city"):
        # The gazetteer knows this name: a country or an organisation is that, whatever
        # the model said; a city overrides only places/organisations ("Paris Hilton").
        kind = entry.kind
    elif entry is not None and kind == EntityKind.PERSON and len(key.split()) == 1:
        kind = entry.kind
    if kind is None:
        return None  # a soft label (MISC) the gazetteer does not know
    if kind == EntityKind.PLACE and entry is None and _DEMONYM.match(name):
        return None  # "Tunisiens", "Saoudiens": nationalities, not places
    if kind == EntityKind.PERSON:
        entry = None
        if name.isupper() and len(name) > 4:
            name = name.title()
            key = name_key(name)
    return _Typed(mention, kind, name, key, entry)


def _field_rank(mention: RawMention) -> tuple[int, int]:
    # The name the article's own text uses wins over a caption's or headline's.
    order = {"body_text": 0, "standfirst": 1, "headline": 2, "photo_caption": 3}
    return (order.get(mention.field, 9), mention.start)


def cluster_article(mentions: list[RawMention]) -> list[Cluster]:
    """Group one article's mentions into entities (see module docstring)."""
    typed = [t for t in (_type(m) for m in mentions) if t is not None]
    # The model sometimes calls a person's surname alone an organisation or a place
    # ("Mattis said..."): the article's full names say otherwise.
    person_keys = {t.key for t in typed if t.kind == EntityKind.PERSON and len(t.key.split()) > 1}
    for t in typed:
        if t.kind != EntityKind.PERSON and t.entry is None and any(k.endswith(" " + t.key) for k in person_keys):
            t.kind = EntityKind.PERSON
    clusters: dict[tuple[str, str], Cluster] = {}

    def add(kind: str, cluster_key: str, t: _Typed) -> None:
        c = clusters.setdefault((kind, cluster_key), Cluster(kind=kind, name=t.name))
        c.keys.add(t.key)
        c.forms.add(t.name)
        c.mentions.append(t.mention)
        c.written.append(t.name)
        c.gazetteer_entry = c.gazetteer_entry or t.entry

    # Places and organisations: one cluster per gazetteer entry, else per key.
    for t in typed:
        if t.kind != EntityKind.PERSON:
            add(t.kind, t.entry.id if t.entry else t.key, t)

    # People: full names first; first-name variants of one surname join one cluster.
    people = [t for t in typed if t.kind == EntityKind.PERSON]
    full = sorted({t.key for t in people if len(t.key.split()) > 1}, key=lambda k: (-len(k), k))
    canonical: dict[str, str] = {}
    for key in full:
        first, rest = key.split(" ", 1)
        # "Le Drian" after "Jean-Yves Le Drian": a short form, not a second person.
        longer = {canonical[k] for k in canonical if k.endswith(" " + key)}
        if len(longer) == 1:
            canonical[key] = longer.pop()
            continue
        for other in canonical.values():
            o_first, o_rest = other.split(" ", 1)
            if o_rest == rest and same_first_name(first, o_first):
                canonical[key] = other
                break
        else:
            canonical[key] = key
    for t in people:
        if t.key in canonical:
            add(EntityKind.PERSON, canonical[t.key], t)
            continue
        # A short form ("Mattis", "Le Drian"): the full name(s) it ends with, if one.
        targets = {canonical[k] for k in full if k.endswith(" " + t.key)}
        if len(targets) == 1:
            add(EntityKind.PERSON, targets.pop(), t)
        else:
            add(EntityKind.PERSON, t.key, t)

    # Name of each person: the most used full form, the body's first on a tie.
    for c in clusters.values():
        forms = Counter()
        first_seen = {}
        for m, n in zip(c.mentions, c.written, strict=True):
            forms[n] += 1
            first_seen.setdefault(n, _field_rank(m))
            first_seen[n] = min(first_seen[n], _field_rank(m))
        best = max(forms, key=lambda n: (len(name_key(n).split()) > 1, forms[n], tuple(-x for x in first_seen[n])))
        if best.isupper() and len(best) > 4 and c.kind == EntityKind.PERSON:
            best = best.title()
        c.name = best
    return list(clusters.values())


# --- Resolution across the archive ------------------------------------------------------------


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
        self.expect(wanted or {}, surnames or set())

    def expect(self, wanted: dict[str, set[str]], surnames: set[str] = frozenset()) -> None:
        """Fetch, in at most four queries, the keys and surnames not fetched yet."""
        q_keys = Q(pk__in=[])
        for kind, keys in wanted.items():
            missing = {k for k in keys if (kind, k) not in self._fetched_keys}
            if missing:
                q_keys |= Q(kind=kind, key__in=missing)
                self._fetched_keys |= {(kind, k) for k in missing}
        if len(q_keys) > 1:
            for e in Entity.objects.filter(q_keys).order_by("status", "id"):
                self.by_key.setdefault((e.kind, e.key), []).append(e)
            for a in Alias.objects.filter(q_keys).select_related("entity").order_by():
                if (a.kind, a.key) not in self.alias_keys:
                    self.by_key.setdefault((a.kind, a.key), []).append(a.entity)
                    self.alias_keys.add((a.kind, a.key))
        missing_surnames = set(surnames) - self._fetched_surnames
        if missing_surnames:
            self._fetched_surnames |= missing_surnames
            # "key ends with ' surname'" as a prefix of the reversed key: the *_key_reversed
            # indexes answer it, where LIKE '% surname' would scan every row.
            q_ends = Q(pk__in=[])
            for surname in sorted(missing_surnames):
                q_ends |= Q(reversed_key__startswith=(" " + surname)[::-1])
            people = (
                Entity.objects.alias(reversed_key=Reverse("key"))
                .filter(q_ends, kind=EntityKind.PERSON, status=Entity.Status.ACTIVE)
                .order_by()
            )
            for e in people:
                self._people.setdefault(e.id, e)
            known_aliases = {(key, entity.id) for key, entity in self._person_aliases}
            aliases = Alias.objects.alias(reversed_key=Reverse("key")).filter(q_ends, kind=EntityKind.PERSON)
            for a in aliases.select_related("entity").order_by():
                if (a.key, a.entity_id) not in known_aliases:
                    self._person_aliases.append((a.key, a.entity))

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

    def add_alias(self, entity: Entity, name: str) -> None:
        """Record another name of the entity (written by `save_aliases`), unless it is
        already its name or anyone's name or alias."""
        key = name_key(name)
        if not key or key == entity.key or self.names(entity.kind, key):
            return
        self._new_aliases.append(Alias(entity=entity, kind=entity.kind, name=normalize_line(name), key=key))
        self.alias_keys.add((entity.kind, key))
        self.by_key.setdefault((entity.kind, key), []).append(entity)
        if entity.kind == EntityKind.PERSON:
            self._person_aliases.append((key, entity))

    def save_aliases(self) -> None:
        new, self._new_aliases = self._new_aliases, []
        # A conflict is another worker recording the same alias first.
        Alias.objects.bulk_create(new, ignore_conflicts=True)


def _unique_person_with_surname(surname_key: str, first: str | None = None) -> Entity | None:
    return Known().person_with_surname(surname_key, first)


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


def add_alias(entity: Entity, name: str) -> None:
    """Record another name of the entity, unless it is its name or already someone's alias."""
    key = name_key(name)
    if not key or key == entity.key:
        return
    if (
        Alias.objects.filter(kind=entity.kind, key=key).exists()
        or Entity.objects.filter(kind=entity.kind, key=key).exclude(status=Entity.Status.MERGED).exists()
    ):
        return
    try:
        with transaction.atomic():
            Alias(entity=entity, name=name).save()
    except IntegrityError:
        pass  # another worker recorded it first


def _lookup_keys(cluster: Cluster) -> set[str]:
    keys = set(cluster.keys) | {cluster.key}
    if cluster.gazetteer_entry is not None:
        keys |= cluster.gazetteer_entry.keys
    return keys


def _surnames(cluster: Cluster) -> set[str]:
    """The surname keys resolve_cluster may look people up by."""
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


def _add_forms(cluster: Cluster, entity: Entity, known: Known) -> None:
    for form in cluster.forms:
        if cluster.kind != EntityKind.PERSON or len(name_key(form).split()) > 1:
            known.add_alias(entity, form)


def resolve_cluster(cluster: Cluster, known: Known | None = None) -> Entity | None:
    """The canonical entity of one article's cluster, created when new; None when rejected."""
    own = known is None
    if known is None:
        known = Known({cluster.kind: _lookup_keys(cluster)}, _surnames(cluster))
    entity = _existing(cluster, known)
    if entity is _NEW:
        entity = _create(cluster.kind, cluster.name, known)
    if entity is not None:
        _add_forms(cluster, entity, known)
        if own:
            known.save_aliases()
    return entity


def _create(kind: str, name: str, known: Known | None = None) -> Entity | None:
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
                if known is not None:
                    known.remember(existing)
                return existing
        else:
            if known is not None:
                known.remember(entity)
            return entity
    raise RuntimeError(f"could not create entity {kind} {name!r}")


def _create_many(new: dict[tuple[str, str], str], known: Known) -> dict[tuple[str, str], Entity | None]:
    """Create the entities named in `new` ((kind, key) -> name): one slug query and one
    INSERT for all of them; one by one (with `_create`'s retries) if another worker raced us."""
    if not new:
        return {}
    bases = {kk: (slugify(name)[:240].strip("-")) or kk[0] for kk, name in new.items()}
    by_kind: dict[str, set[str]] = {}
    for (kind, _key), base in bases.items():
        by_kind.setdefault(kind, set()).add(base)
    wanted = Q(pk__in=[])
    for kind, slugs in by_kind.items():
        wanted |= Q(kind=kind, slug__in=slugs)
    taken = set(
        Entity.objects.filter(wanted)
        .values_list("kind", "slug")
        .union(EntityRedirect.objects.filter(wanted).values_list("kind", "slug"))
    )
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
            Entity.objects.bulk_create(entities)
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
    mentions: list[RawMention], known: Known | None = None, clusters: list[Cluster] | None = None
) -> list[tuple[RawMention, Entity]]:
    """Every kept mention of one article with its canonical entity.

    Pass a `Known` to share look-ups (and entities created) across the articles of a batch,
    and the article's clusters when already computed (`cluster_article(mentions)`).
    """
    if clusters is None:
        clusters = cluster_article(mentions)
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
        _add_forms(cluster, entity, known)
        out.extend((m, entity) for m in cluster.mentions)
    known.save_aliases()
    return out
