"""Credit lines and speaker labels blanked out of a text before NER: "Photo: X / AFP",
"Image: X." or a caption's "Copenhagen - Mads Claus Rasmussen, Scanpix/AFP" name
photographers and agencies, not the story's people; an interview's "((WN))" or "NG:" before
each answer is the initials of a speaker (Wikinews, its reporter). Neither is prose the
model should read."""

import functools
import re
from collections import Counter

from entities.extraction import lexicon

# A credit inside a caption or a paragraph: "Photo: X", "Image: X / AFP", "Crédit : X", to
# the end of the line (Wikinews glues "Image: <credit>." to the caption before it:
# "Jo JorgensenImage: ...").
_CREDIT_LABEL = re.compile(
    r"(?:(?<![^\W\d_])(?=[A-Z])|(?<=[a-z]))(?:(?:Photo|Photos|Image|Images|Credit|Credits|Crédit|Crédits|Photo credit|Crédit photo|Photographie|Illustration)"
    r"\s?:[^\n]*)",
)
# A caption's trailing " - Name, AGENCY/Archives": a dash, then to the end of the line (at
# most 80 characters), a segment that names a photo agency or uses the "/" of
# "AFP/Archives". Captions only: in prose a dash and a slash mean other things.
_AGENCIES = lexicon.entries("photo_agencies.txt")
_CREDIT_TAIL = re.compile(
    r"\s[-–—]\s(?=[^\n]{0,80}$)[^\n\-–—]*(?:/|\b(?:" + "|".join(re.escape(a) for a in _AGENCIES) + r")\b)[^\n\-–—]*$",
    re.MULTILINE,
)


# An interview's speaker label at a line start: "((WN))", "((WSS))" (Wikinews' own form:
# double brackets), or "NG:" when the same initials start two lines or more. Initials only: a
# label that spells a name ("((Akram Pasha))") names the interviewee, introduced in the text.
_BRACKETED_SPEAKER = re.compile(r"^\(\([A-Z]{1,5}\)\)", re.MULTILINE)
_SPEAKER = re.compile(r"^([A-Z]{1,4}):(?=\s)", re.MULTILINE)


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def mask_credits(text: str, *, caption: bool = False) -> str:
    """The text with its credit lines and interview speaker labels replaced by spaces
    (offsets unchanged); `caption` for a photo caption, whose trailing " - photographer,
    agency" goes too."""
    if not text:
        return text
    return _masked(text, caption)


# The worker masks each text of a batch twice, for the model and for the known names
# (`known_names.add_known_names`): the last few batches' texts are kept.
@functools.lru_cache(maxsize=128)
def _masked(text: str, caption: bool) -> str:
    text = _CREDIT_LABEL.sub(_blank, text)
    text = _BRACKETED_SPEAKER.sub(_blank, text)
    repeated = {label for label, n in Counter(_SPEAKER.findall(text)).items() if n > 1}
    if repeated:
        text = _SPEAKER.sub(lambda m: _blank(m) if m.group(1) in repeated else m.group(0), text)
    return _CREDIT_TAIL.sub(_blank, text) if caption else text
