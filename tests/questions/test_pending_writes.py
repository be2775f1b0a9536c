"""The questions plugin's queued writes on a real SQLite file: written in one hand-over, in
dependency order, and kept (not lost, not doubled) when a flush fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.database import Database, StorageError
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from plugins.questions.repo import Answer, NewQuestion, QuestionsRepo

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
COMMUNITY = "discord:1"


def question(n: int) -> NewQuestion:
    return NewQuestion(
        COMMUNITY, "c1", None, f"m{n}", f"u{n}", NOW + timedelta(minutes=n), "fr", f"Comment faire « {n} » ? 🎉"
    )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db", busy_timeout_ms=0)
    await apply_migrations(database, MIGRATIONS_DIR, now=NOW)
    yield database
    await database.close()


async def test_one_flush_writes_questions_then_answers_then_states(db: Database) -> None:
    repo = QuestionsRepo(db)
    for n in (1, 2):
        repo.queue_insert(n, question(n), "nudge", NOW + timedelta(hours=4))
    repo.queue_answer(COMMUNITY, Answer(1, "helper", "a1", NOW + timedelta(minutes=5)), first=True)
    repo.queue_solve(COMMUNITY, 2, "helper", NOW + timedelta(minutes=9))
    assert await db.run_transaction(repo.pending.take().work) == 5  # the first answer also marks answered
    rows = await db.fetchall("SELECT id, status, answered_by, solved_by, excerpt FROM questions ORDER BY id")
    assert [tuple(r) for r in rows] == [
        (1, "answered", "helper", None, "Comment faire « 1 » ? 🎉"),
        (2, "solved", "helper", "helper", "Comment faire « 2 » ? 🎉"),
    ]
    assert await db.fetchval("SELECT count(*) FROM question_answers") == 1
    assert len(repo.pending) == 0


async def test_a_failed_flush_keeps_its_rows_ahead_of_newer_ones(db: Database, tmp_path: Path) -> None:
    repo = QuestionsRepo(db)
    repo.queue_insert(1, question(1), None, None)
    other = await Database.open(tmp_path / "bot.db", busy_timeout_ms=0)
    try:
        async with other.transaction():  # another process holds the write lock
            taken = repo.pending.take()
            with pytest.raises(StorageError, match="locked"):
                await db.run_transaction(taken.work)
            repo.pending.restore(taken)
    finally:
        await other.close()
    # Meanwhile the question was answered; the answer must still be written after its question.
    repo.queue_answer(COMMUNITY, Answer(1, "helper", "a1", NOW + timedelta(minutes=5)), first=True)
    repo.queue_insert(2, question(2), None, None)
    assert len(repo.pending) == 4
    assert await db.run_transaction(repo.pending.take().work) == 4
    rows = await db.fetchall("SELECT id, status FROM questions ORDER BY id")
    assert [tuple(r) for r in rows] == [(1, "answered"), (2, "open")]
    assert await db.fetchval("SELECT count(*) FROM question_answers") == 1
