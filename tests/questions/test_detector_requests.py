"""Requests written without a question mark in French chat, as the English ones already were ("can someone help
me", "any ideas"): "tu peux m'aider", "vous pouvez m'envoyer le lien", "t'as le lien", "des idées" -- and their
look-alikes that ask nothing ("tu peux venir demain" permits, "vous pouvez me croire", "t'as raison"). And a lone
"word" longer than any real one, ending with "?" (a keyboard mash, a paste of x's), is not a question. Found by a
review of issue 19; each case both ways."""

from __future__ import annotations

import pytest

from plugins.questions import detector


def _asks(text: str, language: str) -> bool:
    """What the tracker does once the language is known: the cheap pre-check, then the language's table."""
    return detector.is_candidate(text) and detector.is_question(text, language)


@pytest.mark.parametrize(
    "text",
    [
        "tu peux m'aider",
        "vous pouvez m'envoyer le lien",
        "tu peux me dire à quelle heure ça commence",
        "t'as le lien du replay",
        "t’as le lien du replay",
        "des idées",
        "une idée",
        "salut, des idées pour le thème de jeudi",
    ],
)
def test_french_requests_without_a_question_mark(text: str) -> None:
    assert _asks(text, "fr")


@pytest.mark.parametrize(
    "text",
    [
        "tu peux venir demain",
        "vous pouvez me croire, c'était génial",
        "vous pouvez nous faire confiance",
        "t'as raison",
        "j'ai une idée",
        "c'est une idée",
    ],
)
def test_french_look_alikes_ask_nothing(text: str) -> None:
    assert not _asks(text, "fr")


def test_a_word_longer_than_any_word_is_not_a_one_word_question() -> None:
    assert _asks("metallica?", "en")
    assert _asks("Donaudampfschifffahrtsgesellschaftskapitän?", "de")  # a real (43-letter) word still asks
    assert not _asks("x" * 3999 + "?", "en")
    assert not _asks("a" * 46 + "?", "fr")


def test_a_name_typed_before_the_question_does_not_hide_it() -> None:
    # "@bob" as text (the console, Discord's @everyone) names who is asked, like `<@123>`.
    assert _asks("@bob t'as le lien du replay", "fr")
    assert _asks("@everyone anyone know a good host", "en")
    assert not _asks("@bob", "fr")
    assert not _asks("écris à bob@example.com t'as vu", "fr")  # an e-mail address is not a name to skip
