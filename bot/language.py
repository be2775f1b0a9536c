"""Language detection over langdetect, made deterministic and limited to the community's languages.

langdetect is random by default (it samples n-grams) and knows 55 languages; a chat community
needs the same answer every time and only a handful of candidates, so one private factory is
built once with a fixed seed and only the configured profiles. Reading the profiles and each
detection (about 1-5 ms) run in a worker thread, the profiles at start (`preload`), so the event
loop never waits on langdetect.

A text in a language the bot does not follow must not be forced into the nearest configured one
(with only the six default profiles, Dutch and Polish come out German with certainty, Turkish
Spanish, and Russian fails outright). So the detector also knows a few other languages met in chat
(`OTHER_LANGUAGES`, Latin-script ones; plus every default language the configuration left out) and
answers `OTHER` when one of them wins clearly; a text written mostly in another script (Cyrillic,
Greek, Arabic, Hebrew, CJK, Devanagari, Thai...) is `OTHER` from its letters alone, without a
profile. Unclear texts stay `UNKNOWN`: the caller uses the community's language for them.
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
OTHER = "other"
"""A language outside the configured ones: the text is recognised, but not in a language the bot follows."""
DEFAULT_LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "de", "it", "pt")
# Latin-script languages often met in European and international chat, loaded only to recognise them
# (about 4 MB more than the six default profiles' 1 MB, ~0.1 s more at start, ~1 ms per detection).
OTHER_LANGUAGES: tuple[str, ...] = ("nl", "pl", "tr", "sv", "da", "no", "ro", "cs", "id", "fi", "hu", "vi")
# Profiles of languages written in another script than Latin: with one of them configured, the script
# shortcut below is off.
_NON_LATIN = frozenset(
    "ar bg bn el fa gu he hi ja kn ko mk ml mr ne pa ru ta te th uk ur zh-cn zh-tw".split()  # noqa: SIM905
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# Letters of the Latin script: ASCII, Latin-1, Latin Extended-A/B and Additional (Vietnamese).
_LATIN = re.compile(r"[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_NOISE = re.compile(r"https?://\S+|<[@#!][^>]*>|:[a-z0-9_+-]+:|`[^`]*`", re.IGNORECASE)
# What is read of a long text: the statistics settle long before (langdetect itself reads 10,000).
_READ = 2_000


class LanguageDetector:
    """Deterministic language guesses among a fixed set of languages (`OTHER` for a few more)."""

    def __init__(
        self,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        *,
        others: Sequence[str] | None = None,
        min_letters: int = 12,
        min_confidence: float = 0.6,
        other_confidence: float = 0.9,
    ) -> None:
        if len(languages) < 2:
            raise ValueError("language detection needs at least two languages")
        self.languages = tuple(languages)
        wanted = OTHER_LANGUAGES + DEFAULT_LANGUAGES if others is None else tuple(others)
        self.others = tuple(dict.fromkeys(code for code in wanted if code not in self.languages))
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        # A foreign language must win clearly: short English or French chat sometimes comes out Slovene or
        # Afrikaans at 0.86, and such a text is then read in the community's language instead.
        self.other_confidence = other_confidence
        self._latin_only = not _NON_LATIN.intersection(self.languages)
        codes = self.languages + self.others
        self._paths = [Path(PROFILES_DIRECTORY) / code for code in codes]
        for code, path in zip(codes, self._paths, strict=True):
            if not path.is_file():
                raise ValueError(f"no langdetect profile for language {code!r}")
        self._factory: DetectorFactory | None = None
        self._lock = threading.Lock()  # worker threads may ask for the factory at the same time

    def load(self) -> DetectorFactory:
        """Read the profiles once (~0.1 s): called on a worker thread, by `preload` or `detect`."""
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
        """Detect on the calling thread: a configured language, `OTHER` for a language outside them, or
        `UNKNOWN` for texts too short or too mixed to judge. Reads at most the first 2,000 characters."""
        cleaned = _NOISE.sub(" ", text[: _READ * 2])[:_READ]
        letters = len(_LETTERS.findall(cleaned))
        if letters < self.min_letters:
            return UNKNOWN
        if self._latin_only and len(_LATIN.findall(cleaned)) * 2 < letters:
            return OTHER  # mostly another script: no configured language is written in it
        detector = self.load().create()
        detector.append(cleaned)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return UNKNOWN
        followed = [p for p in ranked if p.lang in self.languages]
        if followed and followed[0].prob >= self.min_confidence:
            return str(followed[0].lang)
        if ranked and ranked[0].lang not in self.languages and ranked[0].prob >= self.other_confidence:
            return OTHER
        return UNKNOWN

    async def detect(self, text: str) -> str:
        """Detect in a worker thread so the event loop never waits on langdetect."""
        return await asyncio.to_thread(self.detect_now, text)
