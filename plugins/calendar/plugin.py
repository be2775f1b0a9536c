"""The calendar plugin's declarations: commands, the publish listener, jobs, due actions,
privacy and the digest section. Each handler hands its work to a service held by the plugin:
`entries` (planning and the agenda), `series_editor` (whole-series edits), `files` (.ics export,
CSV import), `charter`, `planner` (occurrences, reminders, publish detection) and `digest`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.i18n import _
from bot.model import Attachment, ChannelRef, CommunityRef, Level, Message, MessageDeleted, Reply, UserRef
from bot.plugin import (
    Choice,
    DigestSection,
    DueAction,
    Invocation,
    MessageNotes,
    Plugin,
    PluginContext,
    Sql,
    SqlDatabase,
    attachment,
    autocomplete,
    channel,
    choice,
    command,
    due,
    integer,
    job,
    listen,
    member,
    text,
)
from bot.when import dates
from plugins.calendar.charter import CharterService
from plugins.calendar.digest import AdherenceDigest
from plugins.calendar.entries import EntryService
from plugins.calendar.files import FileService
from plugins.calendar.planner import ALERT, MISSED, OVERDUE, REMIND, Planner
from plugins.calendar.repo import CalendarRepo
from plugins.calendar.series_editor import SeriesEditor
from plugins.calendar.settings import CalendarSettings

_ENTRY = replace(
    integer("entry", _("The entry number shown by /calendar list (such as 12)."), min_value=1),
    autocomplete="calendar_entries",
)
# French words come from the catalog (msgctxt "choice"); aliases are other natural spellings (glossary).
_RANGES = [
    Choice("week", _("this week so far and the next 7 days"), aliases=("hebdo", "hebdomadaire", "weekly")),
    Choice("month", _("this month so far and the next 31 days"), aliases=("mensuel", "mensuelle", "monthly")),
    Choice("all", _("the past 30 days and everything ahead"), aliases=("toutes", "tous", "everything")),
]
_SCOPES = [
    Choice("one", _("this occurrence only"), aliases=("une", "celle-ci", "cette", "occurrence", "this")),
    Choice("series", _("the whole series"), aliases=("toute", "tout", "whole")),
]


class CalendarPlugin(Plugin[CalendarSettings]):
    """An editorial calendar: planned posts, owners, reminders, publish detection and adherence."""

    name = "calendar"
    Settings: ClassVar[type[CalendarSettings]] = CalendarSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        db: SqlDatabase = ctx.db
        self.repo = CalendarRepo(db)
        self.planner = Planner(ctx, self.repo, self.settings)
        self.entries = EntryService(ctx, self.repo, self.planner, self.settings)
        self.series = SeriesEditor(self.entries)
        self.files = FileService(self.entries)
        self.charter = CharterService(ctx, self.repo)
        self.digest = AdherenceDigest(ctx, self.repo, self.settings)

    @autocomplete("calendar_entries")
    async def complete_entries(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Entries of the last week and ahead whose number or title contains what was typed."""
        return await self.entries.complete(community, prefix)

    async def start(self) -> None:
        """Plan series ahead and schedule whatever was stored but not scheduled (a crash in between)."""
        await self.planner.extend(self.ctx.clock.now())

    # ------------------------------------------------------------ commands: planning

    @command(
        "calendar add",
        _("Plan a post: title, channel, due date, owner, repetition and reminders."),
        text("title", _("What will be posted."), max_length=200),
        channel("channel", _("Where it will be posted.")),
        text(
            "due",
            _("When: `mardi 9h`, `demain 18:00`, `next tuesday 9am`, `2026-12-01 10:00`."),
            max_length=100,
            joins=dates.continues_due,
        ),
        member("owner", _("Who posts it (you by default)."), required=False),
        text(
            "repeat",
            _("daily, weekly, biweekly, monthly, words such as `every week on Tuesday and Thursday`, or an RRULE."),
            required=False,
            max_length=200,
        ),
        text("remind", _("Reminders before due, such as `1d,2h`, `30 min` or `none`."), required=False, max_length=60),
    )
    async def add(
        self,
        inv: Invocation,
        title: str,
        channel: ChannelRef,
        due: str,
        owner: UserRef | None = None,
        repeat: str | None = None,
        remind: str | None = None,
    ) -> Reply:
        """`/calendar add "Weekly news" #news "mardi 9h" @alice weekly 1d,2h`."""
        await self.entries.require_manager(inv)
        return await self.entries.add(inv, title, channel, due, owner or inv.user, repeat, remind)

    @command(
        "calendar list",
        _("Show the agenda: what is planned, published, late, missed or skipped."),
        choice("range", _("Which period to show."), _RANGES, required=False),
        member("owner", _("Only this member's entries."), required=False),
    )
    async def agenda(self, inv: Invocation, range: str = "week", owner: UserRef | None = None) -> Reply:
        """`/calendar list month @alice`."""
        return await self.entries.agenda(inv, range, owner)

    @command(
        "calendar done",
        _("Mark an entry as published (when it was not detected)."),
        _ENTRY,
        text("link", _("A link to the post."), required=False, max_length=500),
    )
    async def done(self, inv: Invocation, entry: int, link: str | None = None) -> Reply:
        """`/calendar done 12 https://...`."""
        return await self.entries.done(inv, entry, link)

    @command(
        "calendar skip",
        _("Skip an entry on purpose, with a reason."),
        _ENTRY,
        text("reason", _("Why it is skipped."), max_length=200, rest=True),
    )
    async def skip(self, inv: Invocation, entry: int, reason: str) -> Reply:
        """`/calendar skip 12 holidays`."""
        return await self.entries.skip(inv, entry, reason)

    @command(
        "calendar edit",
        _("Change a planned entry, or its whole series: title, due, owner, channel, reminders."),
        _ENTRY,
        text("title", _("The new title."), required=False, max_length=200),
        text(
            "due",
            _("The new due date (for a series: its first date from now on)."),
            required=False,
            max_length=100,
            joins=dates.continues_due,
        ),
        member("owner", _("The new owner."), required=False),
        channel("channel", _("The new channel."), required=False),
        text("remind", _("The new reminders, such as `1d,2h`, `30 min` or `none`."), required=False, max_length=60),
        choice("scope", _("This entry only, or its series and every planned entry ahead."), _SCOPES, required=False),
    )
    async def edit(
        self,
        inv: Invocation,
        entry: int,
        title: str | None = None,
        due: str | None = None,
        owner: UserRef | None = None,
        channel: ChannelRef | None = None,
        remind: str | None = None,
        scope: str = "one",
    ) -> Reply:
        """`/calendar edit 12 due:"jeudi 10h"`, `/calendar edit 12 owner:@bob scope:series`."""
        await self.entries.require_manager(inv)
        if scope == "series":
            return await self.series.edit(inv, entry, title=title, due=due, owner=owner, channel=channel, remind=remind)
        return await self.entries.edit(inv, entry, title=title, due=due, owner=owner, channel=channel, remind=remind)

    @command(
        "calendar cancel",
        _("Cancel one entry, or its whole series."),
        _ENTRY,
        choice("scope", _("One occurrence or the whole series."), _SCOPES, required=False),
    )
    async def cancel(self, inv: Invocation, entry: int, scope: str = "one") -> Reply:
        """`/calendar cancel 12 series`."""
        await self.entries.require_manager(inv)
        return await self.entries.cancel(inv, entry, scope)

    # ------------------------------------------------------------ commands: files

    @command(
        "calendar export",
        _("Download the entries of the past 30 days and ahead as an .ics calendar file."),
        private=True,
    )
    async def export(self, inv: Invocation) -> Reply:
        """`/calendar export`."""
        return await self.files.export_ics(inv)

    @command(
        "calendar import",
        _("Plan many entries from a CSV file (title,channel,due,owner,repeat)."),
        attachment("file", _("A UTF-8 CSV file with the header title,channel,due,owner,repeat.")),
    )
    async def import_(self, inv: Invocation, file: Attachment) -> Reply:
        """`/attach plan.csv` then `/calendar import`."""
        await self.entries.require_manager(inv)
        return await self.files.import_csv(inv, file)

    # ------------------------------------------------------------ commands: charter

    @command("charter show", _("Show the community's editorial charter."))
    async def charter_show(self, inv: Invocation) -> Reply:
        """`/charter show`."""
        return await self.charter.show(inv)

    @command(
        "charter set",
        _("Write the editorial charter shown to new owners."),
        text("text", _("The charter (up to 1,500 characters)."), max_length=1500, rest=True),
        level=Level.MODERATOR,
        private=True,
    )
    async def charter_set(self, inv: Invocation, text: str) -> Reply:
        """`/charter set One post a week, sources cited...`."""
        return await self.charter.set(inv, text)

    # ------------------------------------------------------------ passive work

    @listen(Message)
    async def on_message(self, message: Message, notes: MessageNotes) -> None:
        """A post by an entry's owner in its channel, near its due time, is its publication."""
        await self.planner.detect(message)

    @listen(MessageDeleted)
    async def on_deleted(self, deleted: MessageDeleted) -> None:
        """Deleting the detected post undoes the publication (while the window is open)."""
        await self.planner.undo(deleted)

    @job("calendar.extend", every=timedelta(hours=6))
    async def extend(self, when: datetime) -> None:
        """Keep recurring series materialised up to the horizon."""
        await self.planner.extend(when)

    @due(REMIND)
    async def remind(self, action: DueAction) -> None:
        """A reminder to the owner."""
        await self.planner.on_remind(action)

    @due(OVERDUE)
    async def overdue(self, action: DueAction) -> None:
        """The overdue note to the owner."""
        await self.planner.on_overdue(action)

    @due(ALERT)
    async def alert(self, action: DueAction) -> None:
        """The managers' alert."""
        await self.planner.on_alert(action)

    @due(MISSED)
    async def missed(self, action: DueAction) -> None:
        """The end of the window."""
        await self.planner.on_missed(action)

    # ------------------------------------------------------------ protocols

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """The member's entries (as owner), the series they created and their charter edit."""
        return await self.repo.export_user(user.community.key, user.user_id)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Unlink the member from every slot: the slots stay, unowned, so they get no reminder."""
        return await CalendarRepo.forget_user(tx, user.community.key, user.user_id)

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """Adherence over [start, end): per owner and channel, and streaks."""
        return await self.digest.section(community, start, end)


PLUGIN = CalendarPlugin
