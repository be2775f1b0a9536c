"""Language detection over langdetect, made deterministic and limited to the community's languages.

langdetect is random by default (it samples n-grams) and knows 55 languages; a chat community
needs the same answer every time and only a handful of candidates, so one private factory is
built once with a fixed seed and only the configured profiles. Reading the profiles and each
detection (about 1-5 ms) run in a worker thread, the profiles at start (`preload`), so the event
loop never waits on langdetect.
"""

from __future__ import annotations

import asyncio
import re
import threading
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

    def __init__(
        self, languages: Sequence[str] = DEFAULT_LANGUAGES, *, min_letters: int = 12, min_confidence: float = 0.6
    ) -> None:
        if len(languages) < 2:
            raise ValueError("language detection needs at least two languages")
        self.languages = tuple(languages)
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self._paths = [Path(PROFILES_DIRECTORY) / code for code in self.languages]
        for code, path in zip(self.languages, self._paths, strict=True):
            if not path.is_file():
                raise ValueError(f"no langdetect profile for language {code!r}")
        self._factory: DetectorFactory | None = None
        self._lock = threading.Lock()  # worker threads may ask for the factory at the same time

    def load(self) -> DetectorFactory:
        """Read the profiles once (tens of ms): called on a worker thread, by `preload` or `detect`."""
        with self._lock:
            if self._factory is None:
                factory = DetectorFactory()
                factory.load_json_profile([path.read_text(encoding="utf-8") for path in self._paths])
                factory.seed = 0  # fixed seed: the same text always gets the same answer
                self._factory = factory
            return self._factory

    async def preload(self) -> None:
        """Read the profiles in a worker thread now (the app does it at start), not on first use."""
        await asyncio.to_thread(self.load)

    def detect_now(self, text: str) -> str:
        """Detect on the calling thread; 'unknown' for texts too short or too mixed to judge."""
        cleaned = _NOISE.sub(" ", text)
        if len(_LETTERS.findall(cleaned)) < self.min_letters:
            return UNKNOWN
        detector = self.load().create()
        detector.append(cleaned)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNKNOWN
        return str(best.lang) if best.prob >= self.min_confidence else UNKNOWN

    async def detect(self, text: str) -> str:
        """Detect in a worker thread so the event loop never waits on langdetect."""
        return await asyncio.to_thread(self.detect_now, text)
