"""Every SQL statement of the poll plugin: its two tables, read and written through `Sql`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.plugin import Sql
from bot.storage.times import to_db


@dataclass(frozen=True, slots=True)
class Poll:
    """A poll as stored: its question and its options, numbered from 1 when shown."""

    id: int
    question: str
    options: tuple[str, ...]


class PollRepo:
    """The `example_polls` and `example_votes` tables."""

    def __init__(self, db: Sql) -> None:
        self.db = db

    async def create(self, community: str, question: str, options: tuple[str, ...], author: str, now: datetime) -> int:
        """Store a poll; returns its id."""
        value = await self.db.fetchval(
            "INSERT INTO example_polls (community, question, options, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (community, question, json.dumps(options, ensure_ascii=False), author, to_db(now)),
        )
        return int(value)

    async def get(self, community: str, poll_id: int) -> Poll | None:
        """The poll of this community with this id, or None."""
        row = await self.db.fetchone(
            "SELECT id, question, options FROM example_polls WHERE community = ? AND id = ?", (community, poll_id)
        )
        if row is None:
            return None
        return Poll(row["id"], row["question"], tuple(json.loads(row["options"])))

    async def vote(self, community: str, poll_id: int, user_id: str, option: int, now: datetime) -> None:
        """Record a member's vote, replacing the one they gave before."""
        await self.db.execute(
            "INSERT INTO example_votes (poll_id, community, user_id, option, voted_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (poll_id, user_id) DO UPDATE SET option = excluded.option, voted_at = excluded.voted_at",
            (poll_id, community, user_id, option, to_db(now)),
        )

    async def counts(self, poll: Poll) -> list[int]:
        """The number of votes for each option, in the poll's order."""
        rows = await self.db.fetchall(
            "SELECT option, COUNT(*) AS votes FROM example_votes WHERE poll_id = ? GROUP BY option", (poll.id,)
        )
        found = {row["option"]: row["votes"] for row in rows}
        return [found.get(number, 0) for number in range(1, len(poll.options) + 1)]

    async def export_user(self, community: str, user_id: str) -> dict[str, Any]:
        """The member's votes and the polls they created."""
        votes = await self.db.fetchall(
            "SELECT poll_id, option, voted_at FROM example_votes WHERE community = ? AND user_id = ? ORDER BY poll_id",
            (community, user_id),
        )
        polls = await self.db.fetchall(
            "SELECT id, question, created_at FROM example_polls WHERE community = ? AND created_by = ? ORDER BY id",
            (community, user_id),
        )
        return {"votes": [dict(row) for row in votes], "polls": [dict(row) for row in polls]}

    @staticmethod
    async def forget_user(tx: Sql, community: str, user_id: str) -> int:
        """Delete the member's votes and their name on the polls they created; returns the rows changed."""
        removed = await tx.execute(
            "DELETE FROM example_votes WHERE community = ? AND user_id = ?", (community, user_id)
        )
        removed += await tx.execute(
            "UPDATE example_polls SET created_by = NULL WHERE community = ? AND created_by = ?", (community, user_id)
        )
        return removed
