"""XML parsed safely (research/reliability.md, B.9): no DTD loaded, no entity expanded,
no network; a document declaring entities (XXE, "billion laughs") is refused outright.

The declared encoding is not trusted blindly: bytes that are valid UTF-8 are read as
UTF-8 whatever the declaration says (AFP's afp20.xml declares ISO-8859-1 but is UTF-8;
real Latin-1 text with accents is almost never valid UTF-8).
"""

import codecs
import re

from lxml import etree

from articles.ingest.base import IngestError

_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ENTITIES = (
    "the XML declares its own entities (<!ENTITY>), which can read server files or expand "
    "without end (an XML bomb); such files are refused"
)


def _parser(encoding: str | None) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding=encoding,
    )


def parse_xml(data: bytes):
    """The root element, or IngestError with a reason an editor understands."""
    if not data.strip():
        raise IngestError("the file is empty")
    if b"\x00" in data and not data.startswith(_UTF16_BOMS):
        raise IngestError("the file contains NUL bytes: it is binary, not XML")
    if b"<!ENTITY" in data:
        raise IngestError(_ENTITIES)
    encoding = None
    if not data.startswith(_UTF16_BOMS):
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            declared = _DECLARED.match(data)
            # No declaration and not UTF-8: legacy Western copy is Windows-1252.
            encoding = None if declared else "cp1252"
    try:
        root = etree.fromstring(data, _parser(encoding))
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"the XML is malformed ({_short(exc)})") from exc
    except LookupError as exc:
        raise IngestError("the XML declares a character encoding Newsroom does not know") from exc
    except ValueError as exc:
        raise IngestError("the XML could not be read as text in its declared encoding") from exc
    if root is None:
        raise IngestError("the file holds no XML element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise IngestError(_ENTITIES)
    return root


def _short(exc: etree.XMLSyntaxError) -> str:
    """libxml2's message, which names the mistake in the file; but its limits are said in
    words for editors rather than as libxml2's parser options."""
    message = str(exc.msg or exc).strip()
    if "Excessive depth" in message:
        return "its elements are nested more than 256 levels deep"
    if "huge" in message.lower() or "XML_PARSE_HUGE" in message:
        return "it holds a text or name too large to read"
    if message.startswith("Unsupported encoding"):
        return "it declares a character encoding Newsroom does not know"
    if exc.lineno and "line" not in message:
        message += f", line {exc.lineno}"
    return message[:200]
