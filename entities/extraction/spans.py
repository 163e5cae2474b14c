"""The model's spans checked against the article's text, without the database.

`repair` fixes what the model gets wrong at the edges of a span
and what only the text around it shows: a determiner or preposition kept at the start ("the
Soviet Union", "de France"), a span cut at a possessive ("Hawke" of "Hawke's Bay"), a quoted
nickname ("Matiu "Matt" Ratana"), a span running into a bracket, and an acronym given in
brackets beside its expansion ("Etat islamique (EI)", "WWE (World Wrestling
Entertainment)"), which `repair` returns as a pair to cluster as one entity. Offsets stay
offsets into the field's text: a repaired span is always a slice of it.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace

import wordfreq

from entities.extraction import gazetteer, lexicon
from entities.extraction.ner import RawMention
from entities.models import EntityKind, name_key

# Words that start a span without belonging to the name: articles and prepositions.
LEADING = lexicon.keys("leading_words")
_ELIDED = re.compile(r"^(?:[lLdD]['’])(?=\w)")
# Heads after a possessive that make a place name of it: "Hawke's Bay", "St John's Wood".
_POSSESSIVE_HEADS = lexicon.keys("possessive_place_heads")
_POSSESSIVE_AFTER = re.compile(r"^['’]s\s+([A-Z][\w-]*)")
# Given name, a nickname in straight or curly quotes, family name: Matiu "Matt" Ratana.
_NAME_WORD = r"[A-ZÀ-Ý][\w'’-]*"
NICKNAME = re.compile(
    rf"(?P<first>{_NAME_WORD}(?: {_NAME_WORD})*) [\"“«]\s?(?P<nick>{_NAME_WORD}(?: {_NAME_WORD})?)\s?[\"”»] "
    rf"(?P<last>{_NAME_WORD}(?: {_NAME_WORD})*)"
)
_ACRONYM = r"[A-Z][A-Za-z0-9&.\-]{0,11}[A-Z0-9.]"
_BRACKETED_ACRONYM = re.compile(rf"^\s*\(\s*({_ACRONYM})\s*\)")
_BRACKETED_NAME = re.compile(r"^\s*\(\s*([A-ZÀ-Ý][^()\n]{2,80}?)\s*\)")
_IS_ACRONYM = re.compile(rf"^{_ACRONYM}$")
# "words words (ACR)", and "ACR (words)" or "ACR [words]": an acronym and what it stands for.
_GLOSS_THEN_ACRONYM = re.compile(
    r"(?P<before>(?:[^\W\d_][\w'’-]*[ ]){1,10})\(\s*(?P<acronym>[A-Z][A-Za-z&.\-]{0,10}[A-Z])\s*\)"
)
# Where _GLOSS_THEN_ACRONYM can end: its bracketed acronym (see `_glosses_then_acronyms`).
_BRACKETED_ACRONYM_AT = re.compile(r"\(\s*[A-Z][A-Za-z&.\-]{0,10}[A-Z]\s*\)")
_ACRONYM_THEN_GLOSS = re.compile(
    r"(?<![\w.])(?P<acronym>[A-Z][A-Za-z&.\-]{0,10}[A-Z])\s*(?P<open>[(\[])\s*(?P<after>[^()\[\]\n]{3,80}?)\s*[)\]]"
)
# "M. Houdré", "M.Houdré", "Mrs Smith": an honorific only a person's name follows, inside the
# span or just before it (`lexicon/personal_honorifics.txt`).
_HONORIFIC = "|".join(
    re.escape(h.rstrip(".")) for h in sorted(lexicon.entries("personal_honorifics.txt"), key=len, reverse=True)
)
_HONORIFIC_INSIDE = re.compile(rf"^(?:{_HONORIFIC})(?:\.\s*|\s+)(?=[A-ZÀ-Ý])")
_HONORIFIC_BEFORE = re.compile(rf"(?<![\w.])(?:{_HONORIFIC})\.?\s*$")
# A French lower-case head and its preposition just before a span: "la place Tahrir",
# "le ministère de l'Intérieur" (heads in lexicon/french_name_heads.tsv).
# An adjective may stand between the head and its preposition ("l'université anglaise de
# Manchester"); an elided article may stand before the head ("l'université de Caen").
_FRENCH_HEAD_BEFORE = re.compile(
    r"(?<![\w-])([a-zàâçéèêëîïôûü]+(?:-[a-zàâçéèêëîïôûü]+)*)\s+(?:(?:de la|de l['’]|d['’]|de|du|des)\s*)?$"
)
_FRENCH_HEAD_ADJECTIVE_BEFORE = re.compile(
    r"(?<![\w-])([a-zàâçéèêëîïôûü]+)\s+[a-zàâçéèêëîïôûü]+\s+(?:de la|de l['’]|d['’]|de|du|des)\s*$"
)
_FRENCH_HEADS = lexicon.french_name_heads()
_PARTICLES = lexicon.keys("name_particles")
_NEXT_NAME_WORD = re.compile(r"^ ([A-ZÀ-Ý][\w'’-]*\w)")
# "the Bill and Melinda Gates Foundation": a first name and "and" cut off an organisation.
_NAME_AND_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+) (?:and|et|&) $")
# A span ending with "and" stops before the next name ("Sterling and" + "Francine Clark").
_CONJUNCTIONS = frozenset({"and", "et", "&"})
_TYPE_HEADS = lexicon.type_heads()
_GIVEN_NAMES = lexicon.keys("given_names")
# Days and months (`lexicon/time_words.txt`).
_TIME_WORDS = lexicon.keys("time_words")


@dataclass(frozen=True)
class AcronymLink:
    """An acronym and the expansion the text gives beside it: one entity."""

    acronym: RawMention
    expansion: RawMention


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).casefold()


def is_acronym_of(acronym: str, expansion: str) -> bool:
    """Whether the acronym's letters are initials, in order, of the expansion's words, the
    first one first ("EI" of "Etat islamique", "OTAN" of "Organisation du traité de
    l'Atlantique nord", "WHO" of "World Health Organization")."""
    letters = _letters(acronym)
    if len(letters) < 2 or not _IS_ACRONYM.match(acronym.strip()) or sum(c.isupper() for c in acronym) < 2:
        return False
    words = [w for w in re.split(r"[\s'’\-]+", expansion) if _letters(w)]
    while words and name_key(words[0]) in LEADING:
        words.pop(0)
    initials = [_letters(w)[0] for w in words]
    if len(words) < 2 or not initials or initials[0] != letters[0]:
        return False
    position = 0
    for letter in letters:
        while position < len(initials) and initials[position] != letter:
            position += 1
        if position == len(initials):
            return False
        position += 1
    return True


def is_acronym_like(name: str) -> bool:
    return bool(_IS_ACRONYM.match(name)) and sum(c.isupper() for c in name) >= 2 and " " not in name


def char_before(text: str, start: int, n: int = 1) -> str:
    """The last `n` characters of `text[:start]` without its trailing spaces and tabs (fewer
    at the start of the text), read from a few characters back (tagging asks at every
    mention: slicing the text from its start cost a copy of it each time)."""
    window = max(0, start - 32 - n)
    before = text[window:start].rstrip(" \t")
    if len(before) < n and window > 0:
        before = text[:start].rstrip(" \t")  # a long run of blanks
    return before[-n:]


def at_sentence_start(text: str, start: int) -> bool:
    before = char_before(text, start)
    return not before or before in '\n.!?:;"«“(—–-'


def _reslice(text: str, mention: RawMention, start: int, end: int, **changes) -> RawMention | None:
    # Trim spaces and edge punctuation that the new bounds may leave.
    while start < end and text[start] in " \t\n,;:":
        start += 1
    while end > start and text[end - 1] in " \t\n,;:(":
        end -= 1
    if end <= start:
        return None
    return replace(mention, start=start, end=end, text=text[start:end], **changes)


_PLACE_DESCRIPTIONS = lexicon.keys("place_descriptions")
# Before "of", the English words that say a place's name follows count too.
_ENGLISH_PLACE_DESCRIPTIONS = _PLACE_DESCRIPTIONS | lexicon.keys("place_descriptors")
_COMMON_NOUN_OF = re.compile(
    r"^([a-zàâçéèêëîïôûü][a-zàâçéèêëîïôûü-]+) (de la |de l['’]|d['’]|de |du |des |of the |of )(?=[A-ZÀ-Ý])"
)


def _strip_leading(text: str, mention: RawMention) -> RawMention | None:
    """Articles and prepositions at the start of a span go: lowercase ones always ("the
    Soviet Union", "la Floride", "de France", "of Gdańsk", "l'Irak"), capitalised ones at a
    sentence start, unless the gazetteer knows the name with them ("Le Caire", "The Hague");
    a capitalised one inside a sentence belongs to the name ("La Poste", "Le Monde"), but
    for an English "The"."""
    if mention.kind == EntityKind.PERSON:
        return mention  # "Le Drian", "De Gaulle": clean_person() knows titles from particles
    while True:
        surface = mention.text
        if surface[:1].isupper() and gazetteer.lookup(surface) is not None:
            return mention
        elided = _ELIDED.match(surface)
        common = _COMMON_NOUN_OF.match(surface)
        if elided:
            cut = elided.end()
        elif common and name_key(common.group(1)) in (
            _ENGLISH_PLACE_DESCRIPTIONS if common.group(2).startswith("of") else _PLACE_DESCRIPTIONS
        ):
            # "l'état de New-York", "le département du Lot", "le métro de New York": by the
            # capital-letter test the lowercase noun describes the place, the name follows.
            cut = common.end()
        else:
            first, _space, rest = surface.partition(" ")
            if not rest or name_key(first) not in LEADING:
                return mention
            cut = len(first) + 1
        # English writes "The" inside names it does not belong to ("The New York Times" is
        # the Times); French keeps its capitalised article ("La Poste").
        if surface[0].isupper() and not at_sentence_start(text, mention.start) and not surface.startswith("The "):
            return mention
        trimmed = _reslice(text, mention, mention.start + cut, mention.end)
        if trimmed is None:
            return None
        mention = trimmed


def _first_name_word(words: list[str]) -> str:
    """The first word of a phrase that is not an article or a preposition ("des accidents")."""
    for word in words:
        word = _ELIDED.sub("", word)
        if name_key(word) not in LEADING:
            return word
    return ""


def _glosses_then_acronyms(text: str) -> Iterator[re.Match]:
    """The matches of `_GLOSS_THEN_ACRONYM.finditer(text)`, the pattern tried only over the
    words just before each bracketed acronym: tried from every word of the text, it took a
    millisecond per article. Its words (at most 10, each ending with a space) never hold a
    bracket, so a match ends at the first bracketed acronym after its start and starts after
    the eleventh space before it; matches do not overlap, as finditer's."""
    end = 0
    for bracket in _BRACKETED_ACRONYM_AT.finditer(text):
        if bracket.start() < end:
            continue
        start = bracket.start()
        for _ in range(11):
            start = text.rfind(" ", end, start)
            if start == -1:
                break
        match = _GLOSS_THEN_ACRONYM.search(text, end if start == -1 else start + 1, bracket.end())
        if match is not None:
            yield match
            end = match.end()


def common_noun_acronyms(text: str) -> set[str]:
    """The acronyms the text spells out as a common noun, in lowercase, beside them: "accidents
    vasculaires cérébraux (AVC)", "salaire minimum interprofessionnel de croissance (SMIC)",
    "BPL [below poverty line]". A name is capitalised ("Front de libération nationale (FLN)",
    "Etat islamique (EI)"); by the guidelines' capital-letter test, what the text writes in
    lowercase is no entity, and neither is its acronym."""
    found = set()
    for match in _ACRONYM_THEN_GLOSS.finditer(text):
        acronym, gloss = match.group("acronym"), match.group("after")
        # An editor's gloss in square brackets writes a name in title case and a common noun
        # in sentence case ("ART [Anti-retroviral treatment]", "PrEP [Pre-exposure prophylaxis]").
        sentence_case = match.group("open") == "[" and all(w.islower() for w in gloss.split()[1:])
        if (gloss[:1].islower() or sentence_case) and is_acronym_of(acronym, gloss):
            found.add(acronym)
    for match in _glosses_then_acronyms(text):
        acronym, words = match.group("acronym"), match.group("before").split()
        # Every run of the words before the bracket that the acronym spells must start in
        # lowercase ("un mouvement populaire" is spelled by UMP, but so is "Union pour un
        # mouvement populaire").
        runs = [words[-n:] for n in range(2, len(words) + 1)]
        runs = [run for run in runs if is_acronym_of(acronym, " ".join([_ELIDED.sub("", run[0]), *run[1:]]))]
        if runs and not any(_first_name_word(run)[:1].isupper() for run in runs):
            found.add(acronym)
    return found


# A word at least this frequent in French or English text (wordfreq's Zipf scale: 4.0 is
# once in 100,000 words; "photographs" 4.3, "attendance" 4.2, "barroso" 2.8 in French,
# "mahomet" 3.6) is an ordinary word of the language when written lowercase.
COMMON_WORD_ZIPF = 4.0
LESS_COMMON_WORD_ZIPF = 2.5
_ADVERB_OR_PARTICIPLE = re.compile(r"(?:[a-z]ly|ment|ée|ées|és)$")
PERSON_NAME_WORDS = lexicon.keys("given_names") | lexicon.keys("surnames")


def preload() -> None:
    """Load wordfreq's English and French lists now (0.2-0.3 s, about 70 MB), not at the
    first article that asks (a worker process does it at start, as it loads the models)."""
    for language in ("en", "fr"):
        wordfreq.zipf_frequency("the", language)


def is_frequent_word(word: str) -> bool:
    """Whether a word, lowercased, is a frequent word of French or English (the languages the
    pipeline reads), and no given name or surname of the name lists ("Grant", "Rice" stay
    names) nor a name of the gazetteer ("Europe", "Turkey")."""
    if name_key(word) in PERSON_NAME_WORDS or gazetteer.lookup(word) is not None:
        return False
    lower = word.lower()
    # An adverb or a participle opening a clause ("Majorly, ...", "Submergée par ..."):
    # endings no name of the lists has; a word of the language at all is enough.
    threshold = LESS_COMMON_WORD_ZIPF if _ADVERB_OR_PARTICIPLE.search(lower) else COMMON_WORD_ZIPF
    return max(wordfreq.zipf_frequency(lower, "en"), wordfreq.zipf_frequency(lower, "fr")) >= threshold


# Around a word's occurrence: no word character or hyphen before it, none after it but an
# owner's "'s" ("Wings's album" is the word too).
_NO_WORD_BEFORE = re.compile(r"(?<![\w-])", re.IGNORECASE)
_NO_WORD_AFTER = re.compile(r"(?![\w-]|['’](?![sS]\b))", re.IGNORECASE)


def _occurrences(word: str, text: str) -> Iterator[re.Match]:
    """The occurrences of `word` in `text`, in any case, that are words of their own (an
    owner's "'s" after it allowed): the matches of one pattern, the word between
    `_NO_WORD_BEFORE` and `_NO_WORD_AFTER`, with IGNORECASE, found by `finditer` (left to
    right, not overlapping). Only the word is compiled per call: the whole pattern took
    0.4 ms to compile, for each word of each article."""
    literal = re.compile(re.escape(word), re.IGNORECASE)
    position = 0
    while (match := literal.search(text, position)) is not None:
        if _NO_WORD_BEFORE.match(text, match.start()) and _NO_WORD_AFTER.match(text, match.end()):
            yield match
            position = match.end()
        else:
            position = match.start() + 1


# The head words of organisations' and places' names ("Senate", "Army", "Court", "Académie"):
# written alone and capitalised, such a word names the body the article means, however
# frequent it is as a common noun.
HEAD_WORDS = frozenset(
    word for (_position, word), kind in _TYPE_HEADS.items() if kind in (EntityKind.ORGANISATION, EntityKind.PLACE)
)
# A French elided article or pronoun right before a word ("l'Union", "d'Amérique", "qu'Apple"):
# the capital after it is the name's own, never the sentence's.
_ELIDED_BEFORE = re.compile(r"(?<![\w'’-])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]$", re.IGNORECASE)


def _forced_capital(text: str, start: int, *, person: bool) -> bool:
    """Whether a word at `start` would be capitalised whatever it is: at a sentence start, after
    a colon, a quote or an interview's speaker tag ("((WN))"); after a bracket only for a person's name (a place or an organisation
    is often given in brackets: "Surabaya (Java)")."""
    before = char_before(text, start, 2)
    if before.endswith("))"):
        return True  # an interview's speaker tag opens a turn: "((Jaya)) Majorly, ..."
    if not at_sentence_start(text, start):
        return False
    return person or not before.endswith("(")


def is_common_word(word: str, texts: dict[str, str], *, person: bool = False) -> bool:
    """Whether a one-word name is a common word the article capitalises only where every word
    is (a sentence start, the headline) and never inside a sentence, as a name would be: the
    text also writes it in lowercase ("Taken", "Lockdown", "Focus"), or it is a frequent
    word of the language (`is_frequent_word`: "Photographs showed", "Attendance was",
    "Millions of", "Aviation civile"); or the text writes it all in capitals for emphasis
    ("TOGETHER"). A frequent word counts for an organisation or a place only when it is no
    head word of their names ("Senate", "Army" stand for the body) nor hyphenated (wordfreq
    reads "Radio-Canada" as two words); an elided article before it ("l'Union") shows a
    name's capital."""
    if " " in word or not word[:1].isupper():
        return False
    if word.isupper():
        # "TOGETHER!": a word shouted in capitals, when the text also writes it in lowercase
        # (an acronym's lowercase is no word of the text: "nasa", "cgt").
        return (
            len(word) > 3
            and re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", " ".join(t or "" for t in texts.values()))
            is not None
        )
    lowercase_seen = False
    if person:
        frequent = is_frequent_word(word)
    else:
        frequent = "-" not in word and name_key(word) not in HEAD_WORDS and is_frequent_word(word)
    for field, text in texts.items():
        for match in _occurrences(word, text or ""):
            found = match.group(0)
            before = text[max(0, match.start() - 8) : match.start()]
            if before[-1:] in ("'", "’"):  # never the start of a field: "" is in every string
                if found[:1].isupper() and _ELIDED_BEFORE.search(before):
                    return False  # "l'Union", "qu'Apple": a name inside a sentence
                continue  # inside a word ("O'Brien")
            if found == word.lower():
                lowercase_seen = True
                continue
            if re.match(r"['’][sS]\b", text[match.end() : match.end() + 3]):
                # "Trump's aides": an owner's name, however frequent the word ("trump").
                frequent = False
            if (
                found[:1].isupper()
                and field != "headline"
                and not _forced_capital(text, match.start(), person=person)
                # Transcribed speech capitalises clauses after a comma ("a little bit, Taken
                # someone's opinion"): a frequent word there is no person's name either.
                and not (person and frequent and char_before(text, match.start()) == ",")
            ):
                return False
    return lowercase_seen or frequent


def _cut_at_breaks(text: str, mention: RawMention) -> RawMention | None:
    """A span running over a line break or into a bracket keeps its first part."""
    surface = mention.text
    for separator in ("\n", " (", "("):
        position = surface.find(separator)
        if position > 0:
            return _reslice(text, mention, mention.start, mention.start + position)
    return mention


def _honorific_makes_person(text: str, mention: RawMention) -> RawMention:
    """A name after "M.", "Mme", "Mr", "Dr" is a person's ("M.Houdré" is no organisation)."""
    if mention.kind == EntityKind.PERSON:
        return mention
    if _HONORIFIC_INSIDE.match(mention.text) or _HONORIFIC_BEFORE.search(
        text[max(0, mention.start - 8) : mention.start]
    ):
        return replace(mention, kind=EntityKind.PERSON)
    return mention


# A portfolio, not an organisation: "minister for East African Affairs", "ministre du
# Redressement productif", "the committees on Foreign Affairs", "Interior Minister",
# "Defence Secretary": the subject of a minister's post or a committee (a secretary "of" is
# also an organisation's: "general secretary of the RMT union").
_PORTFOLIO_BEFORE = re.compile(
    r"(?<![\w-])(?:(?:minister|ministers|ministre|ministres)\s+(?:for|of|de|du|des|de la|de l['’]|d['’]|à la|aux|chargée? (?:de|du|des))"
    r"|(?:committee|committees)\s+on)\s*(?:the\s+)?$"
)
_PORTFOLIO_AFTER = re.compile(
    r"^(?:\s+(?:and|&)(?:\s+[A-Z][\w'’-]*){1,3})?\s+(?:Minister|minister|Ministers|ministers|Secretary)\b"
)


_LIST_GAP = re.compile(r"^(?:,\s*(?:(?:and|et)\s+)?|\s+(?:and|et)\s+)$")


def is_portfolio(text: str, mention: RawMention) -> bool:
    """Whether an organisation's span is the portfolio of a post named around it ("Road
    Transport and Bridges Minister": the model may call the last word a person's)."""
    after = text[mention.end : mention.end + 60]
    if mention.kind == EntityKind.PERSON:
        return " " not in mention.text and bool(_PORTFOLIO_AFTER.match(after))
    if mention.kind != EntityKind.ORGANISATION:
        return False
    before = text[max(0, mention.start - 40) : mention.start]
    return bool(_PORTFOLIO_BEFORE.search(before) or _PORTFOLIO_AFTER.match(after))


# "in La Llagosta", "near Yartsevo": what a person is never written after (a possessive
# aside: "in Trump's view").
_PLACE_PREPOSITION = re.compile(r"(?<![\w-])(?:in|near)\s+$")


def _preposition_makes_place(text: str, mention: RawMention) -> RawMention:
    """A name the model called a person's, written right after "in" or "near", is a place's."""
    if mention.kind != EntityKind.PERSON or not _PLACE_PREPOSITION.search(
        text[max(0, mention.start - 6) : mention.start]
    ):
        return mention
    if re.match(r"['’]s?\b", text[mention.end : mention.end + 2]):
        return mention
    return replace(mention, kind=EntityKind.PLACE)


# What the text says a name is, right before it or in an apposition after it: an
# organisation ("the company Cultura Colectiva", "law firm Sidley Austin", "UpGuard, a
# cybersecurity firm,") or a person ("entrepreneur Brock Pierce"). Mentions typed so carry
# this label, and their type is decided like a head word's (clustering, evidence).
CONTEXT = "CONTEXT"
_ORGANISATION_WORDS = lexicon.keys("organisation_descriptors")
_OCCUPATIONS = lexicon.keys("occupations")
_EITHER = lexicon.keys("ambiguous_descriptors")
_WORD_BEFORE = re.compile(r"(?<![\w'’-])([a-z][\w-]*) $")
_APPOSITION = re.compile(r"^, (?:(?:formerly|now|once|originally) )?(?:a|an|the) ([\w’'-]+(?: [\w’'-]+){0,4})")
# The head of an apposition that says a place is named: a place's head word or noun
# ("Speed, a small town in", "Hagia Sophia, formerly a Greek Orthodox church";
# `lexicon/place_nouns.txt`).
_PLACE_HEADS = {word for (position, word), kind in _TYPE_HEADS.items() if position == "last" and kind == "place"}
_PLACE_APPOSITION_HEADS = frozenset(_PLACE_HEADS | lexicon.keys("place_nouns"))
# "the mayor of Yartsevo", "the district of Groom" (`lexicon/place_descriptors.txt`).
_PLACE_WORDS = lexicon.keys("place_descriptors")
_PLACE_WORD_OF = re.compile(r"(?<![\w'’-])([a-z]+) of $")
_POST_OF_BEFORE = re.compile(r"(?<![\w'’-])([a-z][\w-]*) of (?:the )?[A-ZÀ-Ý][\w'’-]*(?: [A-ZÀ-Ý][\w'’-]*){0,3}, $")
_OF_BEFORE = re.compile(r"(?<![\w-])(?:of|at|from|for|with) $")
# Where an apposition's head noun ends, English and French (a French "a" is "has": "Lyn
# Ocita, a déclaré à la radio").
_NOT_IN_APPOSITION = frozenset(
    [
        "of",
        "for",
        "in",
        "at",
        "with",
        "by",
        "to",
        "on",
        "from",
        "near",
        "and",
        "or",
        "but",
        "who",
        "which",
        "that",
        "whose",
        "where",
        "than",
        "as",
        "since",
        "a",
        "à",
        "de",
        "du",
        "des",
        "en",
        "pour",
        "par",
        "avec",
        "dans",
        "sur",
        "et",
        "ou",
        "qui",
        "que",
    ]
)


def descriptor_kind(word: str) -> str | None:
    key = name_key(word)
    for form in (key, key[:-1] if key.endswith("s") else None):
        if form in _EITHER:
            return None
        if form in _ORGANISATION_WORDS:
            return EntityKind.ORGANISATION
        if form in _OCCUPATIONS:
            return EntityKind.PERSON
    return None


def context_kind(text: str, mention: RawMention) -> str | None:
    """The kind the words around a span give it: a descriptor just before it, or the head
    of an apposition after it (`lexicon/organisation_descriptors.txt`, `occupations.txt`), or
    a place's word and "of" before it (`place_descriptors.txt`)."""
    before = _WORD_BEFORE.search(text, max(0, mention.start - 30), mention.start)
    if before is not None and (kind := descriptor_kind(before.group(1))) is not None:
        return kind
    place = _PLACE_WORD_OF.search(text, max(0, mention.start - 30), mention.start)
    if place is not None and name_key(place.group(1)) in _PLACE_WORDS:
        return EntityKind.PLACE
    post = _POST_OF_BEFORE.search(text, max(0, mention.start - 60), mention.start)
    if post is not None and descriptor_kind(post.group(1)) == EntityKind.PERSON:
        return EntityKind.PERSON  # "the president of Namibia, Hage Geingob,"
    if _OF_BEFORE.search(text, max(0, mention.start - 6), mention.start):
        return None  # "Tristan Smith of University College London, a researcher": his
    after = _APPOSITION.match(text[mention.end : mention.end + 80])
    if after is None:
        return None
    # The apposition's head: its last word before any preposition or clause ("a Berlin-based
    # non-profit", "an airport protocol officer", "the head of the company").
    words = []
    for word in after.group(1).split(" "):
        if name_key(word) in _NOT_IN_APPOSITION:
            break
        words.append(word)
    head = words[-1] if words else ""
    if not head[:1].islower():
        return None
    if (kind := descriptor_kind(head)) is not None:
        return kind
    return EntityKind.PLACE if name_key(head) in _PLACE_APPOSITION_HEADS else None


def _context_types(text: str, mention: RawMention) -> RawMention:
    """A span's kind as the text around it says (see `context_kind`); a person's only for
    a name of capitalised words, two or more."""
    kind = context_kind(text, mention)
    if kind is None or kind == mention.kind or not mention.text[:1].isupper():
        return mention
    words = mention.text.split(" ")
    if kind == EntityKind.PERSON and (len(words) < 2 or not all(w[:1].isupper() for w in words)):
        return mention
    return replace(mention, kind=kind, label=CONTEXT)


# The endings of English and French nouns for what a person does ("Broadcaster",
# "Guitarist", "Comedian", "Spokesman", "Consultant", "Chercheuse").
_AGENT_NOUN = re.compile(r"(?:er|or|ist|ian|ant|ent|man|woman|eur|euse|iste|ien|ienne)$")


def _strip_sentence_start_noun(text: str, mention: RawMention) -> RawMention:
    """ "Broadcaster Piers Morgan", "Immunologist Kristian Andersen": a common noun that opens
    a sentence, so capitalised, before a given name and a surname (or a noun of what a person
    does, before two names) is the person's job, not part of the name (a given name itself is
    kept: "Mary Ann Smith")."""
    if mention.kind != EntityKind.PERSON or not at_sentence_start(text, mention.start):
        return mention
    words = mention.text.split(" ")
    first = words[0]
    if len(words) < 3 or not (first[:1].isupper() and first[1:].isalpha() and first[1:].islower()):
        return mention
    if name_key(first) in _GIVEN_NAMES or not words[1][1:].islower():
        return mention
    if name_key(words[1]) not in _GIVEN_NAMES and not _AGENT_NOUN.search(first):
        return mention
    return replace(mention, start=mention.start + len(first) + 1, text=" ".join(words[1:]))


def _cut_trailing_time_words(text: str, mention: RawMention) -> RawMention | None:
    """ "New Jersey mercredi": a lowercase day or month after a name is no part of it, nor is
    a conjunction ("Sterling and")."""
    words = list(re.finditer(r"\S+", mention.text))
    end = len(words)
    while end > 1 and (
        (words[end - 1].group(0).islower() and name_key(words[end - 1].group(0)) in _TIME_WORDS)
        or words[end - 1].group(0) in _CONJUNCTIONS
    ):
        end -= 1
    if end == len(words):
        return mention
    return _reslice(text, mention, mention.start, mention.start + words[end - 1].end())


_NUMBERED_PLACE_HEADS = lexicon.keys("numbered_place_heads")
_NUMBER_AFTER = re.compile(r"^ (\d{1,4}[A-Z]?)\b(?![.,]\d)")


def is_numbered_place(name: str) -> bool:
    """Whether a name with digits is a numbered road's or pier's ("U.S. Route 2")."""
    words = name.split(" ")
    return (
        len(words) > 1 and name_key(words[-2]) in _NUMBERED_PLACE_HEADS and bool(_NUMBER_AFTER.match(f" {words[-1]}"))
    )


_NUMBERED_NAME = re.compile(r"^[A-ZÀ-Ý][\w'’-]* \d{1,3}$")


def is_numbered_name(name: str) -> bool:
    """Whether a name is one capitalised word and a number, the way broadcasters name
    themselves ("France 24", "Europe 1", "Channel 7"): for a span the model calls an
    organisation's. Longer names with a number are a flight's or a version's ("Lion Air
    Flight 610", "Red Hat 7")."""
    return bool(_NUMBERED_NAME.match(name))


def _extend_over_number(text: str, mention: RawMention) -> RawMention:
    """ "U.S. Route" + "2": a road's (or a pier's) number is part of its name."""
    if mention.kind == EntityKind.PERSON or name_key(mention.text.rsplit(" ", 1)[-1]) not in _NUMBERED_PLACE_HEADS:
        return mention
    number = _NUMBER_AFTER.match(text[mention.end : mention.end + 8])
    if number is None:
        return mention
    end = mention.end + number.end()
    return replace(mention, end=end, text=text[mention.start : end], kind=EntityKind.PLACE)


_POSSESSOR = re.compile(r"^(?P<owner>[^'’]+)['’]s (?P<rest>[A-ZÀ-Ý].*)$")


def _piece(mention: RawMention, offset: int, surface: str, kind: str | None, label: str) -> RawMention:
    start = mention.start + offset
    return RawMention(mention.field, start, start + len(surface), surface, kind, label)


def _split_known_lead(mention: RawMention) -> list[RawMention]:
    """A span that opens with a place or organisation the gazetteer knows, followed by
    another name, is two mentions: a country, a region or an organisation before a person's
    name ("Senator from Vermont Bernie Sanders": the model's span "Vermont Bernie Sanders";
    "fondateur de WikiLeaks Julian Assange"; never a town's name, "San Diego", "Santiago Omar
    Riveros"), the owner before a possessive
    ("Hulu's Beyond Fest", "China's Foreign Ministry"). Never a name the gazetteer knows
    whole."""
    surface = mention.text
    if " " not in surface or gazetteer.lookup(surface) is not None:
        return [mention]
    owned = _POSSESSOR.match(surface)
    if owned is not None and mention.kind != EntityKind.PERSON:
        entry = gazetteer.lookup(owned.group("owner"))
        if entry is not None:
            return [
                _piece(mention, 0, owned.group("owner"), entry.kind, "GAZETTEER"),
                _piece(mention, owned.start("rest"), owned.group("rest"), mention.kind, mention.label),
            ]
        return [mention]
    words = surface.split(" ")
    for n in (3, 2, 1):
        rest = words[n:]
        if not 2 <= len(rest) <= 3 or name_key(rest[0]) not in _GIVEN_NAMES:
            continue
        if not all(w[:1].isupper() and w[1:].islower() for w in rest):
            continue
        if ("last", name_key(rest[-1])) in _TYPE_HEADS:
            continue  # "US Marine Corps"
        entry = gazetteer.lookup(" ".join(words[:n]))
        if entry is not None and (
            (entry.kind == EntityKind.PLACE and entry.subtype != "city") or entry.kind == EntityKind.ORGANISATION
        ):
            head = " ".join(words[:n])
            return [
                _piece(mention, 0, head, entry.kind, "GAZETTEER"),
                _piece(mention, len(head) + 1, " ".join(rest), EntityKind.PERSON, mention.label),
            ]
    return [mention]


def _extend_abbreviation(text: str, mention: RawMention) -> RawMention:
    # "U.S" + "." : the model leaves the final dot of an abbreviation out of the span.
    if text[mention.end : mention.end + 1] == "." and re.search(r"(?:^|[.\s])[A-Z]\.[A-Z]$", mention.text):
        return replace(mention, end=mention.end + 1, text=text[mention.start : mention.end + 1])
    return mention


def _extend_over_french_head(text: str, mention: RawMention) -> RawMention:
    """ "place Tahrir", "ministère de l'Intérieur", "université de Caen": a lower-case head
    before the span belongs to the name, and types it."""
    if not mention.text[:1].isupper():
        return mention
    kind = None
    for pattern in (_FRENCH_HEAD_BEFORE, _FRENCH_HEAD_ADJECTIVE_BEFORE):
        before = pattern.search(text, max(0, mention.start - 40), mention.start)
        # A compound head types by its last part ("basilique-cathédrale").
        if before is not None and (kind := _FRENCH_HEADS.get(name_key(before.group(1).rsplit("-", 1)[-1]))):
            break
    if before is None or kind is None:
        return mention
    start = before.start(1)
    kind = mention.kind if kind == "keep" else kind
    return replace(mention, start=start, text=text[start : mention.end], kind=kind)


def _extend_after_particle(text: str, mention: RawMention) -> RawMention:
    """ "Armel Le" + "Cléac'h": a person's name does not end with a particle."""
    if mention.kind != EntityKind.PERSON or " " not in mention.text:
        return mention
    if name_key(mention.text.rsplit(" ", 1)[1]) not in _PARTICLES:
        return mention
    following = _NEXT_NAME_WORD.match(text[mention.end :])
    if following is None:
        return mention
    end = mention.end + following.end()
    return replace(mention, end=end, text=text[mention.start : end])


def _extend_over_joined_name(text: str, mention: RawMention, taken: list[RawMention]) -> RawMention:
    """ "the Bill and Melinda Gates Foundation", "the Bread and Roses Party": an organisation
    whose head types it, cut after a capitalised word and "and" nothing else claims."""
    if mention.kind not in (EntityKind.ORGANISATION, EntityKind.PERSON) or " " not in mention.text:
        return mention
    if _TYPE_HEADS.get(("last", name_key(mention.text.rsplit(" ", 1)[1]))) != EntityKind.ORGANISATION:
        return mention
    # The model may call the part after "and" a person ("Gordon and" + "Betty Moore Foundation").
    mention = replace(mention, kind=EntityKind.ORGANISATION)
    before = _NAME_AND_BEFORE.search(text, max(0, mention.start - 30), mention.start)
    if (
        before is None
        or at_sentence_start(text, before.start(1))
        # Another name there stops it, but for a first name alone ("Bill" of "Bill and Melinda").
        or any(_overlaps(m, *before.span(1)) and (m.start, m.end) != before.span(1) for m in taken)
    ):
        return mention
    start = before.start(1)
    return replace(mention, start=start, text=text[start : mention.end])


# The capitalised head word of an organisation or a place the model cut off a name: after
# it, ending a run of up to three capitalised words, "for" before one ("Eastern Shoshone" +
# "Tribe", "Cinema" + "for Peace Foundation"; "and" joins two names, "of" a post: "Labour"
# + "Member of Parliament"), or an organisation's head and "of" before it
# ("University of" + "Pennsylvania", "Bank of" + "England"). Heads in type_heads.tsv.
_WORDS_AFTER = re.compile(r"^((?: (?:for )?[A-Z][\w-]*){1,3})(?![\w'’-]| [A-Z])")
_HEAD_OF_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+) of (?:the )?$")


def _extend_over_head(text: str, mention: RawMention, taken: list[RawMention]) -> RawMention:
    """A place's or an organisation's name the model cut before or after its head word (see
    `_WORDS_AFTER`), when no other span lies across the words it takes back."""
    if (mention.kind == EntityKind.PERSON and " " in mention.text) or mention.text[-1:] in "'’s":
        return mention  # a possessive owns what follows ("South Korea's National Police Agency")
    start, end, kind = mention.start, mention.end, mention.kind
    after = _WORDS_AFTER.match(text[mention.end : mention.end + 80])
    if after is not None and gazetteer.lookup(mention.text) is None:
        # A known place before a name is its own ("U.S. Guantanamo Bay"). The run ends with
        # the head ("Eastern Shoshone Tribe", not "U.S. District Judge").
        head_kind = _TYPE_HEADS.get(("last", name_key(after.group(1).rsplit(" ", 1)[1])))
        if head_kind in (EntityKind.ORGANISATION, EntityKind.PLACE):
            end, kind = mention.end + len(after.group(1)), head_kind
    before = _HEAD_OF_BEFORE.search(text, max(0, mention.start - 30), mention.start)
    if before is not None and _TYPE_HEADS.get(("last", name_key(before.group(1)))) == EntityKind.ORGANISATION:
        start, kind = before.start(1), EntityKind.ORGANISATION
    if (start, end) == (mention.start, mention.end):
        return mention
    if any(o is not mention and _overlaps(o, start, end) for o in taken):
        return mention
    return replace(mention, start=start, end=end, text=text[start:end], kind=kind)


_INNER_ARTICLES = frozenset({"Le", "La", "Les", "L'", "The", "El", "Los", "Las", "Die", "Der", "Das"})


def _join_adjacent_organisations(text: str, mentions: list[RawMention]) -> list[RawMention]:
    """ "Europe Écologie" + "Les Verts": an organisation's span right after another's, with
    one space between them and starting with a capitalised article, is the end of one name
    the model cut at the article (a list would have its comma)."""
    out: list[RawMention] = []
    for mention in mentions:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.kind == mention.kind == EntityKind.ORGANISATION
            and text[previous.end : mention.start] == " "
            and mention.text.split(" ", 1)[0] in _INNER_ARTICLES
            and gazetteer.lookup(previous.text) is None
            and gazetteer.lookup(mention.text) is None
        ):
            out[-1] = replace(previous, end=mention.end, text=text[previous.start : mention.end])
            continue
        out.append(mention)
    return out


def _overlaps(a: RawMention, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def _bracketed(mention: RawMention, bracket: re.Match, starts: dict, added: list) -> RawMention:
    """The mention in the brackets after `mention` (the model's own, or a new one of the same
    type, added to `added`)."""
    start = mention.end + bracket.start(1)
    found = starts.get(start)
    if found is None:
        text = bracket.group(1)
        found = RawMention(mention.field, start, start + len(text), text, mention.kind, mention.label)
        added.append(found)
    return found


# Names the model cut short or ran together (issue 17): "Utah" of "Utah Jazz", "Columbus" of
# "Knights of Columbus", "Commonwealth Federation" of "Co-operative Commonwealth Federation";
# "MPof".
# A capitalised word that may continue a name: a word of two letters or more, or initials
# with their dots ("D.C.").
_RUN_WORD = r"(?:[A-Z]\.){2,}|[A-ZÀ-Ý][\w&'’-]+"
# A word cut by an editor's bracket ("Tulare Count[ies]") is no word of a name (a footnote,
# "Met Office[1]", leaves it whole).
_RUN_WORD_AFTER = re.compile(rf" (?:(for|of) )?({_RUN_WORD})(?![\w&'’(-]|\[[^\W\d])")
_RUN_BEFORE = re.compile(rf"((?:{_RUN_WORD}|\d{{1,4}})(?: (?:{_RUN_WORD}|\d{{1,4}}))*) (of )?$")
# Words that never continue a cut name ("France" + "Monday", "Texas" + "Governor", "U.S.
# District" + "Judge", "Turkish" + "Cyprus"): times, titles and posts, occupations,
# nationalities, party members (`lexicon/name_run_stops.txt` and the lists it names).
_RUN_STOPS = (
    lexicon.keys("name_run_stops")
    | _TIME_WORDS
    | lexicon.keys("honorifics")
    | lexicon.keys("person_prefixes")
    | _OCCUPATIONS
    | lexicon.demonym_keys()
)
# "US Presidential election", "U.S. Federal government": an English adjective, the name is
# done; so is it before "Kurdish-led", "London-based".
_ADJECTIVE_ENDING = re.compile(r"(?:al|ic|ive|ous|ary|ern)$")
_PARTICIPLE_COMPOUND = re.compile(r"-[a-z]+ed$")
_GLUED_PREPOSITION = re.compile(r"^([A-Z]{2,})(?:of|for|in|and|de|du|des|et)$")


def _unglue(text: str, mention: RawMention) -> RawMention | None:
    """ "one MPof the Co-operative...": an acronym run together with the preposition after it
    (a missing space) is the acronym alone."""
    glued = _GLUED_PREPOSITION.match(mention.text)
    if glued is None:
        return mention
    return _reslice(text, mention, mention.start, mention.start + len(glued.group(1)))


def _free(taken: list[RawMention], mention: RawMention, start: int, end: int) -> bool:
    return not any(o is not mention and _overlaps(o, start, end) for o in taken)


_CLEAN_NAME = re.compile(r"^[A-ZÀ-Ý][\w.'’&-]*(?: [\w.'’&-]+)* [A-ZÀ-Ý][\w.'’&-]*$")


class _ArticleWords:
    """What the whole article says of its words, built at the first question: the words it
    writes in lowercase somewhere ("federal", "presidential": a capitalised one is a common
    word), and the words of the people it names in full ("Cummings" of "Elijah Cummings")."""

    _WORD = re.compile(r"(?<![\w'’-])[a-zà-ÿ][\w'’-]*")

    def __init__(self, texts: dict[str, str], mentions: list[RawMention]) -> None:
        self._texts = texts
        self._mentions = mentions
        self._lowercase: set[str] | None = None
        self._people: set[str] | None = None
        self._longer: dict[str, list[tuple[str, str]]] | None = None

    def lowercase(self, word: str) -> bool:
        if self._lowercase is None:
            self._lowercase = {w for t in self._texts.values() for w in self._WORD.findall(t or "")}
        return word.lower() in self._lowercase

    def longer_names(self, surface: str) -> list[tuple[str, str]]:
        """The names of the article's non-person spans that start with `surface` and go on
        (casefolded), with their kind."""
        if self._longer is None:
            self._longer = {}
            for m in self._mentions:
                # A clean name: capitalised at both ends, no bracket nor a time word in it.
                if m.kind not in (EntityKind.PERSON, None) and _CLEAN_NAME.match(m.text):
                    self._longer.setdefault(m.text.split(" ", 1)[0].casefold(), []).append((m.text.casefold(), m.kind))
        folded = surface.casefold()
        return [
            (name, kind)
            for name, kind in self._longer.get(folded.split(" ", 1)[0], ())
            if len(name) > len(folded) and name.startswith(folded + " ")
        ]

    def written_once(self, surface: str) -> bool:
        """Whether the article writes this string once in all (as a word or inside one)."""
        return sum((t or "").count(surface) for t in self._texts.values()) == 1

    def of_person(self, word: str) -> bool:
        if self._people is None:
            # A full name's words but the first (a given name may be a place's: "Paris
            # Hilton"), a name written alone whole.
            self._people = {
                w
                for m in self._mentions
                if m.kind == EntityKind.PERSON
                for w in (lambda k: k[1:] or k)(name_key(m.text).split())
            }
        return name_key(word) in self._people


def _ends_name(word: str, words: _ArticleWords) -> bool:
    """Whether a capitalised word after a name cannot continue it: a title or a post, a
    time, a nationality, a given name or a word of a person's name (a person's name starts
    there: "Mayor of London Sadiq Khan", "MSNBC Cummings"), a common word the article also
    writes in lowercase ("U.S. Federal government"), an English adjective, a word with
    digits (a model's or a product's: "Airbus A320")."""
    key = name_key(word)
    return (
        key in _RUN_STOPS
        or key in _GIVEN_NAMES
        or words.of_person(word)
        or any(c.isdigit() for c in word)
        or bool(_PARTICIPLE_COMPOUND.search(word))
        or words.lowercase(word)
        or (bool(_ADJECTIVE_ENDING.search(word)) and is_frequent_word(word))
    )


def _run_after(text: str, mention: RawMention, taken: list[RawMention], words: _ArticleWords) -> tuple[int, str | None]:
    """Where a name cut before capitalised words that continue it ends ("Utah" + "Jazz",
    "Crédit Mutuel" + "CIC", an organisation's "Black Voices" + "for Trump", "the United
    States" + "House of Representatives"), and the kind the longer name takes: a place the
    gazetteer knows, continued by a word that is no place's head, names an organisation
    ("Utah Jazz"). A run that meets a word that ends names (`_ends_name`) or another span
    was no name of its own ("Texas Governor", "U.S. District Judge"): none is taken."""
    surface = mention.text
    if (
        surface.endswith(("'", "’", "'s", "’s", ".", "!", "?"))
        or ("last", name_key(surface.rsplit(" ", 1)[-1])) in _TYPE_HEADS
    ):
        # A possessive owns what follows ("Red Hat's GNU"); a name ending with its head word
        # is whole ("Democratic National Convention"); a dot may end the sentence.
        return mention.end, None
    end, joined = mention.end, False
    before_for: int | None = None
    after_for: list[str] = []
    while (word := _RUN_WORD_AFTER.match(text, end)) is not None:
        connector, found = word.group(1), word.group(2)
        if connector:
            # "Black Voices for Trump", "American Civil Liberties Union of Montana": once, after
            # an organisation's name written in words, before no place the gazetteer knows as
            # one ("House of Representatives for Ibaraki").
            if (
                joined
                or mention.kind != EntityKind.ORGANISATION
                or surface.isupper()
                or name_key(surface.split(" ", 1)[0]) in _GIVEN_NAMES  # "Paul Rivera of WESH"
            ):
                break
            known = gazetteer.lookup(found)
            if connector == "for" and known is not None and known.kind == EntityKind.PLACE:
                break
        if found.endswith(("'s", "’s")):
            break
        joined = joined or connector is not None
        # After "for", a person's name is what the body stands for ("Black Voices for Trump").
        if (_ends_name(found, words) and not (joined and words.of_person(found))) or not _free(
            taken, mention, end, word.end()
        ):
            return mention.end, None
        if any(o.kind == EntityKind.PERSON and o.start == word.end() + 1 for o in taken):
            return mention.end, None  # a given name the lists lack ("New York Roslynn Mauskopf")
        if connector == "for":
            before_for = end
        if before_for is not None:
            after_for.append(found)
        end = word.end()
        if found.endswith("."):
            break  # "Washington, D.C. Selon...": the sentence may end there
    if before_for is not None and len(after_for) == 1 and not words.of_person(after_for[0]):
        # One word after "for" is a person the body stands for ("Black Voices for Trump");
        # another one word is a place or a cause ("House of Representatives for Ibaraki").
        end = before_for
    if end == mention.end:
        return end, None
    head = _TYPE_HEADS.get(("last", name_key(text[mention.end : end].rsplit(" ", 1)[-1])))
    if head == "none":
        return mention.end, None  # "London Marathon": the place names an event
    if head is None and mention.kind == EntityKind.PLACE and gazetteer.lookup(surface) is not None:
        head = EntityKind.ORGANISATION
    return end, head or mention.kind


def _run_before(
    text: str, mention: RawMention, taken: list[RawMention], words: _ArticleWords
) -> tuple[int, str | None]:
    """Where a name cut after capitalised words (or a number) that begin it starts
    ("Co-operative" + "Commonwealth Federation", "Knights of" + "Columbus"), and the kind the
    longer name takes. A sentence's first word is no evidence, nor is a frequent word
    ("Republican Iowa", "Across India"), nor an acronym ("NGO Amnesty International"); a word
    that ends names (`_ends_name`) or another span stops it."""
    found = _RUN_BEFORE.search(text, max(0, mention.start - 80), mention.start)
    if found is None:
        return mention.start, None
    connector = found.group(2)
    if connector and mention.kind != EntityKind.PLACE:
        # "Member of Parliament", "Speaker of the House": posts.
        return mention.start, None
    if not _free(taken, mention, found.start(1), found.end(1)):
        return mention.start, None  # the model's own spans there: "116th United" + "States Congress"
    run = list(re.finditer(r"\S+", found.group(1)))
    keep = 0
    for i, word in enumerate(run):
        written = word.group(0)
        if name_key(written) in LEADING or written.isupper() or written.endswith(("'s", "’s", "'", "’")):
            keep = i + 1
        elif _ends_name(written, words) or (not connector and is_frequent_word(written)):
            return mention.start, None
    while keep < len(run) and (
        run[keep].group(0)[0].isdigit() or at_sentence_start(text, found.start(1) + run[keep].start())
    ):
        keep += 1
    if keep == len(run):
        return mention.start, None
    last = run[-1].group(0)
    if connector and (keep > 0 or not last.endswith("s") or last.endswith("'s")):
        # "Knights of Columbus", "Ex-Muslims of North America": a body of many named after a
        # place; "Bishop of Marbel", "District of Helmand" are not.
        return mention.start, None
    start = found.start(1) + run[keep].start()
    head = _TYPE_HEADS.get(("last", name_key(mention.text.rsplit(" ", 1)[-1])))
    if connector:
        head = _TYPE_HEADS.get(("last", name_key(last))) or EntityKind.ORGANISATION
    if head == "none":
        return mention.start, None  # "Battle of Hastings": the place names an event
    return start, head or mention.kind


def _grow_cut_names(text: str, field: str, mentions: list[RawMention], words: _ArticleWords) -> list[RawMention]:
    """A name the model cut out of a longer capitalised name, inside a sentence, is the
    longer name (see `_run_after`, `_run_before`): never a person's (titles and given names
    stand before surnames), never in a headline (every word is capitalised there)."""
    if field == "headline":
        return mentions
    out = []
    for mention in mentions:
        if mention.kind in (EntityKind.PERSON, None) or not mention.text[:1].isupper():
            out.append(mention)
            continue
        # Cheap tests first: a capitalised word or "for"/"of" right after, a word right before.
        after = text[mention.end : mention.end + 2]
        end, after_kind = (
            _run_after(text, mention, mentions, words)
            if after[:1] == " " and (after[1:].isupper() or after[1:] in "fo")
            else (mention.end, None)
        )
        previous = text[text.rfind(" ", max(0, mention.start - 40), mention.start - 1) + 1 : mention.start]
        start, before_kind = (
            _run_before(text, mention, mentions, words)
            if previous[-1:] == " " and (previous[:1].isupper() or previous[:1].isdigit() or previous == "of ")
            else (mention.start, None)
        )
        if (start, end) == (mention.start, mention.end):
            out.append(mention)
            continue
        kind = after_kind if end != mention.end else before_kind
        grown = replace(mention, start=start, end=end, text=text[start:end], kind=kind)
        if _JOINED_BY_PREPOSITION.search(grown.text) and not _JOINED_BY_PREPOSITION.search(mention.text):
            # "Black Voices for Trump": what stands before "for" or "of" is what is named,
            # not the person after it.
            grown = replace(grown, label=CONTEXT)
        out.append(grown)
    return out


_JOINED_BY_PREPOSITION = re.compile(r" (?:of|for) [A-ZÀ-Ý]")
_CAPITALISED_NEXT = re.compile(r" [A-ZÀ-Ý]")


def is_one_known_name(surface: str) -> bool:
    """Whether a name written in pieces ("Washington, D.C.") is one name the gazetteer knows,
    each piece naming that entity or nothing ("San Antonio, Texas" is two: Texas is another)."""
    whole = gazetteer.lookup(surface)
    if whole is None:
        return False
    for piece in re.split(r",? ", surface):
        entry = gazetteer.lookup(piece)
        if entry is not None and entry.id != whole.id:
            return False
    return True


def _join_known_pieces(text: str, mentions: list[RawMention]) -> list[RawMention]:
    """ "Washington" + ", " + "D.C.": two spans side by side, a comma or a space between them,
    that together write a name the gazetteer knows are one mention of it."""
    out: list[RawMention] = []
    for mention in mentions:
        previous = out[-1] if out else None
        if (
            previous is not None
            and mention.kind != EntityKind.PERSON
            and previous.kind != EntityKind.PERSON
            and text[previous.end : mention.start] in (" ", ", ")
            and is_one_known_name(text[previous.start : mention.end])
        ):
            entry = gazetteer.lookup(text[previous.start : mention.end])
            out[-1] = replace(previous, end=mention.end, text=text[previous.start : mention.end], kind=entry.kind)
            continue
        out.append(mention)
    return out


def _join_owner_and_place(text: str, mentions: list[RawMention], words: _ArticleWords) -> list[RawMention]:
    """ "Grauman" + "'s " + "Egyptian Theatre": a one-word name the article writes nowhere
    else, before a possessive and a place's or an organisation's name its head word types, is
    the first word of that name (a name written elsewhere, or one the gazetteer knows, owns
    what follows: "Trump's White House", "Hulu's Beyond Fest")."""
    out: list[RawMention] = []
    for mention in mentions:
        previous = out[-1] if out else None
        if (
            previous is not None
            and " " not in previous.text
            and previous.text[:1].isupper()
            and text[previous.end : mention.start] in ("'s ", "’s ")
            and _TYPE_HEADS.get(("last", name_key(mention.text.rsplit(" ", 1)[-1])))
            in (EntityKind.PLACE, EntityKind.ORGANISATION)
            and gazetteer.lookup(previous.text) is None
            and words.written_once(previous.text)
        ):
            kind = _TYPE_HEADS[("last", name_key(mention.text.rsplit(" ", 1)[-1]))]
            out[-1] = replace(previous, end=mention.end, text=text[previous.start : mention.end], kind=kind)
            continue
        out.append(mention)
    return out


def _grow_to_longer_names(text: str, mentions: list[RawMention], words: _ArticleWords) -> list[RawMention]:
    """ "Amazon" + "Web services" beside "Amazon Web Services" elsewhere: a span the text
    continues with the rest of a longer name the article writes (in any case) is that name."""
    out = []
    for mention in mentions:
        if mention.kind == EntityKind.PERSON:
            out.append(mention)
            continue
        end = mention.end
        for name, kind in words.longer_names(mention.text):
            stop = mention.start + len(name)
            if (
                stop > end
                and text[mention.start : stop].casefold() == name
                and not text[stop : stop + 1].isalnum()
                and not _CAPITALISED_NEXT.match(text, stop)  # a longer name still: "District Court"
                and _free(mentions, mention, mention.end, stop)
            ):
                end, grown_kind = stop, kind
        if end == mention.end:
            out.append(mention)
        else:
            out.append(replace(mention, end=end, text=text[mention.start : end], kind=grown_kind))
    return out


def _split_organisation_and_person(mention: RawMention, words: _ArticleWords) -> list[RawMention]:
    """ "on Twitter West accused": an organisation the gazetteer knows, then a word the
    article writes as a person's name elsewhere ("Kanye West"), are two mentions."""
    lead, _space, rest = mention.text.rpartition(" ")
    if not lead or not rest[:1].isupper() or not words.of_person(rest) or gazetteer.lookup(mention.text) is not None:
        return [mention]
    entry = gazetteer.lookup(lead)
    if entry is None or entry.kind != EntityKind.ORGANISATION:
        return [mention]
    return [
        _piece(mention, 0, lead, entry.kind, "GAZETTEER"),
        _piece(mention, len(lead) + 1, rest, EntityKind.PERSON, mention.label),
    ]


def _repair_field(
    text: str, mentions: list[RawMention], field: str = "", words: _ArticleWords | None = None
) -> tuple[list[RawMention], list[AcronymLink]]:
    words = words if words is not None else _ArticleWords({field: text}, mentions)
    fixed: list[RawMention] = []
    portfolio_end: int | None = None
    for mention in mentions:
        repaired: RawMention | None = mention
        for step in (_cut_at_breaks, _unglue, _strip_leading, _cut_trailing_time_words):
            repaired = step(text, repaired)
            if repaired is None:
                break
        if repaired is not None:
            repaired = _extend_over_french_head(text, _extend_over_number(text, _extend_abbreviation(text, repaired)))
            repaired = _honorific_makes_person(text, _extend_after_particle(text, repaired))
            repaired = _strip_sentence_start_noun(text, repaired)
            listed_after = portfolio_end is not None and _LIST_GAP.match(text[portfolio_end : repaired.start])
            if (
                is_portfolio(text, repaired) or (listed_after and repaired.kind == EntityKind.ORGANISATION)
            ) and gazetteer.lookup(repaired.text) is None:
                # "committees on Foreign Affairs, Intelligence, and Oversight": the list goes on.
                portfolio_end = repaired.end
                continue
            fixed.extend(
                piece
                for lead in _split_known_lead(_context_types(text, _preposition_makes_place(text, repaired)))
                for piece in _split_organisation_and_person(lead, words)
            )
    fixed.sort(key=lambda m: m.start)
    fixed = _join_adjacent_organisations(text, fixed)
    joined = [_extend_over_head(text, _extend_over_joined_name(text, m, fixed), fixed) for m in fixed]
    grown = [m for m, before in zip(joined, fixed, strict=True) if m is not before]
    fixed = [m for m in joined if not any(o is not m and o.start <= m.start and m.end <= o.end for o in grown)]

    # "Hawke" + "'s Bay": one place.
    out: list[RawMention] = []
    for mention in fixed:
        if out and mention.start < out[-1].end:
            continue  # swallowed by the span before it
        after = _POSSESSIVE_AFTER.match(text[mention.end :])
        if after and name_key(after.group(1)) in _POSSESSIVE_HEADS:
            end = mention.end + after.end()
            mention = replace(mention, end=end, text=text[mention.start : end], kind=EntityKind.PLACE)
        out.append(mention)
    out = _join_known_pieces(text, out)
    out = _join_owner_and_place(text, out, words)
    out = _grow_to_longer_names(text, out, words)
    out = _grow_cut_names(text, field, out, words)

    # Matiu "Matt" Ratana: one person span over the given name, nickname and family name.
    for match in NICKNAME.finditer(text):
        start, end = match.span()
        inside = [m for m in out if _overlaps(m, start, end)]
        if any(m.kind == EntityKind.PERSON for m in inside) and all(m.start >= start - 40 for m in inside):
            start = min([start, *(m.start for m in inside)])
            # Titles before the given name stay for clean_person to drop ("sergeant Matiu").
            out = [m for m in out if m not in inside]
            out.append(RawMention(inside[0].field, start, end, text[start:end], EntityKind.PERSON, "PERSON"))
    out.sort(key=lambda m: m.start)

    # Acronyms beside their expansion, in either order.
    links: list[AcronymLink] = []
    starts = {m.start: m for m in out}
    added: list[RawMention] = []
    for mention in out:
        if mention.kind == EntityKind.PERSON:
            continue
        following = text[mention.end :]
        bracket = _BRACKETED_ACRONYM.match(following)
        if bracket and is_acronym_of(bracket.group(1), mention.text):
            links.append(AcronymLink(_bracketed(mention, bracket, starts, added), mention))
            continue
        bracket = _BRACKETED_NAME.match(following)
        if bracket and _IS_ACRONYM.match(mention.text) and is_acronym_of(mention.text, bracket.group(1)):
            links.append(AcronymLink(mention, _bracketed(mention, bracket, starts, added)))
    out.extend(added)
    out.sort(key=lambda m: m.start)
    return out, links


def repair(mentions: list[RawMention], texts: dict[str, str]) -> tuple[list[RawMention], list[AcronymLink]]:
    """The mentions with their spans repaired against the fields' texts, and the acronyms
    the text gives beside their expansion (see the module docstring)."""
    by_field: dict[str, list[RawMention]] = {}
    for mention in mentions:
        by_field.setdefault(mention.field, []).append(mention)
    out: list[RawMention] = []
    links: list[AcronymLink] = []
    words = _ArticleWords(texts, mentions)
    for field, found in by_field.items():
        text = texts.get(field) or ""
        if not text:
            out.extend(found)
            continue
        fixed, field_links = _repair_field(text, sorted(found, key=lambda m: m.start), field, words)
        out.extend(fixed)
        links.extend(field_links)
    return out, links
