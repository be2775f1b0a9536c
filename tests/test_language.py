"""Language detection: deterministic, limited to the configured languages, 'unknown' when short."""

from __future__ import annotations

import pytest

from bot.language import UNKNOWN, LanguageDetector

SAMPLES = [
    ("fr", "Bonjour à tous, est-ce que quelqu'un sait comment configurer le calendrier ?"),
    ("en", "Hello everyone, does anybody know how to configure the calendar for our team?"),
    ("es", "Hola a todos, ¿alguien sabe cómo configurar el calendario del equipo?"),
    ("de", "Hallo zusammen, weiß jemand, wie man den Kalender für das Team einrichtet?"),
    ("it", "Ciao a tutti, qualcuno sa come configurare il calendario della squadra?"),
    ("pt", "Olá a todos, alguém sabe como configurar o calendário da equipe?"),
]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(("expected", "text"), SAMPLES)
def test_detects_the_six_default_languages(detector: LanguageDetector, expected: str, text: str) -> None:
    assert detector.detect_now(text) == expected


def test_same_answer_every_time(detector: LanguageDetector) -> None:
    text = "ok merci, je regarde ça ce soir"
    assert len({detector.detect_now(text) for _ in range(20)}) == 1


@pytest.mark.parametrize("text", ["ok?", "👍👍", "lol", "https://example.com/a/very/long/link/only", ""])
def test_short_or_empty_texts_are_unknown(detector: LanguageDetector, text: str) -> None:
    assert detector.detect_now(text) == UNKNOWN


def test_only_configured_languages_are_candidates() -> None:
    detector = LanguageDetector(("fr", "en"))
    assert detector.detect_now(SAMPLES[3][1]) in ("fr", "en", UNKNOWN)


async def test_detect_runs_off_the_event_loop(detector: LanguageDetector) -> None:
    assert await detector.detect(SAMPLES[0][1]) == "fr"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="xx"):
        LanguageDetector(("fr", "xx"))
