"""JSON Lines: one story per line, streamed (a file of any size is never held whole).

Fields (documented in README, "## Ingest"): headline (or title), body (a string with
blank lines between paragraphs, HTML sanitised with nh3, or a list of blocks: strings or
{"type": "paragraph"|"intertitle", "text": ...}), standfirst, byline, dateline, language
(or lang), section, source, photo_caption, photo_credit, published_at (or date), id (or
external_id), version, url, rights (or attribution and license). A `.json` file holds one
such object. A bad line is refused with its number; the other lines still import.
"""

import hashlib
import json
from collections.abc import Iterator
from typing import BinaryIO

from articles.ingest import limits
from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.sanitize import html_blocks, plain_html_text
from articles.ingest.xmltools import language_code, parse_time
from articles.language import detect_language
from articles.models import BlockType
from articles.text import normalize_line

_TEXT_FIELDS = {
    "standfirst": ("standfirst", "description_text", "summary"),
    "byline": ("byline",),
    "dateline": ("dateline",),
    "section": ("section",),
    "source": ("source",),
    "photo_caption": ("photo_caption",),
    "photo_credit": ("photo_credit",),
    "source_url": ("url", "source_url", "uri"),
}


class _DuplicateKey(ValueError):
    pass


class _NotANumber(ValueError):
    pass


def _no_duplicates(pairs: list) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"the key {key!r} appears twice")
        result[key] = value
    return result


def _no_constants(value: str):
    raise _NotANumber(f"{value} is not a valid JSON number")


def loads(text: str):
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def jsonl_documents(name: str, stream: BinaryIO) -> Iterator[tuple[str, ParsedArticle | IngestError]]:
    number, seen_any = 0, False
    while True:
        raw = stream.readline(limits.MAX_JSONL_LINE_BYTES + 1)
        if not raw:
            break
        number += 1
        label = f"{name} line {number}"
        if len(raw) > limits.MAX_JSONL_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(limits.MAX_JSONL_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the over-long line, in bounded reads
            yield (
                label,
                IngestError(
                    f"line {number} is longer than {limits.human_size(limits.MAX_JSONL_LINE_BYTES)}, the limit per line"
                ),
            )
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen_any = True
        yield label, _line(raw, number)
    if not seen_any:
        yield name, IngestError("the file is empty: no JSON lines")


def json_document(name: str, data: bytes) -> Iterator[tuple[str, ParsedArticle | IngestError]]:
    """A `.json` file: one object with the JSON Lines fields (ninjs-like names accepted)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        yield name, IngestError("the file is empty")
        return
    yield name, _line(data, None)


def _line(raw: bytes, number: int | None) -> ParsedArticle | IngestError:
    where = f"line {number}" if number is not None else "the file"
    if b"\x00" in raw:
        return IngestError(f"{where} contains NUL bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return IngestError(f"{where} is not valid UTF-8 (JSON must be UTF-8)")
    try:
        record = loads(text)
    except (_DuplicateKey, _NotANumber) as exc:
        return IngestError(f"{where} is refused: {exc}")
    except json.JSONDecodeError as exc:
        # json's own words ("Expecting ',' delimiter") name the mistake; the place is ours.
        return IngestError(f"{where} is not valid JSON: {exc.msg.lower()}, at character {exc.pos + 1:,}")
    except RecursionError:
        return IngestError(f"{where} is not a story: its objects or lists are nested hundreds of levels deep")
    except ValueError:
        # What is left is Python's refusal of an integer of thousands of digits.
        return IngestError(f"{where} holds a number too long to be read (thousands of digits)")
    if not isinstance(record, dict):
        return IngestError(f"{where} is a JSON {type(record).__name__.replace('dict', 'object')}, not an object")
    try:
        return record_article(record)
    except IngestError as exc:
        return IngestError(f"{where}: {exc}")


def _string(record: dict, *names: str) -> str:
    for name in names:
        value = record.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise IngestError(f"the field {name!r} must be a string, not {type(value).__name__}")
        return value
    return ""


def _ninjs(record: dict) -> dict:
    """ninjs 2.x keeps headlines and bodies in lists of {role, value}: flatten them."""
    record = dict(record)
    if isinstance(record.get("headlines"), list) and "headline" not in record:
        values = [h for h in record["headlines"] if isinstance(h, dict) and isinstance(h.get("value"), str)]
        main = [h for h in values if h.get("role") in {"main", None}] or values
        if main:
            record["headline"] = main[0]["value"]
    if isinstance(record.get("bodies"), list) and "body" not in record:
        values = [b for b in record["bodies"] if isinstance(b, dict) and isinstance(b.get("value"), str)]
        rich = [b for b in values if "html" in str(b.get("contentType", "")).lower()] or values
        if rich:
            record["body"] = rich[0]["value"]
    for ninjs, ours in (("by", "byline"), ("versionCreated", "published_at")):
        if ninjs in record and ours not in record:
            record[ours] = record[ninjs]
    return record


def record_article(record: dict) -> ParsedArticle:
    record = _ninjs(record)
    article = ParsedArticle(headline=plain_html_text(_string(record, "headline", "title")))
    body = record.get("body", record.get("body_html", record.get("body_text")))
    if isinstance(body, str):
        article.body = html_blocks(body)
    elif isinstance(body, list):
        for block in body:
            if isinstance(block, str):
                article.body.extend(html_blocks(block))
            elif isinstance(block, dict) and isinstance(block.get("text"), str):
                text = plain_html_text(block["text"])
                kind = block.get("type", "paragraph")
                if kind not in BlockType.values:
                    raise IngestError(f"a body block has the unknown type {kind!r} (paragraph or intertitle)")
                if text:
                    article.body.append({"type": kind, "text": text})
            else:
                raise IngestError('each body block must be a string or {"type": ..., "text": ...}')
    elif body is not None:
        raise IngestError("the field 'body' must be a string or a list of blocks")
    for field, names in _TEXT_FIELDS.items():
        value = _string(record, *names)
        setattr(article, field, normalize_line(value) if field != "standfirst" else plain_html_text(value))
    rights = _string(record, "rights", "copyrightnotice")
    if not rights:
        rights = " — ".join(
            part for part in (_string(record, "attribution"), _string(record, "license", "licence")) if part
        )
    article.rights = normalize_line(rights)
    lang = _string(record, "language", "lang")
    when = _string(record, "published_at", "date", "versioncreated", "firstcreated")
    if when:
        article.published_at = parse_time(when)
        if article.published_at is None:
            raise IngestError(f"the date {when[:40]!r} is not an ISO 8601 date")
    external_id = record.get("external_id", record.get("id", record.get("guid")))
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if external_id is not None and not isinstance(external_id, str):
        raise IngestError("the field 'id' must be a string or a number")
    version = record.get("version")
    if isinstance(version, str) and version.strip().isdigit() and len(version.strip()) < 10:
        version = int(version)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise IngestError("the field 'version' must be a whole number")
    article.version = version
    if not article.headline:
        raise IngestError("the story has no headline (field 'headline' or 'title')")
    # Without a provider id the URL is the story's identity, so a re-run of the same file
    # updates instead of duplicating; without either, the content is (limits.check_article).
    article.external_id = normalize_line(external_id or "") or (
        ("url-" + hashlib.sha1(article.source_url.encode()).hexdigest()[:24])  # noqa: S324
        if article.source_url
        else ""
    )
    article.language = language_code(lang) if lang else ""
    if not article.language:
        article.language = detect_language(" ".join([article.headline, *(b["text"] for b in article.body[:5])]))
    return article
