"""The year-round life of an event, as due actions: reminders to attendees (24 h and 1 h before by
default, each once, in each member's language and time zone), save-the-date and countdown reminders to
organisers with the RSVP counts, and after each date the recap prompt with attendance, a thread for photos
and the next date's card. Edits and cancellations are told to those who said going or maybe.

The bot reminds people, it never posts for them: the organisers' milestones suggest what they could post.

Due action keys start with `occ:<occurrence id>:` (so `cancel_prefix` drops everything of an occurrence)
and end with the occurrence's start (`occ:12:remind:86400:20270105T1800Z`): the scheduler keeps a done key
done, so a moved occurrence needs fresh keys to remind again. Every send carries a dedupe key with the
occurrence id, what it is, the member and the start: nothing is sent twice across restarts, double fires or
processes sharing one database, and a moved event still reminds once at its new time.

Waitlisted members are not reminded as attendees: each attendee reminder tells them instead that they are
still on the waitlist (with their position), so they know not to come unless a seat frees up (a DM tells
them then). A cancellation tells going, maybe and the waitlist; an edit tells going and maybe.

Owned by events-life; events-core and events-rsvp call the methods below."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.formatting import Link
from bot.i18n import Duration, Msg, Text, _, join, n_
from bot.model import Capability, ChannelRef, CommunityRef, DeliveryError, MessageRef, Reply, UserRef
from bot.plugin import CommandError, DueAction
from bot.storage.times import to_db
from bot.when.dates import parse_offsets
from bot.when.rule_words import moment_words
from plugins.events import schedule
from plugins.events.cards import Cards
from plugins.events.desk import Desk
from plugins.events.lifecycle_repo import LifecycleRepo
from plugins.events.lookup import rsvp_command
from plugins.events.mirror import Mirror
from plugins.events.records import CANCELLED, GOING, MAYBE, NO, SCHEDULED, WAITLIST, Counts, Event, Occurrence

REMIND, MILESTONE, RECAP = "events.remind", "events.milestone", "events.recap"
KINDS = (REMIND, MILESTONE, RECAP)
LINK_LABEL = 80  # a link the organiser gave is shown as itself, clipped to this


def stamp(moment: datetime) -> str:
    """An occurrence's start as it appears in keys: `20270105T1800Z` (UTC, to the minute)."""
    return moment.strftime("%Y%m%dT%H%MZ")


def prefix(occurrence_id: int) -> str:
    """The start of every due action key of an occurrence."""
    return f"occ:{occurrence_id}:"


def safe_url(url: str | None) -> Link | None:
    """An http(s) link the organiser gave, shown as itself (clipped) so no label disguises it."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    shown = url.strip()
    return Link(shown, shown if len(shown) <= LINK_LABEL else shown[: LINK_LABEL - 1] + "…")


def answer_counts(counts: Counts, capacity: int | None) -> Msg:
    """The answers in the reader's words: `2 going, 1 maybe, 3 can't go, 1 on the waitlist; 0 seats left`."""
    seats: Text
    if capacity is None:
        seats = _("no seat limit")
    else:
        left = max(capacity - counts.going, 0)
        seats = n_("{count} seat left", "{count} seats left", left)
    return _(
        "{going}, {maybe}, {no}, {waitlist}; {seats}",
        going=n_("{count} going", "{count} going", counts.going),
        maybe=n_("{count} maybe", "{count} maybe", counts.maybe),
        no=n_("{count} can't go", "{count} can't go", counts.no),
        waitlist=n_("{count} on the waitlist", "{count} on the waitlist", counts.waitlist),
        seats=seats,
    )


class Lifecycle:
    """Schedules and runs everything that happens around an occurrence."""

    def __init__(self, desk: Desk, cards: Cards, mirror: Mirror) -> None:
        self.desk = desk
        self.cards = cards
        self.mirror = mirror
        self.repo = LifecycleRepo(desk.ctx.db)
        self.rsvps = desk.rsvps

    # ------------------------------------------------------------ scheduling

    async def planned(self, event: Event, occurrences: list[Occurrence]) -> None:
        """New occurrences exist: schedule their reminders, milestones and recap (those still ahead).

        Calling it again for the same occurrences changes nothing: the keys are the same, a pending one is
        kept, a done one stays done."""
        if event.status != SCHEDULED:
            return
        now = self.desk.now()
        scheduler = self.desk.ctx.scheduler
        reminders = self.reminders(event)
        milestones = self.milestones()
        for occ in occurrences:
            if occ.status != SCHEDULED or occ.ends_at <= now:
                continue
            start, base = stamp(occ.starts_at), prefix(occ.id)
            payload = {"event": event.id, "occurrence": occ.id, "start": to_db(occ.starts_at)}
            for kind, word, offsets in ((REMIND, "remind", reminders), (MILESTONE, "milestone", milestones)):
                for offset in offsets:
                    seconds = int(offset.total_seconds())
                    if occ.starts_at - offset > now:
                        await scheduler.schedule(
                            kind,
                            f"{base}{word}:{seconds}:{start}",
                            event.community,
                            occ.starts_at - offset,
                            {**payload, "offset": seconds},
                        )
            await scheduler.schedule(RECAP, f"{base}recap:{start}", event.community, occ.ends_at, payload)

    async def unplan(self, occurrence_id: int, kinds: Sequence[str] = KINDS) -> None:
        """Cancel the pending due actions of an occurrence."""
        for kind in kinds:
            await self.desk.ctx.scheduler.cancel_prefix(kind, prefix(occurrence_id))

    def reminders(self, event: Event) -> tuple[timedelta, ...]:
        """The event's reminder offsets (largest first); none for `none`."""
        if not event.reminders or event.reminders == "none":
            return ()
        offsets = parse_offsets(event.reminders)
        if offsets is None:  # unreadable (never stored so by /event create): the plugin's default
            offsets = parse_offsets(self.desk.settings.default_reminders) or ()
        return tuple(sorted(offsets, reverse=True))

    def milestones(self) -> tuple[timedelta, ...]:
        """The organisers' milestones (largest first): the first is the save-the-date."""
        return tuple(sorted(parse_offsets(self.desk.settings.organiser_milestones) or (), reverse=True))

    # ------------------------------------------------------------ what organisers did

    async def changed(self, before: Event, after: Event, occurrences: list[Occurrence], changes: list[Text]) -> None:
        """An organiser changed the event (`changes`: what changed, in words): reschedule, tell going and maybe.

        Each member is told once per change (their next date named), even when they answered several dates."""
        for occ in occurrences:
            await self.unplan(occ.id)
        await self.planned(after, occurrences)
        if not changes:
            return
        now = self.desk.now()
        upcoming = sorted(
            (o for o in occurrences if o.status == SCHEDULED and o.ends_at > now), key=lambda o: o.starts_at
        )
        first: dict[str, Occurrence] = {}
        for occ in upcoming:
            for user_id in await self.rsvps.attendees(after.community, occ.id, (GOING, MAYBE)):
                first.setdefault(user_id, occ)
        change = f"{after.revision}:{to_db(after.updated_at)}"
        for user_id, occ in sorted(first.items()):
            user = self.member(after.community, user_id)
            reply = await self.change_note(before, after, occ, changes, user)
            await self.send_now(user, reply, f"events.changed:{after.id}:{change}:{user_id}:{stamp(occ.starts_at)}")

    async def cancelled(self, event: Event, occurrences: list[Occurrence], reason: str | None) -> None:
        """Occurrences were cancelled: drop their due actions, tell going, maybe and the waitlist.

        One date of a repeating event keeps its recap action (it keeps the series topped up; the recap
        itself is skipped); a cancelled event loses them all."""
        whole = event.status == CANCELLED
        for occ in occurrences:
            await self.unplan(occ.id, KINDS if whole else (REMIND, MILESTONE))
        if whole:
            # Dates cancelled one by one earlier kept their recap to top the series up: no series any more.
            for occ in await self.desk.repo.occurrences(event.community, event.id):
                await self.unplan(occ.id, (RECAP,))
        dates: dict[str, list[Occurrence]] = {}
        for occ in occurrences:
            for user_id in await self.rsvps.attendees(event.community, occ.id, (GOING, MAYBE, WAITLIST)):
                dates.setdefault(user_id, []).append(occ)
        for user_id, occs in sorted(dates.items()):
            occs = sorted(set(occs), key=lambda o: o.starts_at)
            user = self.member(event.community, user_id)
            tz = await self.zone(user)
            when = join([self.moment(o.starts_at, tz) for o in occs], ", ")
            lines: list[Text] = [
                _("**{title}** ({group}) is cancelled: {when}.", title=event.title, group=event.group_name, when=when)
            ]
            if reason:
                lines.append(_("Reason: {reason}", reason=reason))
            lines.append(_("Your answer no longer holds; nothing else to do."))
            ids = ",".join(str(o.id) for o in occs)
            key = f"events.cancelled:{ids}:{user_id}:{'.'.join(stamp(o.starts_at) for o in occs)}"
            await self.send_now(user, Reply(join(lines)), key[:400])

    # ------------------------------------------------------------ due actions

    def latest_due(
        self, event: Event, occ: Occurrence, action: DueAction, offsets: Sequence[timedelta]
    ) -> tuple[datetime, timedelta] | None:
        """(now, this action's offset) when it should be sent: its date still planned and not begun, and no
        later offset of the same kind due too (after downtime only the latest is sent); else None."""
        now = self.desk.now()
        if occ.status != SCHEDULED or event.status != SCHEDULED or now >= occ.starts_at:
            return None
        offset = timedelta(seconds=int(action.payload.get("offset", 0)))
        if any(other < offset and now >= occ.starts_at - other for other in offsets):
            return None
        return now, offset

    async def remind(self, action: DueAction) -> None:
        """`events.remind`: one reminder of one occurrence to its attendees (going and maybe), and a note to
        the waitlisted. Skipped when the occurrence is gone, cancelled or moved, once it began, and when a
        later reminder of it is due too (after downtime: only the latest is sent)."""
        found = await self.current(action)
        due = None if found is None else self.latest_due(found[0], found[1], action, self.reminders(found[0]))
        if found is None or due is None:
            return
        event, occ = found
        now, offset = due
        attendees = await self.rsvps.attendees(event.community, occ.id, (GOING, MAYBE))
        waitlist = await self.rsvps.waitlist(event.community, occ.id)  # next first: their place is their rank
        rank = {user_id: number for number, user_id in enumerate(waitlist, start=1)}
        failure: DeliveryError | None = None
        for user_id in [*attendees, *waitlist]:
            user = self.member(event.community, user_id)
            reply = await self.reminder(event, occ, user, now, rank.get(user_id))
            key = f"events.remind:{occ.id}:{int(offset.total_seconds())}:{user_id}:{stamp(occ.starts_at)}"
            failure = await self.send_scheduled(user, reply, key) or failure
        if failure is not None:
            raise failure  # an outage: retried later, members already told are skipped by their keys

    async def milestone(self, action: DueAction) -> None:
        """`events.milestone`: save-the-date (the first milestone) or countdown to the organisers, with the
        answers so far and what they could post (the bot does not post for them)."""
        found = await self.current(action)
        milestones = self.milestones()
        due = None if found is None else self.latest_due(found[0], found[1], action, milestones)
        if found is None or due is None:
            return
        event, occ = found
        now, offset = due
        counts = await self.rsvps.counts(event.community, occ.id)
        card = self.card_link(occ)
        first = bool(milestones) and offset >= milestones[0]
        failure: DeliveryError | None = None
        for user in await self.organisers(event):
            tz = await self.zone(user)
            days = max(round((occ.starts_at - now) / timedelta(days=1)), 0)
            about = {
                "title": event.title,
                "group": event.group_name,
                "days": n_("{count} day", "{count} days", days),
                "when": self.moment(occ.starts_at, tz),
            }
            lines: list[Text] = [
                _("Save the date: **{title}** ({group}) is in {days}, {when}.", **about)
                if first
                else _("Countdown: **{title}** ({group}) is in {days}, {when}.", **about),
                _("Answers so far: {counts}.", counts=answer_counts(counts, event.capacity)),
            ]
            # Where the platform has no link to the card (the console), the suggestion names none.
            if first and card:
                hint = _(
                    "The bot reminds you, it does not post for you. You could post a save-the-date in the "
                    "group's channel with the card's link, so members can answer early: {card}",
                    card=card,
                )
            elif first:
                hint = _(
                    "The bot reminds you, it does not post for you. You could post a save-the-date in the "
                    "group's channel, so members can answer early."
                )
            elif card:
                hint = _(
                    "The bot reminds you, it does not post for you. You could post a countdown in the group's "
                    "channel (how long to go, how many seats are left) with the card's link: {card}",
                    card=card,
                )
            else:
                hint = _(
                    "The bot reminds you, it does not post for you. You could post a countdown in the group's "
                    "channel (how long to go, how many seats are left)."
                )
            lines.append(hint)
            key = f"events.milestone:{occ.id}:{int(offset.total_seconds())}:{user.user_id}:{stamp(occ.starts_at)}"
            failure = await self.send_scheduled(user, Reply(join(lines)), key) or failure
        if failure is not None:
            raise failure

    async def recap(self, action: DueAction) -> None:
        """`events.recap`: after an occurrence ends. A repeating event gets its next dates (cards, reminders,
        mirrors); then a thread for photos under the card and the recap prompt to the organisers, with the
        answers (the bot does not know who actually came) and the next edition."""
        found = await self.current(action)
        if found is None:
            return
        event, occ = found
        upcoming = await self.top_up(event) if event.rule else []
        if occ.status != SCHEDULED or event.status != SCHEDULED:
            return  # a cancelled date: its series is topped up, nothing to recap
        failure: DeliveryError | None = None
        thread = await self.open_thread(event, occ)
        counts = await self.rsvps.counts(event.community, occ.id)
        following = upcoming[0] if upcoming else None
        for user in await self.organisers(event):
            tz = await self.zone(user)
            lines: list[Text] = [
                _(
                    "**{title}** ({group}), {when}, is over. The answers: {counts}.",
                    title=event.title,
                    group=event.group_name,
                    when=self.moment(occ.starts_at, tz),
                    counts=answer_counts(counts, event.capacity),
                ),
                _("The bot only knows the answers, not who actually came."),
            ]
            if thread is not None:
                lines.append(_("A thread for photos and follow-ups is open under the card: {link}", link=thread))
            if following is not None:
                card = self.card_link(following)
                when = self.moment(following.starts_at, tz)
                lines.append(
                    _("The next date, {when}, has its card: {card}", when=when, card=card)
                    if card is not None
                    else _("The next date: {when}.", when=when)
                )
            else:  # a one-off, or a series with no date left
                lines.append(
                    _(
                        'Plan the next edition: `/event next {id} start:"…"` keeps the group, title, place and '
                        "capacity.",
                        id=event.id,
                    )
                )
            key = f"events.recap:{occ.id}:{user.user_id}:{stamp(occ.starts_at)}"
            failure = await self.send_scheduled(user, Reply(join(lines)), key) or failure
        if failure is not None:
            raise failure

    async def top_up(self, event: Event) -> list[Occurrence]:
        """The series' next dates exist, each with its reminders and mirror, and the next one its card (one
        card at a time, as /event create posts them); the upcoming dates.

        Idempotent, so a recap retried after a failure half way finishes the job: the next date's card is
        posted if it has none, dates never mirrored are mirrored, reminders scheduled again (same keys)."""
        fresh = {o.id for o in await schedule.top_up(self.desk, event)}
        now = self.desk.now()
        upcoming = [
            o
            for o in await self.desk.repo.occurrences(event.community, event.id)
            if o.status == SCHEDULED and o.starts_at > now
        ]
        await self.planned(event, upcoming)
        for occ in upcoming:
            if occ.id in fresh or occ.native_id is None:
                await self.mirror.sync(event, occ)
        if upcoming and upcoming[0].card_message_id is None:
            await self.cards.post(event, upcoming[0])
        again = await self.desk.repo.occurrences(event.community, event.id)
        return [o for o in again if o.status == SCHEDULED and o.starts_at > now]

    async def open_thread(self, event: Event, occ: Occurrence) -> Link | None:
        """A thread under the card for photos and follow-ups (where the platform has threads); its link."""
        community = CommunityRef.from_key(event.community)
        if occ.card_channel_id is None or occ.card_message_id is None:
            return None
        if Capability.THREADS not in self.desk.ctx.messenger.capabilities(community):
            return None
        channel = ChannelRef(community.platform, community.workspace_id, occ.card_channel_id)
        target = channel.in_thread(occ.card_message_id)
        reply = Reply(
            _(
                "**{title}** is over: thank you for coming! Share your photos and follow-ups in this thread.",
                title=event.title,
            )
        )
        try:
            ref = await self.desk.ctx.messenger.send(
                target, reply, dedupe_key=f"events.thread:{occ.id}:{stamp(occ.starts_at)}"
            )
        except DeliveryError as exc:
            if exc.transient:
                raise
            self.desk.ctx.logger.info("events: no recap thread for occurrence %s: %s", occ.id, exc)
            return None
        if ref is not None:
            await self.repo.set_recap_thread(event.community, occ.id, ref.channel.thread_id or occ.card_message_id)
        url = self.desk.ctx.messenger.link(ref or MessageRef(target, occ.card_message_id))
        return Link(url, url) if url else None

    # ------------------------------------------------------------ texts

    async def reminder(
        self, event: Event, occ: Occurrence, user: UserRef, now: datetime, waitlisted: int | None
    ) -> Reply:
        """A member's reminder of one occurrence, in their time zone; `waitlisted` is their place on the
        waitlist (1 = next), None for going and maybe."""
        tz = await self.zone(user)
        when = self.moment(occ.starts_at, tz)
        # Exact at the planned time ("1 day", "1 hour"); to the minute when it runs late.
        until = timedelta(minutes=round((occ.starts_at - now) / timedelta(minutes=1)))
        head: Msg
        if waitlisted is not None:
            head = _(
                "**{title}** ({group}) starts in {span}, {when}. You are still on the waitlist (number {position}): "
                "come only if a seat frees up, a message will tell you.",
                title=event.title,
                group=event.group_name,
                span=Duration(until),
                when=when,
                position=waitlisted,
            )
        else:
            head = _(
                "Reminder: **{title}** ({group}) starts in {span}, {when}.",
                title=event.title,
                group=event.group_name,
                span=Duration(until),
                when=when,
            )
        lines: list[Text] = [head, *self.where(event)]
        card = self.card_link(occ)
        if card is not None:
            lines.append(_("The event's card: {card}", card=card))
        command = rsvp_command(event, occ, NO)
        if waitlisted is not None:
            lines.append(_("Leave the waitlist: `{command}`", command=command))
        else:
            lines.append(_("Can't come any more? `{command}`", command=command))
        return Reply(join(lines))

    async def change_note(
        self, before: Event, after: Event, occ: Occurrence, changes: list[Text], user: UserRef
    ) -> Reply:
        """What changed in an event a member answered going or maybe, with its (next) date now."""
        tz = await self.zone(user)
        lines: list[Text] = [
            _("**{title}** ({group}) changed:", title=before.title, group=after.group_name),
            *(_("• {change}", change=change) for change in changes),
            _("Now: **{title}**, {when}.", title=after.title, when=self.moment(occ.starts_at, tz)),
            *self.where(after),
        ]
        card = self.card_link(occ)
        if card is not None:
            lines.append(_("The event's card: {card}", card=card))
        command = rsvp_command(after, occ, NO)
        lines.append(_("Can't come any more? `{command}`", command=command))
        return Reply(join(lines))

    def where(self, event: Event) -> list[Text]:
        """Where it happens: the address and city, and the online link."""
        lines: list[Text] = []
        place = ", ".join(part for part in (event.address, event.place_label) if part)
        if place:
            lines.append(_("Where: {place}", place=place))
        link = safe_url(event.online_url)
        if link is not None:
            lines.append(_("Online: {link}", link=link))
        return lines

    def moment(self, moment: datetime, tz: str) -> Msg:
        """A date and time in the reader's zone, the zone named."""
        return _("{when} ({tz} time)", when=moment_words(moment, tz), tz=tz)

    def card_link(self, occ: Occurrence) -> Link | None:
        """A link to the occurrence's card, where the platform has links."""
        if occ.card_channel_id is None or occ.card_message_id is None:
            return None
        community = CommunityRef.from_key(occ.community)
        channel = ChannelRef(community.platform, community.workspace_id, occ.card_channel_id, occ.card_thread_id)
        url = self.desk.ctx.messenger.link(MessageRef(channel, occ.card_message_id))
        return Link(url, url) if url else None

    # ------------------------------------------------------------ parts

    async def current(self, action: DueAction) -> tuple[Event, Occurrence] | None:
        """The event and occurrence of an action, unless it is gone or moved since it was scheduled."""
        occ = await self.desk.repo.occurrence(action.community, int(action.payload["occurrence"]))
        if occ is None or to_db(occ.starts_at) != action.payload.get("start"):
            return None  # a moved occurrence has fresh actions of its own
        event = await self.desk.repo.event(action.community, occ.event_id)
        return None if event is None else (event, occ)

    async def organisers(self, event: Event) -> list[UserRef]:
        """Who organises: the group's owners and the event's creator."""
        community = CommunityRef.from_key(event.community)
        try:
            owners = await self.desk.groups().group_owners(community, event.group_id)
        except CommandError:  # the groups plugin was disabled since: the creator still hears
            owners = []
        found: dict[str, UserRef] = {}
        for user in [*owners, self.member(event.community, event.created_by)]:
            found.setdefault(user.user_id, user)
        return list(found.values())

    def member(self, community: str, user_id: str) -> UserRef:
        """A member of a community by id."""
        ref = CommunityRef.from_key(community)
        return UserRef(ref.platform, ref.workspace_id, user_id)

    async def zone(self, user: UserRef) -> str:
        """The member's time zone: their own where they chose one, else the community's."""
        return await self.desk.ctx.communities.timezone_for(user, user.community)

    async def send_scheduled(self, user: UserRef, reply: Reply, key: str) -> DeliveryError | None:
        """A DM from scheduled work: an outage is returned (the caller raises it once every member was tried,
        so the scheduler retries); closed DMs and refusals are logged, retrying would not change them."""
        try:
            await self.desk.ctx.messenger.send(user, reply, dedupe_key=key)
        except DeliveryError as exc:
            if exc.transient:
                return exc
            self.desk.ctx.logger.info("events: %s not delivered: %s", key, exc)
        return None

    async def send_now(self, user: UserRef, reply: Reply, key: str) -> None:
        """A DM after an organiser's command: a failure is logged, the command still succeeds."""
        try:
            await self.desk.ctx.messenger.send(user, reply, dedupe_key=key)
        except DeliveryError as exc:
            self.desk.ctx.logger.info("events: %s not delivered: %s", key, exc)
