"""What every format parser produces, and how it refuses a document."""

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

    def paragraph(self, text: str) -> None:
        self.body.append({"type": BlockType.PARAGRAPH, "text": text})

    def intertitle(self, text: str) -> None:
        self.body.append({"type": BlockType.INTERTITLE, "text": text})
