"""The event card: what it shows (when, where, counts, seats left, waitlist), its RSVP buttons, posting it
in the group's channel and updating it in place when answers change.

Owned by events-core."""

from __future__ import annotations

from bot.model import Reply
from plugins.events.desk import Desk
from plugins.events.records import Counts, Event, Occurrence


class Cards:
    """Renders, posts and refreshes event cards."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def render(self, event: Event, occurrence: Occurrence, counts: Counts) -> Reply:
        """The card of one occurrence, with its going / maybe / can't go buttons (none once it is over or cancelled)."""
        raise NotImplementedError("events-core builds this")

    async def post(self, event: Event, occurrence: Occurrence) -> None:
        """Post the card in the event's channel (exactly once: dedupe key) and remember where it is."""
        raise NotImplementedError("events-core builds this")

    async def refresh(self, community: str, occurrence_id: int) -> None:
        """Edit the posted card with the current answers (Discord message edit, Slack chat.update)."""
        raise NotImplementedError("events-core builds this")
