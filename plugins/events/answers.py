"""Answering events: RSVP (going, maybe, can't go) per occurrence, the capacity and its waitlist that
promotes by itself (the promoted member is told by DM), and a member's own list.

Owned by events-rsvp (SQL in `rsvp_repo`)."""

from __future__ import annotations

from bot.model import Reply
from bot.plugin import Invocation
from plugins.events.cards import Cards
from plugins.events.desk import Desk
from plugins.events.lifecycle import Lifecycle


class Answers:
    """The members' side of events."""

    def __init__(self, desk: Desk, cards: Cards, lifecycle: Lifecycle) -> None:
        self.desk = desk
        self.cards = cards
        self.lifecycle = lifecycle

    async def rsvp(self, inv: Invocation, event: str, answer: str, date: str | None) -> Reply:
        """`/event rsvp` and the card's buttons."""
        raise NotImplementedError("events-rsvp builds this")

    async def mine(self, inv: Invocation) -> Reply:
        """`/event mine`."""
        raise NotImplementedError("events-rsvp builds this")

    async def promote_waitlist(self, community: str, occurrence_id: int) -> list[str]:
        """Give free seats to the waitlist, first come first served (after a seat frees up or the capacity
        grows): in one transaction, then a DM to each promoted member and a card refresh; their user ids."""
        raise NotImplementedError("events-rsvp builds this")
