"""The planning commands' work (`EntryService`): adding series, the agenda, done/skip/edit/cancel
and the entry autocomplete, with the permission rule (moderators and the manager role), clear
errors and nothing half changed. Typed fields are read by `entry_fields`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.folding import fold
from bot.i18n import Text, _, join, n_, term
from bot.model import ChannelRef, CommunityRef, Level, Reply, UserRef
from bot.plugin import Choice, CommandError, Invocation, PluginContext
from bot.when.recurrence import HORIZON_YEARS, occurrences
from bot.when.rule_words import describe
from plugins.calendar import texts
from plugins.calendar.entry_fields import read_due_off_loop, read_remind, read_rule_off_loop, read_title
from plugins.calendar.planner import Planner
from plugins.calendar.repo import CalendarRepo, Entry, NewSeries, Series, to_db
from plugins.calendar.settings import CalendarSettings

RANGES = {"week": timedelta(days=7), "month": timedelta(days=31)}
PAST_DAYS = timedelta(days=30)  # how far back `all` looks, so recent outcomes (missed, late) show


def agenda_period(range_: str, now: datetime, tz: str) -> tuple[datetime, datetime | None]:
    """[start, end) of a `/calendar list` range in zone `tz`: `week` from this Monday, `month` from the
    1st, each until 7 / 31 days after today; `all` from 30 days ago with no end."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    midnight = datetime.combine(today, datetime.min.time(), zone)
    if range_ == "week":
        first = today - timedelta(days=today.weekday())
    elif range_ == "month":
        first = today.replace(day=1)
    else:
        return datetime.combine(today - PAST_DAYS, datetime.min.time(), zone), None
    return datetime.combine(first, datetime.min.time(), zone), midnight + RANGES[range_]


class EntryService:
    """Adds, lists and changes entries."""

    def __init__(self, ctx: PluginContext, repo: CalendarRepo, planner: Planner, settings: CalendarSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.planner = planner
        self.settings = settings

    async def is_manager(self, inv: Invocation) -> bool:
        """Moderators, and members holding the configured manager role."""
        if inv.level >= Level.MODERATOR:
            return True
        role = (await self.ctx.communities.get(inv.community)).roles.get(self.settings.manager_role)
        return role is not None and role in inv.event.user_roles

    async def require_manager(self, inv: Invocation) -> None:
        """Refuse planning to members without the role."""
        if not await self.is_manager(inv):
            raise CommandError(
                _("Only moderators and the calendar's managers can plan entries."),
                _(
                    "A moderator can give you the role set with `/settings role purpose:{purpose}`.",
                    # The purpose as the reader types it (`gestionnaires`), from the core's choice words.
                    purpose=term(self.settings.manager_role, "choice"),
                ),
            )

    async def add(
        self,
        inv: Invocation,
        title: str,
        channel: ChannelRef,
        due: str,
        owner: UserRef,
        repeat: str | None,
        remind: str | None,
    ) -> Reply:
        """Create a series and its first occurrences; tell the new owner about the charter."""
        now = self.ctx.clock.now()
        tz = inv.timezone
        start = (await read_due_off_loop(due, now, tz)).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        new = NewSeries(
            inv.community.key,
            read_title(title),
            channel.channel_id,
            owner.user_id,
            await read_rule_off_loop(repeat, start, tz),
            start,
            tz,
            read_remind(remind, self.settings.remind),
            inv.user.user_id,
        )
        first_owned = not await self.repo.owner_has_entries(inv.community.key, owner.user_id)
        ids = await self.create([new], now)
        created = await self.repo.entry(inv.community.key, ids[0])
        if created is None:
            raise CommandError(
                _("This repetition has no date after “{value}”.", value=due[:60]),
                _("Check the RRULE's UNTIL or COUNT."),
            )
        lines: list[Text] = [
            _(
                "🗓️ Planned `#{id}` **{title}** in #{channel} for {when}.",
                id=created.id,
                title=created.title,
                channel=self.ctx.directory.channel_name(channel),
                when=texts.resolved_due(created.due_at, tz),
            ),
            texts.owner_and_reminders(self.ctx.directory.member_name(owner), created.remind),
        ]
        if new.rule:
            lines.append(_("Repeats: {rule}.", rule=describe(new.rule, new.start_local, new.timezone)))
        if first_owned and await self.send_charter(owner):
            lines.append(_("The editorial charter was sent to @{owner}.", owner=self.ctx.directory.member_name(owner)))
        return Reply(text=join(lines))

    async def create(self, series: list[NewSeries], now: datetime) -> list[int]:
        """Store series and their occurrences in one transaction, then schedule them."""
        firsts: list[int] = []
        async with self.repo.db.transaction() as tx:
            for new in series:
                series_id = await self.repo.insert_series(tx, new, now)
                stored = Series(
                    series_id,
                    new.community,
                    new.title,
                    new.channel_id,
                    new.owner_id,
                    new.rule,
                    new.start_local,
                    new.timezone,
                    new.remind,
                    now,
                    False,
                )
                # The start need not be a date of the rule (`FREQ=MONTHLY;BYDAY=-1FR` from a 1st): reach
                # its first date, which `check_rule` found within `HORIZON_YEARS`.
                due = new.start_local.replace(tzinfo=ZoneInfo(new.timezone))
                first = occurrences(
                    new.rule,
                    new.start_local,
                    new.timezone,
                    after=now,
                    until=due + timedelta(days=366 * HORIZON_YEARS),
                    limit=1,
                )
                until = max(now + self.settings.horizon, first[0] if first else due)
                await self.planner.materialise(tx, stored, series_id, until, now)
                firsts.append(await self.repo.first_entry(tx, series_id))
        await self.planner.arm_pending()
        return firsts

    async def send_charter(self, owner: UserRef) -> bool:
        """DM the charter to a new owner (once); True when there is one."""
        charter = await self.repo.charter(owner.community.key)
        if charter is None:
            return False
        await self.ctx.messenger.send(
            owner, texts.charter_note(charter), dedupe_key=f"calendar.charter:{owner.community.key}:{owner.user_id}"
        )
        return True

    async def complete(self, community: CommunityRef, prefix: str) -> list[Choice]:
        """Entries of the last week and ahead whose number or title contains what was typed."""
        wanted = fold(prefix)
        since = self.ctx.clock.now() - timedelta(days=7)
        found = await self.repo.entries(community.key, since, None, None, 200)
        hits = [e for e in found if wanted in str(e.id) or wanted in fold(e.title)]
        tz = (await self.ctx.communities.get(community)).timezone
        return [
            Choice(
                str(e.id),
                _(
                    "#{id} {title} ({when}, {status})",
                    id=str(e.id),
                    title=e.title[:60],
                    when=texts.moment(e.due_at, tz),
                    status=texts.status_label(e.status),
                ),
            )
            for e in hits[:25]
        ]

    async def agenda(self, inv: Invocation, range_: str, owner: UserRef | None) -> Reply:
        """Entries of the range (past days of this week or month included, so outcomes show), by day."""
        now = self.ctx.clock.now()
        start, end = agenda_period(range_, now, inv.timezone)
        rows = await self.repo.entries(
            inv.community.key, start, end, owner.user_id if owner else None, texts.AGENDA_LIMIT + 1
        )
        body = texts.agenda(
            rows,
            inv.timezone,
            now,
            self.settings.late_after,
            lambda c: self._channel_name(inv.community, c),
            lambda u: self._member_name(inv.community, u),
        )
        return Reply(text=join([_("🗓️ **Editorial calendar**"), body]))

    async def entry(self, inv: Invocation, entry_id: int) -> Entry:
        """The community's entry `entry_id` (any status), or a CommandError with a hint."""
        return await self._entry(inv, entry_id)

    async def _entry(self, inv: Invocation, entry_id: int) -> Entry:
        entry = await self.repo.entry(inv.community.key, entry_id)
        if entry is None:
            raise CommandError(
                _("There is no entry #{id} in this community.", id=entry_id),
                _("Type `/calendar list all` to see the entry numbers."),
            )
        return entry

    async def _planned(self, inv: Invocation, entry_id: int, *, owner_may: bool) -> Entry:
        """The entry, if the caller may change it and it is still planned."""
        entry = await self._entry(inv, entry_id)
        if not (owner_may and entry.owner_id == inv.user.user_id) and not await self.is_manager(inv):
            raise CommandError(
                _("Entry #{id} is not yours.", id=entry_id),
                _("Only its owner, moderators and the calendar's managers can change it."),
            )
        if entry.status != "planned":
            raise CommandError(
                _(
                    "Entry #{id} is already {status}; nothing was changed.",
                    id=entry_id,
                    status=texts.status_label(entry.status),
                ),
                _("Only planned entries can be changed. Plan a new one with `/calendar add`."),
            )
        return entry

    async def done(self, inv: Invocation, entry_id: int, link: str | None) -> Reply:
        """Mark published by hand."""
        entry = await self._planned(inv, entry_id, owner_may=True)
        now = self.ctx.clock.now()
        clean = link.strip() if link else None
        if clean and not clean.startswith(("http://", "https://")):
            raise CommandError(_("“{value}” is not a link.", value=clean[:60]), _("Paste the post's https:// link."))
        await self.repo.resolve(inv.community.key, entry.id, "published", now, published_at=now, link=clean)
        await self.planner.disarm(entry.id)
        return Reply(text=_("✅ `#{id}` **{title}** is marked as published.", id=entry.id, title=entry.title))

    async def skip(self, inv: Invocation, entry_id: int, reason: str) -> Reply:
        """Skip on purpose."""
        entry = await self._planned(inv, entry_id, owner_may=True)
        cleaned = " ".join(reason.split())
        if not cleaned:
            raise CommandError(
                _("Give a reason to skip."), _("For example: `/calendar skip {id} holidays`.", id=entry_id)
            )
        await self.repo.resolve(inv.community.key, entry.id, "skipped", self.ctx.clock.now(), reason=cleaned)
        await self.planner.disarm(entry.id)
        return Reply(
            text=_("⏭️ `#{id}` **{title}** is skipped: {reason}", id=entry.id, title=entry.title, reason=cleaned)
        )

    async def edit(
        self,
        inv: Invocation,
        entry_id: int,
        *,
        title: str | None,
        due: str | None,
        owner: UserRef | None,
        channel: ChannelRef | None,
        remind: str | None,
    ) -> Reply:
        """Change one occurrence; its reminders are rescheduled."""
        entry = await self._planned(inv, entry_id, owner_may=False)
        now = self.ctx.clock.now()
        changes: dict[str, str | None] = {}
        if title is not None:
            changes["title"] = read_title(title)
        if due is not None:
            changes["due_at"] = to_db(await read_due_off_loop(due, now, inv.timezone))
        if owner is not None:
            changes["owner_id"] = owner.user_id
        if channel is not None:
            changes["channel_id"] = channel.channel_id
        if remind is not None:
            changes["remind"] = read_remind(remind, self.settings.remind)
        if not changes:
            raise CommandError(_("Nothing to change."), _("Give a new title, due, owner, channel or remind."))
        if not await self.repo.edit(inv.community.key, entry.id, changes, now):
            raise CommandError(_("Entry #{id} changed meanwhile; nothing was changed.", id=entry_id))
        await self.planner.disarm(entry.id)
        await self.planner.arm_pending()
        updated = await self._entry(inv, entry_id)
        return Reply(
            text=_(
                "✏️ `#{id}` **{title}** in #{channel} is now due {when}.",
                id=updated.id,
                title=updated.title,
                channel=self._channel_name(inv.community, updated.channel_id),
                when=texts.resolved_due(updated.due_at, inv.timezone),
            )
        )

    async def cancel(self, inv: Invocation, entry_id: int, scope: str) -> Reply:
        """Cancel one occurrence or every planned occurrence of its series."""
        entry = await self._entry(inv, entry_id)
        now = self.ctx.clock.now()
        if scope == "series":
            cancelled = await self.repo.cancel_series(inv.community.key, entry.series_id, now)
            series = await self.repo.series(entry.series_id)
            if not cancelled and series is not None and series.cancelled:
                raise CommandError(
                    _("The series of entry #{id} is already cancelled; nothing was changed.", id=entry_id)
                )
            for cancelled_id in cancelled:
                await self.planner.disarm(cancelled_id)
            return Reply(
                text=n_(
                    "🗑️ The series **{title}** is cancelled ({count} planned entry removed).",
                    "🗑️ The series **{title}** is cancelled ({count} planned entries removed).",
                    len(cancelled),
                    title=entry.title,
                )
            )
        if entry.status == "cancelled":
            raise CommandError(_("Entry #{id} is already cancelled; nothing was changed.", id=entry_id))
        entry = await self._planned(inv, entry_id, owner_may=False)
        await self.repo.resolve(inv.community.key, entry.id, "cancelled", now)
        await self.planner.disarm(entry.id)
        return Reply(text=_("🗑️ `#{id}` **{title}** is cancelled.", id=entry.id, title=entry.title))

    def _channel_name(self, community: CommunityRef, channel_id: str) -> str:
        return self.ctx.directory.channel_name(ChannelRef(community.platform, community.workspace_id, channel_id))

    def _member_name(self, community: CommunityRef, user_id: str) -> str:
        return self.ctx.directory.member_name(UserRef(community.platform, community.workspace_id, user_id))
