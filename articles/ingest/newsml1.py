"""AFP's NewsML 1.x (a bonus format): NewsML/NewsItem/NewsComponent with NewsLines.

Mapping: NewsIdentifier PublicIdentifier (else ProviderId:NewsItemId) -> external id,
RevisionId -> version, ProviderId -> source, NewsLines HeadLine / SubHeadLine / ByLine /
DateLine / CopyrightLine, DescriptiveMetadata Language@FormalName, FirstCreated ->
publication time, text ContentItem DataContent -> blocks.
"""

from collections.abc import Iterator

from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.sanitize import element_blocks
from articles.ingest.xmltools import attr, descendants, find, language_code, parse_time, text_at, version_number
from articles.language import detect_language


def newsml1_items(root) -> Iterator[tuple[str, ParsedArticle | IngestError]]:
    items = [child for child in root if isinstance(child.tag, str) and child.tag == "NewsItem"]
    if not items:
        yield "", IngestError("the NewsML document carries no NewsItem")
        return
    for index, item in enumerate(items, start=1):
        identifier = find(item, "Identification/NewsIdentifier")
        label = text_at(identifier, "PublicIdentifier") if identifier is not None else ""
        try:
            yield label or f"item {index}", _item(item, identifier)
        except IngestError as exc:
            yield label or f"item {index}", exc


def _item(item, identifier) -> ParsedArticle:
    lines = next(iter(descendants(item, "NewsLines")), None)
    if lines is None:
        raise IngestError("the NewsItem has no NewsLines (no headline)")
    article = ParsedArticle(headline=text_at(lines, "HeadLine"))
    article.standfirst = text_at(lines, "SubHeadLine")
    article.byline = text_at(lines, "ByLine")
    article.dateline = text_at(lines, "DateLine")
    article.rights = text_at(lines, "CopyrightLine")
    for content in descendants(item, "DataContent"):
        article.body.extend(element_blocks(content))
    if identifier is not None:
        provider = text_at(identifier, "ProviderId")
        article.source = provider.split(".")[0].upper() if provider else ""
        revision = text_at(identifier, "RevisionId")
        public = text_at(identifier, "PublicIdentifier")
        # The public identifier ends with the revision: the story's identity is without it.
        if revision and public.endswith(f":{revision}"):
            public = public[: -len(revision) - 1]
        article.external_id = public or (f"{provider}:{text_at(identifier, 'NewsItemId')}" if provider else "")
        article.version = version_number(revision)
    article.published_at = parse_time(text_at(item, "NewsManagement/FirstCreated"))
    language = next(iter(descendants(item, "Language")), None)
    article.language = language_code(attr(language, "FormalName")) or detect_language(
        " ".join([article.headline, *(b["text"] for b in article.body[:5])])
    )
    return article
