"""Namespace-agnostic lookups shared by the XML formats (providers vary their prefixes)."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.ingest.sanitize import element_text, localname
from articles.models import Language


def children(element, name: str) -> list:
    return [child for child in element if localname(child) == name.lower()]


def find(element, path: str):
    """The first element at a slash-separated path of local names, or None."""
    current = [element]
    for step in path.split("/"):
        current = [child for node in current for child in children(node, step)]
        if not current:
            return None
    return current[0]


def find_all(element, path: str) -> list:
    *parents, last = path.split("/")
    nodes = [element]
    for step in parents:
        nodes = [child for node in nodes for child in children(node, step)]
    return [child for node in nodes for child in children(node, last)]


def text_at(element, path: str) -> str:
    found = find(element, path)
    return element_text(found) if found is not None else ""


def descendants(element, name: str) -> list:
    return [node for node in element.iter() if localname(node) == name.lower()]


def attr(element, name: str) -> str:
    """An attribute by local name (xml:lang, or a provider's prefixed variant)."""
    if element is None:
        return ""
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return value.strip()
    return ""


def language_code(tag: str) -> str:
    """ "fr-FR", "fre", "French" -> "fr"; anything the archive does not index -> ""."""
    tag = tag.strip().lower().replace("_", "-")
    if not tag:
        return ""
    three = {"fre": "fr", "fra": "fr", "eng": "en", "ger": "de", "deu": "de", "spa": "es", "ita": "it"}
    three |= {"por": "pt", "dut": "nl", "nld": "nl"}
    names = {"french": "fr", "english": "en", "german": "de", "spanish": "es", "italian": "it"}
    names |= {"portuguese": "pt", "dutch": "nl", "français": "fr", "francais": "fr"}
    code = three.get(tag) or names.get(tag) or tag.split("-")[0]
    return code if code in Language.values and code != Language.UNKNOWN else Language.UNKNOWN


def parse_time(value: str) -> datetime | None:
    """ISO 8601 ("2017-10-18T11:16:43+02:00") or compact NITF ("20151210T191044Z")."""
    value = value.strip()
    if not value:
        return None
    candidates = [value]
    if len(value) >= 15 and value[8] == "T" and value[:8].isdigit():
        compact = value.replace("Z", "+0000")
        for pattern in ("%Y%m%dT%H%M%S%z", "%Y%m%dT%H%M%S"):
            try:
                parsed = datetime.strptime(compact[: 15 + (5 if "%z" in pattern else 0)], pattern)
                return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
            except ValueError:
                continue
    for candidate in candidates:
        try:
            parsed = parse_datetime(candidate)
        except ValueError:
            parsed = None
        if parsed is None and len(candidate) == 10:
            try:
                parsed = datetime.fromisoformat(candidate)
            except ValueError:
                parsed = None
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
    return None


def version_number(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 10 else None
