"""IPTC NewsML-G2: a `newsItem`, or a `newsMessage` wrapping several in `itemSet`.

Mapping per text item: guid -> external id, @version -> version; provider (name, literal
or qcode), else infoSource -> source; contentMeta: headline (the one without a role, else
the first), description[@role=drol:summary] -> standfirst, by (or creator name) -> byline,
dateline (else located name) -> dateline, language@tag (else xml:lang) -> language, the
first named subject -> section; embargoed, else firstCreated, else contentCreated ->
publication time; rightsInfo copyrightNotice -> rights; contentSet: inlineXML as XHTML or
NITF, or inlineData as plain text -> blocks. Pictures, packages, events, concepts and
planning items carry no story and are refused with that reason.
"""

from collections.abc import Iterator

from articles.ingest.base import IngestError, ParsedArticle
from articles.ingest.nitf import nitf_article
from articles.ingest.sanitize import element_blocks, element_text, html_blocks, localname
from articles.ingest.xmltools import (
    attr,
    children,
    find,
    find_all,
    language_code,
    parse_time,
    text_at,
    version_number,
)
from articles.language import detect_language

NOT_STORIES = {
    "packageItem": "a package (a list of other items), not a story",
    "conceptItem": "a concept (a person, place or topic description), not a story",
    "knowledgeItem": "a knowledge item (a vocabulary), not a story",
    "planningItem": "a planning item (coverage planned), not a story",
    "catalog": "a catalogue of codes, not a story",
    "conceptSet": "a set of concepts, not a story",
}


def newsml_items(root) -> Iterator[tuple[str, ParsedArticle | IngestError]]:
    """(label, parsed story or refusal) for each item of a newsItem or newsMessage root."""
    name = localname(root)
    if name == "newsitem":
        items = [root]
    elif name == "newsmessage":
        items = [item for item_set in children(root, "itemSet") for item in item_set]
        if not items:
            yield "", IngestError("the newsMessage carries no items")
            return
    else:
        yield "", IngestError(f"this NewsML-G2 document is {NOT_STORIES.get(root.tag.rsplit('}', 1)[-1], name)}")
        return
    for index, item in enumerate(items, start=1):
        label = attr(item, "guid") or f"item {index}"
        kind = item.tag.rsplit("}", 1)[-1] if isinstance(item.tag, str) else ""
        if kind != "newsItem":
            yield label, IngestError(f"this item is {NOT_STORIES.get(kind, kind or 'not an element')}")
            continue
        try:
            yield label, news_item(item)
        except IngestError as exc:
            yield label, exc


def news_item(item) -> ParsedArticle:
    item_class = attr(find(item, "itemMeta/itemClass"), "qcode")
    content_set = find(item, "contentSet")
    inline_xml = find(content_set, "inlineXML") if content_set is not None else None
    inline_data = find(content_set, "inlineData") if content_set is not None else None
    if inline_xml is None and inline_data is None:
        what = item_class.split(":")[-1] if item_class else "item"
        if what in {"picture", "graphic", "video", "audio"}:
            raise IngestError(f"this is a {what} item with no text to import")
        raise IngestError("the news item has no inline text (its content is stored elsewhere)")

    meta = find(item, "contentMeta")
    item_meta = find(item, "itemMeta")
    article = ParsedArticle(headline="")
    nested_nitf = None
    if inline_xml is not None:
        nested_nitf = next((child for child in inline_xml if localname(child) == "nitf"), None)
        if nested_nitf is not None:
            article = nitf_article(nested_nitf)
        else:
            article.body = element_blocks(inline_xml)
    elif "html" in attr(inline_data, "contenttype").lower() or "<p" in (inline_data.text or ""):
        # HTML carried as escaped text: sanitised like any other HTML body.
        article.body = html_blocks(inline_data.text or "")
    else:
        article.body = element_blocks(inline_data)

    if meta is not None:
        headline = _preferred(find_all(meta, "headline"))
        if headline:
            article.headline = headline
        for description in children(meta, "description"):
            if attr(description, "role") in {"drol:summary", "drol:teaser", ""} and element_text(description):
                article.standfirst = element_text(description)
                break
        article.byline = text_at(meta, "by") or article.byline or text_at(meta, "creator/name")
        article.dateline = text_at(meta, "dateline") or article.dateline or text_at(meta, "located/name")
        for subject in children(meta, "subject"):
            if name := text_at(subject, "name"):
                article.section = name
                break
        lang = attr(find(meta, "language"), "tag")
    else:
        lang = ""
    lang = lang or attr(item, "lang")
    if lang:
        article.language = language_code(lang)
    elif not article.language:
        article.language = detect_language(" ".join([article.headline, *(b["text"] for b in article.body[:5])]))

    article.external_id = attr(item, "guid")
    article.version = version_number(attr(item, "version"))
    if item_meta is not None:
        provider = find(item_meta, "provider")
        article.source = (
            (text_at(provider, "name") if provider is not None else "")
            or attr(provider, "literal")
            or attr(provider, "qcode").split(":")[-1]
        )
        article.published_at = (
            parse_time(text_at(item_meta, "embargoed"))
            or parse_time(text_at(item_meta, "firstCreated"))
            or article.published_at
        )
    if meta is not None:
        article.source = article.source or text_at(meta, "infoSource/name") or attr(find(meta, "infoSource"), "literal")
        article.published_at = article.published_at or parse_time(text_at(meta, "contentCreated"))
    notice = find(item, "rightsInfo/copyrightNotice")
    if notice is not None:
        article.rights = element_text(notice)
    elif holder := text_at(item, "rightsInfo/copyrightHolder/name"):
        article.rights = f"© {holder}"
    return article


def _preferred(headlines: list) -> str:
    for headline in headlines:
        if not attr(headline, "role") and element_text(headline):
            return element_text(headline)
    for headline in headlines:
        if element_text(headline):
            return element_text(headline)
    return ""
