"""The year-round life of an event, as due actions: reminders to attendees (24 h and 1 h before by
default, each once, in each member's language and time zone), save-the-date and countdown reminders to
organisers with the RSVP counts, and after each date the recap prompt with attendance, a thread for photos
and the next date's card. Edits and cancellations are told to those who said going or maybe.

Owned by events-life; events-core and events-rsvp call the methods below."""

from __future__ import annotations

from bot.i18n import Text
from bot.plugin import DueAction
from plugins.events.cards import Cards
from plugins.events.desk import Desk
from plugins.events.mirror import Mirror
from plugins.events.records import Event, Occurrence


class Lifecycle:
    """Schedules and runs everything that happens around an occurrence."""

    def __init__(self, desk: Desk, cards: Cards, mirror: Mirror) -> None:
        self.desk = desk
        self.cards = cards
        self.mirror = mirror

    async def planned(self, event: Event, occurrences: list[Occurrence]) -> None:
        """New occurrences exist: schedule their reminders, milestones and recap."""
        raise NotImplementedError("events-life builds this")

    async def changed(self, before: Event, after: Event, occurrences: list[Occurrence], changes: list[Text]) -> None:
        """An organiser changed the event (`changes`: what changed, in words): reschedule, tell going and maybe."""
        raise NotImplementedError("events-life builds this")

    async def cancelled(self, event: Event, occurrences: list[Occurrence], reason: str | None) -> None:
        """Occurrences were cancelled: drop their due actions, tell going and maybe."""
        raise NotImplementedError("events-life builds this")

    async def remind(self, action: DueAction) -> None:
        """`events.remind`: one reminder of one occurrence to its attendees."""
        raise NotImplementedError("events-life builds this")

    async def milestone(self, action: DueAction) -> None:
        """`events.milestone`: save-the-date / countdown to the organisers."""
        raise NotImplementedError("events-life builds this")

    async def recap(self, action: DueAction) -> None:
        """`events.recap`: after an occurrence ends."""
        raise NotImplementedError("events-life builds this")
