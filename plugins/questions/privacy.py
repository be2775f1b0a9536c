"""A member's questions data on request: the export (questions asked, answers credited, the private-note
choice) and the forget, which also drops the member from the in-memory index."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.model import UserRef
from bot.plugin import Sql
from plugins.questions.repo import QuestionsRepo
from plugins.questions.tracker import Tracker


class Privacy:
    """Export and forget over the tracker's repo and index."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.repo = tracker.repo

    async def export(self, user: UserRef) -> Mapping[str, Any]:
        """Questions asked, answers credited, private notes choice."""
        await self.tracker.flush()
        return await self.repo.export(user.community.key, user.user_id)

    async def forget(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's questions and answers inside `tx`; drop them from the index."""
        await self.repo.flush(tx)  # queued rows first, so nothing about the member is written afterwards
        removed = await QuestionsRepo(tx).forget(user.community.key, user.user_id)
        index = self.tracker.index
        for tracked in list(index.by_id.values()):
            if tracked.community != user.community.key:
                continue
            if tracked.author_id == user.user_id:
                index.remove(tracked.id)
            elif user.user_id in tracked.answers.values():
                index.remove(tracked.id)
                tracked.answers = {m: u for m, u in tracked.answers.items() if u != user.user_id}
                tracked.answered_by = None if tracked.answered_by == user.user_id else tracked.answered_by
                index.add(tracked)
        return removed
