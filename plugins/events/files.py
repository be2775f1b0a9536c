"""Calendar files: one event's .ics (stable UID, SEQUENCE from the event's revision, its rule with UNTIL
in UTC, the group and the place), and a member's own .ics of the events they are going to.

Owned by events-cal (built on bot.when.ical)."""

from __future__ import annotations

from bot.model import Reply
from bot.plugin import Invocation
from plugins.events.desk import Desk


class EventFiles:
    """`/event ics`."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def ics(self, inv: Invocation, event: str | None) -> Reply:
        """One event's file, or the member's own."""
        raise NotImplementedError("events-cal builds this")
