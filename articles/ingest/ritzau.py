"""Ritzau's own XML (`<RBNews>`, the Danish agency's feed): one story per document.

Mapping: NewsID -> external id, version -> version, headline (a flash has none: its first
sentence) -> headline, subtitle -> standfirst, byLine -> byline, town -> dateline,
section -> section, PublishDate (Copenhagen local time when it carries no offset) ->
publication time, content (escaped HTML) -> blocks; the source is Ritzau. A story Ritzau
cancelled (`Annuleret`) is refused with that reason.
"""

import re
from zoneinfo import ZoneInfo

from django.utils import timezone

from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.sanitize import html_blocks, plain_html_text
from articles.ingest.xmltools import parse_time, text_at, version_number
from articles.language import detect_language
from articles.text import normalize_line

SOURCE = "Ritzau"
# PublishDate is written as Danish local time without an offset ("2018-01-30T17:32:18.397").
RITZAU_TIME_ZONE = ZoneInfo("Europe/Copenhagen")
FLASH_HEADLINE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def ritzau_article(root) -> ParsedArticle:
    if text_at(root, "Annuleret").lower() == "true":
        raise IngestError("Ritzau cancelled this story (Annuleret): it is not imported")
    body = html_blocks(text_at_raw(root, "content"))
    headline = plain_html_text(text_at_raw(root, "headline"))
    if not headline and body:
        headline = _first_sentence(body[0]["text"])
    article = ParsedArticle(headline=headline, body=body)
    article.standfirst = plain_html_text(text_at_raw(root, "subtitle"))
    article.byline = text_at(root, "byLine")
    article.dateline = text_at(root, "town")
    article.section = text_at(root, "section")
    article.source = SOURCE
    article.external_id = text_at(root, "NewsID")
    article.version = version_number(text_at(root, "version"))
    article.published_at = _publish_time(text_at(root, "PublishDate"))
    article.language = detect_language(" ".join([article.headline, *(b["text"] for b in article.body[:5])]))
    return article


def text_at_raw(root, name: str) -> str:
    """The text of a child as written: Ritzau escapes its HTML, so it arrives as text."""
    for child in root:
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1].lower() == name.lower():
            return child.text or ""
    return ""


def _first_sentence(text: str) -> str:
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) > FLASH_HEADLINE_CHARS:
        sentence = sentence[:FLASH_HEADLINE_CHARS].rsplit(" ", 1)[0] + "…"
    return normalize_line(sentence)


def _publish_time(value: str):
    parsed = parse_time(value)
    if parsed is None:
        return None
    if re.search(r"(Z|[+-]\d\d:?\d\d)$", value.strip()):
        return parsed
    # parse_time reads an offset-less time as UTC; Ritzau means Copenhagen.
    return timezone.make_aware(parsed.replace(tzinfo=None), RITZAU_TIME_ZONE)
