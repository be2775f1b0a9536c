"""The calendar's moving parts: materialising series ahead, scheduling each occurrence's reminders
and escalations as due actions, running them exactly once, and detecting publications.

Every due action key carries the occurrence id and its revision (`12/0:3600`), so an edit cancels
the old actions and schedules fresh ones, and a restart never sends anything twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.model import ChannelRef, CommunityRef, DeliveryError, Message, MessageDeleted, Reply, Target, UserRef
from bot.plugin import DueAction, PluginContext, Sql
from bot.when.dates import parse_offsets
from bot.when.recurrence import RuleError, check_rule, occurrences
from plugins.calendar import texts
from plugins.calendar.repo import CalendarRepo, Entry, NewEntry, Series
from plugins.calendar.settings import CalendarSettings


def _stored_rule_problem(rule: str, start_local: datetime, tz: str) -> RuleError | None:
    """Why a stored rule (maybe from an older version) cannot be expanded, or None when it can."""
    try:
        check_rule(rule, start_local, tz)
    except RuleError as error:
        return error
    return None


def _community_parts(community: str) -> tuple[str, str]:
    ref = CommunityRef.from_key(community)
    return ref.platform, ref.workspace_id


REMIND, OVERDUE, ALERT, MISSED = "calendar.remind", "calendar.overdue", "calendar.alert", "calendar.missed"
KINDS = (REMIND, OVERDUE, ALERT, MISSED)


class Planner:
    """Materialisation, reminders, escalations and publish detection."""

    def __init__(self, ctx: PluginContext, repo: CalendarRepo, settings: CalendarSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.settings = settings

    # ------------------------------------------------------------ materialising

    async def materialise(self, tx: Sql, series: Series, series_id: int, until: datetime, now: datetime) -> int:
        """Store the occurrences of a series up to `until` (at most `max_ahead` at a time)."""
        after = max(now, series.materialised_until) if series.rule else now - timedelta(microseconds=1)
        slots = occurrences(
            series.rule, series.start_local, series.timezone, after=after, until=until, limit=self.settings.max_ahead
        )
        entries = [NewEntry(slot, series.title, series.channel_id, series.owner_id, series.remind) for slot in slots]
        horizon = slots[-1] if len(slots) >= self.settings.max_ahead else until
        return await self.repo.add_entries(tx, series_id, series.community, entries, horizon, now)

    async def extend(self, now: datetime) -> int:
        """Materialise every recurring series up to the horizon, then schedule what is new."""
        until = now + self.settings.horizon
        added = 0
        for stale in await self.repo.series_to_extend(until):
            # On a thread: a rule that never happens is searched for years before it is refused.
            problem = (
                await asyncio.to_thread(_stored_rule_problem, stale.rule, stale.start_local, stale.timezone)
                if stale.rule is not None
                else None
            )
            if problem is None:
                try:
                    async with self.repo.db.transaction() as tx:
                        # Read again inside the transaction: a series edit may have changed it meanwhile.
                        series = await self.repo.series(stale.id, tx)
                        if series is not None and not series.cancelled and series.materialised_until < until:
                            added += await self.materialise(tx, series, series.id, until, now)
                except RuleError as error:  # changed meanwhile into a rule that does not read: rolled back
                    problem = error
            if problem is not None:
                await self.disable(stale, problem, now)
        await self.arm_pending()
        return added

    async def disable(self, series: Series, problem: RuleError, now: datetime) -> None:
        """Stop a series whose stored rule cannot be expanded: once, with one log line and a notice
        to its owner (its occurrences already planned stay)."""
        if not await self.repo.disable_series(series.id, problem.english(), now):
            return
        self.ctx.logger.warning(
            "calendar series %s of %s disabled: its stored rule %r cannot be expanded: %s",
            series.id,
            series.community,
            series.rule,
            problem.english(),
        )
        if series.owner_id is not None:
            owner = UserRef(*_community_parts(series.community), series.owner_id)
            try:
                await self._send(
                    owner,
                    texts.series_disabled(series.title, series.rule or "", problem.message),
                    f"calendar.disabled:{series.id}",
                )
            except DeliveryError as exc:  # an outage must not stop start-up or the job: the log line stays
                self.ctx.logger.info("calendar notice for disabled series %s not delivered: %s", series.id, exc)

    # ------------------------------------------------------------ scheduling

    async def arm_pending(self) -> int:
        """Schedule the due actions of every occurrence that has none yet (after a restart too)."""
        armed = 0
        while batch := await self.repo.unarmed():
            for entry in batch:
                await self.arm(entry)
                await self.repo.mark_armed(entry.id, entry.revision)
                armed += 1
        return armed

    async def arm(self, entry: Entry) -> None:
        """Reminders at each offset still ahead, then the overdue note, the alert and the miss."""
        now = self.ctx.clock.now()
        key = f"{entry.id}/{entry.revision}"
        payload = {"entry": entry.id, "revision": entry.revision}
        for offset in parse_offsets(entry.remind) or ():
            at = entry.due_at - offset
            if at > now:
                await self.ctx.scheduler.schedule(
                    REMIND, f"{key}:{int(offset.total_seconds())}", entry.community, at, payload
                )
        settings = self.settings
        await self.ctx.scheduler.schedule(OVERDUE, key, entry.community, entry.due_at, payload)
        await self.ctx.scheduler.schedule(ALERT, key, entry.community, entry.due_at + settings.grace, payload)
        await self.ctx.scheduler.schedule(MISSED, key, entry.community, entry.due_at + settings.window_after, payload)

    async def disarm(self, entry_id: int) -> None:
        """Cancel every pending action of an occurrence (all revisions)."""
        for kind in KINDS:
            await self.ctx.scheduler.cancel_prefix(kind, f"{entry_id}/")

    # ------------------------------------------------------------ due actions

    async def _current(self, action: DueAction, statuses: tuple[str, ...] = ("planned",)) -> Entry | None:
        """The occurrence an action is about, if it is unchanged and still in one of `statuses`."""
        entry = await self.repo.entry(action.community, int(action.payload["entry"]))
        if entry is None or entry.status not in statuses or entry.revision != action.payload.get("revision"):
            return None
        return entry

    async def on_remind(self, action: DueAction) -> None:
        """A reminder; one that fell due while down is sent only if due is still ahead, and only the
        most recent of the reminders due at once (a smaller offset already due supersedes it)."""
        entry = await self._current(action)
        now = self.ctx.clock.now()
        if entry is None or entry.owner_id is None or now >= entry.due_at:
            return  # past due: the overdue note says it instead
        if self._superseded(entry, action.key, now):
            return  # a later reminder of the same occurrence is due too: that one is sent
        tz = await self._tz(entry.community)
        reply = texts.reminder(entry, tz, self._channel(entry), now)
        await self._send(self._owner(entry), reply, f"{REMIND}:{action.key}")

    async def on_overdue(self, action: DueAction) -> None:
        """At due time, when nothing was posted: a note to the owner."""
        entry = await self._current(action)
        if entry is None or entry.owner_id is None:
            return
        tz = await self._tz(entry.community)
        reply = texts.overdue_note(entry, tz, self._channel(entry), entry.due_at + self.settings.window_after)
        await self._send(self._owner(entry), reply, f"{OVERDUE}:{action.key}")

    async def on_alert(self, action: DueAction) -> None:
        """After the grace period: an alert in the managers' channel (also when already missed)."""
        entry = await self._current(action, ("planned", "missed"))
        if entry is None:
            return
        target = await self.alert_channel(entry.community)
        if target is None:
            self.ctx.logger.info("no calendar/digest channel in %s: alert for %s not sent", entry.community, entry.id)
            return
        tz = await self._tz(entry.community)
        owner = self.ctx.directory.member_name(self._owner(entry)) if entry.owner_id else None
        reply = texts.alert(entry, tz, self._channel(entry), owner, self.ctx.clock.now() - entry.due_at)
        await self._send(target, reply, f"{ALERT}:{action.key}")

    async def on_missed(self, action: DueAction) -> None:
        """After the window: the occurrence is missed."""
        entry = await self._current(action)
        if entry is not None:
            await self.repo.resolve(entry.community, entry.id, "missed", self.ctx.clock.now())

    async def alert_channel(self, community: str) -> ChannelRef | None:
        """The configured purpose's channel, else the digest channel."""
        settings = await self.ctx.communities.get(community)
        return settings.channel(self.settings.alert_channel) or settings.channel("digest")

    # ------------------------------------------------------------ publish detection

    async def detect(self, message: Message) -> Entry | None:
        """Mark the owner's nearest planned occurrence in this channel published, if within its window."""
        if message.is_direct or message.author_is_bot:
            return None
        if not await self.repo.may_publish(message.community.key, message.channel.channel_id, message.author.user_id):
            return None
        at = message.at
        candidates = await self.repo.publishable(
            message.community.key,
            message.channel.channel_id,
            message.author.user_id,
            at - self.settings.window_after,
            at + self.settings.window_before,
        )
        if not candidates:
            return None
        entry = min(candidates, key=lambda e: abs(e.due_at - at))
        link = self.ctx.messenger.link(message.ref)
        if await self.repo.resolve(
            entry.community, entry.id, "published", at, published_at=at, link=link, message_id=message.ref.message_id
        ):
            await self.disarm(entry.id)
            return entry
        return None

    async def undo(self, deleted: MessageDeleted) -> Entry | None:
        """A detected post was deleted: the occurrence is planned again while its window is open."""
        entry = await self.repo.published_by(
            deleted.community.key, deleted.ref.channel.channel_id, deleted.ref.message_id
        )
        if entry is None or deleted.at >= entry.due_at + self.settings.window_after:
            return None
        if await self.repo.reopen(entry.community, entry.id, deleted.at):
            await self.arm_pending()  # the overdue note comes at once when due has passed
            return entry
        return None

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _superseded(entry: Entry, key: str, now: datetime) -> bool:
        """True when a reminder of `entry` with a smaller offset than this one (`<key>:<seconds>`) is due too."""
        _prefix, _sep, seconds = key.rpartition(":")
        if not seconds.isdigit():
            return False
        offset = timedelta(seconds=int(seconds))
        return any(other < offset and now >= entry.due_at - other for other in parse_offsets(entry.remind) or ())

    async def _tz(self, community: str) -> str:
        return (await self.ctx.communities.get(community)).timezone

    def _owner(self, entry: Entry) -> UserRef:
        ref = CommunityRef.from_key(entry.community)
        return UserRef(ref.platform, ref.workspace_id, entry.owner_id or "")

    def _channel(self, entry: Entry) -> str:
        ref = CommunityRef.from_key(entry.community)
        return self.ctx.directory.channel_name(ChannelRef(ref.platform, ref.workspace_id, entry.channel_id))

    async def _send(self, target: Target, reply: Reply, dedupe_key: str) -> None:
        try:
            await self.ctx.messenger.send(target, reply, dedupe_key=dedupe_key)
        except DeliveryError as exc:
            if exc.transient:
                # A platform outage: raising leaves the due action pending, so the scheduler retries it
                # later (the Outbox released the dedupe key, so the retry can post).
                raise
            # Closed DMs or a missing permission will not fix themselves by retrying.
            self.ctx.logger.info("calendar message %s not delivered: %s", dedupe_key, exc)
