"""Which dates of an event exist: the upcoming occurrences of a repeating event are kept topped up to
`occurrences_ahead` (bot.when.recurrence, bounded), a one-off has one. New ones are returned so their
reminders, cards and mirrors can follow.

Owned by events-core; events-life calls `top_up` after each occurrence ends."""

from __future__ import annotations

from plugins.events.desk import Desk
from plugins.events.records import Event, Occurrence


async def top_up(desk: Desk, event: Event) -> list[Occurrence]:
    """Create the missing upcoming occurrences of `event` (none for a cancelled one); the new ones."""
    raise NotImplementedError("events-core builds this")
