"""The SQL of an event's year-round life beyond `repo.py` and `rsvp_repo.py` (who answered, and their
counts, are read there): where an occurrence's recap thread is.

Owned by events-life."""

from __future__ import annotations

from bot.plugin import SqlDatabase


class LifecycleRepo:
    """Records the recap thread of occurrences."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def set_recap_thread(self, community: str, occurrence_id: int, thread_id: str) -> None:
        """Remember the thread opened under the card for photos and follow-ups."""
        await self.db.execute(
            "UPDATE event_occurrences SET recap_thread_id = ? WHERE community = ? AND id = ?",
            (thread_id, community, occurrence_id),
        )
