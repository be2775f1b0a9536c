"""The read paths of commands under load are served by indexes (migration 0015), not by scanning a table.

A plan that scans grows with every question ever asked: `/unanswered` took 11 ms on 22,800 questions
before 0015 and 0.1 ms after (benchmarks/README.md). The statements are the shapes of plugins/questions/repo.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from tests.harness import START

COLUMNS = "id, community, asked_at, status, answered_at, solved_at"
# shape: (SQL, parameters, what the index search must constrain)
SHAPES = {
    "/unanswered": (
        f"SELECT {COLUMNS} FROM questions WHERE community = ? AND status = 'open' ORDER BY asked_at, id LIMIT ?",
        ("c", 20),
        ["questions_status_asked (community=? AND status=?)"],
    ),
    "digest: still waiting": (
        f"SELECT {COLUMNS} FROM questions WHERE community = ? AND status = 'open' AND asked_at < ? "
        "ORDER BY asked_at LIMIT ?",
        ("c", "2026", 50),
        ["(community=? AND status=? AND asked_at<?)"],
    ),
    "digest: answered since": (
        f"SELECT {COLUMNS} FROM questions WHERE community = ? AND (answered_at >= ? OR solved_at >= ?)",
        ("c", "2026", "2026"),
        ["(community=? AND answered_at>?)", "(community=? AND solved_at>?)"],
    ),
    "digest: asked between": (
        f"SELECT {COLUMNS} FROM questions WHERE community = ? AND asked_at >= ? AND asked_at < ? "
        "AND status IN ('open', 'answered', 'solved') ORDER BY asked_at",
        ("c", "2026", "2027"),
        ["asked_at>? AND asked_at<?)"],
    ),
}


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    await apply_migrations(database, MIGRATIONS_DIR, now=START)
    yield database
    await database.close()


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_question_reads_search_an_index(db: Database, shape: str) -> None:
    sql, params, searches = SHAPES[shape]
    plan = " | ".join(row[3] for row in await db.fetchall("EXPLAIN QUERY PLAN " + sql, params))
    assert "SCAN questions" not in plan, plan
    for search in searches:
        assert search in plan, plan
    if shape != "digest: asked between":  # three status ranges merged: a sort of the period's rows remains
        assert "TEMP B-TREE" not in plan, plan
