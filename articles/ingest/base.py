"""What every format parser produces, and how it refuses a document."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from articles.models import BlockType


class IngestError(Exception):
    """A document refused, with a reason an editor understands."""


@dataclass
class ParsedArticle:
    headline: str
    body: list[dict] = field(default_factory=list)  # [{"type": BlockType, "text": str}]
    standfirst: str = ""
    byline: str = ""
    dateline: str = ""
    language: str = ""  # detected from the text when the format does not say
    section: str = ""
    source: str = ""
    photo_caption: str = ""
    photo_credit: str = ""
    published_at: datetime | None = None
    external_id: str = ""
    version: int | None = None
    source_url: str = ""
    rights: str = ""
    # True when the document carried no id of its own (plain wire text, a JSON story
    # without id or URL): `external_id` is then derived from the content, see fingerprint().
    content_identity: bool = False

    def paragraph(self, text: str) -> None:
        self.body.append({"type": BlockType.PARAGRAPH, "text": text})

    def intertitle(self, text: str) -> None:
        self.body.append({"type": BlockType.INTERTITLE, "text": text})

    def fingerprint(self) -> str:
        """SHA-256 of the story as received: the same text (whatever its encoding, line
        endings or file name) gives the same fingerprint; any change to the words, another."""
        content = [
            self.headline,
            self.standfirst,
            [[block["type"], block["text"]] for block in self.body],
            self.byline,
            self.dateline,
            self.photo_caption,
            self.photo_credit,
            self.source_url,
            self.rights,
        ]
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()

    def identify_by_content(self) -> None:
        """Give a document without an id of its own one from its text (never from the
        headline alone: two stories may share one)."""
        self.external_id = "text-" + self.fingerprint()[:40]
        self.content_identity = True
