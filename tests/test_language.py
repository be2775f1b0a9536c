"""Language detection: deterministic, limited to the configured languages, 'unknown' when short."""

from __future__ import annotations

import pytest

from bot.language import OTHER, UNKNOWN, LanguageDetector

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
    assert detector.detect_now(SAMPLES[3][1]) == OTHER  # German, recognised as a language not followed here
    assert detector.detect_now(SAMPLES[0][1]) == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "Hoe kan ik de agenda instellen voor ons team?",  # Dutch: German with the six profiles alone
        "Czy ktoś wie jak skonfigurować kalendarz?",  # Polish: German too
        "Merhaba, takvimi nasıl ayarlarım?",  # Turkish: Spanish
        "Hej, vet någon hur man ställer in kalendern?",  # Swedish
        "Как настроить календарь для команды?",  # Cyrillic: no profile needed, the letters say it
        "カレンダーの設定方法を教えてください",  # Japanese
        "كيف يمكنني ضبط التقويم للفريق؟",  # Arabic
    ],
)
def test_a_language_the_bot_does_not_follow_is_other_not_the_nearest_one(detector: LanguageDetector, text: str) -> None:
    assert detector.detect_now(text) == OTHER


def test_an_unclear_text_is_unknown_not_other(detector: LanguageDetector) -> None:
    # Short chat that langdetect leans foreign on without certainty is left to the community's language.
    assert detector.detect_now("lol yeah same here tbh") in ("en", UNKNOWN)
    assert detector.detect_now("ok merci je regarde ça") in (*detector.languages, UNKNOWN)


def test_only_a_bounded_prefix_is_read(detector: LanguageDetector) -> None:
    # 50 KB of French then 50 KB of Russian: only the French start is read.
    text = "Bonjour à tous, est-ce que quelqu'un sait comment configurer le calendrier ? " * 700
    assert detector.detect_now(text + "Как настроить календарь для команды? " * 1500) == "fr"


def test_a_configured_non_latin_language_is_detected_not_other() -> None:
    assert LanguageDetector(("en", "ru")).detect_now("Как настроить календарь для команды?") == "ru"


async def test_detect_runs_off_the_event_loop(detector: LanguageDetector) -> None:
    assert await detector.detect(SAMPLES[0][1]) == "fr"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="xx"):
        LanguageDetector(("fr", "xx"))
