"""The asker's confirmation across processes: two apps on one database (SQLite file, or PostgreSQL with
`--engine postgresql`), each with its own scheduler (its own claimant id), its own chat front and its own
in-memory index, race the same due steps of one answered question. The private question reaches the
asker once in all, and the closing as answered, not confirmed happens once (one process closes it, the
other finds nothing to do).

The second app is built non-exclusive: on SQLite a second bot process is refused by the process lock
(tests/test_scheduler_processes.py), and these two stand for the processes of a PostgreSQL deployment
sharing the rows, the due actions and the sent messages' dedupe keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import FrozenClock
from bot.model import UserRef
from bot.plugin import DueAction
from plugins.questions import confirm
from tests.harness import START, FakePlatform, Harness, make_config
from tests.questions.conftest import PLUGINS, plugin, questions


@asynccontextmanager
async def two_processes(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    """Two running apps on one database and one frozen clock (the processes' clocks agree)."""
    clock = FrozenClock(START)
    config = make_config(tmp_path, PLUGINS)
    first = App(config, clock=clock, realtime=False)
    await first.build()
    second = App(config, clock=clock, realtime=False, exclusive=False)
    await second.build()
    harnesses = []
    try:
        for app in (first, second):
            fake = FakePlatform()
            app.add_platform(fake)
            await app.start()
            harnesses.append(Harness(app, clock, fake))
        assert first.scheduler.process_id != second.scheduler.process_id
        yield harnesses[0], harnesses[1]
    finally:
        for app in (second, first):
            await app.stop()


def dms_to(who: str, *processes: Harness) -> list[str]:
    """The private messages every process sent to a member."""
    return [s.text for h in processes for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == who]


def counting(h: Harness) -> list[bool]:
    """Record what each call to the process's closing UPDATE returned (True: this process closed it)."""
    repo = plugin(h).confirmation.repo
    results: list[bool] = []
    original: Callable[[str, int, datetime], Awaitable[bool]] = repo.expire

    async def expire(community: str, question_id: int, at: datetime) -> bool:
        await asyncio.sleep(0)  # yield, so the two processes really interleave
        closed = await original(community, question_id, at)
        results.append(closed)
        return closed

    repo.expire = expire  # type: ignore[method-assign]
    return results


async def race(a: Harness, b: Harness) -> None:
    """Both processes at once: each runs its due actions, and each sweeps the community on its own (a wake-up
    each process scheduled with its own key, so the scheduler's claim alone cannot keep them apart)."""
    community = a.platform.community.key
    action = DueAction(0, confirm.SWEEP, f"{community}:race", community, a.clock.now(), {}, 0)
    runs: list[Awaitable[Any]] = [
        a.app.scheduler.run_due(),
        b.app.scheduler.run_due(),
        plugin(a).confirmation.sweep(action),
        plugin(b).confirmation.sweep(action),
    ]
    await asyncio.gather(*runs)


async def test_two_processes_ask_the_asker_once_and_close_once(tmp_path: Path) -> None:
    async with two_processes(tmp_path) as (a, b):
        closed_by_a, closed_by_b = counting(a), counting(b)
        # The question and its answer reach the first process only (one shard sees the channel).
        question = await a.say("alice", "How do I reset my password?")
        await a.say("bob", "Settings, then Security", reply_to=question)
        await plugin(a).tracker.flush()
        a.clock.advance(timedelta(minutes=15))
        await race(a, b)
        assert len(dms_to("alice", a, b)) == 1
        assert "got an answer" in dms_to("alice", a, b)[0]
        (stored,) = await questions(b)
        assert (stored["status"], stored["confirm_step"]) == ("answered", "expire")
        asked_at = stored["confirm_asked_at"]
        # Again at once a minute later: nothing left to ask.
        a.clock.advance(timedelta(minutes=1))
        await race(a, b)
        assert len(dms_to("alice", a, b)) == 1
        a.clock.advance(timedelta(days=7))
        await race(a, b)
        await race(a, b)  # a double fire after the closing finds nothing either
        (stored,) = await questions(a)
        assert (stored["status"], stored["confirm_step"], stored["solved_at"]) == ("unconfirmed", None, None)
        assert stored["confirm_asked_at"] == asked_at
        assert (closed_by_a + closed_by_b).count(True) == 1  # one process closed it
        assert len(dms_to("alice", a, b)) == 1  # the closing is silent, and the ask was not repeated
        # Both processes read the same figure: one answered, not confirmed; none solved.
        for h in (a, b):
            reply = await h.command("carol", "/helpers")
            assert "1 answered, not confirmed" in reply.text + str(reply.card)


async def test_not_yet_pressed_in_another_process_then_a_new_answer_takes_it_off_the_ladder(tmp_path: Path) -> None:
    """Discord delivers a DM's button press to shard 0, while the question's server may be on another shard's
    process: "Not yet" runs in the DM's process, and the server's process, whose memory still holds the question
    as answered, sees the next answer. That answer must count: answered again, off the ladder, closed as
    answered, not confirmed a week later, never escalated as "still not solved"."""
    async with two_processes(tmp_path) as (server, dms):
        await server.app.communities.set_channel(server.platform.community, "helpers", "helpers")
        question = await server.say("alice", "How do I reset my password?")
        await server.say("bob", "Settings, then Security", reply_to=question)
        await plugin(server).tracker.flush()
        await server.advance(minutes=15)
        await dms.advance()
        assert len(dms_to("alice", server, dms)) == 1
        reply = await dms.command("alice", "/notsolved 1")  # pressed in the DM: the other process runs it
        assert "is back with the helpers" in reply.text
        (stored,) = await questions(server)
        assert stored["status"] == "open"
        await server.say("carol", "Try the reset link on the login page", reply_to=question)
        (stored,) = await questions(server)
        assert stored["status"] == "answered", "the new answer, seen by the server's process, did not count"
        assert stored["answered_by"] == "bob"  # the first answer is kept for the figures
        for _ in range(8):  # a week and a day, both processes catching up
            await server.advance(days=1)
            await dms.advance()
        (stored,) = await questions(dms)
        assert stored["status"] == "unconfirmed"
        escalated = [s.text for h in (server, dms) for s in h.sent if "Still" in s.text or "waiting for" in s.text]
        assert escalated == []
        assert len(dms_to("alice", server, dms)) == 1  # asked once, never a second time
