"""Within one article, from raw NER spans to one cluster per entity, without the database.

Titles and honorifics, junk spans and nationalities are dropped, the gazetteer types the
names it knows, and the forms of one person are grouped ("Jim Mattis", "James Mattis",
"Mattis"; "Jean-Yves Le Drian", "M. Le Drian"). The word lists are data: see `lexicon/`.
"""

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from entities.extraction import gazetteer, known_names, lexicon, phrases, spans
from entities.extraction.ner import RawMention
from entities.models import EntityKind, name_key

# Titles, honorifics and functions that precede a name, with the articles inside a title
# ("le secrétaire", "the Prime Minister"); an article alone starts a name ("Le Drian").
_TITLE_ARTICLES = lexicon.keys("title_articles")
HONORIFICS = lexicon.keys("honorifics") | _TITLE_ARTICLES
# Words the models call places or organisations that are not.
STOPLIST = lexicon.keys("stoplist")
_STOPLIST_PHRASES = frozenset(entry for entry in STOPLIST if " " in entry)
# What may also stand between a title and a person's name ("le secrétaire américain à la
# Défense James Mattis"): portfolios and nationalities; stripped in front of a person only.
# Occupations too ("Broadcaster Piers Morgan", "Immunologist Kristian Andersen").
_PERSON_PREFIX_WORDS = (
    HONORIFICS | lexicon.keys("person_prefixes") | lexicon.demonym_keys() | lexicon.keys("occupations")
)
_NAME_PARTICLES = lexicon.keys("name_particles")
# A title or a rank written alone ("the Sultan said"); "US" and "State" are portfolios' words.
_TITLE_WORDS = (HONORIFICS - _TITLE_ARTICLES) | (
    lexicon.keys("person_prefixes")
    - lexicon.demonym_keys()
    - {"us", "u", "s", "d", "a", "et", "and", "aux", "home", "state", "état"}
)
GIVEN_NAMES = lexicon.keys("given_names")
SURNAMES = lexicon.keys("surnames")
# Each form of a first name -> every form of it ("jim" -> {"jim", "james", ...}).
VARIANTS: dict[str, frozenset[str]] = {name: names for names in lexicon.first_name_variants() for name in names}

# The shape of a nationality written as a noun ("Tunisiens", "Saoudiens"), for places.
_DEMONYM = re.compile(
    r"^[A-ZÉÈÀÂ][a-zéèêëïîôûüç]+(?:iens|iennes|ais|aises|ois|oises|ains|aines|ins|ines|ans|ens|ese|ish)$"
)
_DEMONYMS = lexicon.demonym_keys() | lexicon.keys("peoples")
# The kind type_heads.tsv gives the heads of names that are not entities.
NOT_AN_ENTITY = "none"
_TYPE_HEADS = lexicon.type_heads()
# Letters of a script other than Latin next to Latin ones: a broken span over mixed-language
# text ("corona और HIV"), never a name of the archive's languages.
_MIXED_SCRIPT = re.compile(
    r"[A-Za-z][^\n]*[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u3040-\u9fff]|[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u3040-\u9fff][^\n]*[A-Za-z]"
)
# "le typhon Damrey", "the ferry Napoléon Bonaparte", "USS Grayback": the name after one of
# these words is not an entity's (`lexicon/name_classifiers.txt`); a capitalised word of a
# name, or a run of them, follows the word, a comma aside ("un typhon, Damrey,").
_CLASSIFIED = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(
        re.escape(word) if word.isupper() else f"(?i:{re.escape(word[0])}){re.escape(word[1:])}"
        for word in sorted(lexicon.entries("name_classifiers.txt"), key=len, reverse=True)
    )
    + r")(?![\w])[,:]?\s+(?P<name>[A-ZÀ-Ý](?:\.|[\w'’-]*)(?: [A-ZÀ-Ý](?:\.|[\w'’-]*))*)"
)
_FRENCH_HEADS = lexicon.french_name_heads()
_FRENCH_HEAD_ADJECTIVE = re.compile(r"^(?P<head>\S+) [a-zàâçéèêëîïôûü]+ (?P<rest>(?:de |du |des |d['’])\S.*)$")
# "XIXe", "XXe" (siècle), "IIIrd": an ordinal in Roman numerals names no entity.
ROMAN_ORDINAL = re.compile(r"^[IVXLC]+(?:e|er|ère|ème|eme|st|nd|rd|th)$")
_STATE_OF = re.compile(r"^(?:State|État|Etat) (?:of|de|d['’])\s*(.+)$")
_TITLE_GLUED = re.compile(r"^(M|MM|Mme|Mlle|Mr|Mrs|Ms|Dr|Pr)\.(?=[A-ZÉ])")
_ELIDED_ARTICLE = re.compile(r"^[ld]['’](?=\w)")
_EDITOR_BRACKET = re.compile(r"(?<=\S)[\[\]]|[\[\]](?=\S)")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")
# Edge punctuation includes stray markup and bullets ("> Xavier Probeson", "* Jim Mattis"),
# and a character reference left as text ("&gt; Xavier") is a space: neither is a name.
_EDGE_PUNCT = " \t\n\"'«»“”‘’,;:!?()[]{}-–—.<>|*#=~^+/\\"
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def same_first_name(a: str, b: str) -> bool:
    return a == b or b in VARIANTS.get(a, ())


def clean(surface: str) -> str:
    """The name in a surface form: titles and honorifics, possessives and edge punctuation removed."""
    # An editor's brackets inside a name ("Jerry [O'Connell", "Pittsburg[h") are not written.
    surface = _EDITOR_BRACKET.sub("", surface)
    text = _TITLE_GLUED.sub(r"\1. ", _REFERENCE.sub(" ", surface).strip())
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
    if len(words) < len(text.split(" ")):
        # A title went: the lowercase articles and prepositions after it go too
        # ("ministre de l'Intérieur" -> "Intérieur").
        while len(words) > 1 and words[0].islower() and name_key(words[0]) in spans.LEADING:
            words.pop(0)
        words[0] = _ELIDED_ARTICLE.sub("", words[0]) or words[0]
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

    @property
    def typed_by_name(self) -> bool:
        """Whether the name alone types it (the gazetteer, a head word): no votes needed."""
        return self.gazetteer_entry is not None or any(_kind_from_head(form) for form in self.forms)

    @property
    def typed_by_context(self) -> bool:
        """Whether the words around one of its mentions say what it is ("law firm Sidley
        Austin"): the archive's votes do not overrule that."""
        return any(m.label == spans.CONTEXT and m.kind == self.kind for m in self.mentions)


@dataclass
class _Typed:
    mention: RawMention
    kind: str
    name: str
    key: str
    entry: gazetteer.GazetteerEntry | None
    other_names: tuple[str, ...] = ()  # more forms of the name the mention gives ("Matiu Ratana")


def is_demonym(key: str) -> bool:
    """A nationality, as an adjective or a noun ("Welsh", "Russes", "Americans")."""
    return key in _DEMONYMS or (key.endswith("s") and key[:-1] in _DEMONYMS)


def _kind_from_head(name: str) -> str | None:
    """The kind a head word gives a name of two words or more ("Al Noor Mosque", "Parti socialiste")."""
    words = gazetteer.cached_key(name).split()
    if len(words) < 2:
        return None
    # "Nemmers Prize in Mathematics", "Treaty of Versailles": an award's, an event's or a
    # law's head is also followed by what it is for.
    for head, following in zip(words[:-1], words[1:], strict=True):
        if following in _HEAD_COMPLEMENTS and _TYPE_HEADS.get(("last", head)) == NOT_AN_ENTITY:
            return NOT_AN_ENTITY
    return _TYPE_HEADS.get(("last", words[-1])) or _TYPE_HEADS.get(("first", words[0]))


_HEAD_COMPLEMENTS = frozenset({"in", "of", "for", "on"})
_GENITIVES = lexicon.constellation_genitives()


def is_star_name(name: str) -> bool:
    """ "AB Aurigae", "Alpha Centauri", "51 Pegasi", "Eta Carinae": a designation, then a
    constellation's genitive (`lexicon/constellations.tsv`), names a star (no entity); a
    given name before it is a person's ("Mario Lupi")."""
    words = gazetteer.cached_key(name).split()
    for n in (2, 1):
        if len(words) > n and " ".join(words[-n:]) in _GENITIVES:
            return words[-n - 1] not in GIVEN_NAMES
    return False


_PLACE_DEMONYM = re.compile(r"^(?P<place>[A-ZÀ-Ý][a-zà-ÿ]{4,}?)(?:ers?|iens?|iennes?|ais|aises?)$")


def _is_place_demonym(name: str) -> bool:
    """Whether a one-word name is a known place's name with a demonym's ending."""
    match = _PLACE_DEMONYM.match(name)
    if match is None:
        return False
    place = gazetteer.lookup(match.group("place"))
    return place is not None and place.kind == EntityKind.PLACE


def _type(mention: RawMention) -> _Typed | None:
    other_names: tuple[str, ...] = ()
    nickname = spans.NICKNAME.search(mention.text)
    if nickname and mention.kind == EntityKind.PERSON:
        # Matiu "Matt" Ratana: the name he goes by, and the given name as another form.
        last = nickname.group("last")
        name = f"{nickname.group('nick')} {last}"
        other_names = (f"{clean_person(nickname.group('first'))} {last}",)
    else:
        name = clean_person(mention.text) if mention.kind == EntityKind.PERSON else clean(mention.text)
        if mention.kind == EntityKind.PERSON and _kind_from_head(clean(mention.text)) not in (None, EntityKind.PERSON):
            # "Gordon and Betty Moore Foundation": a head word says it is no person's name.
            name = clean(mention.text)
        adjective = _FRENCH_HEAD_ADJECTIVE.match(name)
        if adjective and name_key(adjective.group("head")) in _FRENCH_HEADS:
            # "université anglaise de Manchester": an adjective that only modifies goes.
            name = f"{adjective.group('head')} {adjective.group('rest')}"
        head, _space, rest = name.partition(" ")
        if head.islower() and rest[:1].isupper() and _TYPE_HEADS.get(("first", name_key(head))) == EntityKind.PLACE:
            other_names = (rest,)  # "place Tahrir" is also written "Tahrir"
    key = name_key(name)
    if len(key) < 2 or key in STOPLIST or not any(c.isupper() for c in name):
        return None
    maker, _space, product = name.partition(" ")
    if maker[:1].isupper() and name_key(product) in _STOPLIST_PHRASES:
        return None  # "SpaceX Crew Dragon": a maker's name before a stoplisted product
    if any(ch.isdigit() for ch in key) and not (
        spans.is_numbered_place(name) or (mention.kind == EntityKind.ORGANISATION and spans.is_numbered_name(name))
    ):
        return None
    if ROMAN_ORDINAL.match(name):
        return None
    if is_star_name(name):
        return None  # "AB Aurigae": a star
    entry = gazetteer.lookup(name)
    if entry is None and 2 <= len(name) <= 4 and name.isalpha() and name.isupper():
        # "DC" is "D.C.": an acronym the gazetteer lists with its dots.
        entry = gazetteer.lookup(".".join(name) + ".")
    if entry is None and mention.kind != EntityKind.PERSON:
        # "la Chine", "l'Irak", "the United States": the article is not part of the name.
        bare = re.sub(r"^(?:le|la|les|l'|l’|the)\s*", "", name, flags=re.IGNORECASE)
        if bare != name and (found := gazetteer.lookup(bare)) is not None:
            name, key, entry = bare, name_key(bare), found
        # "the State of Palestine", "l'État d'Israël": a country named as a state is the country.
        state = _STATE_OF.match(bare)
        if state is not None and (found := gazetteer.lookup(state.group(1))) is not None and found.subtype == "country":
            entry = found
    if entry is None and is_demonym(key):
        return None  # "Welsh", "Russes": a nationality ("New Zealand" is also a country)
    if entry is None and key in _TITLE_WORDS and " " not in mention.text.strip():
        return None  # "the Sultan", "Pope": a title alone names no one
    if entry is None and _is_place_demonym(name):
        return None  # "Londoner", "Parisiens": the people of a place, not the place
    head, _hyphen, rest = name.partition("-")
    if entry is None and rest.islower() and " " not in name and name_key(head) in STOPLIST:
        return None  # "Etat-clé": a common noun's compound
    kind = mention.kind
    if entry is None and (head_kind := _kind_from_head(name)) is not None:
        if head_kind == NOT_AN_ENTITY:
            return None  # an event, an award, a law ("Nemmers Prize", "Hurricane Dorian")
        kind = head_kind
    if entry is not None and (kind != EntityKind.PERSON or entry.subtype not in gazetteer.LOCAL_SUBTYPES):
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
        second = name.split(" ")[1:]
        if len(second) == 1 and second[0].isalpha() and second[0].islower() and second[0] not in _NAME_PARTICLES:
            return None  # "Zizeeria maha", "Ya ya": a species, speech; no person's name
        entry = None
        if name.isupper() and len(name) > 4:
            name = name.title()
            key = name_key(name)
    return _Typed(mention, kind, name, key, entry, other_names)


def _field_rank(mention: RawMention) -> tuple[int, int]:
    # The name the article's own text uses wins over a caption's or headline's.
    order = {"body_text": 0, "standfirst": 1, "headline": 2, "photo_caption": 3}
    return (order.get(mention.field, 9), mention.start)


def _split_listed_places(mention: RawMention) -> list[RawMention]:
    """ "Auckland, New Zealand", "Omsk in Siberia": a span over places the gazetteer knows,
    listed with commas or "in", is one mention of each."""
    if mention.kind == EntityKind.PERSON or spans.is_one_known_name(mention.text):
        return [mention]  # "Washington, D.C." is one place
    text = mention.text
    separators = list(re.finditer(r",\s*", text)) if ", " in text else []
    known_parts = all
    if not separators:
        # "Omsk in Siberia", "Cahors Cathedral in Cahors": one of the two known is enough.
        separators = list(re.finditer(r" (?:in|en|à) (?=[A-ZÀ-Ý])", text))
        known_parts = any
    if not separators:
        return [mention]
    bounds, start = [], 0
    for separator in separators:
        bounds.append((start, separator.start()))
        start = separator.end()
    bounds.append((start, len(text)))
    pieces = []
    for begin, end in bounds:
        part = text[begin:end]
        lead = len(part) - len(part.lstrip())
        part = part.strip()
        if not part:
            return [mention]
        begin = mention.start + begin + lead
        pieces.append(RawMention(mention.field, begin, begin + len(part), part, mention.kind, mention.label))
    known = [gazetteer.lookup(p.text) or gazetteer.lookup(clean(p.text)) for p in pieces]
    if known_parts is all and not all(known):
        # "Karipur, Kerala", "Tyler, Texas": a place, then the region or country it is in.
        last = known[-1]
        if last is None or last.kind != EntityKind.PLACE or last.subtype == "city" or len(pieces) > 3:
            return [mention]
        if not all(p.text[:1].isupper() for p in pieces):
            return [mention]
        pieces = [p if entry else replace(p, kind=EntityKind.PLACE) for p, entry in zip(pieces, known, strict=True)]
    elif known_parts is any and not any(
        # A name a place's head word types ("Cahors Cathedral") counts as known beside "in".
        entry is not None or _kind_from_head(p.text) == EntityKind.PLACE
        for p, entry in zip(pieces, known, strict=True)
    ):
        return [mention]
    if known_parts is any and known[-1] is None:
        pieces[-1] = replace(pieces[-1], kind=EntityKind.PLACE)  # what follows "in" is a place
    return [replace(p, kind=entry.kind) if entry else p for p, entry in zip(pieces, known, strict=True)]


def _split_at_and(mention: RawMention) -> list[RawMention]:
    """ "The Progressive and The New York Times": a span over two names joined by "and" or
    "et", one of them a country, region or organisation the gazetteer knows, is one mention
    of each (a name the gazetteer
    knows whole stays: "Bosnia and Herzegovina"; so does one it knows neither part of: "Bill
    and Melinda Gates Foundation")."""
    if mention.kind == EntityKind.PERSON or gazetteer.lookup(mention.text) is not None:
        return [mention]
    joint = re.search(r" (?:and|et) ", mention.text)
    if joint is None:
        return [mention]
    parts = [(0, mention.text[: joint.start()]), (joint.end(), mention.text[joint.end() :])]
    if re.search(r" (?:of|de|du|des|for|pour) ", parts[0][1]):
        return [mention]  # "Islamic State of Iraq and Syria"
    known = [gazetteer.lookup(re.sub(r"^(?:the|The|le|la|les|Le|La|Les) ", "", part)) for _start, part in parts]
    # A town's name may be a word of another name ("Ell & Nikki", a duo): countries, regions
    # and organisations only.
    known = [entry if entry is not None and entry.subtype != "city" else None for entry in known]
    if not any(known) or not all(part[:1].isupper() for _start, part in parts):
        return [mention]
    # Names joined so are of one kind: the known one's ("Crete and Cyprus" are places).
    kind = next(entry.kind for entry in known if entry is not None)
    return [
        RawMention(
            mention.field,
            mention.start + start,
            mention.start + start + len(part),
            part,
            entry.kind if entry else kind,
            mention.label,
        )
        for (start, part), entry in zip(parts, known, strict=True)
    ]


def _split_at_slashes(mention: RawMention) -> list[RawMention]:
    """ "Red Hat/IBM", "Carroll/Patel": two names joined by a slash are two mentions."""
    if "/" not in mention.text:
        return [mention]
    pieces = []
    for part in re.finditer(r"[^/]+", mention.text):
        text = part.group(0).strip()
        if not text[:1].isupper():
            return [mention]
        start = mention.start + part.start() + (len(part.group(0)) - len(part.group(0).lstrip()))
        pieces.append(replace(mention, start=start, end=start + len(text), text=text))
    return pieces


# What separates the names of one list: "Degas, Gauguin, Manet et Toulouse-Lautrec".
_LIST_SEPARATOR = re.compile(r"^(?:,\s*(?:(?:and|et|or|ou)\s+)?|\s+(?:and|et|or|ou)\s+)$")


def _type_lists(typed: list[_Typed], texts: dict[str, str]) -> None:
    """Names listed together are of one kind: in a list of four names or more, at least two
    thirds of one kind (and three of them), a name neither the gazetteer nor a head word
    types takes that kind ("Degas, Gauguin, Manet, Monet, ... et Toulouse-Lautrec": the model
    took the last for a place)."""
    by_field: dict[str, list[_Typed]] = {}
    for t in typed:
        by_field.setdefault(t.mention.field, []).append(t)
    for name, found in by_field.items():
        text = texts.get(name) or ""
        found.sort(key=lambda t: t.mention.start)
        runs: list[list[_Typed]] = []
        for t in found:
            if runs and _LIST_SEPARATOR.match(text[runs[-1][-1].mention.end : t.mention.start]):
                runs[-1].append(t)
            else:
                runs.append([t])
        for run in runs:
            _place_list(run, typed, texts)
            if len(run) < 4:
                continue
            kind, count = Counter(t.kind for t in run).most_common(1)[0]
            if count < 3 or count * 3 < len(run) * 2:
                continue
            for t in run:
                if t.kind != kind and t.entry is None and not _kind_from_head(t.name):
                    t.kind = kind


def _drop_modifying_adjectives(typed: list[_Typed]) -> None:
    """ "Francophonie institutionnelle" once beside "Francophonie" twice: a lowercase adjective
    after a name the article writes alone more often only modifies it (GUIDELINES.md); a
    nationality's belongs to the name ("Alpes françaises", "Poste portugaise")."""
    written = Counter(t.key for t in typed if t.kind != EntityKind.PERSON)
    for t in typed:
        if t.kind == EntityKind.PERSON or t.entry is not None or " " not in t.name:
            continue
        bare, last = t.name.rsplit(" ", 1)
        if not (last.isalpha() and last.islower()) or is_demonym(name_key(last)) or last in _NAME_PARTICLES:
            continue
        # Written so once, and the bare name more often: a name ("Assemblée nationale") is
        # repeated whole, a modifier is a one-off.
        if written[t.key] == 1 and written[name_key(bare)] >= 2:
            t.name, t.key = bare, name_key(bare)


def _place_list(run: list[_Typed], typed: list[_Typed], texts: dict[str, str] | None = None) -> None:
    """ "Mysore, Mandya, Chikmagalur, Kodagu", "Dolgellau, Harlech, Barmouth, Bala and Blaenau
    Ffestiniog": in a list of three names or more with a place the gazetteer knows and nothing
    it knows of another kind, the names of one or two words that neither the gazetteer nor a
    head word nor the words around types are places (not acronyms), unless they read as people's: a given
    name first, a surname (`lexicon/surnames.txt`: "Jordan, Smith and Brown" are players), or
    a word of a person's full name elsewhere in the article."""
    texts = texts or {}

    def known_place(t: _Typed) -> bool:
        # Its own name, not a piece of one ("Bank of" + "Scotland").
        before = (texts.get(t.mention.field) or "")[max(0, t.mention.start - 4) : t.mention.start]
        return t.entry is not None and t.kind == EntityKind.PLACE and not before.endswith(("of ", "de "))

    # A known place, and a name the model itself called a place (a bank named for its town,
    # "Halifax", read from the gazetteer alone, says nothing).
    if len(run) < 3 or not any(known_place(t) for t in run):
        return
    if not any(t.mention.kind == EntityKind.PLACE and t.mention.label != "GAZETTEER" for t in run):
        return
    if any(t.entry is not None and t.kind != EntityKind.PLACE for t in run):
        return
    people_words = {
        w for t in typed if t not in run and t.kind == EntityKind.PERSON and " " in t.key for w in t.key.split()
    }
    for t in run:
        if (
            t.kind == EntityKind.PLACE
            or t.entry is not None
            or _kind_from_head(t.name)
            or t.mention.label == spans.CONTEXT
        ):
            continue
        words = t.key.split()
        if (
            t.name.isupper()
            or len(words) > 2
            or words[0] in GIVEN_NAMES
            or ("last", words[-1]) in _TYPE_HEADS
            or any(w in SURNAMES or w in people_words for w in words)
        ):
            continue
        t.kind = EntityKind.PLACE


def _vote_kinds(typed: list[_Typed]) -> None:
    """One kind per name within an article: the gazetteer's or a head word's when one types
    it, else the kind most of its mentions got (the body's earliest on a tie); then a name
    written elsewhere in the article as a person's is a person's."""
    by_key: dict[str, list[_Typed]] = {}
    for t in typed:
        by_key.setdefault(t.key, []).append(t)
    for group in by_key.values():
        if len({t.kind for t in group}) == 1:
            continue
        decided = [t for t in group if t.entry is not None or _kind_from_head(t.name)]
        # What the text says the name is ("the company Cultura Colectiva") comes next.
        decided = decided or [t for t in group if t.mention.label == spans.CONTEXT]
        if decided:
            kind = decided[0].kind
        else:
            votes = Counter(t.kind for t in group)
            earliest = {k: min(_field_rank(t.mention) for t in group if t.kind == k) for k in votes}
            kind = max(votes, key=lambda k: (votes[k], tuple(-x for x in earliest[k])))
        for t in group:
            t.kind = kind
            if kind == EntityKind.PERSON:
                t.entry = None
    # The model sometimes calls a person's surname alone an organisation or a place
    # ("Mattis said..."), or a full name an organisation when the text also says "Polak":
    # the article's person names say otherwise.
    person_keys = {t.key for t in typed if t.kind == EntityKind.PERSON}
    full_person_keys = {k for k in person_keys if " " in k}
    full_person_words = [k.split() for k in full_person_keys]
    full_person_words = [w[:-1] if w[-1] in _SUFFIXES and len(w) > 2 else w for w in full_person_words]
    for t in typed:
        if t.kind == EntityKind.PERSON or _kind_from_head(t.name) or t.mention.label == spans.CONTEXT:
            continue
        # A town's name can be a surname ("Sudesh Amman", then "Amman"); a country's is not.
        if t.entry is not None and t.entry.subtype not in gazetteer.LOCAL_SUBTYPES:
            continue
        words = t.key.split()
        alone = len(words) == 1
        surname_alone = alone and any(w[-1] == t.key for w in full_person_words)
        # "Melania" after "Melania Trump", "Marine" after "Marine Le Pen".
        first_name_alone = alone and t.entry is None and any(w[0] == t.key for w in full_person_words)
        full_name = 1 < len(words) <= 4 and words[-1] in person_keys and t.mention.kind != EntityKind.PLACE
        # "Wojciech Polak", "Elijah Cummings": a given name and capitalised words after it.
        given_name = 1 < len(words) <= 3 and words[0] in GIVEN_NAMES and all(w[:1].isupper() for w in t.name.split(" "))
        if surname_alone or first_name_alone or (t.entry is None and (full_name or given_name)):
            t.kind = EntityKind.PERSON
            t.entry = None


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _same_word(a: str, b: str) -> bool:
    """Words of one name: equal, or one the initial of the other ("K" and "Kenneth")."""
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _part_of(short: list[str], long: list[str]) -> bool:
    """Whether a person's name is another form of a longer one: a run of its words ("Le
    Drian" of "Jean-Yves Le Drian", "Ratana"), its first and last names with the middle
    names or initials left out ("Richard Guy" of "Richard K. Guy"), the same words with
    initials ("Richard K. Guy" of "Richard Kenneth Guy"), a "Jr." aside."""
    if long and long[-1] in _SUFFIXES:
        long = long[:-1]
    if short and short[-1] in _SUFFIXES:
        short = short[:-1]
    n = len(short)
    if not n or n > len(long):
        return False
    if n == len(long):
        return short != long and all(_same_word(a, b) for a, b in zip(short, long, strict=True))
    if any(long[i : i + n] == short for i in range(len(long) - n + 1)):
        return True
    return n >= 2 and short[-1] == long[-1] and same_first_name(short[0], long[0])


class _Groups:
    """Union-find over the person keys of one article."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, key: str, into: str) -> None:
        a, b = self.find(key), self.find(into)
        if a != b:
            self.parent[a] = b


def _group_people(people: list[_Typed]) -> dict[str, str]:
    """Each person key of the article -> the key of the person it names."""
    groups = _Groups()
    for t in people:
        groups.find(t.key)
        for other in t.other_names:
            groups.union(name_key(other), t.key)
    # Longest names first, so a short form finds every full name it could belong to.
    keys = sorted(groups.parent, key=lambda k: (-len(k.split()), -len(k), k))
    introduced: dict[str, tuple[int, int]] = {}
    for t in people:
        introduced[t.key] = min(introduced.get(t.key, (99, 0)), _field_rank(t.mention))
    for i, key in enumerate(keys):
        words = key.split()
        roots = {groups.find(k) for k in keys[:i] if _part_of(words, k.split())}
        if len(words) == 1 and len(roots) > 1:
            # "Trump" after "Donald Trump" and "Melania Trump": news names a person in full
            # first, then by surname; another of that surname is then named in full. The
            # one introduced first is meant.
            firsts = sorted(
                (min(introduced.get(k, (99, 0)) for k in keys if groups.find(k) == root), root) for root in roots
            )
            roots = {firsts[0][1]}
        if len(words) > 1 and not roots:
            # "James Mattis" and "Jim Mattis": first-name variants of one surname.
            first, rest = words[0], words[1:]
            roots = {
                groups.find(k)
                for k in keys[:i]
                if len(k.split()) == len(words) and k.split()[1:] == rest and same_first_name(first, k.split()[0])
            }
        if len(roots) == 1:
            groups.union(key, roots.pop())
    return {key: groups.find(key) for key in groups.parent}


def _runs_in(short: list[str], long: list[str]) -> bool:
    """Whether the words are a run of a longer name's words."""
    n = len(short)
    return 0 < n < len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _one_longer(words: list[str], keys) -> list[str]:
    """The one longest name among `keys` the words are a run of, when every such name is a
    form of it; else nothing (two longer names could be meant). A country that leads a name
    (folded to its id by `_country_folded`) may be left out: "U.S. House" and "House" are
    forms of "House of Representatives"."""
    country, core = _split_country(words)
    longer = []
    for k in keys:
        k_country, k_core = _split_country(k.split())
        if (country and k_country and country != k_country) or k.split() == words:
            continue
        if _runs_in(words, k.split()) or (core != words and _runs_in(core, k_core)):
            longer.append(k)
    if not longer:
        return []
    longest = max(longer, key=lambda k: (len(_split_country(k.split())[1]), len(k), k))
    longest_core = _split_country(longest.split())[1]
    if not all(
        k == longest or _runs_in(_split_country(k.split())[1], longest_core) or _runs_in(k.split(), longest.split())
        for k in longer
    ):
        return []
    return [longest]


def _split_country(words: list[str]) -> tuple[str, list[str]]:
    if words and words[0].startswith(_COUNTRY_PREFIX):
        return words[0], words[1:]
    return "", words


_COUNTRY_PREFIX = "op-country:"


def _country_folded(key: str) -> str:
    """An organisation's key with a leading country name replaced by the country's gazetteer
    id: "US Department of Justice" and "United States Department of Justice", "U.S. Navy"
    and "United States Navy" are one name."""
    words = key.split()
    for n in (3, 2, 1):
        if len(words) > n:
            entry = gazetteer.lookup(" ".join(words[:n]))
            if entry is not None and entry.subtype == "country":
                return " ".join([entry.id.lower(), *words[n:]])
    return key


def _join_short_forms_across_kinds(typed: list[_Typed]) -> None:
    """A one-word name that is part of exactly one longer name of the article, of another kind,
    and of no person's full name, is that name's short form and takes its kind ("Saha" a
    person beside "Saha Airlines", "Hall" beside "Fishmongers' Hall")."""
    people_words = {w for t in typed if t.kind == EntityKind.PERSON and " " in t.key for w in t.key.split()}
    longer_names = {(t.key, t.kind) for t in typed if " " in t.key and t.kind != EntityKind.PERSON}
    for t in typed:
        if " " in t.key or t.kind == EntityKind.PLACE or t.entry is not None or t.key in people_words:
            continue  # a place inside an organisation's name is the place ("Christchurch")
        if _kind_from_head(t.name):
            continue
        kinds = {kind for key, kind in longer_names if _runs_in([t.key], key.split())}
        roots = _one_longer([t.key], {key for key, _kind in longer_names})
        if roots and len(kinds) == 1 and t.kind not in kinds:
            t.kind = kinds.pop()


def _contains(long: str, short: str) -> bool:
    a, b = name_key(long).split(), name_key(short).split()
    return len(b) < len(a) and any(a[i : i + len(b)] == b for i in range(len(a) - len(b) + 1))


def _best_name(cluster: Cluster) -> str:
    """The fullest form the article uses (no form containing it, not an acronym when a name
    is given), then the most used, then the body's first."""
    forms: Counter = Counter()
    first_seen: dict[str, tuple[int, int]] = {}
    for m, n in zip(cluster.mentions, cluster.written, strict=True):
        forms[n] += 1
        first_seen[n] = min(first_seen.get(n, (99, 0)), _field_rank(m))
    for n in cluster.forms:
        first_seen.setdefault(n, (98, 0))
    candidates = set(cluster.forms)

    def rank(n: str):
        fullest = not any(_contains(other, n) for other in candidates)
        acronym = bool(spans.is_acronym_like(n)) and any(not spans.is_acronym_like(o) for o in candidates)
        return (
            len(name_key(n).split()) > 1 or cluster.kind != EntityKind.PERSON,
            fullest,
            not acronym,
            forms[n],
            tuple(-x for x in first_seen[n]),
        )

    best = max(sorted(candidates), key=rank)
    if best.isupper() and len(best) > 4 and cluster.kind == EntityKind.PERSON:
        best = best.title()
    return best


def cluster_article(mentions: list[RawMention], texts: dict[str, str] | None = None) -> list[Cluster]:
    """Group one article's mentions into entities (see module docstring). With the fields'
    texts, spans are first repaired against them and acronyms joined to their expansion
    (`spans.repair`)."""
    links: list[spans.AcronymLink] = []
    raw = mentions
    if texts is not None:
        mentions, links = spans.repair(mentions, texts)
        mentions = known_names.add_known_names(mentions, texts)
    mentions = [
        piece
        for m in mentions
        for joined in _split_at_and(m)
        for split in _split_at_slashes(joined)
        for piece in _split_listed_places(split)
    ]
    mentions = [m for m in mentions if not _MIXED_SCRIPT.search(m.text)]
    typed_or_not = [(m, _type(m)) for m in mentions]
    typed = [t for _m, t in typed_or_not if t is not None]
    # Spans the model typed that name no entity ("Red Hat Enterprise Linux": software).
    declined = {m for m, t in typed_or_not if t is None and m.kind is not None}
    if texts is not None:
        _type_lists(typed, texts)
    _drop_modifying_adjectives(typed)
    _vote_kinds(typed)
    _join_short_forms_across_kinds(typed)
    clusters: dict[tuple[str, str], Cluster] = {}
    of_mention: dict[RawMention, tuple[str, str]] = {}

    def add(kind: str, cluster_key: str, t: _Typed) -> None:
        c = clusters.setdefault((kind, cluster_key), Cluster(kind=kind, name=t.name))
        c.keys.add(t.key)
        c.forms.add(t.name)
        for other in t.other_names:
            c.keys.add(name_key(other))
            c.forms.add(other)
        c.mentions.append(t.mention)
        c.written.append(t.name)
        c.gazetteer_entry = c.gazetteer_entry or t.entry
        of_mention[t.mention] = (kind, cluster_key)

    # Places and organisations: one cluster per gazetteer entry, else per key, a leading
    # article aside ("Le Monde" at a sentence start was cut to "Monde").
    others = [t for t in typed if t.kind != EntityKind.PERSON]
    folded = {t.key: _country_folded(t.key) if t.kind == EntityKind.ORGANISATION else t.key for t in others}
    keys = set(folded.values())
    own_keys: dict[str, set[str]] = {}  # kind -> keys of names the gazetteer does not know
    for t in others:
        if t.entry is None:
            own_keys.setdefault(t.kind, set()).add(folded[t.key])
    for t in others:
        if t.entry is not None:
            add(t.kind, t.entry.id, t)
            continue
        key = folded[t.key]
        words = key.split()
        longer = [k for k in keys if k.split()[1:] == words and k.split()[0] in spans.LEADING]
        if not longer:
            # A short form of one longer name of its kind: "House" of "House of
            # Representatives", "Navy" of "United States Navy", "Unity Party" of "Unity
            # Party of America"; not when two longer names could be meant.
            longer = _one_longer(words, own_keys.get(t.kind, ()))
        add(t.kind, longer[0] if longer else key, t)

    people = [t for t in typed if t.kind == EntityKind.PERSON]
    person_of = _group_people(people)
    for t in people:
        add(EntityKind.PERSON, person_of[t.key], t)

    # "Etat islamique (EI)": the acronym's cluster joins its expansion's.
    for link in links:
        source, target = of_mention.get(link.acronym), of_mention.get(link.expansion)
        if link.expansion in declined and source in clusters and gazetteer.lookup(link.acronym.text) is None:
            del clusters[source]  # "RHEL" of "Red Hat Enterprise Linux": no entity either
            continue
        if source is None or target is None or source == target or source not in clusters or target not in clusters:
            continue
        acronym, expansion = clusters.pop(source), clusters[target]
        expansion.keys |= acronym.keys
        expansion.forms |= acronym.forms
        expansion.mentions += acronym.mentions
        expansion.written += acronym.written
        if expansion.gazetteer_entry is None and acronym.gazetteer_entry is not None:
            expansion.gazetteer_entry = acronym.gazetteer_entry
            expansion.kind = acronym.gazetteer_entry.kind
        for m in acronym.mentions:
            of_mention[m] = target

    _join_acronyms(clusters)
    for c in clusters.values():
        c.name = _best_name(c)
    found = list(clusters.values())
    if texts is not None:
        # "Taken", "Lockdown" at a sentence start: common words, when the text also writes
        # them in lowercase (or, for a "person", they are frequent words of the language) and
        # never capitalises them mid-sentence.
        found = [c for c in found if c.gazetteer_entry is not None or not _only_common_words(c, texts)]
        found = [c for c in found if c.gazetteer_entry is not None or not _written_lowercase_too(c, texts)]
        # Storms, operations, works and ships the article introduces by what they are, and
        # acronyms it spells out in lowercase ("accidents vasculaires cérébraux (AVC)").
        classified = _classified_names(texts)
        found = [c for c in found if not (c.keys | {c.key}) <= classified]
        common = {name_key(a) for text in texts.values() for a in spans.common_noun_acronyms(text or "")}
        found = [c for c in found if c.gazetteer_entry is not None or not (c.keys | {c.key}) <= common]
        found = [c for c in found if c.gazetteer_entry is not None or not _always_after_determiner(c, texts)]
        found = [c for c in found if c.gazetteer_entry is not None or not _an_edition(c, texts)]
        found = [c for c in found if c.gazetteer_entry is not None or not _always_before_classifier(c, texts)]
        found = [
            c
            for c in found
            if (c.gazetteer_entry is not None and c.gazetteer_entry.kind == EntityKind.PLACE)
            or not _always_before_model_number(c, texts)
        ]
        found = phrases.drop_common_phrases(found, texts, raw)
    surnames = {c.key.split()[-1] for c in found if c.kind == EntityKind.PERSON and " " in c.key}
    # "the Trumps", "the Kennedys": a family (GUIDELINES.md), not one of its people.
    found = [c for c in found if not (c.kind == EntityKind.PERSON and _family_of(c, surnames))]
    if texts is not None:
        # "The Tongs indicated" after "Tong Yung-soo": a family, whatever the model called it.
        person_words = {w for c in found if c.kind == EntityKind.PERSON for k in c.keys | {c.key} for w in k.split()}
        found = [
            c
            for c in found
            if c.kind == EntityKind.PERSON
            or c.gazetteer_entry is not None
            or not (_family_of(c, person_words) and _always_after_the(c, texts))
        ]
    return found


_THE_ARTICLE_BEFORE = re.compile(r"(?<![\w'’-])(?:the|The)\s+$")


def _always_after_the(cluster: Cluster, texts: dict[str, str]) -> bool:
    return all(
        _THE_ARTICLE_BEFORE.search((texts.get(m.field) or "")[max(0, m.start - 5) : m.start]) for m in cluster.mentions
    )


def _family_of(cluster: Cluster, surnames: set[str]) -> bool:
    return all(" " not in k and k.endswith("s") and k[:-1] in surnames for k in cluster.keys | {cluster.key})


_CLASSIFIERS_AFTER = lexicon.keys("classifiers_after")
_WORD_AFTER = re.compile(r"^\s+([a-zàâçéèêëîïôûü]+)\b")


def _always_before_classifier(cluster: Cluster, texts: dict[str, str]) -> bool:
    """ "the Voskhod programme", "a PAN card": a word saying what it is after every mention."""
    for mention in cluster.mentions:
        after = _WORD_AFTER.match((texts.get(mention.field) or "")[mention.end : mention.end + 20])
        if after is None or name_key(after.group(1)) not in _CLASSIFIERS_AFTER:
            return False
    return True


# A model's designation after a maker's or a series' name: "Boeing 707", "Boeing 747s",
# "Falcon 9", "Airbus A300", "Césium 137"; not a score ("Chelsea 2-1"), a year ("Tokyo
# 2020"), a range, a decimal or a number with a thousands separator ("637. 800", "6, 000").
_MODEL_NUMBER_AFTER = re.compile(
    r"^ (?:[A-Z]{1,3}-?)?\d{1,4}[A-Za-z]{0,3}(?![\w/%-]|[.,:]\s?\d|\.\.|\s*(?:[-–]|à|to|and|et|or|ou)\s*\d)"
)
_YEAR = re.compile(r"^ (?:1[89]|20)\d\d\b")
_MEASURE_WORDS = lexicon.keys("measure_words")
# A price list or a table: a second number after the first ("Plata 23 50"), or a number ending
# the entry before ("58 1/8 ; Illinois Central 129").
_PRICE_AFTER = re.compile(r"^ \d+(?:[.,]\d+)?\s+\d")
_NUMBER_BEFORE = re.compile(r"\d\s*[,;|]\s*$")
_WORD_AFTER_NUMBER = re.compile(r"^ \S+\s*([^\W\d_]+|%)")


def _always_before_model_number(cluster: Cluster, texts: dict[str, str]) -> bool:
    """ "a Boeing 707", "la fusée Falcon 9", "Césium 137": a name with a model's number after
    every mention names the product, the vehicle or the isotope, no organisation or place
    (GUIDELINES.md: products, vehicles); a maker named alone too ("Wikinews contacted
    Boeing") is kept, and so is a place the gazetteer knows (a channel's "France 2" aside,
    numbers after a place are a price list's, "Chine 4 1/2", "Lyon 405", or an address's)."""
    for mention in cluster.mentions:
        after = (texts.get(mention.field) or "")[mention.end : mention.end + 30]
        if _YEAR.match(after) or not _MODEL_NUMBER_AFTER.match(after) or _PRICE_AFTER.match(after):
            return False
        before = (texts.get(mention.field) or "")[max(0, mention.start - 12) : mention.start]
        if _NUMBER_BEFORE.search(before):
            return False
        counted = _WORD_AFTER_NUMBER.match(after)
        if counted is not None and name_key(counted.group(1)) in _MEASURE_WORDS:
            return False  # "O'Higgins 105 kilomètres": a distance, a count
    return True


# "le premier Forum mondial de la langue française", "the 25th annual Gathering": an ordinal
# or "annual" before a name counts the editions of an event.
_ORDINAL_BEFORE = re.compile(
    r"(?<![\w'’-])(?:premier|première|deuxième|troisième|quatrième|cinquième|dixième|\d+(?:e|er|ère|ème|st|nd|rd|th)"
    r"|first|second|third|fourth|fifth|tenth|annual|annuel|annuelle)\s+$"
)


def _an_edition(cluster: Cluster, texts: dict[str, str]) -> bool:
    """An organisation the text writes after an ordinal or "annual" wherever it writes it
    but in the headline is an edition of an event ("le premier Forum mondial de la
    langue française"); a numbered body whose head says it is an organisation is one ("43rd
    Canadian Parliament", "116th Congress": GUIDELINES.md)."""
    if cluster.kind != EntityKind.ORGANISATION or cluster.typed_by_name:
        return False  # a place names the event it is the place of ("the first Bali bombing")
    # Its full name's mentions: a short form follows the edition ("le Forum s'est ouvert").
    body = [
        m
        for m, written in zip(cluster.mentions, cluster.written, strict=True)
        if m.field != "headline" and (name_key(written) == cluster.key or " " not in cluster.key)
    ]
    if not body:
        return False
    for mention in body:
        text = texts.get(mention.field) or ""
        if not _ORDINAL_BEFORE.search(text[max(0, mention.start - 14) : mention.start]):
            return False
    return True


_DETERMINERS = lexicon.keys("determiners")
_WORD_BEFORE = re.compile(r"(\w+)\s+$")


def _always_after_determiner(cluster: Cluster, texts: dict[str, str]) -> bool:
    """ "in this Chamber", "notre Soleil": a demonstrative or a possessive before every mention."""
    for mention in cluster.mentions:
        first = mention.text.split(" ", 1)[0]
        if first.islower() and name_key(first) in _DETERMINERS:
            continue
        before = _WORD_BEFORE.search((texts.get(mention.field) or "")[max(0, mention.start - 12) : mention.start])
        if before is None or not before.group(1).islower() or name_key(before.group(1)) not in _DETERMINERS:
            return False
    return True


def _classified_names(texts: dict[str, str]) -> set[str]:
    """The keys of the names written just after a word saying they name a storm, a work, a
    ship... ("Damrey", "Julie Lescaut", "Grayback" and "USS Grayback")."""
    keys = set()
    for text in texts.values():
        for match in _CLASSIFIED.finditer(text or ""):
            name = match.group("name").rstrip(".")
            keys |= {name_key(name), name_key(f"{match.group(0)[: match.start('name') - match.start()]}{name}")}
    return keys - {""}


_OWNER_AFTER = re.compile(r"^['’]s?\b")
# "Watertown, Mass. four days later": a full stop and a lowercase word after a word make it
# an abbreviation.
_ABBREVIATION_AFTER = re.compile(r"^\.\s+[a-zà-ÿ]")
_THE_BEFORE = re.compile(r"(?<![\w'’-])(?:The|Le|La|Les) $")


def _written_lowercase_too(cluster: Cluster, texts: dict[str, str]) -> bool:
    """ "the Solar System ... solar masses", "CentOS Stream ... Stream receives ... a stream
    of": a one-word organisation or place that is a frequent word (`spans.is_frequent_word`)
    the article also writes in lowercase, as a common noun, is that noun capitalised, not a
    name, wherever it is written: no head word ("Senate", "Court"), never an owner ("Time's
    25"), an abbreviation ("Mass. four days later"), after a capitalised article inside a
    sentence ("The Standard") nor before a word saying what organisation it is ("Time
    magazine")."""
    if cluster.kind == EntityKind.PERSON or cluster.typed_by_context:
        return False
    forms = cluster.forms
    if any(" " in f or "-" in f or not f[1:].islower() or not f[:1].isupper() for f in forms):
        return False
    if any(name_key(f) in spans.HEAD_WORDS or not spans.is_frequent_word(f) for f in forms):
        return False
    for mention in cluster.mentions:
        text = texts.get(mention.field) or ""
        following = text[mention.end - mention.text.endswith(".") : mention.end + 3]
        if (
            _OWNER_AFTER.match(following)
            or _ABBREVIATION_AFTER.match(following)
            or _THE_BEFORE.search(text[max(0, mention.start - 5) : mention.start])
        ):
            return False
        after = _WORD_AFTER.match(text[mention.end : mention.end + 20])
        if after is not None and spans.descriptor_kind(after.group(1)) == EntityKind.ORGANISATION:
            return False
    written = " ".join(t or "" for t in texts.values())
    return all(re.search(rf"(?<![\w'’-]){re.escape(f.lower())}(?![\w'’-])", written) for f in forms)


def _only_common_words(cluster: Cluster, texts: dict[str, str]) -> bool:
    person = cluster.kind == EntityKind.PERSON
    return all(spans.is_common_word(form, texts, person=person) for form in cluster.forms)


def _merge_cluster(clusters: dict, source: tuple[str, str], target: tuple[str, str], *, entry: bool = True) -> None:
    acronym, expansion = clusters.pop(source), clusters[target]
    expansion.keys |= acronym.keys
    expansion.forms |= acronym.forms
    expansion.mentions += acronym.mentions
    expansion.written += acronym.written
    if entry and expansion.gazetteer_entry is None and acronym.gazetteer_entry is not None:
        expansion.gazetteer_entry = acronym.gazetteer_entry
        expansion.kind = acronym.gazetteer_entry.kind


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split(" ") if w[:1].isupper())


def _join_acronyms(clusters: dict) -> None:
    """An organisation's acronym the article uses apart from its expansion ("the CPD" after
    "United States Commission on Presidential Debates", "PP" and "Parti populaire") joins the
    one name of the article whose initials it spells, a leading country name aside. An
    acronym the gazetteer knows as another body's ("CPD", a UN commission) joins a name of
    the article only when it spells exactly its capitalised words' initials, and leaves the
    gazetteer's identity behind."""
    for slot, cluster in list(clusters.items()):
        if cluster.kind != EntityKind.ORGANISATION:
            continue
        if not all(spans.is_acronym_like(form) for form in cluster.forms):
            continue
        acronym = min(cluster.forms)
        known = cluster.gazetteer_entry is not None

        def spells(form: str, acronym: str = acronym, known: bool = known) -> bool:
            expansion = _without_country(form)
            if known:
                return _initials(expansion) == acronym.replace(".", "")
            return spans.is_acronym_of(acronym, expansion)

        targets = [
            other_slot
            for other_slot, other in clusters.items()
            if other_slot != slot
            and other.kind != EntityKind.PERSON
            and not (known and other.gazetteer_entry is not None)
            and any(spells(form) for form in other.forms if " " in form)
        ]
        if len(targets) == 1:
            _merge_cluster(clusters, slot, targets[0], entry=False)


def _without_country(name: str) -> str:
    words = name.split(" ")
    for n in (3, 2, 1):
        if len(words) > n + 1:
            entry = gazetteer.lookup(" ".join(words[:n]))
            if entry is not None and entry.subtype == "country":
                return " ".join(words[n:])
    return name
