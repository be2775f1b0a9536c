"""Files in and out (`FileService`): the .ics export of the agenda (from 30 days ago on; what it
holds is `export`'s job) and the all-or-nothing CSV import. Reading the CSV itself (header,
encoding, rows) is `import_sheet`'s job."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot.i18n import Msg, Text, _, join, n_
from bot.model import Attachment, ChannelRef, CommunityRef, Reply, UserRef
from bot.params import bind_options
from bot.plugin import CommandError, Invocation, channel, member, text
from bot.when.ical import build_ics
from plugins.calendar.entries import EntryService
from plugins.calendar.entry_fields import read_due_off_loop, read_remind, read_rule_off_loop, read_title
from plugins.calendar.export import PAST, PAST_DAYS, calendar_events
from plugins.calendar.import_sheet import HEADER, SheetError, SheetRow, read_sheet
from plugins.calendar.repo import NewSeries

EXPORT_LIMIT = 1000
SHOWN_ERRORS = 20
_ROW_PARAMS = (
    text("title", _("title"), max_length=200),
    channel("channel", _("channel")),
    member("owner", _("owner"), required=False),
)


@runtime_checkable
class Lookup(Protocol):
    """Name resolution the directory offers at run time (the same as command parameters use)."""

    async def member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """The member `raw` names (`@alice`, an id), or None."""
        ...

    async def channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """The channel `raw` names (`#news`, an id), or None."""
        ...

    def member_names(self, community: CommunityRef) -> list[str]:
        """Names of the members the directory knows, for suggestions."""
        ...

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Names of the channels the directory knows, for suggestions."""
        ...


class FileService:
    """`/calendar export` and `/calendar import`; new series go through the entry service."""

    def __init__(self, entries: EntryService) -> None:
        self.entries = entries

    async def export_ics(self, inv: Invocation) -> Reply:
        """The agenda from `PAST_DAYS` ago on (every entry not cancelled) as an .ics file."""
        now = self.entries.ctx.clock.now()
        community = inv.community
        since = now - PAST
        repo = self.entries.repo
        slots = await repo.export_slots(community.key, since, EXPORT_LIMIT)
        series_ids = {slot.series_id for slot in slots}
        series = await repo.series_of(community.key, series_ids)
        cancelled: dict[int, list[datetime]] = {}
        for series_id, slot_at in await repo.cancelled_slots(community.key, series_ids, since):
            cancelled.setdefault(series_id, []).append(slot_at)
        directory = self.entries.ctx.directory
        labels: dict[tuple[str, str | None], str] = {}
        pairs = {(slot.channel_id, slot.owner_id) for slot in slots}
        pairs |= {(one.channel_id, one.owner_id) for one in series.values()}
        for channel_id, owner_id in pairs:
            where = directory.channel_name(ChannelRef(community.platform, community.workspace_id, channel_id))
            owner = (
                directory.member_name(UserRef(community.platform, community.workspace_id, owner_id))
                if owner_id
                else "-"
            )
            labels[channel_id, owner_id] = f"#{where} · @{owner}"
        # Expanding the rules is CPU work: off the event loop.
        events = await asyncio.to_thread(
            calendar_events,
            community.key,
            series,
            slots,
            cancelled,
            since,
            now,
            lambda channel_id, owner_id: labels[channel_id, owner_id],
            len(slots) < EXPORT_LIMIT,
        )
        content = await asyncio.to_thread(build_ics, events, "affinity-bot")
        lines: list[Text] = [
            n_(
                "Here is {count} entry as a calendar file: the past {days} days and what is ahead.",
                "Here are {count} entries as a calendar file: the past {days} days and what is ahead.",
                len(slots),
                days=PAST_DAYS,
            )
        ]
        if any(event.rule for event in events):
            lines.append(
                _(
                    "A repeating entry is one event with its repetition: your calendar app also shows its "
                    "dates further ahead."
                )
            )
        return Reply(
            text=join(lines),
            attachments=(Attachment("calendar.ics", content, "text/calendar"),),
            ephemeral=True,
        )

    async def import_csv(self, inv: Invocation, file: Attachment) -> Reply:
        """Validate every row first; import all of them in one transaction, or none."""
        try:
            sheet = read_sheet(file.content)
        except SheetError as error:
            raise CommandError(
                _sheet_message(error),
                _(
                    "The first line must be exactly: {header}. Save the file as CSV UTF-8.",
                    # The column names in the reader's language; both spellings are read (`import_sheet`).
                    header=_("title,channel,due,owner,repeat"),
                ),
            ) from None
        if not isinstance(self.entries.ctx.directory, Lookup):
            raise CommandError(_("This platform cannot look up channels for an import."))
        planned: list[NewSeries] = []
        errors: list[Text] = []
        for row in sheet:
            try:
                planned.append(await _row(self.entries, inv, row, self.entries.ctx.directory))
            except CommandError as error:
                errors.append(_("Row {row}: {message}", row=row.number, message=error.message))
        if errors:
            shown = errors[:SHOWN_ERRORS]
            if len(errors) > SHOWN_ERRORS:
                shown.append(n_("…and {count} more error.", "…and {count} more errors.", len(errors) - SHOWN_ERRORS))
            return Reply(
                text=join(
                    [
                        n_(
                            "⚠️ Nothing was imported: {count} row has errors.",
                            "⚠️ Nothing was imported: {count} rows have errors.",
                            len(errors),
                        ),
                        *shown,
                    ]
                ),
                ephemeral=True,
            )
        await self.entries.create(planned, self.entries.ctx.clock.now())
        return Reply(
            text=n_(
                "📥 Imported {count} entry. Type `/calendar list all` to see it.",
                "📥 Imported {count} entries. Type `/calendar list all` to see them.",
                len(planned),
            )
        )


async def _row(service: EntryService, inv: Invocation, row: SheetRow, lookup: Lookup) -> NewSeries:
    if row.extra_cells:
        raise CommandError(
            n_(
                "it has {count} column, expected {expected}.",
                "it has {count} columns, expected {expected}.",
                len(HEADER) + row.extra_cells,
                expected=len(HEADER),
            )
        )
    if not row.title:
        raise CommandError(_("the title is empty."))
    if not row.due:
        raise CommandError(_("the due date is empty."))
    options = {"title": row.title, "channel": row.channel or "", "owner": row.owner or None}
    values = await bind_options(
        _ROW_PARAMS, options, path="calendar import", community=inv.community, resolver=lookup, tz=inv.timezone
    )
    now = service.ctx.clock.now()
    due = await read_due_off_loop(row.due, now, inv.timezone)
    where = values["channel"]
    owner = values.get("owner") or inv.user
    assert isinstance(where, ChannelRef) and isinstance(owner, UserRef)
    start = due.astimezone(ZoneInfo(inv.timezone)).replace(tzinfo=None)
    return NewSeries(
        inv.community.key,
        read_title(row.title),
        where.channel_id,
        owner.user_id,
        await read_rule_off_loop(row.repeat, start, inv.timezone),
        start,
        inv.timezone,
        read_remind(None, service.settings.remind),
        inv.user.user_id,
    )


def _sheet_message(error: SheetError) -> Msg:
    if error.reason == "encoding":
        return _("The file is not UTF-8 text (byte {position}).", position=error.detail)
    if error.reason == "header":
        return _("The file's header is “{header}”, not the expected one.", header=error.detail)
    if error.reason == "too_big":
        return _("The file is too big (at most 500 rows and 512 KB).")
    if error.reason == "csv":
        return _("The file is not a valid CSV: {detail}", detail=error.detail[:80])
    return _("The file has no rows to import.")
