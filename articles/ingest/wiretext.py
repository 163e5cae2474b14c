"""Wire copy as plain text (`.txt`), the format of the AFP seed article.

Layout: the headline on the first line; optionally, right after it, a photo caption
ending in " - CREDIT" (photographer in capitals, then the agency: "MANDEL NGAN,
AFP/Archives"); then one block per line, where a short line without closing punctuation
is an intertitle. Blank lines are only separators.
"""

import re

from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.decoding import decode_text
from articles.language import detect_language
from articles.text import normalize_line

MAX_HEADLINE = 500

# "... à Washington le 26 avril 2017 - MANDEL NGAN, AFP/Archives"
_CAPTION = re.compile(
    r"^(?P<caption>.+?\S)\s+[-–—]\s+"
    r"(?P<credit>(?:[A-ZÀ-ÖØ-Ý][A-ZÀ-ÖØ-Ý'’.\- ]*[A-ZÀ-ÖØ-Ý.]\s*,\s*)?"  # photographer in capitals
    r"(?:AFP|AP|REUTERS|Reuters|EPA|Getty Images|dpa|ANSA|EFE|Xinhua|ANP|Belga|AAP|PA|STF|HO)"
    r"(?:\s*/\s*[\w .'’-]+)?)\s*$"  # agency, optional "/Archives" or "/File"
)
_SENTENCE_END = (".", "!", "?", "…", "»", '"', "”", ":", ";", ")")
MAX_INTERTITLE_CHARS = 100
MAX_INTERTITLE_WORDS = 14


def is_intertitle(line: str) -> bool:
    """A short line that does not end like a sentence (AFP intertitles carry no full stop)."""
    return (
        len(line) <= MAX_INTERTITLE_CHARS
        and len(line.split()) <= MAX_INTERTITLE_WORDS
        and not line.rstrip().endswith(_SENTENCE_END)
    )


def split_caption(line: str) -> tuple[str, str] | None:
    """(caption, credit) when the line is a photo caption with an agency credit."""
    match = _CAPTION.match(line)
    if not match:
        return None
    return match.group("caption").strip(), match.group("credit").strip()


def parse_wire_text(data: bytes) -> ParsedArticle:
    text, _encoding = decode_text(data)
    lines = [normalize_line(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise IngestError("the file has no text")
    headline, rest = lines[0], lines[1:]
    if len(headline) > MAX_HEADLINE:
        raise IngestError(
            f"the first line (the headline) is {len(headline):,} characters long; "
            f"the limit is {MAX_HEADLINE}: is this really wire copy?"
        )
    if not rest:
        raise IngestError("the file has a headline but no body")

    article = ParsedArticle(headline=headline)
    if caption := split_caption(rest[0]):
        article.photo_caption, article.photo_credit = caption
        rest = rest[1:]

    for index, line in enumerate(rest):
        # The first block and the last are always paragraphs: an intertitle introduces text.
        is_last = index == len(rest) - 1
        if index > 0 and not is_last and is_intertitle(line):
            article.intertitle(line)
        else:
            article.paragraph(line)
    if not any(block["type"] == "paragraph" for block in article.body):
        raise IngestError("the file has a headline but no body")
    article.language = detect_language(" ".join([headline, *rest]))
    # Plain text carries no story id: limits.check_article gives it one from its content.
    return article
