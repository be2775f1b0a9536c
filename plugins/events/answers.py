"""Answering events: RSVP (going, maybe, can't go) per occurrence, the capacity and its waitlist that
promotes by itself (the promoted member is told by DM), and a member's own list (`/event mine`).

Owned by events-rsvp (SQL in `rsvp_repo`). The card's buttons run `/event rsvp event:<id> answer:<...>
date:"YYYY-MM-DD HH:MM"` as the member who pressed them, so buttons and the command are one path. Every
answer is one transaction that takes the occurrence's row first (see `rsvp_repo`); DMs and the card's
refresh come after the commit, never inside it."""

from __future__ import annotations

import logging

from bot.formatting import Link
from bot.i18n import Msg, Text, When, _, join, n_
from bot.model import ChannelRef, CommunityRef, DeliveryError, MessageRef, Reply, UserRef
from bot.plugin import CommandError, Invocation
from plugins.events import lookup
from plugins.events.cards import Cards
from plugins.events.desk import Desk
from plugins.events.lifecycle import Lifecycle
from plugins.events.records import CANCELLED, GOING, MAYBE, NO, SCHEDULED, WAITLIST, Event, Occurrence
from plugins.events.rsvp_repo import (
    ALREADY,
    CLOSED_CANCELLED,
    CLOSED_OVER,
    GONE,
    Answered,
    MemberRsvp,
    lock_occurrence,
    promote,
)
from plugins.events.rsvp_repo import answer as write_answer

log = logging.getLogger(__name__)


async def member_timezone(desk: Desk, user: UserRef) -> str:
    """The zone a member reads times in: their own (`/timezone`), else their community's."""
    return await desk.ctx.communities.timezone_for(user, user.community)


class Answers:
    """The members' side of events."""

    def __init__(self, desk: Desk, cards: Cards, lifecycle: Lifecycle) -> None:
        self.desk = desk
        self.cards = cards
        self.lifecycle = lifecycle
        self.rsvps = desk.rsvps

    # ------------------------------------------------------------ /event rsvp and the card's buttons

    async def rsvp(self, inv: Invocation, event: str, answer: str, date: str | None) -> Reply:
        """`/event rsvp` and the card's buttons: the member's answer for one date of an event, privately
        confirmed (with the waitlist's place when the event is full)."""
        if answer not in (GOING, MAYBE, NO):
            raise CommandError(
                _("Answer going, maybe or no."),
                _("For example: `/event rsvp 12 going`."),
            )
        found = await lookup.find_event(self.desk, inv.community, event, inv.user)
        group, member = await lookup.membership(self.desk, inv.user, found)
        if group is not None and group.status == "archived":
            raise CommandError(
                _("“{title}” belongs to a group that has been archived: it takes no more answers.", title=found.title),
                _("`/event list` shows the upcoming events."),
            )
        if group is not None and group.private and not member:
            raise CommandError(
                _(
                    "“{title}” belongs to {group}, a private group: only its members answer.",
                    title=found.title,
                    group=group.name,
                ),
                _("Ask to join it: `/group join {group}`.", group=group.name),
            )
        # Without a date: the next one still planned, else the latest (whose refusal then says why:
        # cancelled, or over, and whether another date exists).
        occurrence = await lookup.pick_occurrence(self.desk, found, date, upcoming=False)
        community = inv.community.key
        async with self.desk.ctx.db.transaction() as tx:
            done = await write_answer(tx, community, occurrence.id, inv.user.user_id, answer, self.desk.now())
        tz = await member_timezone(self.desk, inv.user)
        when = When(occurrence.starts_at, tz)
        if done.outcome in (CLOSED_CANCELLED, CLOSED_OVER, GONE):
            raise await self._closed(found, occurrence, done.outcome, when, tz)
        if done.outcome != ALREADY:
            await self._told_and_shown(found, occurrence, done.promoted)
        return Reply(text=self._confirmation(found, occurrence, done, when), ephemeral=True)

    async def _closed(self, event: Event, occurrence: Occurrence, outcome: str, when: When, tz: str) -> CommandError:
        """Why this date takes no answers, and where to answer instead."""
        if outcome == CLOSED_OVER:
            return CommandError(
                _("“{title}” on {date} is over: it takes no more answers.", title=event.title, date=when),
                _("`/event list` shows the upcoming events."),
            )
        message = (
            _("“{title}” on {date} is cancelled: it takes no answers.", title=event.title, date=when)
            if outcome == CLOSED_CANCELLED
            else _("This date of “{title}” does not exist any more.", title=event.title)
        )
        later = [
            o
            for o in await self.desk.repo.occurrences(event.community, event.id)
            if o.status == SCHEDULED and o.ends_at > self.desk.now() and o.id != occurrence.id
        ]
        if event.status == CANCELLED or not later:
            return CommandError(message, _("The event has no other date: `/event list` shows the upcoming events."))
        other = later[0]
        return CommandError(
            message,
            _(
                "Its next date is {date}: `{command}`",
                date=When(other.starts_at, tz),
                command=lookup.rsvp_command(event, other, GOING),
            ),
        )

    def _confirmation(self, event: Event, occurrence: Occurrence, done: Answered, when: When) -> Text:
        title = event.title
        if done.outcome == ALREADY:
            return self._already(event, occurrence, done, when)
        lines: list[Text] = []
        if done.answer == GOING:
            lines.append(_("You are going to “{title}” on {date}. See you there!", title=title, date=when))
        elif done.answer == WAITLIST:
            lines.append(
                _(
                    "“{title}” on {date} is full: you are on the waitlist, number {rank}. "
                    "You will get a direct message if a seat frees up.",
                    title=title,
                    date=when,
                    rank=done.rank or 1,
                )
            )
            lines.append(
                _("To leave the waitlist: `{command}`", command=lookup.rsvp_command(event, occurrence, NO)),
            )
        elif done.answer == MAYBE:
            lines.append(_("Noted: maybe for “{title}” on {date}.", title=title, date=when))
        elif done.previous == WAITLIST:
            lines.append(_("You left the waitlist of “{title}” on {date}.", title=title, date=when))
        else:
            lines.append(_("Noted: you can't go to “{title}” on {date}.", title=title, date=when))
        if done.previous == GOING and done.promoted:
            lines.append(_("Your seat went to the next member on the waitlist."))
        return join(lines)

    def _already(self, event: Event, occurrence: Occurrence, done: Answered, when: When) -> Msg:
        title = event.title
        if done.answer == WAITLIST:
            return _(
                "You are already on the waitlist of “{title}” on {date}, number {rank}: nothing changed.",
                title=title,
                date=when,
                rank=done.rank or 1,
            )
        if done.answer == GOING:
            return _("You already said you are going to “{title}” on {date}: nothing changed.", title=title, date=when)
        if done.answer == MAYBE:
            return _("You already said maybe for “{title}” on {date}: nothing changed.", title=title, date=when)
        return _("You already said you can't go to “{title}” on {date}: nothing changed.", title=title, date=when)

    # ------------------------------------------------------------ the waitlist

    async def promote_waitlist(self, community: str, occurrence_id: int) -> list[str]:
        """Give free seats to the waitlist, first come first served (after a seat frees up or the capacity
        grows): in one transaction, then a DM to each promoted member and a card refresh; their user ids."""
        occurrence = await self.desk.repo.occurrence(community, occurrence_id)
        if occurrence is None:
            return []
        event = await self.desk.repo.event(community, occurrence.event_id)
        if event is None or occurrence.status == CANCELLED or occurrence.ends_at <= self.desk.now():
            return []
        async with self.desk.ctx.db.transaction() as tx:
            # The occurrence's row first, then the capacity as it is now (an edit may have just changed it).
            await lock_occurrence(tx, community, occurrence_id)
            current = await self.desk.repo.event(community, event.id, sql=tx)
            capacity = event.capacity if current is None else current.capacity
            promoted = await promote(tx, community, occurrence_id, capacity, self.desk.now())
        if promoted:
            await self._told_and_shown(event, occurrence, promoted)
        return promoted

    async def tell_promoted(self, community: str, promoted: dict[int, list[str]]) -> None:
        """After a committed change made elsewhere (a member forgotten): DM those who got a seat, refresh the cards."""
        for occurrence_id, users in promoted.items():
            occurrence = await self.desk.repo.occurrence(community, occurrence_id)
            event = None if occurrence is None else await self.desk.repo.event(community, occurrence.event_id)
            if occurrence is not None and event is not None:
                await self._told_and_shown(event, occurrence, users)

    async def _told_and_shown(self, event: Event, occurrence: Occurrence, promoted: list[str]) -> None:
        """After a committed change: DM each promoted member, then refresh the card. A DM that cannot be
        delivered does not undo the seat (the member sees it in `/event mine`)."""
        for user_id in promoted:
            await self._tell_promoted(event, occurrence, user_id)
        await self.cards.refresh(event.community, occurrence.id)

    async def _tell_promoted(self, event: Event, occurrence: Occurrence, user_id: str) -> None:
        place = CommunityRef.from_key(event.community)
        user = UserRef(place.platform, place.workspace_id, user_id)
        held = await self.rsvps.rsvp(event.community, occurrence.id, user_id)
        if held is None or held.answer != GOING or held.promoted_at is None:
            return  # changed their mind in between: nothing to tell
        tz = await member_timezone(self.desk, user)
        lines: list[Text] = [
            _(
                "A seat freed up: you are now going to “{title}” on {date}.",
                title=event.title,
                date=When(occurrence.starts_at, tz),
            )
        ]
        url = self._card_url(occurrence)
        if url is not None:
            lines.append(_("The event’s card: {link}", link=Link(url, url)))
        lines.append(
            _(
                "Can't come any more? `{command}` gives your seat to the next one.",
                command=lookup.rsvp_command(event, occurrence, NO),
            )
        )
        # One DM per promotion: the key names the occurrence, its start, the member and when they got the seat.
        key = (
            f"events.promoted:{event.community}:{occurrence.id}:{occurrence.starts_at.isoformat()}:"
            f"{user_id}:{held.promoted_at.isoformat()}"
        )
        try:
            await self.desk.ctx.messenger.send(user, Reply(text=join(lines)), dedupe_key=key)
        except DeliveryError as exc:
            log.warning("events: could not tell %s of their seat on occurrence %s: %s", user_id, occurrence.id, exc)

    def _card_url(self, occurrence: Occurrence) -> str | None:
        if occurrence.card_channel_id is None or occurrence.card_message_id is None:
            return None
        place = CommunityRef.from_key(occurrence.community)
        channel = ChannelRef(place.platform, place.workspace_id, occurrence.card_channel_id, occurrence.card_thread_id)
        return self.desk.ctx.messenger.link(MessageRef(channel, occurrence.card_message_id))

    # ------------------------------------------------------------ /event mine

    async def mine(self, inv: Invocation, page: int | None = None) -> Reply:
        """`/event mine`: the member's upcoming dates answered going, maybe or waitlisted (with the place),
        soonest first, in their time zone; one page at a time, saying how many there are."""
        size = self.desk.settings.page_size
        number = max(1, page or 1)
        rows, total = await self.rsvps.upcoming_for_member(
            inv.community.key, inv.user.user_id, self.desk.now(), size, (number - 1) * size
        )
        if total == 0:
            return Reply(
                text=join(
                    [
                        _("You have no upcoming event answered going, maybe or on the waitlist."),
                        _("`/event list` shows the upcoming events in your groups."),
                    ]
                ),
                ephemeral=True,
            )
        pages = -(-total // size)
        if not rows:
            raise CommandError(
                n_(
                    "There is no page {page}: your answers fill only {count} page.",
                    "There is no page {page}: your answers fill only {count} pages.",
                    pages,
                    page=number,
                ),
                _("Type `/event mine page:{last}` for the last one.", last=pages),
            )
        tz = await member_timezone(self.desk, inv.user)
        lines: list[Text] = [
            n_("{count} upcoming event you answered:", "{count} upcoming events you answered:", total),
            *(self._mine_line(row, tz) for row in rows),
        ]
        rest = total - (number - 1) * size - len(rows)
        if rest > 0:
            lines.append(
                n_(
                    "…and {count} more: `/event mine page:{page}`.",
                    "…and {count} more: `/event mine page:{page}`.",
                    rest,
                    page=number + 1,
                )
            )
        return Reply(text=join(lines), ephemeral=True)

    @staticmethod
    def _mine_line(row: MemberRsvp, tz: str) -> Msg:
        when = When(row.starts_at, tz)
        if row.answer == GOING:
            return _("• {date}: “{title}” (#{event}), you are going", date=when, title=row.title, event=row.event_id)
        if row.answer == MAYBE:
            return _("• {date}: “{title}” (#{event}), maybe", date=when, title=row.title, event=row.event_id)
        return _(
            "• {date}: “{title}” (#{event}), on the waitlist, number {rank}",
            date=when,
            title=row.title,
            event=row.event_id,
            rank=row.rank or 1,
        )
