"""Every limit of the ingest pipeline, in one place (research/reliability.md, B.6, B.8, B.12).

A file or archive over a limit is refused with a reason before it is parsed further; an
article over a length limit is refused before it reaches the database (never a DataError).
"""

from articles.ingest.base import IngestError, ParsedArticle
from articles.models import publication_time_error

KB = 1024
MB = 1024 * KB

MAX_TEXT_BYTES = 2 * MB  # one .txt story
MAX_XML_BYTES = 10 * MB  # one .xml file (a newsMessage may carry several items)
MAX_JSONL_LINE_BYTES = 1 * MB  # JSON Lines are streamed: only a line is ever held whole
MAX_ZIP_BYTES = 200 * MB
MAX_ZIP_MEMBERS = 50_000
MAX_ZIP_TOTAL_UNCOMPRESSED = 2 * 1024 * MB
MAX_COMPRESSION_RATIO = 100  # uncompressed:compressed, per member and overall

MAX_HEADLINE_CHARS = 500
MAX_STANDFIRST_CHARS = 5_000
MAX_BODY_CHARS = 500_000
MAX_SHORT_FIELD_CHARS = 255  # byline, dateline, photo credit
MAX_CAPTION_CHARS = 2_000
MAX_EXTERNAL_ID_CHARS = 255
MAX_NAME_CHARS = 100  # source and section names


def human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:,.1f} MB"
    if size >= KB:
        return f"{size / KB:,.0f} KB"
    return f"{size:,} bytes"


def check_article(article: ParsedArticle) -> ParsedArticle:
    """Refuse a story whose fields cannot be stored as given; the same rule for every format."""
    if not article.headline:
        raise IngestError("the story has no headline")
    _too_long("headline", article.headline, MAX_HEADLINE_CHARS)
    _too_long("standfirst", article.standfirst, MAX_STANDFIRST_CHARS)
    if not any(block["text"].strip() for block in article.body):
        raise IngestError("the story has a headline but no body text")
    body_chars = sum(len(block["text"]) for block in article.body)
    if body_chars > MAX_BODY_CHARS:
        raise IngestError(f"the body is {body_chars:,} characters long; the limit is {MAX_BODY_CHARS:,}")
    for name in ("byline", "dateline", "photo_credit"):
        _too_long(name.replace("_", " "), getattr(article, name), MAX_SHORT_FIELD_CHARS)
    _too_long("photo caption", article.photo_caption, MAX_CAPTION_CHARS)
    _too_long("story id", article.external_id, MAX_EXTERNAL_ID_CHARS)
    _too_long("source URL", article.source_url, 500)
    if article.source_url and not article.source_url.lower().startswith(("http://", "https://")):
        article.source_url = ""  # only web links are kept (never javascript: or file:)
    _too_long("rights line", article.rights, 500)
    # Names are cut rather than refused: a long agency name is no reason to lose a story.
    article.source = article.source[:MAX_NAME_CHARS]
    article.section = article.section[:MAX_NAME_CHARS]
    if not article.external_id:
        # No provider id: the text itself is the document's identity, never the headline
        # alone (two stories may share one). The same text again is the same document;
        # whether a new text updates a story of the same headline is the editor's call
        # (articles.services.import_article, docs/decisions/0016-story-identity-and-revisions.md).
        article.identify_by_content()
    if article.published_at is not None and (error := publication_time_error(article.published_at)):
        raise IngestError(error)
    if article.version is not None and not (0 <= article.version < 2**31):
        raise IngestError(f"the version number {article.version} is out of range")
    return article


def _too_long(label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise IngestError(f"the {label} is {len(value):,} characters long; the limit is {limit:,}")
