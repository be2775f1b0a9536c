"""Closing the loop with the asker, through the real app on the in-memory platform: the one private question
after the first answer, its "Solved" / "Not yet" buttons as commands, only for the asker, pressed twice or
late; the ladder resuming after "Not yet"; the closing as answered, not confirmed, exactly once across a
restart, and never counted as solved (digest section, /helpers)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.model import Level, UserRef
from bot.plugin import DueAction
from plugins.questions import confirm
from tests.harness import START, Harness, Sent, running
from tests.questions.conftest import PLUGINS, plugin, questions, shown


def dms(h: Harness, who: str) -> list[Sent]:
    """The private messages the bot sent to a member."""
    return [s for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == who]


def in_channel(h: Harness, channel: str) -> list[str]:
    """The texts the bot posted in a channel (its threads included)."""
    return [s.text for s in h.sent if not isinstance(s.target, UserRef) and s.target.channel_id == channel]


async def helpers_channel(h: Harness) -> None:
    """Set the community's helpers channel (#helpers)."""
    h.platform.channel("helpers")
    await h.command("admin", "/settings channel helpers #helpers", level=Level.ADMIN)


async def status(h: Harness, number: int = 0) -> dict[str, Any]:
    """One stored question (the first by default)."""
    return (await questions(h))[number]


async def test_the_asker_is_asked_once_privately_after_the_first_answer(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=question)
        await h.say("carol", "Or ask an admin", reply_to=question)  # a second answer: still one question asked
        assert dms(h, "alice") == []  # not at once: the time to read the answer
        await h.advance(minutes=15)
        (asked,) = dms(h, "alice")
        assert "got an answer" in asked.text and "How do I reset my password?" in asked.text
        assert "/questions notes off" in asked.text and "https://chat.example/general/" in asked.text
        number = str((await status(h))["id"])
        buttons = [(b.command, dict(b.args)) for b in asked.reply.buttons]
        assert buttons == [("solved", {"question": number}), ("notsolved", {"question": number})]
        assert [b.label for b in asked.reply.buttons] == ["Solved", "Not yet"]
        await h.advance(days=3)
        assert len(dms(h, "alice")) == 1  # once, whatever happens next
        assert dms(h, "bob") == [] and dms(h, "carol") == []
        # "Solved" is `/solved N`, run as the member who pressed it.
        reply = await h.command("alice", f"/solved question:{number}")
        assert "is solved" in shown(reply)
        assert (await status(h))["status"] == "solved"
        again = await h.command("alice", f"/solved question:{number}")  # pressed twice
        assert again.ephemeral and "already solved. Thank you" in shown(again) and "⚠️" not in shown(again)


async def test_an_asker_who_thanks_meanwhile_or_opted_out_is_not_asked(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        first = await h.say("alice", "Where are the slides?")
        await h.say("bob", "In the drive", reply_to=first)
        await h.say("alice", "Found them, thanks!", reply_to=first, mentions=["bob"])
        await h.command("dave", "/questions notes off")
        second = await h.say("dave", "Who runs the meetup on Thursday?")
        await h.say("erin", "Carol does", reply_to=second)
        await h.advance(days=1)
        assert dms(h, "alice") == [] and dms(h, "dave") == []
        stored = await questions(h)
        assert [(q["author_id"], q["status"]) for q in stored] == [("alice", "solved"), ("dave", "answered")]
        # Not asked, but the loop still closes: answered, not confirmed after the same delay.
        await h.advance(days=6)
        assert (await status(h, 1))["status"] == "unconfirmed"
        assert dms(h, "dave") == []


async def test_only_the_asker_may_answer_for_the_question(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I export the calendar?")
        await h.say("bob", "With /calendar export", reply_to=question)
        number = (await status(h))["id"]
        refused = await h.command("bob", f"/notsolved {number}")
        assert (
            refused.ephemeral
            and "Only the person who asked" in shown(refused)
            and "Thank you for caring" in (shown(refused))
        )
        refused = await h.command("carol", f"/solved {number}")
        assert refused.ephemeral and "Only the person who asked" in shown(refused)
        assert (await status(h))["status"] == "answered"
        # A moderator may still mark it solved (as before); only the asker may send it back.
        refused = await h.command("mod", f"/notsolved {number}", level=Level.MODERATOR)
        assert "Only the person who asked" in shown(refused)
        missing = await h.command("alice", "/notsolved 999")
        assert "There is no question #999" in shown(missing)
        none = await h.command("carol", "/notsolved")
        assert "no answered question" in shown(none)


async def test_not_yet_sends_it_back_to_the_helpers_and_the_ladder_resumes_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await helpers_channel(h)
        question = await h.say("alice", "How do I join the Lille group?")
        await h.advance(hours=1)
        await h.say("bob", "Ask in #lille", reply_to=question)
        await h.advance(minutes=15)
        assert len(dms(h, "alice")) == 1
        await h.advance(hours=1)
        number = (await status(h))["id"]
        reply = await h.command("alice", "/notsolved")  # typed, without the number: the latest answered one
        assert reply.ephemeral and f"#{number} is back with the helpers" in shown(reply)
        stored = await status(h)
        assert (stored["status"], stored["answered_by"]) == ("open", "bob")  # the first answer is kept
        notices = in_channel(h, "helpers")
        assert len(notices) == 1 and "Not solved yet" in notices[0] and "How do I join the Lille group?" in notices[0]
        assert "@" not in notices[0]  # nobody pinged
        listed = shown(await h.command("dave", "/unanswered"))
        assert "How do I join the Lille group?" in listed and "🔁" in listed
        # Pressed twice: nothing more.
        again = await h.command("alice", f"/notsolved {number}")
        assert "Already noted" in shown(again) and len(in_channel(h, "helpers")) == 1
        # The ladder resumes at its nudge (not reached before the answer), 4 h after the asker's word.
        await h.advance(hours=3, minutes=59)
        assert len(in_channel(h, "helpers")) == 1
        await h.advance(minutes=1)
        helpers = in_channel(h, "helpers")
        # It had answers: the nudge says it is still not solved, counted from the asker's word (not "waiting
        # for 5 hours"), and the asker, who just said so, gets no "no answer yet" note.
        assert len(helpers) == 2 and "Still not solved, 4 hours after its asker said so" in helpers[1]
        assert "waiting" not in helpers[1]
        assert len(dms(h, "alice")) == 1
        # A new answer takes it off the ladder again; the asker is not asked a second time.
        await h.say("carol", "The Lille group has a join button on its page", reply_to=question)
        assert (await status(h))["status"] == "answered"
        await h.advance(days=1)
        assert len(dms(h, "alice")) == 1  # the ask only: no second ask, no note after "Not yet"
        assert sum("got an answer" in s.text for s in dms(h, "alice")) == 1
        assert len(in_channel(h, "helpers")) == 2  # no escalation: it is answered
        # Never confirmed: closed as answered, not confirmed, 7 days after that answer.
        await h.advance(days=6)
        assert (await status(h))["status"] == "unconfirmed"


async def test_not_yet_after_a_long_wait_skips_the_missed_rungs_instead_of_a_burst(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await helpers_channel(h)
        question = await h.say("alice", "How do I join the Lille group?")
        await h.advance(minutes=30)
        await h.say("bob", "Ask in #lille", reply_to=question)
        await h.advance(hours=29, minutes=30)  # 30 h after asking: the nudge (4 h) and the escalation (24 h) missed
        await h.command("alice", "/notsolved")
        assert len(in_channel(h, "helpers")) == 1  # the notice only, no burst of late rungs
        await h.advance(hours=4)
        helpers = in_channel(h, "helpers")
        assert len(helpers) == 2 and "Still not solved, 4 hours after" in helpers[1]  # the escalation; no nudge
        await h.advance(days=3)
        assert len(in_channel(h, "helpers")) == 2
        assert (await status(h))["waiting"] == 1  # flagged as still waiting at its time


async def test_unconfirmed_happens_once_across_a_restart_and_is_never_solved(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        await h.advance(hours=2)
        await h.say("bob", "Settings > Security", reply_to=question)
        await h.advance(minutes=15)
        assert len(dms(h, "alice")) == 1
    # The bot stops and starts again later: the closing is still planned, and done once.
    async with running(tmp_path, plugins=PLUGINS, start=START + timedelta(days=3)) as h:
        assert (await status(h))["status"] == "answered"
        await h.advance(days=4, hours=2, minutes=-1)
        assert (await status(h))["status"] == "answered"
        await h.advance(minutes=1)
        stored = await status(h)
        assert (stored["status"], stored["solved_at"], stored["confirm_step"]) == ("unconfirmed", None, None)
        closed_at = stored["unconfirmed_at"]
        await h.advance(days=2)
        assert (await status(h))["unconfirmed_at"] == closed_at
        assert dms(h, "alice") == []  # nobody is told
        ran = await h.app.db.fetchval(
            "SELECT COUNT(*) FROM due_actions WHERE kind = 'questions.confirm' AND status = 'done'"
        )
        assert ran >= 1
        # The figures: answered, not solved, and counted apart in the week it was closed (the next one).
        week = (START, START + timedelta(days=7))
        section = await plugin(h).digest_section(h.platform.community, *week, "UTC")
        assert section is not None
        figures = section.values()
        assert (figures["asked"], figures["answered"], figures["solved"], figures["unconfirmed"]) == (1, 1, 0, 0)
        section = await plugin(h).digest_section(h.platform.community, week[1], week[1] + timedelta(days=7), "UTC")
        assert section is not None
        assert (section.values()["asked"], section.values()["solved"], section.values()["unconfirmed"]) == (0, 0, 1)
        labels = {m.key: h.app.translator.render(m.label, "fr") for m in section.metrics}
        assert labels["unconfirmed"] == "Questions répondues, non confirmées"
        board = shown(await h.command("dave", "/helpers"))
        assert "bob" in board and "0 solved" in board and "1 answered, not confirmed" in board
        # The asker's late word still counts: solved now, and no longer unconfirmed.
        reply = await h.command("alice", f"/solved {stored['id']}")
        assert "is solved" in shown(reply)
        section = await plugin(h).digest_section(h.platform.community, *week, "UTC")
        assert section is not None and section.values()["solved"] == 1
        section = await plugin(h).digest_section(h.platform.community, week[1], week[1] + timedelta(days=7), "UTC")
        assert section is not None and section.values()["unconfirmed"] == 0


async def test_not_yet_on_an_unconfirmed_question_reopens_it(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=question)
        await h.advance(days=8)
        assert (await status(h))["status"] == "unconfirmed"
        number = (await status(h))["id"]
        reply = await h.command("alice", f"/notsolved {number}")
        assert "back with the helpers" in shown(reply)
        assert (await status(h))["status"] == "open"
        assert "How do I reset my password?" in shown(await h.command("dave", "/unanswered"))


async def test_buttons_on_closed_or_unanswered_questions_say_so_kindly(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        waiting = await h.say("alice", "Who has the key to the room?")
        number = (await status(h))["id"]
        reply = await h.command("alice", f"/notsolved {number}")
        assert reply.ephemeral and "has not had an answer yet" in shown(reply)
        await h.say("bob", "Carol has it", reply_to=waiting)
        await h.command("mod", f"/question close {number} duplicate", level=Level.MODERATOR)
        closed = await h.command("alice", f"/notsolved {number}")
        assert closed.ephemeral and "is closed" in shown(closed)
        assert "already closed" in shown(await h.command("alice", f"/solved {number}"))
        await h.advance(days=8)
        assert dms(h, "alice") == []  # closed before the ask
        second = await h.say("alice", "Where is the wiki?")
        await h.say("bob", "wiki.example.org", reply_to=second)
        await h.react("alice", second, "✅")
        solved_number = (await status(h, 1))["id"]
        solved = await h.command("alice", f"/notsolved {solved_number}")
        assert solved.ephemeral and "already solved" in shown(solved) and "new question" in shown(solved)


async def test_a_double_fire_asks_once_and_closes_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=question)
        confirmation = plugin(h).confirmation
        community = h.platform.community.key

        async def fire_twice() -> None:
            """Two sweeps of the community at once (two timers, or two processes on one database)."""
            action = DueAction(0, confirm.SWEEP, f"{community}:now", community, h.clock.now(), {}, 0)
            await asyncio.gather(confirmation.sweep(action), confirmation.sweep(action))

        h.clock.advance(timedelta(minutes=15))
        await fire_twice()
        assert len(dms(h, "alice")) == 1
        h.clock.advance(timedelta(days=7))
        await fire_twice()
        stored = await status(h)
        assert stored["status"] == "unconfirmed"
        await h.advance(minutes=1)  # the scheduler's own wake-ups find nothing left to do
        assert (await status(h))["unconfirmed_at"] == stored["unconfirmed_at"] and len(dms(h, "alice")) == 1


async def test_a_ladder_change_keeps_the_grace_not_yet_gave_the_helpers(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await helpers_channel(h)
        question = await h.say("alice", "How do I join the Lille group?")
        await h.advance(hours=1)
        await h.say("bob", "Ask in #lille", reply_to=question)
        await h.advance(hours=1)
        await h.command("alice", "/notsolved")
        assert len(in_channel(h, "helpers")) == 1  # the helpers' notice
        # A moderator changes the ladder and changes it back: the nudge must still wait 4 h after "Not yet",
        # not fall due at once because the question was asked more than 4 h ago by then.
        await h.command("mod", "/questions settings nudge:30h escalate:2d", level=Level.MODERATOR)
        await h.advance(hours=3)
        await h.command("mod", "/questions settings nudge:default escalate:default", level=Level.MODERATOR)
        await h.advance(minutes=59)
        assert len(in_channel(h, "helpers")) == 1
        await h.advance(minutes=1)
        helpers = in_channel(h, "helpers")
        assert len(helpers) == 2 and "Still not solved, 4 hours after its asker said so" in helpers[1]
