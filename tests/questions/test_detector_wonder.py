"""Wondering aloud against asking the others (found by playing the console): "je me demande si c'est une bonne
idée" doubts and addresses nobody, "je me demande si quelqu'un…" asks; "was gonna ask if anyone has the
slides" asks as politely as "I was wondering if…", while "I was gonna ask him but…" tells what did not
happen. Each case both ways, in French, English and German."""

from __future__ import annotations

import pytest

from plugins.questions import detector


def _asks(text: str, language: str) -> bool:
    """What the tracker does once the language is known: the cheap pre-check, then the language's table."""
    return detector.is_candidate(text) and detector.is_question(text, language)


ASKS = [
    ("fr", "je me demande si quelqu'un a les slides de la présentation"),
    ("fr", "Je me demande si qqn connaît un bon resto près de la gare"),
    ("fr", "je me demande si vous avez prévu une pause"),
    ("fr", "je me demande si l'un de vous a déjà testé la nouvelle version"),
    ("fr", "je me demande s'il y a quelqu'un de dispo ce soir"),
    ("fr", "je me demande comment vous faites pour tenir le rythme"),
    ("fr", "je me demande si on peut venir en vélo"),  # whether it can be done: as "I wonder if it's possible"
    ("fr", "je me demande s'il est possible de changer de groupe"),
    ("fr", "je me demande si c'est une bonne idée ?"),  # the question mark asks
    ("fr", "je me demandais si la salle est accessible"),  # the polite imperfect, as "I was wondering if"
    ("en", "was gonna ask if anyone has the slides"),
    ("en", "I was going to ask if anybody knows the wifi password"),
    ("en", "wanted to ask if someone could help me move on Saturday"),
    ("en", "I was gonna ask you guys if the meetup is still on"),
    ("en", "just wanted to ask whether the talk will be recorded"),
    ("de", "ich frage mich ob jemand das Buch noch hat"),
    ("de", "ich frage mich, ob jemand das Buch noch hat"),
    ("de", "ich frage mich, wie ihr das macht"),
]

MUSES = [
    ("fr", "je me demande si c'est une bonne idée"),
    ("fr", "je me demande pourquoi il est parti si tôt"),
    ("fr", "je me demande comment ça va finir cette histoire"),
    ("fr", "je me demande qui a eu cette idée"),
    ("en", "I was gonna ask him but he left before I could"),
    ("en", "was going to ask about it but never mind"),
    ("en", "I wonder why."),
    ("en", "I wonder if it will rain tomorrow"),
    ("de", "ich frage mich, warum."),
    ("de", "ich frage mich, ob das eine gute Idee ist"),
]


@pytest.mark.parametrize(("language", "text"), ASKS)
def test_wondering_to_the_others_is_a_question(language: str, text: str) -> None:
    assert _asks(text, language)


@pytest.mark.parametrize(("language", "text"), MUSES)
def test_wondering_aloud_is_not_a_question(language: str, text: str) -> None:
    assert not _asks(text, language)


def test_the_announced_question_stays_english() -> None:
    # "was" opens German questions too: the announced English question must not move to German.
    assert detector.opener_language("was gonna ask if anyone has the slides", "en") == "en"
    assert detector.opener_language("je me demande si quelqu'un a les slides", "en") == "fr"


HOSTILE = [
    "was " * 12_500,
    "i was just really " * 3_000 + "gonna ask",
    "gonna ask you you you " * 2_500,
    "je me demande si " * 3_000,
    "je me demande si vous " * 2_500,
    "ich frage mich, ob " * 2_800,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda text: f"{text[:12]!r}x{len(text)}")
def test_hostile_text_stays_cheap_with_the_wondering_patterns(text: str) -> None:
    # No timing assertion: a pattern that backtracks badly shows as a suite that never finishes.
    assert detector.is_candidate(text) in (True, False)
    for language in detector.LANGUAGES:
        assert detector.is_question(text, language) in (True, False)
    assert detector.opener_language(text, "en") in (*detector.LANGUAGES, "en")
