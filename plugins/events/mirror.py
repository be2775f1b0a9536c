"""The platform's own event listing (Discord guild scheduled events), kept in step with each occurrence.

Owned by events-core."""

from __future__ import annotations

from bot.plugin import NativeEventOutcome
from plugins.events.desk import Desk
from plugins.events.records import Event, Occurrence


class Mirror:
    """Creates, updates and cancels the platform's copy of an occurrence."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def sync(self, event: Event, occurrence: Occurrence) -> NativeEventOutcome | None:
        """Create or update the platform's event; None where the platform has none."""
        raise NotImplementedError("events-core builds this")

    async def cancel(self, event: Event, occurrence: Occurrence) -> NativeEventOutcome | None:
        """Cancel the platform's event."""
        raise NotImplementedError("events-core builds this")
