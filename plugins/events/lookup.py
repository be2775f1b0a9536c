"""Finding what a member named: an event by number or title (did-you-mean), one date of it, and who may
organise it (the group's owners and the moderators). Shared by every events service.

Owned by events-core; the signatures are the contract the other services call."""

from __future__ import annotations

from bot.model import CommunityRef
from bot.plugin import Invocation
from plugins.events.desk import Desk
from plugins.events.records import Event, Occurrence


async def find_event(desk: Desk, community: CommunityRef, raw: str) -> Event:
    """The event a member named (`12`, `#12`, a title), or a translated CommandError with did-you-mean."""
    raise NotImplementedError("events-core builds this")


async def pick_occurrence(desk: Desk, event: Event, raw_date: str | None, *, upcoming: bool = True) -> Occurrence:
    """The occurrence of `event` on the date a member typed (in the event's zone), else its next scheduled
    one (`upcoming`) or its latest; a translated CommandError when there is none."""
    raise NotImplementedError("events-core builds this")


async def is_organiser(desk: Desk, inv: Invocation, event: Event) -> bool:
    """Owners of the event's group and moderators organise it."""
    raise NotImplementedError("events-core builds this")
