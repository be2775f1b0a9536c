"""The queued questions writes against the rest of the bot: a privacy forget never loses to a
background flush, and a row the database refuses never stops later writes."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.model import Message
from tests.harness import running
from tests.questions.conftest import PLUGINS, plugin

# These tests hold rows in the queue on purpose: the interval flush must not write them behind their back.
SLOW_FLUSH = {"flush_ms": 60_000}


async def test_a_forget_wins_over_a_flush_waiting_for_the_database(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, activity=SLOW_FLUSH) as h:
        questions = plugin(h)
        await h.say("alice", "How do I reset my password?")
        assert len(questions.repo.pending) == 1  # queued, not yet written
        alice = h.platform.user("alice")
        # The privacy forget's transaction is open when a background questions flush starts.
        async with h.app.db.transaction() as tx:
            background = asyncio.ensure_future(questions.tracker.flush())
            await asyncio.sleep(0.01)  # the flush waits for the database lock
            await questions.forget_user(alice, tx)
        await background
        left = await h.app.db.fetchall("SELECT id FROM questions WHERE author_id = ?", (alice.user_id,))
        assert left == []


async def test_a_question_delivered_twice_and_answered_blocks_no_later_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS, activity=SLOW_FLUSH) as h:
        questions = plugin(h)
        ref = await h.say("alice", "How do I reset my password?")
        await questions.tracker.flush()
        # The platform delivers the same message again (a gateway resume, a Slack retry after a slow ack).
        again = Message(
            h.platform.community, h.clock.now(), ref, h.platform.user("alice"), "How do I reset my password?"
        )
        await h.app.dispatcher.handle(again)
        await h.say("bob", "Settings > Security", reply_to=ref)
        await h.say("carol", "Comment faire une sauvegarde ?")
        with caplog.at_level(logging.ERROR):
            await questions.tracker.flush()
        assert len(questions.repo.pending) == 0
        rows = await h.app.db.fetchall("SELECT author_id, status, answered_by FROM questions ORDER BY id")
        assert [tuple(r) for r in rows] == [
            (h.platform.user("alice").user_id, "answered", h.platform.user("bob").user_id),
            (h.platform.user("carol").user_id, "open", None),
        ]
        assert await h.app.db.fetchval("SELECT count(*) FROM question_answers") == 1
        assert not [r for r in caplog.records if "dropped" in r.getMessage()]


async def test_rows_the_database_refuses_are_dropped_and_logged_not_retried_forever(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS, activity=SLOW_FLUSH) as h:
        questions = plugin(h)
        await h.say("alice", "How do I reset my password?")
        questions.repo.pending.add(9, "INSERT INTO questions (id) VALUES (?)", (999,))  # NOT NULL columns missing
        with caplog.at_level(logging.ERROR), pytest.raises(Exception, match=r"(?i)NOT NULL|not-null"):
            await questions.tracker.flush()
        assert any("dropped 2 queued writes" in r.getMessage() for r in caplog.records)
        assert len(questions.repo.pending) == 0
        await h.say("carol", "Comment faire une sauvegarde ?")
        await questions.tracker.flush()
        assert await h.app.db.fetchval("SELECT count(*) FROM questions") == 1  # carol's; the refused batch is gone
