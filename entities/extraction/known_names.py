"""Names the gazetteer knows, found in the text where the model found nothing.

The model misses well-known names now and then ("Facebook" in a story about Facebook,
"Illinois", "Rio de Janeiro"). This pass reads each field once, word by word, and adds a
mention for the longest run of words that a gazetteer entry is named by, when no mention of
the model covers any of it. Only names that are safe to read without the model: countries,
international organisations, the hand-written organisations, regions, and cities by their
first name only (GeoNames' alternate names include words such as "Here"); a one-word name
must not open a sentence or stand beside another capitalised word ("Paris Hilton", "Jordan
Henderson" are someone else), and an acronym must be written in capitals.
"""

import functools
import re

from entities.extraction import gazetteer, lexicon
from entities.extraction.credits import mask_credits
from entities.extraction.ner import TAGGED_FIELDS, RawMention
from entities.extraction.spans import at_sentence_start, context_kind
from entities.models import EntityKind, name_key

# Words: letters and digits, with inner apostrophes, hyphens, dots and ampersands ("U.S.",
# "Saint-Cloud", "AT&T").
_WORD = re.compile(r"\w+(?:[’'.&-]\w+)*\.?")
_MAX_WORDS = 8
# A single-word city matches only when it is this populous (a small town's name is often a
# common word or a surname).
_MIN_CITY_POPULATION = 100_000


@functools.cache
def _names() -> tuple[dict[str, int], dict[str, gazetteer.GazetteerEntry], frozenset[str]]:
    """(first word key -> most words of a name starting with it, name key -> entry, keys of
    acronyms) of the names safe to read in text."""
    longest: dict[str, int] = {}
    entries: dict[str, gazetteer.GazetteerEntry] = {}
    acronyms: set[str] = set()
    for entry in gazetteer.entries():
        names = entry.names[:1] if entry.subtype in gazetteer.LOCAL_SUBTYPES else entry.names
        for name in names:
            key = name_key(name)
            words = key.split()
            if not words or len(words) > _MAX_WORDS:
                continue
            if len(words) == 1 and entry.subtype == "city" and entry.weight < _MIN_CITY_POPULATION:
                continue
            if entry.subtype == "department" and len(words) == 1:
                continue  # "Lot", "Var", "Nord": common words or parts of other names
            if gazetteer.lookup(name) is not entry:
                continue  # another entry owns this name (a clash the gazetteer settles)
            entries[key] = entry
            longest[words[0]] = max(longest.get(words[0], 0), len(words))
            if name.isupper() and " " not in name:
                acronyms.add(key)
    return longest, entries, frozenset(acronyms)


def preload() -> None:
    """Build the index of the names this pass reads (a worker process does it at start)."""
    _names()


@functools.lru_cache(maxsize=50_000)
def _word_key(word: str) -> str:
    return name_key(word)


class _LazyKeys:
    """The key of each word, computed when first asked for (most words are never looked up)."""

    def __init__(self, words: list[re.Match]):
        self.words = words
        self.keys: list[str | None] = [None] * len(words)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.words)))]
        key = self.keys[index]
        if key is None:
            key = self.keys[index] = _word_key(self.words[index].group(0))
        return key


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def find(text: str, field: str, covered: list[tuple[int, int]]) -> list[RawMention]:
    """The gazetteer's names in one field's text that no span of `covered` touches (or, for a
    name of three words or more, that holds every span it touches)."""
    longest, entries, acronyms = _names()
    words = list(_WORD.finditer(text))
    keys = _LazyKeys(words)
    found: list[RawMention] = []
    i = 0
    # Only a capitalised word starts a name: the others are skipped in one pass.
    for capitalised in [k for k, word in enumerate(words) if word.group(0)[:1].isupper()]:
        if capitalised < i:
            continue  # inside the name found last
        i = capitalised
        first = keys[i].split(" ")[0] if keys[i] else ""
        if first not in longest:
            continue
        # The keys of the runs of words from i, shortest first; the longest known one wins.
        runs, key = [], keys[i]
        for j in range(i + 1, min(len(words), i + longest[first]) + 1):
            if j > i + 1:
                key = f"{key} {keys[j - 1]}"
            runs.append((j, key))
        match = None
        for j, key in reversed(runs):
            entry = entries.get(key)
            if entry is not None and _capitalised(words[j - 1].group(0)):
                match = (j, entry)
                break
        if match is None:
            continue
        j, entry = match
        start, end = words[i].start(), words[j - 1].end()
        surface = text[start:end].rstrip(".")
        end = start + len(surface)
        if (key not in acronyms or surface.isupper()) and _accepted(text, words, i, j, surface, entry, covered):
            found.append(RawMention(field, start, end, surface, entry.kind, "GAZETTEER"))
        i = j
    return found


def _accepted(
    text: str,
    words: list,
    i: int,
    j: int,
    surface: str,
    entry: gazetteer.GazetteerEntry,
    covered: list[tuple[int, int]],
) -> bool:
    start, end = words[i].start(), words[i].start() + len(surface)
    touched = [(s, e) for s, e in covered if s < end and start < e]
    # A name of three words or more may replace the model's pieces of it ("United Nations
    # Educational, Scientific and Cultural Organization" cut at its comma).
    if touched and (surface.count(" ") < 2 or any(s < start or e > end for s, e in touched)):
        return False
    if " " not in surface and "-" not in surface:
        if surface not in entry.names and surface.isupper() != (sum(c.isupper() for c in surface) > 1):
            return False  # "Us" is not "US"; an acronym is written in capitals ("YouTube" as listed)
        if not surface.isupper() and at_sentence_start(text, start) and entry.subtype in gazetteer.LOCAL_SUBTYPES:
            return False  # "Split", "Reading": a town's name may be a word opening a sentence
    # Beside another capitalised word, the name is part of a longer one ("Paris Hilton"),
    # unless that word opens the sentence and the name has several words ("In Saint-Cloud").
    previous = words[i - 1] if i > 0 else None
    following = words[j] if j < len(words) else None
    if (
        previous is not None
        and _capitalised(previous.group(0))
        and not text[previous.end() : start].strip()
        and (" " not in surface or not at_sentence_start(text, previous.start()))
    ):
        return False
    return not (
        following is not None and _capitalised(following.group(0)) and not text[end : following.start()].strip()
    )


# A person introduced by what they do, whom the model left unspanned: an occupation word
# (`lexicon/occupations.txt`), then a given name (`lexicon/given_names.txt`) and one or two
# capitalised words, and no more ("adviser Jared Kushner", "Wyoming preacher Michelle
# Tidball"); after a plural one, the names listed with it too ("Senior Advisors Jared Kushner
# and Ivanka Trump").
_OCCUPATIONS = lexicon.keys("occupations")
_GIVEN_NAMES = lexicon.keys("given_names")
_TYPE_HEADS = lexicon.type_heads()
_NAME_WORD = r"[A-ZÀ-Ý][\w'’-]*\w"
_PERSON_NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}(?![\w'’-]| [A-ZÀ-Ý0-9])"
_ROLE_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w-]*(?= [A-ZÀ-Ý])")
_NAME_AT = re.compile(rf" (?P<name>{_PERSON_NAME})")
_LISTED_NEXT = re.compile(rf"(?:,| and| et|, and) (?P<name>{_PERSON_NAME})")
# "The mayor of London, Sadiq Khan, said": a post, its place or body, then the name between commas.
_POST_OF_THEN_NAME = re.compile(
    rf"(?<![\w'’-])(?P<role>[a-z][\w-]*) of (?:the )?{_NAME_WORD}(?: {_NAME_WORD}){{0,3}}, (?P<name>{_PERSON_NAME}),"
)
# "Mayor of London Sadiq Khan": a post of a place the gazetteer knows, then the name.
_TITLE_OF_PLACE_THEN_NAME = re.compile(
    rf"(?<![\w'’-])(?P<role>[A-Z][a-z]+) of (?:the )?(?P<place>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}}?) (?P<name>{_PERSON_NAME})"
)
# "Alexis Boon, the head of ...", "Jane Doe, a lawyer,": a name an apposition says is a person's.
_NAME_THEN_APPOSITION = re.compile(rf"(?<![\w'’-])(?P<name>{_PERSON_NAME}), (?:a|an|the) ")


def _occupation(word: str) -> tuple[bool, bool]:
    """(whether the word is an occupation, whether it is a plural one)."""
    key = name_key(word)
    if key in _OCCUPATIONS:
        return True, False
    plural = key.endswith("s") and key[:-1] in _OCCUPATIONS
    return plural, plural


def _person_name(name: str, given_name: bool = True) -> bool:
    words = name.split(" ")
    return (
        (name_key(words[0]) in _GIVEN_NAMES or not given_name)
        and ("last", name_key(words[-1])) not in _TYPE_HEADS
        and gazetteer.lookup(name) is None
        and not any(gazetteer.lookup(w) is not None and gazetteer.lookup(w).subtype == "country" for w in words)
    )


def people_after_occupations(
    text: str, field: str, covered: list[tuple[int, int]], pieces: frozenset[tuple[int, int]] = frozenset()
) -> list[RawMention]:
    """The people an occupation word introduces in one field's text where no span of `covered`
    lies but the model's person spans `pieces` inside the name, which it replaces."""
    found: list[RawMention] = []

    def add(start: int, end: int, *, given_name: bool = True) -> bool:
        # A person's span of the model inside the name is a piece of it ("Khan" of "Sadiq Khan").
        blocking = [(s, e) for s, e in covered + taken if s < end and start < e]
        if any((s, e) not in pieces or s < start or e > end for s, e in blocking):
            return False
        if not _person_name(text[start:end], given_name):
            return False
        found.append(RawMention(field, start, end, text[start:end], EntityKind.PERSON, "OCCUPATION"))
        taken.append((start, end))
        return True

    taken: list[tuple[int, int]] = []
    for post in _POST_OF_THEN_NAME.finditer(text):
        if _occupation(post.group("role"))[0]:
            add(*post.span("name"), given_name=False)
    for post in _TITLE_OF_PLACE_THEN_NAME.finditer(text):
        place = gazetteer.lookup(post.group("place"))
        if _occupation(post.group("role"))[0] and place is not None and place.kind == EntityKind.PLACE:
            add(*post.span("name"), given_name=False)
    for named in _NAME_THEN_APPOSITION.finditer(text):
        if context_kind(text, RawMention(field, *named.span("name"), named.group("name"), None, "")) == (
            EntityKind.PERSON
        ):
            add(*named.span("name"))

    for role in _ROLE_WORD.finditer(text):
        occupation, plural = _occupation(role.group(0))
        if not occupation or (match := _NAME_AT.match(text, role.end())) is None or not add(*match.span("name")):
            continue
        end = match.end("name")
        while plural and (listed := _LISTED_NEXT.match(text, end)) is not None:
            if not add(*listed.span("name")):
                break
            end = listed.end("name")
    return found


def add_known_names(mentions: list[RawMention], texts: dict[str, str]) -> list[RawMention]:
    """The mentions, with the gazetteer's names the model missed in each field's text."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for m in mentions:
        # A soft label (MISC) the gazetteer does not know is dropped by clustering: read
        # through it ("jeux olympiques de Rio de Janeiro").
        if m.kind is not None or gazetteer.lookup(m.text) is not None:
            spans.setdefault(m.field, []).append((m.start, m.end))
    added = []
    for field in TAGGED_FIELDS:
        text = texts.get(field) or ""
        if text:
            # Credit lines are not prose: the model never reads them, nor does this pass.
            text = mask_credits(text, caption=field == "photo_caption")
            added += find(text, field, spans.get(field, []))
            people = frozenset((m.start, m.end) for m in mentions if m.field == field and m.kind == EntityKind.PERSON)
            added += people_after_occupations(text, field, spans.get(field, []), people)
    if not added:
        return mentions
    # The model's pieces of a longer known name give way to it.
    kept = [m for m in mentions if not any(a.field == m.field and a.start <= m.start and m.end <= a.end for a in added)]
    return [*kept, *added]
