"""Language detection over langdetect, made deterministic and limited to the community's languages.

langdetect is random by default (it samples n-grams) and knows 55 languages; a chat community
needs the same answer every time and only a handful of candidates, so one private factory is
built once with a fixed seed and only the configured profiles. Detection costs about 1-5 ms,
so it runs in a worker thread and only when a feature asks for it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

UNKNOWN = "unknown"
DEFAULT_LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "de", "it", "pt")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|<[@#!][^>]*>|:[a-z0-9_+-]+:|`[^`]*`", re.IGNORECASE)


class LanguageDetector:
    """Deterministic language guesses among a fixed set of languages."""

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, *, min_letters: int = 12,
                 min_confidence: float = 0.6) -> None:
        if len(languages) < 2:
            raise ValueError("language detection needs at least two languages")
        self.languages = tuple(languages)
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        factory = DetectorFactory()
        profiles = []
        for code in self.languages:
            path = Path(PROFILES_DIRECTORY) / code
            if not path.is_file():
                raise ValueError(f"no langdetect profile for language {code!r}")
            profiles.append(path.read_text(encoding="utf-8"))
        factory.load_json_profile(profiles)
        factory.seed = 0  # fixed seed: the same text always gets the same answer
        self._factory = factory

    def detect_now(self, text: str) -> str:
        """Detect on the calling thread; 'unknown' for texts too short or too mixed to judge."""
        cleaned = _NOISE.sub(" ", text)
        if len(_LETTERS.findall(cleaned)) < self.min_letters:
            return UNKNOWN
        detector = self._factory.create()
        detector.append(cleaned)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNKNOWN
        return str(best.lang) if best.prob >= self.min_confidence else UNKNOWN

    async def detect(self, text: str) -> str:
        """Detect in a worker thread so the event loop never waits on langdetect."""
        return await asyncio.to_thread(self.detect_now, text)
