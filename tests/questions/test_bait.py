"""Questions the filters call bait are not chased: a message the built-in engagement-bait list tags (« Qu'en
pensez-vous ? », « Commentez si… ») is not tracked, nudged, escalated, listed as unanswered or counted in
the digest; a real question next to it is. Without the filters plugin, nothing changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.model import Level
from tests.harness import START, Harness, running
from tests.questions.conftest import plugin, questions, shown

WITH_FILTERS: dict[str, dict[str, Any]] = {"core": {}, "filters": {}, "questions": {}}
BAIT = ("Qu’en pensez-vous ?", "Commentez si vous êtes d’accord ?", "Who agrees?")
REAL = "Comment rejoindre le groupe de Lille ?"


async def chat(h: Harness) -> None:
    for who, text in zip(("alice", "bob", "dave"), BAIT, strict=True):
        await h.say(who, text)
    await h.say("carol", REAL)


async def test_bait_is_not_tracked_escalated_listed_or_counted(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=WITH_FILTERS) as h:
        assert "switched on" in (await h.command("mod", "/filter bait on", level=Level.MODERATOR)).text
        await chat(h)
        assert [q["excerpt"] for q in await questions(h)] == [REAL]
        listed = shown(await h.command("erin", "/unanswered"))
        assert REAL in listed and not any(text in listed for text in BAIT)
        await h.advance(hours=80)  # past the nudge, the 24 h reminder and the "still waiting" flag
        nudged = [s.target for s in h.sent if "waiting" in s.text or "Still no answer" in s.text]
        carol = (await questions(h))[0]["message_id"]
        assert {getattr(t, "thread_id", None) for t in nudged} == {carol}  # carol's question only
        section = await plugin(h).digest_section(h.platform.community, START, h.clock.now(), "Europe/Paris")
        assert section is not None
        figures = section.values()
        assert (figures["asked"], figures["still_waiting"]) == (1, 1)


async def test_without_the_filters_plugin_the_same_messages_are_questions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={"core": {}, "questions": {}}) as h:
        await chat(h)
        assert len(await questions(h)) == 4


async def test_bait_is_followed_when_the_bait_list_is_off(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=WITH_FILTERS) as h:
        await chat(h)  # the filters plugin is on, but the community never switched the bait list on
        assert len(await questions(h)) == 4


async def test_bait_in_a_questions_thread_is_not_an_answer(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=WITH_FILTERS) as h:
        await h.command("mod", "/filter bait on", level=Level.MODERATOR)
        waiting = await h.say("alice", "How do I export the members list?")
        helped = await h.say("carol", REAL)
        await h.say("bob", "Who agrees?", thread=waiting.message_id)  # bait, in the thread: no answer
        await h.say("bob", "Qu’en pensez-vous ?", reply_to=helped)
        await h.say("dave", "Par le canal #lille, il suffit d’y écrire.", thread=helped.message_id)
        assert [(q["status"], q["answered_by"]) for q in await questions(h)] == [("open", None), ("answered", "dave")]
        await h.advance(hours=5)
        nudged = {getattr(s.target, "thread_id", None) for s in h.sent if "waiting" in s.text}
        assert nudged == {waiting.message_id}
