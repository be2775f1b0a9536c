"""Per-question backoff of the ladder: a step whose send keeps failing for an outage (DeliveryError
"failed") postpones only its own question, so the community's sweep keeps succeeding and every other
question's steps arrive on time, even behind more failing questions than one sweep reads at once;
retries avoid quiet hours, send what was missing exactly once after the outage, and stop when the
question is answered or leaves the tracking window (`track_days`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import ChannelRef, UserRef
from plugins.questions.ladder import Ladder, parse_clock
from tests.harness import START, Harness, Sent, running
from tests.questions.conftest import PLUGINS, questions

LOGGER = "affinity.plugins.questions"


def in_channel(sent: list[Sent], channel: str) -> list[Sent]:
    return [s for s in sent if isinstance(s.target, ChannelRef) and s.target.channel_id == channel]


def dms(sent: list[Sent], user: str) -> list[str]:
    return [s.text for s in sent if isinstance(s.target, UserRef) and s.target.user_id == user]


async def advance_to(h: Harness, moment: datetime, every: timedelta = timedelta(minutes=5)) -> None:
    """Move the clock to `moment` in steps of `every`, running what falls due on the way (a single
    jump would run every retry of the span once, at its end)."""
    while h.clock.now() < moment:
        await h.advance(seconds=min(every, moment - h.clock.now()).total_seconds())


async def failed_sweeps(h: Harness) -> list[tuple[str, int]]:
    """Ladder wake-ups that failed or are waiting for a retry by the scheduler (there should be none)."""
    rows = await h.app.db.fetchall(
        "SELECT status, attempts FROM due_actions WHERE kind = 'questions.ladder' "
        "AND (attempts > 0 OR status = 'failed')"
    )
    return [tuple(r) for r in rows]


def warnings_about(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER and r.levelno >= logging.WARNING and text in r.getMessage()
    ]


async def test_a_failing_question_does_not_delay_the_nudge_or_the_escalation_of_another(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with running(tmp_path, plugins=PLUGINS) as h:  # no helpers channel: steps go in the threads
        await h.say("bob", "Where is the meetup calendar?", channel="random")  # 09:00 UTC
        h.platform.fail("#random")  # for good, as far as this test goes
        await h.advance(hours=1)
        await h.say("alice", "How do I reset my password?")  # 10:00 UTC: nudge 14:00, escalation 10:00 next day
        await advance_to(h, START + timedelta(hours=4, minutes=59))
        assert in_channel(h.sent, "general") == [] and len(h.platform.refused_sends) >= 1  # bob's nudge failed
        await h.advance(minutes=1)
        (nudge,) = in_channel(h.sent, "general")
        assert "has been waiting for 4 hours" in nudge.text and len(dms(h.sent, "alice")) == 1
        await advance_to(h, START + timedelta(hours=24, minutes=59))
        assert len(in_channel(h.sent, "general")) == 1
        await h.advance(minutes=1)
        nudge, escalation = in_channel(h.sent, "general")
        assert "Still no answer after 24 hours" in escalation.text
        assert in_channel(h.sent, "random") == []
        assert await failed_sweeps(h) == []  # the sweep never failed: only bob's question backed off
        assert [q["next_step"] for q in await questions(h)] == ["nudge", "waiting"]
        # Retried all along (15 min, 15 min, 30 min, then hourly outside quiet hours), warned about once.
        assert 10 <= len(h.platform.refused_sends) <= 16
        assert len(warnings_about(caplog, "the nudge of #1 ")) == 1


async def test_120_failing_questions_do_not_starve_a_healthy_one(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for _ in range(120):  # more than one sweep reads at once (100)
            await h.say("bob", "Where is the meetup calendar?", channel="random")
        await h.say("alice", "How do I reset my password?")  # the same due time, read after the 120
        h.platform.fail("#random")
        await h.advance(hours=4)
        assert len(in_channel(h.sent, "general")) == 1 and len(dms(h.sent, "alice")) == 1
        # The place that failed is not asked again in the same sweep: the others are postponed at once.
        assert len(h.platform.refused_sends) == 1
        rows = await questions(h)
        assert {(q["next_step"], q["next_step_at"]) for q in rows[:120]} == {("nudge", "2026-11-16T13:15:00.000000Z")}
        assert rows[120]["next_step"] == "escalate" and await failed_sweeps(h) == []
        h.platform.heal()
        await h.advance(minutes=15)
        random = in_channel(h.sent, "random")
        assert len(random) == 120 and len({s.target for s in random}) == 120  # one nudge in each thread
        assert len(dms(h.sent, "bob")) == 120  # one private note per question
        await h.advance(hours=2)
        assert len(in_channel(h.sent, "random")) == 120 and len(dms(h.sent, "bob")) == 120
        assert [q["next_step"] for q in await questions(h)] == ["escalate"] * 121


async def test_after_the_outage_each_missing_send_goes_out_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plugins = {"core": {}, "questions": {"escalate_to": ["fake:mod1", "fake:mod2"]}}
    async with running(tmp_path, plugins=plugins) as h:
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=4)
        assert len(h.sent) == 2  # the nudge and the private note
        h.platform.fail("@mod1")
        await h.advance(hours=20)  # the 24 h step: mod1's DM fails, mod2's goes out
        assert dms(h.sent, "mod1") == [] and len(dms(h.sent, "mod2")) == 1
        assert [q["next_step"] for q in await questions(h)] == ["escalate"]
        await advance_to(h, START + timedelta(hours=27))  # retried at 15, 30 min, 1, 2, 3 h: mod2 got it once
        assert dms(h.sent, "mod1") == [] and len(dms(h.sent, "mod2")) == 1
        assert len(h.platform.refused_sends) == 6 and await failed_sweeps(h) == []
        h.platform.heal()
        await advance_to(h, START + timedelta(hours=28))
        assert len(dms(h.sent, "mod1")) == 1 and "no answer for 28 hours" in dms(h.sent, "mod1")[0]
        assert len(dms(h.sent, "mod2")) == 1
        assert [q["next_step"] for q in await questions(h)] == ["waiting"]
        await h.advance(days=3)
        assert len(dms(h.sent, "mod1")) == 1 and len(dms(h.sent, "mod2")) == 1 and len(h.sent) == 4
        assert len(warnings_about(caplog, "the escalate of #1 ")) == 1


async def test_the_retry_of_a_nudge_waits_for_the_end_of_quiet_hours(tmp_path: Path) -> None:
    asked = datetime(2026, 11, 16, 16, 50, tzinfo=UTC)  # 17:50 in Paris: the nudge falls at 21:50
    async with running(tmp_path, plugins=PLUGINS, start=asked) as h:
        await h.say("alice", "How do I reset my password?")
        h.platform.fail("#general")
        await h.advance(hours=4)
        assert h.sent == [] and len(h.platform.refused_sends) == 1
        h.platform.heal()
        await advance_to(h, datetime(2026, 11, 17, 6, 59, tzinfo=UTC))  # 22:05 Paris is quiet: not before 08:00
        assert h.sent == []
        await h.advance(minutes=1)
        assert len(in_channel(h.sent, "general")) == 1 and len(dms(h.sent, "alice")) == 1


async def test_retries_stop_when_answered_or_past_the_tracking_window(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plugins = {"core": {}, "questions": {"track_days": 1}}
    async with running(tmp_path, plugins=plugins) as h:
        answered = await h.say("bob", "Where is the meetup calendar?", channel="random")
        await h.say("alice", "How do I reset my password?")
        h.platform.fail("#random")
        h.platform.fail("#general")
        await advance_to(h, START + timedelta(hours=4, minutes=20))  # both nudges failed, then their retry at 13:15
        tries = len(h.platform.refused_sends)
        await h.say("carol", "It is pinned in #events", channel="random", reply_to=answered)
        await advance_to(h, START + timedelta(hours=23))
        # bob's question is answered: off the ladder; alice's nudge is retried until the window ends.
        assert [s.target.channel_id for s in h.platform.refused_sends[tries:]] == ["general"] * (
            len(h.platform.refused_sends) - tries
        ) and len(h.platform.refused_sends) > tries
        await advance_to(h, START + timedelta(hours=24))  # a day after the question: the nudge, then the escalation,
        # are given up
        gave_up = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "gave up" in r.getMessage()]
        assert len(gave_up) == 2 and "the nudge of #2" in gave_up[0] and "the escalate of #2" in gave_up[1]
        assert [q["next_step"] for q in await questions(h)] == ["nudge", "waiting"]  # bob's: answered
        tries = len(h.platform.refused_sends)
        await h.advance(days=3)
        assert len(h.platform.refused_sends) == tries  # no more tries
        assert ["got an answer" in s.text for s in h.sent] == [True]  # only bob's private question about his answer
        assert [(q["status"], q["waiting"]) for q in await questions(h)] == [("answered", 0), ("open", 1)]
        assert await failed_sweeps(h) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-16T13:00", "2026-11-16T13:15"),  # a first failure, on time: 15 minutes
        ("2026-11-16T13:15", "2026-11-16T13:30"),  # 15 minutes late: 15 more
        ("2026-11-16T13:30", "2026-11-16T14:00"),  # 30 minutes late: 30 more
        ("2026-11-16T15:00", "2026-11-16T16:00"),  # then every hour at most
        ("2026-11-16T20:50", "2026-11-17T07:00"),  # 21:50 in Paris: the retry waits for 08:00
    ],
)
def test_retry_times_grow_and_avoid_quiet_hours(now: str, expected: str) -> None:
    steps = Ladder(
        "Europe/Paris",
        timedelta(hours=4),
        timedelta(hours=24),
        timedelta(hours=72),
        parse_clock("22:00"),
        parse_clock("08:00"),
    )
    asked = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    retry = steps.retry_at("nudge", asked, datetime.fromisoformat(now).replace(tzinfo=UTC))
    assert retry == datetime.fromisoformat(expected).replace(tzinfo=UTC)
