"""Language detection for articles whose format does not declare one (lingua)."""

from functools import lru_cache

from lingua import Language as LinguaLanguage
from lingua import LanguageDetectorBuilder

from articles.models import Language

_LINGUA_TO_CODE = {
    LinguaLanguage.FRENCH: Language.FRENCH,
    LinguaLanguage.ENGLISH: Language.ENGLISH,
    LinguaLanguage.GERMAN: Language.GERMAN,
    LinguaLanguage.SPANISH: Language.SPANISH,
    LinguaLanguage.ITALIAN: Language.ITALIAN,
    LinguaLanguage.PORTUGUESE: Language.PORTUGUESE,
    LinguaLanguage.DUTCH: Language.DUTCH,
}


@lru_cache(maxsize=1)
def _detector():
    # Low-accuracy mode uses trigram models only: ample for article-length text, and a
    # fraction of the memory of the full models.
    return LanguageDetectorBuilder.from_languages(*_LINGUA_TO_CODE).with_low_accuracy_mode().build()


def detect_language(text: str) -> str:
    """The article's language code, or "und" when the text is too short or unclear."""
    sample = text[:5000]
    if len(sample.split()) < 3:
        return Language.UNKNOWN
    detected = _detector().detect_language_of(sample)
    return _LINGUA_TO_CODE.get(detected, Language.UNKNOWN)
