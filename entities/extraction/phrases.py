"""Title-case phrases of ordinary words that name no entity.

Interviews and jargon-dense stories capitalise terms of their trade ("High Performance
Computing", "Special Interest Groups (SIGs)", "Red Hat Linux (RHL)", "a Community
Organisation"): the model takes them for organisations or people. What separates them from
real names made of common words ("Democratic Party", "Red Cross", "Air Force") is evidence in
the article itself, read here without the database.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import wordfreq

from entities.extraction import gazetteer, lexicon, spans
from entities.extraction.ner import RawMention
from entities.models import EntityKind, name_key

if TYPE_CHECKING:
    from entities.extraction.clustering import Cluster


# The endings of an English verb's participles ("Licensed", "Computing").
_PARTICIPLE = re.compile(r"[a-z](?:ed|ing)$")


def is_common_phrase_person(cluster: Cluster) -> bool:
    """A "person" of two words or more, every one a frequent word of French or English and
    none a given name, a surname or a name the gazetteer knows, ending with a verb's
    participle ("Public Licensed", "Performance Computing"): no one's name. The model's
    "people" of common words are more often organisations it mistyped ("Civic Platform",
    "Pearl Jam", "Virgin Media"), so only the participle says it."""
    if cluster.kind != EntityKind.PERSON or cluster.gazetteer_entry is not None:
        return False
    for form in cluster.forms:
        words = form.split(" ")
        if (
            len(words) < 2
            or not _PARTICIPLE.search(words[-1])
            or not all(w.isalpha() and spans.is_frequent_word(w) for w in words)
        ):
            return False
    return True


def drop_common_phrases(clusters: list[Cluster], texts: dict[str, str], raw: list[RawMention]) -> list[Cluster]:
    """The clusters without the common phrases of this module (the gazetteer's names kept)."""
    acronyms = common_acronym_keys(texts, raw)
    joined = " ".join(t or "" for t in texts.values())
    person_words = set()
    for c in clusters:
        if c.kind == EntityKind.PERSON:
            for k in c.keys | {c.key}:
                person_words |= {k, *k.split()}
    return [
        c
        for c in clusters
        if c.gazetteer_entry is not None
        or not (
            is_common_phrase_person(c)
            or (c.keys | {c.key}) <= acronyms
            or is_indefinite_common_noun(c, texts)
            or is_title_before_a_name(c, texts)
            or is_phrase_written_lowercase(c, joined)
            or is_mostly_before_classifier(c, texts)
            or is_named_post(c, texts)
            or is_group_of_person(c, person_words)
            or is_possessed_common_phrase(c, texts)
        )
    ]


# "Internet Relay Chat (IRC)", "Special Interest Groups (SIGs)", "HPC (High Performance
# Computing)": an acronym, perhaps plural, beside the words it spells.
_BRACKETED_ACRONYM = re.compile(r" \(\s*(?P<acronym>[A-Z][A-Za-z&.\-]{0,10}[A-Z])(?P<plural>s?)\s*\)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ACRONYM_THEN_WORDS = re.compile(
    r"(?<![\w.])(?P<acronym>[A-Z][A-Za-z&.\-]{0,10}[A-Z])(?P<plural>s?)\s*\(\s*(?P<words>[^()\n]{3,80}?)\s*\)"
)
_TYPE_HEADS = lexicon.type_heads()
# Words that join the words of a name ("Department of Energy", "Arts and Sciences").
_JOINING = frozenset({"of", "and", "for", "the", "on", "in", "&"})


def _spelled_run(acronym: str, words: list[str]) -> list[str] | None:
    """The shortest run of words ending `words` whose initials the acronym spells."""
    for n in range(2, len(words) + 1):
        run = words[-n:]
        if run[0][:1].isupper() and spans.is_acronym_of(acronym, " ".join(run)):
            return run
    return None


# Each word of a phrase of ordinary words is at least this frequent (wordfreq's Zipf scale:
# once in 300,000 words; "relay" 3.9, "computing" 4.1): lower than one word's bar
# (`spans.COMMON_WORD_ZIPF`), since every word of the phrase must pass it.
PHRASE_WORD_ZIPF = 3.5


def _is_ordinary(word: str) -> bool:
    if name_key(word) in spans.PERSON_NAME_WORDS or gazetteer.lookup(word) is not None:
        return False
    lower = word.lower()
    return max(wordfreq.zipf_frequency(lower, "en"), wordfreq.zipf_frequency(lower, "fr")) >= PHRASE_WORD_ZIPF


def _is_common_phrase(words: list[str]) -> bool:
    """Whether title-case words are all ordinary words: each capitalised word frequent in
    French or English text and no name (`spans.is_frequent_word`), the words between them
    joining words, no organisation's or place's head word anywhere (`lexicon/type_heads.tsv`:
    "National Institute of Allergy and Infectious Diseases"), and no name the gazetteer
    knows whole."""
    if len(words) < 2 or gazetteer.lookup(" ".join(words)) is not None:
        return False
    for word in words:
        if word in _JOINING:
            continue
        if not (word[:1].isupper() and word.replace("-", "").isalpha() and _is_ordinary(word)):
            return False
    return not _has_head(words)


def _has_head(words: list[str]) -> bool:
    """Whether an organisation's or a place's head word stands anywhere in the words
    ("National Institute of Allergy and Infectious Diseases", "Council of Economic Advisers")."""
    return any(
        _TYPE_HEADS.get((position, name_key(word))) in (EntityKind.ORGANISATION, EntityKind.PLACE)
        for word in words
        for position in ("last", "first")
    )


# "BPL card [below poverty line]", "PrEP [Pre-exposure prophylaxis]": an acronym, perhaps the
# noun it qualifies, and a gloss in brackets.
_ACRONYM_NOUN_GLOSS = re.compile(
    r"(?<![\w.])(?P<acronym>[A-Z][A-Za-z&.\-]{0,10}[A-Z])(?:\s+(?P<noun>[a-z]+))?\s*(?P<open>[(\[])"
    r"\s*(?P<after>[^()\[\]\n]{3,80}?)\s*[)\]]"
)


def spells_by_prefixes(acronym: str, words: str) -> bool:
    """Whether the acronym's letters are the beginnings, in order, of the words, each word
    giving one letter or more and none left out ("PrEP" of "Pre-exposure prophylaxis":
    pr-e-p)."""
    letters = spans._letters(acronym)
    parts = [spans._letters(w) for w in re.split(r"[\s'’\-]+", words) if spans._letters(w)]
    if len(parts) < 2 or len(letters) < len(parts):
        return False

    def fits(i: int, j: int) -> bool:  # letters[i:] from parts[j:]
        if j == len(parts):
            return i == len(letters)
        return any(
            parts[j].startswith(letters[i : i + n]) and fits(i + n, j + 1)
            for n in range(1, min(len(parts[j]), len(letters) - i) + 1)
        )

    return fits(0, 0)


def glossed_common_acronyms(texts: dict[str, str]) -> set[str]:
    """Acronyms an editor glosses as a common noun, the way `spans.common_noun_acronyms`
    reads them (in lowercase, or in sentence case in square brackets), with the noun the
    acronym qualifies between them ("BPL card [below poverty line]") or letters taken from
    the start of a word ("PrEP [Pre-exposure prophylaxis]")."""
    found = set()
    for text in texts.values():
        if not text or not ("(" in text or "[" in text):
            continue
        for match in _ACRONYM_NOUN_GLOSS.finditer(text):
            acronym, gloss = match.group("acronym"), match.group("after")
            sentence_case = match.group("open") == "[" and all(w.islower() for w in gloss.split()[1:])
            if not (gloss[:1].islower() or sentence_case):
                continue
            if spans.is_acronym_of(acronym, gloss) or spells_by_prefixes(acronym, gloss):
                found.add(name_key(acronym))
    return found


def common_acronym_keys(texts: dict[str, str], raw: list[RawMention]) -> set[str]:
    """The keys of acronyms, and of what they spell, that the text shows to be common nouns
    written in title case: an acronym beside words that are all ordinary words
    (`_is_common_phrase`) when no span of the model covers those words and the article
    writes the acronym nowhere else ("Internet Relay Chat
    (IRC)": it read no name there) or the acronym is written as a plural ("Special Interest
    Groups (SIGs)": a name has no plural); and an acronym beside words whose head says they
    are no entity ("Red Hat Linux (RHL)": software, like "Red Hat Enterprise Linux (RHEL)")."""
    found: set[str] = set()
    for field, text in texts.items():
        if not text or "(" not in text:
            continue
        spanned = [(m.start, m.end) for m in raw if m.field == field]
        pairs = []  # (acronym, plural, words it spells, where the words start)
        for match in _BRACKETED_ACRONYM.finditer(text):
            # Up to ten words, one space apart, just before the bracket.
            words = []
            for token in reversed(text[max(0, match.start() - 160) : match.start()].split(" ")[1:]):
                if len(words) == 10 or not _WORD.fullmatch(token):
                    break
                words.insert(0, token)
            run = _spelled_run(match.group("acronym"), words)
            if run is not None:
                phrase = " ".join(run)
                pairs.append((match.group("acronym"), match.group("plural"), run, match.start() - len(phrase)))
        for match in _ACRONYM_THEN_WORDS.finditer(text):
            run = match.group("words").split()
            pairs.append((match.group("acronym"), match.group("plural"), run, match.start("words")))
        for acronym, plural, run, start in pairs:
            if not spans.is_acronym_of(acronym, " ".join(run)):
                continue
            phrase = " ".join(run)
            end = start + len(phrase)
            head = _TYPE_HEADS.get(("last", name_key(run[-1])))
            # The model read no name there: none of its spans covers the words.
            unspanned = not any(s <= start and end <= e for s, e in spanned)
            # An acronym the article writes again on its own is a name it goes on using
            # ("WWE (World Wrestling Entertainment) signed him. WWE said so.").
            alone = sum(len(re.findall(rf"(?<![\w-]){re.escape(acronym)}s?(?![\w-])", t or "")) for t in texts.values())
            if head == "none" or (_is_common_phrase(run) and ((unspanned and alone == 1) or plural)):
                found |= {name_key(acronym), name_key(acronym + plural), name_key(phrase)}
    return (found | glossed_common_acronyms(texts)) - {""}


# Compared as written: "à Miami" is no "a Miami".
_INDEFINITE = frozenset(lexicon.entries("indefinite_determiners.txt"))
_PHRASE_ENDS = lexicon.keys("noun_phrase_ends") | spans.LEADING
_WORD_BEFORE = re.compile(r"(?<![\w'’-])([^\W\d_]+)\s+$")
_WORD_AFTER = re.compile(r"^\s+([^\W\d_]+)")
# After the name, what makes it a modifier all the same: a possessive ("a McDonald’s
# restaurant"), a gloss in brackets before the noun ("an Ertzaintza (Basque police) station"),
# the place a town is in ("a Frederick, Maryland assisted living facility").
_MODIFIER_AFTER = re.compile(r"^(?:['’]s?\b|\s*\(|,\s*[A-ZÀ-Ý])")


def _is_indefinite_noun(text: str, mention: RawMention) -> bool:
    """Whether a mention follows an indefinite article or a quantifier ("a", "any", "un")
    and ends its noun phrase: punctuation after it, or a word no noun it would modify (see
    `lexicon/noun_phrase_ends.txt`); a capitalised word after it may go on with the name."""
    before = _WORD_BEFORE.search(text[max(0, mention.start - 12) : mention.start])
    if before is None or before.group(1) not in _INDEFINITE:
        return False
    following = text[mention.end : mention.end + 30]
    if _MODIFIER_AFTER.match(following):
        return False
    after = _WORD_AFTER.match(following)
    return after is None or (after.group(1).islower() and name_key(after.group(1)) in _PHRASE_ENDS)


def is_indefinite_common_noun(cluster: Cluster, texts: dict[str, str]) -> bool:
    """A name every mention of which is written after an indefinite article or a quantifier,
    as a noun of its own ("Ashodaya is a CO — which is a Community Organisation —", "un État
    américain comme la Louisiane"): a common noun capitalised by habit. A proper name follows
    "a" only as a modifier ("a Reuters reporter", "an NBC News poll")."""
    if cluster.kind == EntityKind.PLACE and all(" " not in form for form in cluster.forms):
        return False  # "an America that works for all of us": a country all the same
    # The fullest name's mentions ("a Community Organisation"), when the article also writes
    # its other forms in lowercase ("Community" elsewhere, "our community"; not "Amazon"
    # beside "an Amazon eBook").
    fullest = max(cluster.forms, key=lambda form: (len(form.split(" ")), len(form)))
    mentions = [m for m, written in zip(cluster.mentions, cluster.written, strict=True) if written == fullest]
    if not mentions or not all(_is_indefinite_noun(texts.get(m.field) or "", m) for m in mentions):
        return False
    joined = " ".join(t or "" for t in texts.values())
    return all(
        re.search(rf"(?<![\w-]){re.escape(form.lower())}(?![\w-])", joined) for form in cluster.forms - {fullest}
    )


_OCCUPATIONS = lexicon.keys("occupations")
_GIVEN_NAMES = lexicon.keys("given_names")
_NAME_AFTER = re.compile(r"^ ([A-ZÀ-Ý][\w'’-]+) [A-ZÀ-Ý]")


def _is_occupation(word: str) -> bool:
    key = name_key(word)
    return key in _OCCUPATIONS or (key.endswith("s") and key[:-1] in _OCCUPATIONS)


def is_title_before_a_name(cluster: Cluster, texts: dict[str, str]) -> bool:
    """An organisation or a place whose every mention ends with an occupation's word and is
    followed by a given name and another capitalised word ("First Family and Senior Advisors
    Jared Kushner and Ivanka Trump"): the title of the people named after it
    (`lexicon/occupations.txt`), which the occupation rule reads as people. Names with an
    organisation's head word are kept ("Council of Economic Advisers" ends with one of its
    members' titles), wherever the head stands."""
    if cluster.kind == EntityKind.PERSON or any(_has_head(form.split(" ")) for form in cluster.forms):
        return False
    for mention in cluster.mentions:
        text = texts.get(mention.field) or ""
        words = mention.text.split()
        following = _NAME_AFTER.match(text[mention.end : mention.end + 40])
        if (
            len(words) < 2
            or not _is_occupation(words[-1])
            or following is None
            or name_key(following.group(1)) not in _GIVEN_NAMES
        ):
            return False
    return True


def is_phrase_written_lowercase(cluster: Cluster, joined: str) -> bool:
    """A name of ordinary words (`_is_common_phrase`) that the article (`joined`: its fields'
    texts) also writes all in lowercase ("National Security Advisor" ... "the national
    security advisor"): by the guidelines' capital-letter test, a common noun capitalised by
    habit."""
    if cluster.gazetteer_entry is not None:
        return False
    for form in cluster.forms:
        lower = form.lower()
        if (
            " " not in form
            or lower not in joined
            or re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", joined) is None
            or not _is_common_phrase(form.split(" "))
        ):
            return False
    return True


_CLASSIFIERS_AFTER = lexicon.keys("classifiers_after")
_LOWER_WORD_AFTER = re.compile(r"^\s+([a-zàâçéèêëîïôûü]+)\b")


def is_mostly_before_classifier(cluster: Cluster, texts: dict[str, str]) -> bool:
    """A name the gazetteer does not know written three times or more, three times in four
    or more before a word saying what it is ("an Aadhaar card" four times, "the Aadhaar
    [issuing] personal assistants" once; `lexicon/classifiers_after.txt`): the rule of
    "a PAN card", when one mention leaves the word out."""
    if len(cluster.mentions) < 3:
        return False
    hits = 0
    for mention in cluster.mentions:
        after = _LOWER_WORD_AFTER.match((texts.get(mention.field) or "")[mention.end : mention.end + 20])
        hits += after is not None and name_key(after.group(1)) in _CLASSIFIERS_AFTER
    return hits * 4 >= len(cluster.mentions) * 3


_POST_AFTER = re.compile(r"^ ([A-Z][a-z]+) (?:of|in|for) [A-Z]")


def is_named_post(cluster: Cluster, texts: dict[str, str]) -> bool:
    """A name every mention of which is followed by an occupation's word, capitalised, and
    "of", "in" or "for" before a name ("Penn State's Wormley Early Career Professor of
    Engineering"): a named post, like an academic chair ("Chair in Global Islamic Politics")."""
    if cluster.kind == EntityKind.PERSON:
        return False
    for mention in cluster.mentions:
        after = _POST_AFTER.match((texts.get(mention.field) or "")[mention.end : mention.end + 40])
        if after is None or not _is_occupation(after.group(1)):
            return False
    return True


_GROUP_OF = re.compile(r"^([A-Z][a-z]+s) of (.+)$")


def is_group_of_person(cluster: Cluster, person_words: set[str]) -> bool:
    """A name made of a plural ordinary word, "of" and the name of a person of the article
    ("Associates of Navalny alleged"): those people, who are no entity, and a mention of the
    person (GUIDELINES.md: "a person's name in a phrase is a mention of that person"), whom
    the article names apart."""
    for form in cluster.forms:
        match = _GROUP_OF.match(form)
        if match is None or not _is_ordinary(match.group(1)) or name_key(match.group(2)) not in person_words:
            return False
    return True


# Possessive determiners, compared as written (`lexicon/possessive_determiners.txt`).
_POSSESSIVES = frozenset(lexicon.entries("possessive_determiners.txt"))


def is_possessed_common_phrase(cluster: Cluster, texts: dict[str, str]) -> bool:
    """A phrase of ordinary words with no organisation's or place's head word at its end,
    every mention of which follows a possessive determiner ("I was doing my Pre University
    Course, PUC", "bundling Windows with their Media Player"), its other forms its acronyms:
    a thing someone has, capitalised by habit. "His", "her" and "its" are left out ("her
    Majesty"); names the gazetteer knows are kept."""
    if cluster.gazetteer_entry is not None:
        return False
    fullest = max(cluster.forms, key=lambda form: (len(form.split(" ")), len(form)))
    words = fullest.split(" ")
    if len(words) < 2 or _TYPE_HEADS.get(("last", name_key(words[-1]))) in (EntityKind.ORGANISATION, EntityKind.PLACE):
        return False
    if not all(w in _JOINING or (w[:1].isupper() and w.isalpha() and _is_ordinary(w)) for w in words):
        return False
    if not all(spans.is_acronym_of(form, fullest) for form in cluster.forms - {fullest}):
        return False
    mentions = [m for m, written in zip(cluster.mentions, cluster.written, strict=True) if written == fullest]
    for m in mentions:
        text = texts.get(m.field) or ""
        before = _WORD_BEFORE.search(text[max(0, m.start - 12) : m.start])
        if before is None or before.group(1) not in _POSSESSIVES:
            return False
    return bool(mentions)
