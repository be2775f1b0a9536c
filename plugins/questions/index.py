"""The in-memory index of active questions (open, or answered but not solved), so that the
per-message cost for ordinary chat stays a few dictionary look-ups: no query unless a message
touches a tracked question (its thread, a reply to it, a mention or thanks of its asker).

Loaded from the database at start and kept in step by the tracker. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MessageKey = tuple[str, str, str]  # (community, channel_id, message_id)


@dataclass
class Tracked:
    """What the index keeps about one active question."""

    id: int
    community: str
    channel_id: str
    message_id: str
    author_id: str
    asked_at: datetime
    answered_by: str | None = None
    answers: dict[str, str] = field(default_factory=dict)  # answer message id -> helper id

    @property
    def key(self) -> MessageKey:
        """The question message's key."""
        return (self.community, self.channel_id, self.message_id)


class OpenIndex:
    """Active questions by message, by asker and by answer message."""

    def __init__(self) -> None:
        self.by_id: dict[int, Tracked] = {}
        self._by_message: dict[MessageKey, Tracked] = {}
        self._by_author: dict[tuple[str, str], list[Tracked]] = {}
        self._by_answer: dict[MessageKey, Tracked] = {}

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, tracked: Tracked) -> None:
        """Track a question (again: replaces the previous entry with the same id)."""
        self.remove(tracked.id)
        self.by_id[tracked.id] = tracked
        self._by_message[tracked.key] = tracked
        self._by_author.setdefault((tracked.community, tracked.author_id), []).append(tracked)
        for message_id in tracked.answers:
            self._by_answer[(tracked.community, tracked.channel_id, message_id)] = tracked

    def remove(self, question_id: int) -> Tracked | None:
        """Stop tracking a question (solved, closed, withdrawn, forgotten)."""
        tracked = self.by_id.pop(question_id, None)
        if tracked is None:
            return None
        self._by_message.pop(tracked.key, None)
        mine = self._by_author.get((tracked.community, tracked.author_id), [])
        mine[:] = [t for t in mine if t.id != question_id]
        if not mine:
            self._by_author.pop((tracked.community, tracked.author_id), None)
        for message_id in tracked.answers:
            self._by_answer.pop((tracked.community, tracked.channel_id, message_id), None)
        return tracked

    def add_answer(self, tracked: Tracked, helper: str, message_id: str) -> None:
        """Remember an answer message (so thanks replying to it credit its author)."""
        tracked.answers[message_id] = helper
        if tracked.answered_by is None:
            tracked.answered_by = helper
        self._by_answer[(tracked.community, tracked.channel_id, message_id)] = tracked

    def question(self, community: str, channel_id: str, message_id: str) -> Tracked | None:
        """The active question asked by that message."""
        return self._by_message.get((community, channel_id, message_id))

    def answered_by_message(self, community: str, channel_id: str, message_id: str) -> Tracked | None:
        """The active question that message answered."""
        return self._by_answer.get((community, channel_id, message_id))

    def asked_by(self, community: str, author_id: str) -> list[Tracked]:
        """The member's active questions, oldest first."""
        return list(self._by_author.get((community, author_id), ()))

    def has_asker(self, community: str, author_id: str) -> bool:
        """True when the member has an active question (cheap check on every message)."""
        return (community, author_id) in self._by_author

    def answered_before(self, moment: datetime) -> list[int]:
        """Ids of answered questions asked before `moment` (they stop waiting for thanks); open ones stay."""
        return [t.id for t in self.by_id.values() if t.asked_at < moment and t.answered_by is not None]
