"""Organising events: create, edit, cancel, next edition, info and list, with every input checked.

An edit that moves the dates (a new start, duration, end or repetition) keeps the answers by rank: the
k-th upcoming date becomes the k-th upcoming date of the new timing, with its RSVPs (members who said going
or maybe are told the new date by `Lifecycle.changed`); dates the new timing no longer has are cancelled
(their attendees told), and new ones are added. Dates already started are never changed.

Owned by events-core."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.folding import fold
from bot.geo import bounding_box, haversine_km
from bot.i18n import Text, _, join, n_
from bot.model import Card, CardField, CommunityRef, DeliveryError, Level, Reply, UserRef
from bot.plugin import Choice, CommandError, GroupInfo, Invocation, NativeEventOutcome, Place
from bot.when.rule_words import describe
from plugins.events import inputs, lookup, schedule
from plugins.events.answers import Answers
from plugins.events.cards import Cards, link_of
from plugins.events.desk import Desk
from plugins.events.lifecycle import Lifecycle
from plugins.events.mirror import Mirror, missing_permission_note
from plugins.events.records import CANCELLED, GOING, MAYBE, Counts, Event, Occurrence

MAX_NAMES = 30  # names listed per answer in /event info
NEAR_SCAN = 2000  # dates read for `near:` before the distance check


def listed(parts: list[Text]) -> Text:
    """`a; b; c` in the reader's typography (`a ; b ; c` in French)."""
    if not parts:
        return ""
    text = parts[0]
    for part in parts[1:]:
        text = _("{before}; {after}", before=text, after=part)
    return text


class Organiser:
    """The organisers' commands."""

    def __init__(self, desk: Desk, cards: Cards, mirror: Mirror, lifecycle: Lifecycle, answers: Answers) -> None:
        self.desk = desk
        self.answers = answers
        self.cards = cards
        self.mirror = mirror
        self.lifecycle = lifecycle

    # ------------------------------------------------------------ create

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
        found = await self.desk.groups().find_group(inv.community, group)
        await lookup.require_organiser(self.desk, inv, found.group_id, found.name)
        now = self.desk.now()
        tz = inv.timezone
        fields: dict[str, Any] = {
            "title": inputs.read_title(title),
            "description": inputs.read_description(description),
            "address": inputs.read_address(address),
            "online_url": inputs.read_link(link),
            "capacity": inputs.read_capacity(capacity, self.desk.settings.max_capacity),
            "reminders": inputs.read_reminders(reminders, self.desk.settings.default_reminders),
        }
        begins = await inputs.read_start(start, now, tz)
        fields["duration_min"] = await self._length(duration, end, begins, tz, None)
        fields.update(_place_fields(await self._place(place, found)))
        start_local = _local(begins, tz)
        fields["rule"] = await inputs.read_rule(repeat, start_local)
        event, made = await self._insert(inv, found, fields, start_local, tz, series=None)
        return await self._announce(inv, event, made, begins)

    async def _insert(
        self,
        inv: Invocation,
        group: GroupInfo,
        fields: dict[str, Any],
        start_local: datetime,
        tz: str,
        series: Event | None,
    ) -> tuple[Event, list[Occurrence]]:
        """Store the event and its first dates in one transaction."""
        now = self.desk.now()
        ahead = self.desk.settings.occurrences_ahead if fields["rule"] else 1
        starts = await schedule.next_starts_off_loop(fields["rule"], start_local, tz, after=now, count=ahead)
        if not starts:
            raise CommandError(
                _("This repetition has no date to come."),
                _("Check its end (UNTIL) and its count, or leave `repeat` out for a single date."),
            )
        # The first date is the event's start, so calendars (DTSTART) and the rule agree.
        fields["start_local"] = _local(starts[0], tz)
        fields.update(
            community=inv.community.key,
            group_id=group.group_id,
            group_name=group.name,
            timezone=tz,
            series_id=None if series is None else (series.series_id or series.id),
            previous_id=None if series is None else series.id,
            channel_id=group.channel_id or inv.channel.channel_id,
            created_by=inv.user.user_id,
        )
        async with self.desk.ctx.db.transaction() as tx:
            event_id = await self.desk.repo.insert_event(tx, fields, now)
            await self.desk.repo.insert_occurrences(
                tx, inv.community.key, event_id, schedule.spans(starts, fields["duration_min"]), now
            )
        event = await self._event(inv.community.key, event_id)
        return event, await self.desk.repo.occurrences(event.community, event.id)

    async def _announce(self, inv: Invocation, event: Event, made: list[Occurrence], typed: datetime) -> Reply:
        """After a creation: plan, post the first card, mirror each date; the organiser's confirmation."""
        await self.lifecycle.planned(event, made)
        unposted = await self._post(event, made[0])
        outcomes = [await self.mirror.sync(event, o) for o in made]
        lines: list[Text] = [
            _(
                "Event #{id} “{title}” is planned in {group}: {when}.",
                id=event.id,
                title=event.title,
                group=event.group_name,
                when=lookup.when_words(event, made[0]),
            )
        ]
        if made[0].starts_at != typed:
            lines.append(_("The repetition's first date is the one above (the start you gave is not one of its days)."))
        if event.rule is not None:
            lines.append(_("It repeats {rule}.", rule=describe(event.rule, event.start_local, event.timezone)))
        if unposted is not None:
            lines.append(unposted)
        elif event.channel_id is not None:
            channel = self.desk.ctx.directory.channel_name(self.desk.channel(event.community, event.channel_id))
            lines.append(_("Its card is in #{channel}; members answer with its buttons.", channel=channel))
        note = missing_permission_note(outcomes)
        if note is not None:
            lines.append(note)
        return Reply(text=join(lines))

    async def _length(
        self, duration: timedelta | None, end: str | None, start: datetime, tz: str, current: int | None
    ) -> int:
        """Minutes from a duration or an end (not both); the current or the default one otherwise."""
        if duration is not None and end is not None:
            raise CommandError(_("Give a duration or an end, not both."), _("For example `duration:2h` or `end:22h`."))
        max_hours = self.desk.settings.max_duration_hours
        if duration is not None:
            return inputs.read_length(duration, max_hours)
        if end is not None:
            return inputs.read_length(await inputs.read_end(end, start, tz) - start, max_hours)
        return current if current is not None else self.desk.settings.default_duration_minutes

    async def _place(self, raw: str | None, group: GroupInfo) -> Place | None:
        """The town typed, else the local group's own."""
        if raw is not None and raw.strip():
            return await inputs.read_place(self.desk.places(), raw)
        return group.place

    # ------------------------------------------------------------ edit

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
        before = await lookup.find_event(self.desk, inv.community, event, inv.user)
        await lookup.require_organiser(self.desk, inv, before.group_id, before.group_name)
        if before.status == CANCELLED:
            raise CommandError(
                _("“{title}” is cancelled.", title=before.title),
                _("Plan a new edition instead: `/event next {id} start:…`.", id=before.id),
            )
        # An archived group is closed: its events may still be cancelled, not changed.
        group = await self.desk.groups().group_by_id(inv.community, before.group_id)
        if group is None or group.status != "active":
            raise CommandError(
                _("The group of “{title}” is no longer active.", title=before.title),
                _("Create the event in an active group: `/event create`."),
            )
        now = self.desk.now()
        tz = before.timezone
        fields: dict[str, Any] = {}
        changes: list[Text] = []
        if title is not None and inputs.read_title(title) != before.title:
            fields["title"] = inputs.read_title(title)
            changes.append(_("the title is now “{title}”", title=fields["title"]))
        if description is not None and inputs.read_description(description) != before.description:
            fields["description"] = inputs.read_description(description)
            changes.append(_("the description changed"))
        if place is not None:
            found = None if inputs.is_none(place) else await inputs.read_place(self.desk.places(), place)
            if (found.place_id if found else None) != before.place_id:
                fields.update(_place_fields(found))
                changes.append(
                    _("the place is now {place}", place=found.label) if found else _("the event has no town any more")
                )
        if address is not None and inputs.read_address(address) != before.address:
            fields["address"] = inputs.read_address(address)
            changes.append(
                _("the address is now {address}", address=fields["address"])
                if fields["address"]
                else _("the address was removed")
            )
        if link is not None and inputs.read_link(link) != before.online_url:
            fields["online_url"] = inputs.read_link(link)
            changes.append(
                _("the online link is now {link}", link=link_of(fields["online_url"]))
                if fields["online_url"]
                else _("the online link was removed")
            )
        if capacity is not None and capacity != before.capacity:
            fields["capacity"] = inputs.read_capacity(capacity, self.desk.settings.max_capacity)
            changes.append(n_("the capacity is now {count} seat", "the capacity is now {count} seats", capacity))
        if reminders is not None and inputs.read_reminders(reminders, "") != before.reminders:
            fields["reminders"] = inputs.read_reminders(reminders, "")
            changes.append(_("the reminders are now {reminders}", reminders=fields["reminders"]))
        timing = await self._timing(before, start, duration, end, repeat, now, tz)
        if timing is not None:
            fields.update(timing[0])
            changes += timing[1]
        if not changes:
            raise CommandError(
                _("Nothing to change: give at least one new value."),
                _('For example `/event edit {id} start:"mardi 20h"` or `capacity:30`.', id=before.id),
            )
        return await self._apply(inv, before, fields, changes, timing is not None)

    async def _timing(
        self,
        before: Event,
        start: str | None,
        duration: timedelta | None,
        end: str | None,
        repeat: str | None,
        now: datetime,
        tz: str,
    ) -> tuple[dict[str, Any], list[Text]] | None:
        """The new start, duration and rule, when any of them changes (with the changes in words)."""
        if start is None and duration is None and end is None and repeat is None:
            return None
        begins = await inputs.read_start(start, now, tz) if start is not None else None
        anchor = _local(begins, tz) if begins is not None else before.start_local
        anchor_utc = begins if begins is not None else _utc(before.start_local, tz)
        minutes = await self._length(duration, end, anchor_utc, tz, before.duration_min)
        rule = before.rule if repeat is None else await inputs.read_rule(repeat, anchor)
        if repeat is None and rule is not None and begins is not None:
            rule = await inputs.read_rule(rule, anchor)  # the same rule still has dates from the new start
        if rule is None and begins is None and before.start_local <= _local(now, tz):
            raise CommandError(
                _("Without a repetition, the event needs a new start in the future."),
                _('Give `start` too: `/event edit {id} repeat:none start:"5 janvier 19h"`.', id=before.id),
            )
        fields: dict[str, Any] = {}
        changes: list[Text] = []
        if anchor != before.start_local:
            fields["start_local"] = anchor
        if minutes != before.duration_min:
            fields["duration_min"] = minutes
        if rule != before.rule:
            fields["rule"] = rule
            changes.append(
                _("it now repeats {rule}", rule=describe(rule, anchor, tz)) if rule else _("it no longer repeats")
            )
        if "start_local" in fields or "duration_min" in fields:
            changes.insert(0, _("the time changed"))
        return (fields, changes) if fields else None

    async def _apply(
        self, inv: Invocation, before: Event, fields: dict[str, Any], changes: list[Text], retimed: bool
    ) -> Reply:
        """Store an edit (the dates moved by rank when the timing changed), then tell, refresh and mirror."""
        now = self.desk.now()
        community = before.community
        existing = await self.desk.repo.occurrences(community, before.id)
        upcoming = [o for o in existing if o.starts_at > now]
        rule = fields.get("rule", before.rule)
        start_local = fields.get("start_local", before.start_local)
        minutes = fields.get("duration_min", before.duration_min)
        starts: list[datetime] = []
        if retimed:
            wanted = max(len(upcoming), self.desk.settings.occurrences_ahead) if rule else 1
            starts = await schedule.next_starts_off_loop(rule, start_local, before.timezone, after=now, count=wanted)
            if not starts:
                raise CommandError(
                    _("This repetition has no date to come."),
                    _("Check its end (UNTIL) and its count, or leave `repeat` out for a single date."),
                )
            if "start_local" in fields or "rule" in fields:
                # The series starts again from its next date, so calendars (DTSTART) and the rule agree.
                fields["start_local"] = _local(starts[0], before.timezone)
        moved = [(o.id, s, s + timedelta(minutes=minutes)) for o, s in zip(upcoming, starts, strict=False)]
        surplus = upcoming[len(starts) :] if retimed else []
        extra = starts[len(upcoming) :]
        async with self.desk.ctx.db.transaction() as tx:
            await self.desk.repo.update_event(tx, community, before.id, fields, now)
            if retimed:
                await self.desk.repo.move_occurrences(tx, community, moved)
                for o in surplus:
                    await self.desk.repo.cancel_occurrence(tx, community, o.id, now)
                new_ids = await self.desk.repo.insert_occurrences(
                    tx, community, before.id, schedule.spans(extra, minutes), now
                )
            else:
                new_ids = []
        after = await self._event(community, before.id)
        every = await self.desk.repo.occurrences(community, after.id)
        kept = [o for o in every if o.id in {u.id for u in upcoming} and o.id not in {s.id for s in surplus}]
        added = [o for o in every if o.id in new_ids]
        dropped = [o for o in every if o.id in {s.id for s in surplus}]
        if "capacity" in fields and (before.capacity is not None and (after.capacity or 0) > before.capacity):
            for o in kept:
                if o.status != CANCELLED:
                    await self.answers.promote_waitlist(community, o.id)
        await self.lifecycle.changed(before, after, [o for o in kept if o.status != CANCELLED], changes)
        if dropped:
            await self.lifecycle.cancelled(after, dropped, None)
        if added:
            await self.lifecycle.planned(after, added)
        outcomes: list[NativeEventOutcome | None] = []
        for o in [*kept, *dropped]:
            await self.cards.refresh(community, o.id)
            outcomes.append(await self.mirror.sync(after, o))
        for o in added:
            outcomes.append(await self.mirror.sync(after, o))
        first = next((o for o in [*kept, *added] if o.status != CANCELLED), None)
        unposted = await self._post(after, first) if first is not None and first.card_message_id is None else None
        lines: list[Text] = [
            _("“{title}” (#{id}) changed: {changes}.", title=after.title, id=after.id, changes=listed(changes))
        ]
        if unposted is not None:
            lines.append(unposted)
        if first is not None and retimed:
            lines.append(_("Next date: {when}.", when=lookup.when_words(after, first)))
        lines.append(_("Members who said going or maybe are told."))
        note = missing_permission_note(outcomes)
        if note is not None:
            lines.append(note)
        return Reply(text=join(lines))

    # ------------------------------------------------------------ cancel

    async def cancel(self, inv: Invocation, event: str, date: str | None, reason: str | None) -> Reply:
        """`/event cancel`."""
        found = await lookup.find_event(self.desk, inv.community, event, inv.user)
        await lookup.require_organiser(self.desk, inv, found.group_id, found.group_name)
        if found.status == CANCELLED:
            raise CommandError(_("“{title}” is already cancelled.", title=found.title), lookup.list_hint())
        why = inputs.read_reason(reason)
        now = self.desk.now()
        occurrences = await self.desk.repo.occurrences(found.community, found.id)
        whole = date is None or found.rule is None
        if whole:
            targets = [o for o in occurrences if o.starts_at > now and o.status != CANCELLED]
        else:
            picked = await lookup.pick_occurrence(self.desk, found, date)
            if picked.status == CANCELLED:
                raise CommandError(
                    _("The date of {date} is already cancelled.", date=lookup.button_date(found, picked)),
                    lookup.dates_hint(found, occurrences),
                )
            if picked.starts_at <= now:
                raise CommandError(
                    _("The date of {date} has already begun.", date=lookup.button_date(found, picked)),
                    lookup.dates_hint(found, occurrences),
                )
            targets = [picked]
        async with self.desk.ctx.db.transaction() as tx:
            if whole:
                await self.desk.repo.cancel_event(tx, found.community, found.id, now)
            else:
                await self.desk.repo.touch_event(tx, found.community, found.id, now)
            for o in targets:
                await self.desk.repo.cancel_occurrence(tx, found.community, o.id, now)
        after = await self._event(found.community, found.id)
        chosen = {t.id for t in targets}
        done = [o for o in await self.desk.repo.occurrences(found.community, found.id) if o.id in chosen]
        await self.lifecycle.cancelled(after, done, why)
        for o in done:
            await self.cards.refresh(found.community, o.id)
            await self.mirror.cancel(after, o)
        if whole:
            return Reply(text=_("“{title}” (#{id}) is cancelled; attendees are told.", title=after.title, id=after.id))
        # One date fewer: the next one comes up so that the usual number of dates stay open.
        new = await schedule.top_up(self.desk, after)
        if new:
            await self.lifecycle.planned(after, new)
            for o in new:
                await self.mirror.sync(after, o)
        following = [o for o in await self.desk.repo.occurrences(after.community, after.id) if o.starts_at > now]
        following = [o for o in following if o.status != CANCELLED]
        if following:
            await self._post(after, following[0])  # the next date's card, when it has none yet
        return Reply(
            text=_(
                "The date of {date} of “{title}” is cancelled; attendees are told.",
                date=lookup.button_date(after, done[0]),
                title=after.title,
            )
        )

    # ------------------------------------------------------------ next edition

    async def next_edition(self, inv: Invocation, event: str, start: str) -> Reply:
        """`/event next`."""
        source = await lookup.find_event(self.desk, inv.community, event, inv.user)
        group = await self.desk.groups().group_by_id(inv.community, source.group_id)
        if group is None or group.status != "active":
            raise CommandError(
                _("The group of “{title}” is no longer active.", title=source.title),
                _("Create the event in an active group: `/event create`."),
            )
        await lookup.require_organiser(self.desk, inv, group.group_id, group.name)
        tz = source.timezone
        begins = await inputs.read_start(start, self.desk.now(), tz)
        start_local = _local(begins, tz)
        try:
            rule = await inputs.read_rule(source.rule, start_local)
        except CommandError:
            rule = None  # its repetition ended (UNTIL, COUNT): the new edition happens once
        fields: dict[str, Any] = {
            "title": source.title,
            "description": source.description,
            "duration_min": source.duration_min,
            "rule": rule,
            "place_id": source.place_id,
            "place_name": source.place_name,
            "country": source.country,
            "lat": source.lat,
            "lon": source.lon,
            "address": source.address,
            "online_url": source.online_url,
            "capacity": source.capacity,
            "reminders": source.reminders,
        }
        made_event, made = await self._insert(inv, group, fields, start_local, tz, series=source)
        reply = await self._announce(inv, made_event, made, begins)
        return Reply(
            text=join(
                (
                    reply.text or "",
                    _("It is the next edition of #{previous}.", previous=source.id),
                )
            )
        )

    # ------------------------------------------------------------ info and list

    async def info(self, inv: Invocation, event: str, date: str | None) -> Reply:
        """`/event info`."""
        found = await lookup.find_event(self.desk, inv.community, event, inv.user)
        occurrence = await lookup.pick_occurrence(self.desk, found, date, upcoming=False)
        counts = await self.desk.rsvps.counts(found.community, occurrence.id)
        card = self.cards.render(found, occurrence, counts)
        if card.card is None:  # render always makes a card
            return card
        fields = list(card.card.fields)
        group, member = await lookup.membership(self.desk, inv.user, found)
        # A private group's members stay among themselves: others see the counts (the card shows them), not names.
        named = group is None or not group.private or member or inv.level >= Level.MODERATOR
        for label, answer in ((_("Attendees"), GOING), (_("Maybe"), MAYBE)):
            ids = await self.desk.rsvps.attendees(found.community, occurrence.id, (answer,), limit=MAX_NAMES)
            if ids and named:
                fields.append(CardField(label, self._names(found.community, ids, counts, answer), inline=False))
        if counts.waitlist:
            fields.append(
                CardField(
                    _("Waitlist"),
                    n_("{count} member waiting", "{count} members waiting", counts.waitlist),
                )
            )
        owners = await self.desk.groups().group_owners(inv.community, found.group_id)
        names = ", ".join(self.desk.ctx.directory.member_name(o) for o in owners)
        fields.append(
            CardField(
                _("Organisers"),
                _("{owners} and the moderators", owners=names) if names else _("the moderators"),
                inline=False,
            )
        )
        series = await self._series(found)
        if series is not None:
            fields.append(CardField(_("Series"), series, inline=False))
        return Reply(
            text=card.text,
            card=Card(card.card.title, tuple(fields), card.card.description),
            buttons=card.buttons,
        )

    def _names(self, community: str, ids: list[str], counts: Counts, answer: str) -> Text:
        names = ", ".join(self.desk.name_of(community, i) for i in ids)
        total = counts.going if answer == GOING else counts.maybe
        if total > len(ids):
            return _("{names} and {count} more", names=names, count=total - len(ids))
        return names

    async def _series(self, event: Event) -> Text | None:
        parts: list[Text] = []
        if event.previous_id is not None:
            previous = await self.desk.repo.event(event.community, event.previous_id)
            if previous is not None:
                parts.append(_("previous edition: #{id} {title}", id=previous.id, title=previous.title))
        for next_id, next_title in await self.desk.repo.next_editions(event.community, event.id):
            parts.append(_("next edition: #{id} {title}", id=next_id, title=next_title))
        return join(parts, " · ") if parts else None

    async def list_events(
        self,
        inv: Invocation,
        group: str | None,
        near: str | None,
        radius_km: int | None,
        page: int | None = None,
    ) -> Reply:
        """`/event list`."""
        now = self.desk.now()
        size = self.desk.settings.page_size
        number = page or 1
        community = inv.community.key
        distances: dict[int, float] = {}
        scanned_all = True
        if near is not None and near.strip():
            centre = await inputs.read_place(self.desk.places(), near)
            radius = radius_km or self.desk.settings.default_radius_km
            box = bounding_box(centre.lat, centre.lon, radius)
            rows = await self.desk.repo.upcoming_in_box(community, now, box, NEAR_SCAN)
            scanned_all = len(rows) < NEAR_SCAN
            inside = []
            for event, occurrence in rows:
                if event.lat is None or event.lon is None:
                    continue
                km = haversine_km(centre.lat, centre.lon, event.lat, event.lon)
                if km <= radius:
                    distances[event.id] = km
                    inside.append((event, occurrence))
            if group is not None and group.strip():
                chosen = await self.desk.groups().find_group(inv.community, group)
                inside = [(e, o) for e, o in inside if e.group_id == chosen.group_id]
            total = len(inside)
            shown = inside[(number - 1) * size : number * size]
            heading: Text = _("Upcoming events within {radius} km of {place}:", radius=radius, place=centre.label)
            empty: Text = _("No upcoming event within {radius} km of {place}.", radius=radius, place=centre.label)
        else:
            if group is not None and group.strip():
                chosen = await self.desk.groups().find_group(inv.community, group)
                ids = [chosen.group_id]
                heading = _("Upcoming events of {group}:", group=chosen.name)
                empty = _("{group} has no upcoming event.", group=chosen.name)
            else:
                mine = [g for g in await self.desk.groups().member_groups(inv.user) if g.community == community]
                if not mine:
                    return Reply(
                        text=join(
                            (
                                _("You are in no group yet, so no event of yours is coming."),
                                _("Join one with `/group join`, or look near a town: `/event list near:Lille`."),
                            )
                        )
                    )
                ids = [g.group_id for g in mine]
                heading = _("Upcoming events in your groups:")
                empty = _("No upcoming event in your groups.")
            shown, total = await self.desk.repo.upcoming(community, now, ids, size, (number - 1) * size)
        if total == 0:
            return Reply(text=empty)
        if not shown:
            raise CommandError(
                n_("There is only {count} page.", "There are only {count} pages.", -(-total // size)),
                _("Type `/event list` for the first page."),
            )
        lines: list[Text] = [heading]
        for event, occurrence in shown:
            lines.append(self._line(event, occurrence, distances.get(event.id)))
        rest = total - (number - 1) * size - len(shown)
        if rest > 0:
            lines.append(
                n_(
                    "…and {count} more: `/event list page:{page}`.",
                    "…and {count} more: `/event list page:{page}`.",
                    rest,
                    page=number + 1,
                )
            )
        if near is not None and near.strip() and not scanned_all:
            lines.append(_("Only the next {count} dates were searched.", count=NEAR_SCAN))
        return Reply(text=join(lines))

    @staticmethod
    def _line(event: Event, occurrence: Occurrence, km: float | None) -> Text:
        where = event.place_label or event.group_name
        if km is not None:
            return _(
                "#{id} {title}: {when} · {group} · {place} ({km} km)",
                id=event.id,
                title=event.title,
                when=lookup.when_words(event, occurrence),
                group=event.group_name,
                place=where,
                km=round(km),
            )
        return _(
            "#{id} {title}: {when} · {group} · {place}",
            id=event.id,
            title=event.title,
            when=lookup.when_words(event, occurrence),
            group=event.group_name,
            place=where,
        )

    # ------------------------------------------------------------ autocomplete

    async def event_choices(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Autocomplete of events."""
        key = fold(prefix.lstrip("#"))
        rows = await self.desk.repo.upcoming_events(community.key, self.desk.now(), 200)
        found = [(i, t) for i, t, _first in rows if not key or key in fold(t) or str(i).startswith(key)]
        return [Choice(str(i), _clip(f"#{i} {t}")) for i, t in found[:25]]

    async def group_choices(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Autocomplete of groups."""
        names = await self.desk.groups().group_names(community, prefix)
        return [Choice(n, n) for n in names[:25]]

    async def place_choices(self, prefix: str) -> list[Choice]:
        """Autocomplete of places."""
        if not prefix.strip():
            return []
        places = await self.desk.places().complete_places(prefix, 25)
        return [Choice(p.label, p.label if p.region is None else f"{p.label} ({p.region})") for p in places]

    # ------------------------------------------------------------ helpers

    async def _post(self, event: Event, occurrence: Occurrence) -> Text | None:
        """Post a date's card; what the organiser is told when the platform refused (the event exists anyway)."""
        try:
            await self.cards.post(event, occurrence)
        except DeliveryError as error:
            self.desk.ctx.logger.warning("event %s: card not posted: %s", event.id, error)
            return _(
                "Its card could not be posted in its channel ({reason}); the event exists: `/event info {id}` "
                "shows it and takes answers.",
                reason=error.permission or error.reason,
                id=event.id,
            )
        return None

    async def _event(self, community: str, event_id: int) -> Event:
        event = await self.desk.repo.event(community, event_id)
        if event is None:  # deleted under us (a privacy forget); nothing sensible to do but say so
            raise CommandError(_("There is no event #{number}.", number=event_id), lookup.list_hint())
        return event


def _clip(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(moment: datetime, tz: str) -> datetime:
    """A UTC moment as a naive wall-clock time in `tz`."""
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def _utc(local: datetime, tz: str) -> datetime:
    """A naive wall-clock time in `tz` as an aware moment."""
    return local.replace(tzinfo=ZoneInfo(tz))


def _place_fields(place: Place | None) -> dict[str, Any]:
    if place is None:
        return dict.fromkeys(("place_id", "place_name", "country", "lat", "lon"))
    return {
        "place_id": place.place_id,
        "place_name": place.name,
        "country": place.country,
        "lat": place.lat,
        "lon": place.lon,
    }
