"""Organising events: create, edit, cancel, next edition, info and list, with every input checked.

Owned by events-core."""

from __future__ import annotations

from datetime import timedelta

from bot.model import CommunityRef, Reply, UserRef
from bot.plugin import Choice, Invocation
from plugins.events.answers import Answers
from plugins.events.cards import Cards
from plugins.events.desk import Desk
from plugins.events.lifecycle import Lifecycle
from plugins.events.mirror import Mirror


class Organiser:
    """The organisers' commands."""

    def __init__(self, desk: Desk, cards: Cards, mirror: Mirror, lifecycle: Lifecycle, answers: Answers) -> None:
        self.desk = desk
        self.answers = answers
        self.cards = cards
        self.mirror = mirror
        self.lifecycle = lifecycle

    async def create(
        self,
        inv: Invocation,
        group: str,
        title: str,
        start: str,
        duration: timedelta | None,
        end: str | None,
        place: str | None,
        address: str | None,
        link: str | None,
        capacity: int | None,
        repeat: str | None,
        reminders: str | None,
        description: str | None,
    ) -> Reply:
        """`/event create`."""
        raise NotImplementedError("events-core builds this")

    async def edit(
        self,
        inv: Invocation,
        event: str,
        title: str | None,
        start: str | None,
        duration: timedelta | None,
        end: str | None,
        place: str | None,
        address: str | None,
        link: str | None,
        capacity: int | None,
        repeat: str | None,
        reminders: str | None,
        description: str | None,
    ) -> Reply:
        """`/event edit`."""
        raise NotImplementedError("events-core builds this")

    async def cancel(self, inv: Invocation, event: str, date: str | None, reason: str | None) -> Reply:
        """`/event cancel`."""
        raise NotImplementedError("events-core builds this")

    async def next_edition(self, inv: Invocation, event: str, start: str) -> Reply:
        """`/event next`."""
        raise NotImplementedError("events-core builds this")

    async def info(self, inv: Invocation, event: str, date: str | None) -> Reply:
        """`/event info`."""
        raise NotImplementedError("events-core builds this")

    async def list_events(self, inv: Invocation, group: str | None, near: str | None, radius_km: int | None) -> Reply:
        """`/event list`."""
        raise NotImplementedError("events-core builds this")

    async def event_choices(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Autocomplete of events."""
        raise NotImplementedError("events-core builds this")

    async def group_choices(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Autocomplete of groups."""
        raise NotImplementedError("events-core builds this")

    async def place_choices(self, prefix: str) -> list[Choice]:
        """Autocomplete of places."""
        raise NotImplementedError("events-core builds this")
