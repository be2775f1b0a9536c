"""Nothing accepted is lost: questions and answers reach the database within the activity writer's flush
interval (not at 500 queued statements or once a minute), and the ladder never nudges a question whose
answer was accepted but not yet written."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from bot.formatting import LocalReply
from bot.model import Message, MessageRef, Target
from bot.storage.database import Database
from tests.harness import START, FakePlatform, Harness, running
from tests.questions.conftest import PLUGINS, plugin

T = TypeVar("T")


def busy_db(tmp_path: Path) -> dict[str, object]:
    """The harness database, failing at once (not after 5 s) when another connection holds the lock."""
    return {"path": str(tmp_path / "bot.db"), "busy_timeout_ms": 0}


WITHIN = 10.0  # seconds: a generous bound on "one flush interval" on a loaded machine


class Writes:
    """Wakes a waiting test each time the real database ends a batched write (the questions' flushes and the
    activity writer's), so that a test waits for what a background flush did without polling."""

    def __init__(self, h: Harness) -> None:
        self.db = h.app.db
        self.changed = asyncio.Condition()
        real = self.db.run_prepared

        async def run_prepared(prepare: Callable[[], Callable[[sqlite3.Connection], T]]) -> T:
            try:
                return await real(prepare)
            finally:
                async with self.changed:
                    self.changed.notify_all()

        self.db.run_prepared = run_prepared  # type: ignore[method-assign]

    async def until(self, check: Callable[[], Awaitable[bool]], within: float = WITHIN) -> None:
        """Wait (bounded) until `check()` is true after some write ended."""

        async def waiting() -> None:
            async with self.changed:
                while not await check():
                    await self.changed.wait()

        await asyncio.wait_for(waiting(), within)

    def count(self, sql: str, expected: int) -> Callable[[], Awaitable[bool]]:
        """A condition: a query's single value equals `expected`."""

        async def check() -> bool:
            return bool(await self.db.fetchval(sql) == expected)

        return check


def logged(caplog: pytest.LogCaptureFixture, text: str) -> Callable[[], Awaitable[bool]]:
    """A condition: a log record containing `text` was emitted."""

    async def check() -> bool:
        return any(text in r.getMessage() for r in caplog.records)

    return check


async def test_a_question_and_its_answer_are_written_within_the_flush_interval_without_any_read(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, activity={"flush_ms": 20}) as h:
        db, writes = h.app.db, Writes(h)
        question = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security > Reset", thread=question.message_id)

        async def answered() -> bool:
            row = await db.fetchone("SELECT status, answered_by FROM questions")
            return row is not None and tuple(row) == ("answered", h.platform.user("bob").user_id)

        await writes.until(answered)  # nobody asked for a flush: no command, no digest, no stop
        assert await db.fetchval("SELECT user_id FROM question_answers") == h.platform.user("bob").user_id
        assert len(plugin(h).repo.pending) == 0


async def test_an_answer_whose_flush_met_a_locked_database_is_written_once_it_is_free(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS, activity={"flush_ms": 20}, database=busy_db(tmp_path)) as h:
        writes = Writes(h)
        question = await h.say("alice", "How do I reset my password?")
        await writes.until(writes.count("SELECT COUNT(*) FROM questions", 1))
        other = await Database.open(tmp_path / "bot.db", busy_timeout_ms=0)
        try:
            async with other.transaction():  # another process holds the write lock
                await h.say("bob", "Settings > Security > Reset", thread=question.message_id)
                await writes.until(logged(caplog, "questions: could not write queued rows"))
        finally:
            await other.close()
        # Nothing else is said: the kept answer is tried again on its own.
        await writes.until(writes.count("SELECT COUNT(*) FROM questions WHERE status = 'answered'", 1))
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM question_answers") == 1


async def test_a_question_asked_while_the_database_is_locked_is_stored_and_nudged_on_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Asked at 09:30 UTC: the nudge is due at 13:30; the hourly job runs on the hour.
    start = START + timedelta(minutes=30)
    async with running(
        tmp_path, plugins=PLUGINS, start=start, activity={"flush_ms": 20}, database=busy_db(tmp_path)
    ) as h:
        writes = Writes(h)
        other = await Database.open(tmp_path / "bot.db", busy_timeout_ms=0)
        try:
            async with other.transaction():  # waking the ladder fails too: its due action cannot be written
                await h.say("alice", "How do I reset my password?")
                await writes.until(logged(caplog, "questions: could not write queued rows"))
        finally:
            await other.close()
        await writes.until(writes.count("SELECT COUNT(*) FROM questions", 1))
        await h.advance(minutes=50)  # the hourly job at 10:00 wakes the ladder the busy database left asleep
        await h.advance(hours=3)
        assert not [s for s in h.sent if "waiting" in s.text]  # 13:20
        await h.advance(minutes=20)  # 13:40, and no hourly job since 13:00: the wake-up was scheduled at 10:00
        assert len([s for s in h.sent if "waiting" in s.text]) == 1


class AnsweringPlatform(FakePlatform):
    """A platform on which, while the bot's first nudge is being sent, a member answers another question."""

    def __init__(self) -> None:
        super().__init__()
        self.during_first_send: Callable[[], Awaitable[None]] | None = None

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Send, letting chat go on meanwhile (the answer is accepted while this send is in flight)."""
        hook, self.during_first_send = self.during_first_send, None
        if hook is not None:
            await hook()
        return await super().send(target, reply)


async def test_an_answer_accepted_during_the_sweep_stops_that_questions_nudge(tmp_path: Path) -> None:
    platform = AnsweringPlatform()
    # A long interval: the answer stays queued, not written, when the sweep reaches its question.
    async with running(tmp_path, plugins=PLUGINS, platform=platform, activity={"flush_ms": 60_000}) as h:
        await h.say("alice", "How do I reset my password?")
        late = await h.say("carol", "Comment faire une sauvegarde ?")

        async def bob_answers_carol() -> None:
            answer = Message(
                h.platform.community,
                h.clock.now(),
                MessageRef(h.platform.channel(), "a1"),
                h.platform.user("bob"),
                "Dans Réglages > Sauvegarde.",
                reply_to=late,
            )
            await h.app.dispatcher.handle(answer)

        platform.during_first_send = bob_answers_carol
        await h.advance(hours=5)  # both nudges fell due in the same sweep
        nudged = [s.target for s in h.sent if "waiting" in s.text]
        assert [t.thread_id for t in nudged if hasattr(t, "thread_id")] == ["m1"]  # alice's only
        rows = await h.app.db.fetchall("SELECT message_id, status, next_step FROM questions ORDER BY id")
        assert [tuple(r) for r in rows] == [("m1", "open", "escalate"), ("m2", "answered", "nudge")]
