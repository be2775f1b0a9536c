"""A ladder step that meets a platform outage (DeliveryError "failed") is not recorded as run: its
question is postponed (15 minutes for a first failure) while the sweep itself succeeds, and the retry
posts what was missing exactly once; other questions are not held back; a refusal that retrying cannot
fix (closed DMs, a missing permission, a refusal for good) is not retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.model import ChannelRef, Level, UserRef
from tests.harness import Harness, Sent, running
from tests.questions.conftest import PLUGINS, questions


def in_channel(sent: list[Sent], channel: str) -> list[str]:
    return [s.text for s in sent if isinstance(s.target, ChannelRef) and s.target.channel_id == channel]


def dms(sent: list[Sent], user: str) -> list[str]:
    return [s.text for s in sent if isinstance(s.target, UserRef) and s.target.user_id == user]


async def sweeps(h: Harness) -> list[tuple[Any, ...]]:
    """(status, attempts, due_at) of every ladder wake-up, oldest first."""
    rows = await h.app.db.fetchall(
        "SELECT status, attempts, due_at FROM due_actions WHERE kind = 'questions.ladder' ORDER BY id"
    )
    return [tuple(r) for r in rows]


RETRY = "2026-11-16T13:15:00.000000Z"  # 15 minutes after the nudge that failed at 13:00 UTC


async def helpers_channel(h: Harness) -> None:
    h.platform.channel("helpers")
    await h.command("mod", "/settings channel helpers #helpers", level=Level.MODERATOR)


async def test_a_nudge_that_meets_an_outage_is_retried_and_posted_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await helpers_channel(h)
        await h.say("alice", "How do I export my data to CSV?")
        h.platform.fail("#helpers")
        await h.advance(hours=4)
        assert h.sent == [] and len(h.platform.refused_sends) == 1
        # The sweep succeeded and wakes up again for the retry; the step is not recorded as run.
        assert [s[:2] for s in await sweeps(h)] == [("done", 0), ("pending", 0)] and (await sweeps(h))[1][2] == RETRY
        assert [(q["next_step"], q["next_step_at"]) for q in await questions(h)] == [("nudge", RETRY)]
        h.platform.heal()
        await h.advance(minutes=14)
        assert h.sent == []  # the retry is due 15 minutes after the failure
        await h.advance(minutes=1)
        assert len(in_channel(h.sent, "helpers")) == 1 and "How do I export my data to CSV?" in h.sent[0].text
        assert len(dms(h.sent, "alice")) == 1  # the private note, after the nudge
        assert [q["next_step"] for q in await questions(h)] == ["escalate"]
        assert [s[:2] for s in await sweeps(h)] == [("done", 0), ("done", 0), ("pending", 0)]
        await h.advance(hours=20)  # the 24 h step comes once, the nudge is not repeated
        nudge, escalation = in_channel(h.sent, "helpers")
        assert "has been waiting" in nudge and "Still no answer" in escalation and len(dms(h.sent, "alice")) == 1


async def test_a_failed_private_note_is_retried_without_posting_the_nudge_twice(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await helpers_channel(h)
        await h.say("alice", "How do I export my data to CSV?")
        h.platform.fail("@alice")
        await h.advance(hours=4)
        assert len(in_channel(h.sent, "helpers")) == 1 and dms(h.sent, "alice") == []
        assert [(q["next_step"], q["next_step_at"]) for q in await questions(h)] == [("nudge", RETRY)]
        h.platform.heal()
        await h.advance(minutes=15)
        assert len(in_channel(h.sent, "helpers")) == 1  # skipped by its dedupe key
        assert len(dms(h.sent, "alice")) == 1 and "/questions notes off" in dms(h.sent, "alice")[0]
        assert [q["next_step"] for q in await questions(h)] == ["escalate"]


async def test_one_question_failing_does_not_hold_back_the_others(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:  # no helpers channel: nudges go in the threads
        await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Where is the meetup calendar?", channel="random")
        h.platform.fail("#random")
        await h.advance(hours=4)
        assert len(in_channel(h.sent, "general")) == 1 and in_channel(h.sent, "random") == []
        assert [q["next_step"] for q in await questions(h)] == ["escalate", "nudge"]
        assert [s[:2] for s in await sweeps(h)] == [("done", 0), ("pending", 0)]
        h.platform.heal()
        await h.advance(minutes=15)
        assert len(in_channel(h.sent, "general")) == 1 and len(in_channel(h.sent, "random")) == 1
        assert [q["next_step"] for q in await questions(h)] == ["escalate", "escalate"]
        assert len(dms(h.sent, "alice")) == 1 and len(dms(h.sent, "bob")) == 1


@pytest.mark.parametrize("refusal", ["missing_permission", "rejected"])
async def test_refusals_that_retrying_cannot_fix_are_not_retried(tmp_path: Path, refusal: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await helpers_channel(h)
        await h.say("alice", "How do I export my data to CSV?")
        h.platform.fail("@alice", "dm_closed")
        h.platform.fail("#helpers", refusal)
        await h.advance(hours=4)
        assert h.sent == [] and len(h.platform.refused_sends) == 2
        assert (await sweeps(h))[0][:2] == ("done", 0)
        assert [q["next_step"] for q in await questions(h)] == ["escalate"]
        h.platform.heal()
        await h.advance(hours=1)
        assert h.sent == []
