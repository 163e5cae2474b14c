"""Within one article, from raw NER spans to one cluster per entity, without the database.

Titles and honorifics, junk spans and nationalities are dropped, the gazetteer types the
names it knows, and the forms of one person are grouped ("Jim Mattis", "James Mattis",
"Mattis"; "Jean-Yves Le Drian", "M. Le Drian"). The word lists are data: see `lexicon/`.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from entities.extraction import gazetteer, lexicon
from entities.extraction.ner import RawMention
from entities.models import EntityKind, name_key

# Titles, honorifics and functions that precede a name, with the articles inside a title
# ("le secrétaire", "the Prime Minister"); an article alone starts a name ("Le Drian").
_TITLE_ARTICLES = lexicon.keys("title_articles")
HONORIFICS = lexicon.keys("honorifics") | _TITLE_ARTICLES
# Words the models call places or organisations that are not.
STOPLIST = lexicon.keys("stoplist")
# What may also stand between a title and a person's name ("le secrétaire américain à la
# Défense James Mattis"): portfolios and nationalities; stripped in front of a person only.
_PERSON_PREFIX_WORDS = HONORIFICS | lexicon.keys("person_prefixes") | lexicon.demonym_keys()
_NAME_PARTICLES = lexicon.keys("name_particles")
# Each form of a first name -> every form of it ("jim" -> {"jim", "james", ...}).
VARIANTS: dict[str, frozenset[str]] = {name: names for names in lexicon.first_name_variants() for name in names}

# The shape of a nationality written as a noun ("Tunisiens", "Saoudiens"), for places.
_DEMONYM = re.compile(
    r"^[A-ZÉÈÀÂ][a-zéèêëïîôûüç]+(?:iens|iennes|ais|aises|ois|oises|ains|aines|ins|ines|ans|ens|ese|ish)$"
)
_TITLE_GLUED = re.compile(r"^(M|MM|Mme|Mlle|Mr|Mrs|Ms|Dr|Pr)\.(?=[A-ZÉ])")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")
_EDGE_PUNCT = " \t\n\"'«»“”‘’,;:!?()[]{}-–—."


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
        if first in HONORIFICS and not (first in _TITLE_ARTICLES and name_key(words[1]) not in HONORIFICS):
            words.pop(0)
        else:
            break
    return " ".join(words).strip(_EDGE_PUNCT)


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
