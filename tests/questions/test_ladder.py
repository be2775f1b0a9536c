"""The escalation ladder on a frozen clock: nudge, private note, helpers, still waiting; quiet
hours; exactly once across a restart in the middle and double fires."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.model import Capability, ChannelRef, Level, UserRef
from plugins.questions.repo import to_db
from tests.harness import START, FakePlatform, Sent, running
from tests.questions.conftest import PLUGINS, questions, shown


def _to_channel(sent: list[Sent], channel: str) -> list[str]:
    return [s.text for s in sent if isinstance(s.target, ChannelRef) and s.target.channel_id == channel]


def _dms(sent: list[Sent], user: str) -> list[str]:
    return [s.text for s in sent if isinstance(s.target, UserRef) and s.target.user_id == user]


async def test_ladder_runs_each_step_once_across_a_restart_and_double_fires(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        h.platform.channel("helpers")
        await h.command("mod", "/settings channel helpers #helpers", level=Level.MODERATOR)
        await h.say("alice", "How do I export my data to CSV?")
        await h.advance(hours=3, minutes=59)
        assert h.sent == []
        await h.advance(minutes=1)
        nudges = _to_channel(h.sent, "helpers")
        assert len(nudges) == 1 and "How do I export my data to CSV?" in nudges[0] and "4 hours" in nudges[0]
        assert "https://chat.example/general/" in nudges[0]
        assert len(_dms(h.sent, "alice")) == 1 and "/questions notes off" in _dms(h.sent, "alice")[0]
        # A double fire (the wake-up put back to pending, two runs at once) posts nothing new.
        await h.app.db.execute("UPDATE due_actions SET status = 'pending' WHERE kind = 'questions.ladder'")
        await asyncio.gather(h.app.scheduler.run_due(), h.app.scheduler.run_due())
        assert len(h.sent) == 2
        # A crash after sending but before recording the step: run again, the dedupe keys hold.
        await h.app.db.execute(
            "UPDATE questions SET next_step = 'nudge', next_step_at = ?", (to_db(START + timedelta(hours=4)),)
        )
        await h.app.db.execute("UPDATE due_actions SET status = 'pending' WHERE kind = 'questions.ladder'")
        await h.app.scheduler.run_due()
        assert len(h.sent) == 2
        assert [q["next_step"] for q in await questions(h)] == ["escalate"]

    # Restart 30 h after the question: the 24 h step fell due while the bot was down.
    async with running(tmp_path, plugins=PLUGINS, start=START + timedelta(hours=30)) as h:
        await h.app.scheduler.catch_up()
        await h.app.scheduler.catch_up()
        escalations = _to_channel(h.sent, "helpers")
        assert len(escalations) == 1 and "Still no answer" in escalations[0]
        assert _dms(h.sent, "alice") == []  # the private note was sent once, before the restart
        await h.advance(hours=42)
        assert len(h.sent) == 1
        assert [q["waiting"] for q in await questions(h)] == [1]
        listed = await h.command("bob", "/unanswered")
        assert "⏳" in shown(listed) and "3 days" in shown(listed)


async def test_quiet_hours_delay_the_nudge_to_the_morning(tmp_path: Path) -> None:
    evening = datetime(2026, 11, 16, 18, 30, tzinfo=UTC)  # 19:30 in Paris (the default zone)
    async with running(tmp_path, plugins=PLUGINS, start=evening) as h:
        question = await h.say("alice", "Is there a way to mute a channel on mobile?")
        await h.advance(hours=12)  # 07:30 Paris: still quiet
        assert h.sent == []
        await h.advance(minutes=30)  # 08:00 Paris
        nudges = _to_channel(h.sent, "general")
        assert len(nudges) == 1 and "waiting for 12 hours" in nudges[0]  # 12.5 h, in words
        # Without a helpers channel the nudge goes in the question's thread.
        assert h.sent[0].target == ChannelRef("fake", "T1", "general", question.message_id)


async def test_custom_quiet_hours_in_the_community_time_zone(tmp_path: Path) -> None:
    plugins = {"core": {}, "questions": {"quiet_hours": "12:00-14:00", "nudge_after_hours": 1}}
    async with running(tmp_path, plugins=plugins) as h:  # 09:00 UTC
        await h.command("mod", "/settings timezone America/Montreal", level=Level.MODERATOR)
        await h.say("alice", "How do I reset my password?")  # 04:00 in Montreal
        await h.advance(hours=1)  # 05:00 Montreal: not quiet there
        assert len(h.sent) == 2  # the nudge and the private note


async def test_an_answer_stops_the_ladder(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        await h.advance(hours=2)
        await h.say("bob", "Settings > Security", reply_to=question)
        await h.advance(days=4)
        # No rung of the ladder; only the asker's private question about the answer (test_confirm.py).
        assert [(s.target, "got an answer" in s.text) for s in h.sent] == [(h.platform.user("alice"), True)]
        assert [q["waiting"] for q in await questions(h)] == [0]


async def test_escalation_mentions_the_helpers_role(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/settings role helpers 4242", level=Level.MODERATOR)
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=24)
        escalations = [s.text for s in h.sent if "Still no answer" in s.text]
        assert len(escalations) == 1 and escalations[0].startswith("@4242")


async def test_escalation_dms_the_configured_moderators_when_no_role(tmp_path: Path) -> None:
    plugins = {"core": {}, "questions": {"escalate_to": ["fake:mod1", "discord:999"]}}
    async with running(tmp_path, plugins=plugins) as h:
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=24)
        assert len(_dms(h.sent, "mod1")) == 1 and "no answer for 24 hours" in _dms(h.sent, "mod1")[0]
        assert _dms(h.sent, "999") == []  # another platform's moderator


async def test_escalation_without_helpers_role_or_list_mentions_the_moderators_role(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        h.platform.channel("helpers")
        await h.command("mod", "/settings channel helpers #helpers", level=Level.MODERATOR)
        await h.command("mod", "/settings role moderators 777", level=Level.MODERATOR)
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=24)
        escalations = [t for t in _to_channel(h.sent, "helpers") if "Still no answer" in t]
        assert len(escalations) == 1 and escalations[0].startswith("@777")


async def test_escalation_to_another_platforms_moderators_only_falls_back_to_the_moderators_role(
    tmp_path: Path,
) -> None:
    plugins = {"core": {}, "questions": {"escalate_to": ["discord:999"]}}
    async with running(tmp_path, plugins=plugins) as h:
        await h.command("mod", "/settings role moderators 777", level=Level.MODERATOR)
        question = await h.say("alice", "How do I reset my password?")
        await h.advance(hours=24)
        escalations = [s for s in h.sent if "Still no answer" in s.text]
        assert len(escalations) == 1 and escalations[0].text.startswith("@777")
        assert escalations[0].target == ChannelRef("fake", "T1", "general", question.message_id)
        assert _dms(h.sent, "999") == []


async def test_escalation_with_nobody_to_ping_posts_a_plain_reminder_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=24)
        escalations = [s.text for s in h.sent if "Still no answer" in s.text]
        assert len(escalations) == 1 and escalations[0].startswith("Still no answer")


async def test_private_note_opt_out_and_platforms_without_dms_or_threads(tmp_path: Path) -> None:
    platform = FakePlatform(capabilities=[Capability.REACTIONS])
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=4)
        assert [s.target for s in h.sent] == [ChannelRef("fake", "T1", "general")]
    async with running(tmp_path / "optout", plugins=PLUGINS) as h:
        off = await h.command("alice", "/questions notes off")
        assert off.ephemeral and "No more private notes" in off.text
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=4)
        assert _dms(h.sent, "alice") == [] and len(h.sent) == 1
        on = await h.command("alice", "/questions notes on")
        assert "You will get a private note" in on.text


async def test_a_reopened_question_is_nudged_only_once(tmp_path: Path) -> None:
    from tests.questions.conftest import edit

    async with running(tmp_path, plugins=PLUGINS) as h:
        ref = await h.say("alice", "How do I reset my password?")
        await h.advance(hours=4)
        assert len(h.sent) == 2
        await edit(h, "alice", ref, "Never mind, found it.")
        await edit(h, "alice", ref, "How do I reset my password? still stuck")
        await h.advance(hours=4)
        assert len([s for s in h.sent if isinstance(s.target, ChannelRef)]) == 1
