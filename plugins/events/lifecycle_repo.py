"""The SQL of an event's year-round life beyond `repo.py`: who answered an occurrence (to remind and tell
them), its counts (for the organisers' milestones and recap) and where its recap thread is.

Owned by events-life. The RSVP statements that write answers live in `rsvp_repo` (events-rsvp); these
read `event_rsvps` only."""

from __future__ import annotations

from dataclasses import dataclass

from bot.plugin import Sql, SqlDatabase
from plugins.events.records import GOING, MAYBE, NO, WAITLIST, Counts


@dataclass(frozen=True, slots=True)
class Answer:
    """One member's answer for one occurrence, as the reminders need it."""

    occurrence_id: int
    user_id: str
    answer: str
    waitlist_position: int | None


class LifecycleRepo:
    """Reads the answers of occurrences and records their recap thread."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def answers(
        self, community: str, occurrence_ids: list[int], kinds: tuple[str, ...], sql: Sql | None = None
    ) -> list[Answer]:
        """The answers of `kinds` (going, maybe, waitlist...) to these occurrences, in a stable order (per
        occurrence, waitlist order, then member)."""
        if not occurrence_ids or not kinds:
            return []
        occ_marks = ", ".join("?" * len(occurrence_ids))
        kind_marks = ", ".join("?" * len(kinds))
        rows = await (sql or self.db).fetchall(
            "SELECT occurrence_id, user_id, answer, waitlist_position FROM event_rsvps "
            f"WHERE community = ? AND occurrence_id IN ({occ_marks}) AND answer IN ({kind_marks}) "
            "ORDER BY occurrence_id, answer, waitlist_position, user_id",
            (community, *occurrence_ids, *kinds),
        )
        return [Answer(r["occurrence_id"], r["user_id"], r["answer"], r["waitlist_position"]) for r in rows]

    async def counts(self, community: str, occurrence_id: int) -> Counts:
        """How many answered going, maybe, can't go, and how many wait for a seat."""
        rows = await self.db.fetchall(
            "SELECT answer, COUNT(*) AS n FROM event_rsvps WHERE community = ? AND occurrence_id = ? GROUP BY answer",
            (community, occurrence_id),
        )
        found = {r["answer"]: int(r["n"]) for r in rows}
        return Counts(
            going=found.get(GOING, 0), maybe=found.get(MAYBE, 0), no=found.get(NO, 0), waitlist=found.get(WAITLIST, 0)
        )

    async def set_recap_thread(self, community: str, occurrence_id: int, thread_id: str) -> None:
        """Remember the thread opened under the card for photos and follow-ups."""
        await self.db.execute(
            "UPDATE event_occurrences SET recap_thread_id = ? WHERE community = ? AND id = ?",
            (thread_id, community, occurrence_id),
        )
