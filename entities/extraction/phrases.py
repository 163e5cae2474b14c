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
    return [
        c
        for c in clusters
        if c.gazetteer_entry is not None or not (is_common_phrase_person(c) or (c.keys | {c.key}) <= acronyms)
    ]


# "Internet Relay Chat (IRC)", "Special Interest Groups (SIGs)", "HPC (High Performance
# Computing)": an acronym, perhaps plural, beside the words it spells.
_WORDS_THEN_ACRONYM = re.compile(
    r"(?P<words>(?:[^\W\d_][\w'’-]*[ ]){2,10})\(\s*(?P<acronym>[A-Z][A-Za-z&.\-]{0,10}[A-Z])(?P<plural>s?)\s*\)"
)
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
    # A head anywhere: "National Institute of Allergy and Infectious Diseases".
    return not any(
        _TYPE_HEADS.get((position, name_key(word))) in (EntityKind.ORGANISATION, EntityKind.PLACE)
        for word in words
        for position in ("last", "first")
    )


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
        for pattern in (_WORDS_THEN_ACRONYM, _ACRONYM_THEN_WORDS):
            for match in pattern.finditer(text):
                acronym, plural = match.group("acronym"), match.group("plural")
                words = match.group("words").split()
                run = _spelled_run(acronym, words) if pattern is _WORDS_THEN_ACRONYM else words
                if run is None or not spans.is_acronym_of(acronym, " ".join(run)):
                    continue
                phrase = " ".join(run)
                if pattern is _WORDS_THEN_ACRONYM:
                    start = match.start("words") + match.group("words").rindex(phrase)
                else:
                    start = match.start("words")
                end = start + len(phrase)
                head = _TYPE_HEADS.get(("last", name_key(run[-1])))
                # The model read no name there: none of its spans covers the words.
                unspanned = not any(s <= start and end <= e for s, e in spanned)
                # An acronym the article writes again on its own is a name it goes on using
                # ("WWE (World Wrestling Entertainment) signed him. WWE said so.").
                alone = sum(
                    len(re.findall(rf"(?<![\w-]){re.escape(acronym)}s?(?![\w-])", t or "")) for t in texts.values()
                )
                if head == "none" or (_is_common_phrase(run) and ((unspanned and alone == 1) or plural)):
                    found |= {name_key(acronym), name_key(acronym + plural), name_key(phrase)}
    return found - {""}
