"""Query parameters of /api/v1/people/, /organisations/ and /places/: validated by a form,
documented in the schema (the name search itself is SQL in entities/search.py)."""

from articles.search import MAX_QUERY_LENGTH
from core.api import LabelLanguageForm, TextField


class EntityFilterForm(LabelLanguageForm):
    q = TextField(
        max_length=MAX_QUERY_LENGTH,
        help_text="Name search over names and aliases: prefix matches first, then typo-tolerant (trigram) matches. "
        "Case and accents are ignored.",
    )
