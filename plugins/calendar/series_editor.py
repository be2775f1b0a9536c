"""`/calendar edit entry ... scope:series`: change a recurring series' title, owner, channel,
reminders or time once, for its definition and every still-planned occurrence ahead, in one
transaction, then redo those occurrences' reminders (see `series_plan` for what changes)."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.model import ChannelRef, Reply, UserRef
from bot.plugin import CommandError, Invocation
from bot.when.recurrence import RuleError
from plugins.calendar import texts
from plugins.calendar.entries import EntryService
from plugins.calendar.entry_fields import read_due_off_loop, read_remind, read_title
from plugins.calendar.series_plan import Change, Current, NoSlots, plan


async def _change(
    service: EntryService,
    tz: str,
    *,
    title: str | None,
    due: str | None,
    owner: UserRef | None,
    channel: ChannelRef | None,
    remind: str | None,
) -> Change:
    """The requested values, checked; a due date is a new wall-clock start in the series' zone."""
    values: dict[str, str] = {}
    if title is not None:
        values["title"] = read_title(title)
    if owner is not None:
        values["owner_id"] = owner.user_id
    if channel is not None:
        values["channel_id"] = channel.channel_id
    if remind is not None:
        values["remind"] = read_remind(remind, service.settings.remind)
    start = None
    if due is not None:
        now = service.ctx.clock.now()
        start = (await read_due_off_loop(due, now, tz)).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    if not values and start is None:
        raise CommandError(_("Nothing to change."), _("Give a new title, due, owner, channel or remind."))
    return Change(values, start)


class SeriesEditor:
    """Whole-series edits; the single-entry edits stay with the entry service."""

    def __init__(self, entries: EntryService) -> None:
        self.entries = entries

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
        """Change the series of `entry_id` (any of its occurrences names it) and its planned occurrences ahead."""
        entry = await self.entries.entry(inv, entry_id)
        if entry.rule is None:
            raise CommandError(
                _("Entry #{id} is not part of a repeating series.", id=entry_id),
                _("Leave out `scope:series` to change this entry alone."),
            )
        repo, planner = self.entries.repo, self.entries.planner
        found = await repo.series(entry.series_id)
        if found is None or found.cancelled:
            raise CommandError(
                _("The series of entry #{id} is cancelled; nothing was changed.", id=entry_id),
                _("Plan a new one with `/calendar add`."),
            )
        if found.disabled:
            raise CommandError(
                _(
                    "The series of entry #{id} is paused because its repetition no longer works; nothing was changed.",
                    id=entry_id,
                ),
                _("Cancel it with `/calendar cancel {id} series` and plan it again with `/calendar add`.", id=entry_id),
            )
        change = await _change(
            self.entries, found.timezone, title=title, due=due, owner=owner, channel=channel, remind=remind
        )
        now = self.entries.ctx.clock.now()
        async with repo.db.transaction() as tx:
            series = await repo.series(entry.series_id, tx)
            if series is None or series.cancelled or series.community != inv.community.key:
                raise CommandError(
                    _("The series of entry #{id} is cancelled; nothing was changed.", id=entry_id),
                    _("Plan a new one with `/calendar add`."),
                )
            current = Current(
                series.title,
                series.channel_id,
                series.owner_id,
                series.remind,
                series.rule,
                series.start_local,
                series.timezone,
            )
            try:
                result = plan(current, await repo.occurrences_ahead(tx, series.id, now), change, now)
            except NoSlots:
                raise CommandError(
                    _("This repetition has no date after “{value}”.", value=(due or "")[:60]),
                    _("Check the RRULE's UNTIL or COUNT."),
                ) from None
            except RuleError as error:  # a stored rule the next `calendar.extend` will disable
                raise CommandError(error.message, error.hint) from None
            redo = await repo.change_series(tx, series, result, now)
            if change.start_local is not None and result.materialised_until is not None:
                # Top the horizon up with the new definition (slots after the last one paired).
                fields = result.series
                updated = replace(
                    series,
                    title=fields.get("title", series.title),
                    channel_id=fields.get("channel_id", series.channel_id),
                    owner_id=fields.get("owner_id", series.owner_id),
                    remind=fields.get("remind", series.remind),
                    rule=fields.get("rule", series.rule),
                    start_local=change.start_local,
                    materialised_until=result.materialised_until,
                )
                await planner.materialise(tx, updated, series.id, now + self.entries.settings.horizon, now)
        for changed_id in redo:
            await planner.disarm(changed_id)
        await planner.arm_pending()
        cancelled = [i for i in result.cancelled if i in redo]
        return Reply(
            text=texts.series_edited(
                change.values.get("title", series.title),
                len(redo) - len(cancelled),
                result.first,
                series.timezone,
                result.kept,
                cancelled,
            )
        )
