"""The language a question is read in, end to end through the real dispatcher and the real detector: short and
unclear texts take the community's language; an interrogative opener of another language moves them only when
the text's function words agree ("was gonna ask" stays English, "was ist das" is German); the pieces of
`plugins.questions.reading` one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Level
from plugins.questions import reading
from tests.harness import Harness, running
from tests.questions.conftest import PLUGINS, questions, shown


async def languages(h: Harness) -> dict[str, str]:
    """Each tracked question's excerpt -> its language."""
    return {q["excerpt"]: q["language"] for q in await questions(h)}


async def message_languages(h: Harness) -> list[str | None]:
    """The language recorded with each message (None: not judged, not a question candidate)."""
    await h.flush()
    return [r["language"] for r in await h.app.db.fetchall("SELECT language FROM messages ORDER BY id")]


async def test_was_gonna_in_an_english_community_is_english_not_german(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "was gonna ask if anyone has the slides?")
        await h.say("bob", "was going to say… does anyone have the recording?")
        await h.say("carol", "was gonna ask if anyone has the slides")
        await h.say("dan", "Was wondering if the venue has a cloakroom?")
        assert await languages(h) == {
            "was gonna ask if anyone has the slides?": "en",
            "was going to say… does anyone have the recording?": "en",
            "was gonna ask if anyone has the slides": "en",  # an announced question asks, as "was wondering if"
            "Was wondering if the venue has a cloakroom?": "en",
        }
        listed = shown(await h.command("erin", "/unanswered"))
        assert "(English)" in listed and "German" not in listed
        assert "de" not in await message_languages(h)


async def test_short_texts_take_the_community_language(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "ça marche ?")  # 8 letters, no opener: the community's English, not a guess
        await h.say("bob", "ok merci, see you demain alors ?")  # mixed: the detector cannot tell
        assert await languages(h) == {"ça marche ?": "en", "ok merci, see you demain alors ?": "en"}
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        await h.say("carol", "ça marche ?")  # the same texts, now in a French community
        await h.say("dan", "ok merci, see you demain alors ?")
        assert [q["language"] for q in await questions(h)] == ["en", "en", "fr", "fr"]
        listed = shown(await h.command("erin", "/unanswered", locale="fr"))
        assert "(français)" in listed and "(anglais)" in listed


async def test_a_short_text_moves_to_another_language_only_when_its_words_say_so(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        await h.say("alice", "how do I join")  # French community, plainly English: "how", "do", "I"
        await h.say("bob", "was ist das")  # "ist", "das": German
        await h.say("carol", "come posso?")  # "posso": Italian
        await h.say("dan", "quand ça ?")  # French opener, French words
        assert await languages(h) == {
            "how do I join": "en",
            "was ist das": "de",
            "come posso?": "it",
            "quand ça ?": "fr",
        }


async def test_an_english_community_keeps_english_words_english(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "come here")  # Italian's "come" opener, English words: English, and not a question
        await h.say("bob", "was busy")  # German's "was" opener, no word of either side: the community's English
        await h.say("carol", "How do I export to CSV?")  # the statistical guess is shaky; English all the same
        assert await languages(h) == {"How do I export to CSV?": "en"}
        assert "it" not in await message_languages(h) and "de" not in await message_languages(h)


# ---------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("was gonna ask if anyone has the slides", "en", "en"),
        ("was going to say", "en", "en"),
        ("was ist das", "en", "de"),
        ("wie geht das", "en", "de"),
        ("come here", "en", "en"),
        ("come posso fare", "en", "it"),
        ("dove si trova", "en", "it"),
        ("how do I join", "fr", "en"),
        ("How do I export to CSV?", "pt", "en"),
        ("quand est-ce ?", "en", "fr"),
        ("como se hace", "en", "es"),
        ("¿vienes?", "en", "es"),  # the opening mark is Spanish
        ("¿vienes?", "fr", "es"),
        ("quando começa", "en", "pt"),
        ("ok", "fr", "fr"),
        ("", "en", "en"),
    ],
)
def test_settle(text: str, base: str, expected: str) -> None:
    assert reading.settle(text, base) == expected


def test_settle_moves_only_to_followed_languages() -> None:
    assert reading.settle("was ist das", "en", ("en", "fr")) == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I export to CSV?", "en"),  # English questions langdetect puts elsewhere with certainty
        ("ok so what do we do now?", "en"),
        ("Uh, but uh, but what do you do?", "en"),
        ("Anything else?", "en"),
        ("Weet iemand hoe dit werkt?", None),  # Dutch: no followed opener
        ("Wie weet waar de slides zijn?", None),  # Dutch with German's "wie": one function word only
        ("Hej, vet någon hur man ställer in kalendern?", None),
    ],
)
def test_rescue(text: str, expected: str | None) -> None:
    assert reading.rescue(text, "en") == expected


def test_rescue_only_to_followed_languages() -> None:
    assert reading.rescue("Weiß jemand, wie das geht?", "en", ("en", "fr")) is None
    assert reading.rescue("Weiß jemand, wie das geht?", "en") == "de"


@pytest.mark.parametrize(
    ("text", "own"),
    [
        ("> How do I join?\nsame here", "same here"),
        ("&gt; How do I join?\nsame here", "same here"),
        ("Does anyone know?\n>>> quoted\nand quoted too", "Does anyone know?"),
        ("see ```\ncode?\n``` and `inline?` there", "see and there"),
        ("<:blob:123> <@42> <#7> :wave: https://x.test/?a=1 hi", "hi"),
    ],
)
def test_own_words(text: str, own: str) -> None:
    assert " ".join(reading.own_words(text).split()) == own


def test_letters_and_pastes() -> None:
    assert reading.letters("ça marche ? 👍 42") == 8
    assert not reading.is_paste("x" * reading.MAX_CHARS)
    assert reading.is_paste("x" * (reading.MAX_CHARS + 1))


async def test_an_explicit_ask_in_an_unfollowed_language_is_still_tracked(tmp_path: Path) -> None:
    # /ask is always tracked: the language is simply not one the bot follows, and is listed as unknown.
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/ask Как настроить календарь для команды?")
        await h.say("bob", "Как настроить календарь для команды?")  # the same text in chat: not tracked
        assert [q["language"] for q in await questions(h)] == ["unknown"]
