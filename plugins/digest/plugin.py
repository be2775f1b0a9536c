"""The digest plugin's declarations: commands, the recurring check, the start-up catch-up, privacy."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.i18n import Msg, Text, When, _, join, n_
from bot.model import Attachment, CommunityRef, Level, Reply, UserRef
from bot.plugin import (
    Choice,
    CommandError,
    DueAction,
    Invocation,
    Plugin,
    PluginContext,
    Sql,
    choice,
    command,
    due,
    integer,
    job,
    text,
)
from bot.subcommands import Option, subcommand
from plugins.digest import files, privacy
from plugins.digest.periods import KINDS, WEEKDAYS, Schedule, local_today, parse_time, period_containing
from plugins.digest.render import DATE_STYLE, body, local_noon, stored_value
from plugins.digest.repo import to_db
from plugins.digest.service import DigestService

DAY_NAMES: Mapping[str, Text] = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
KIND_NAMES: Mapping[str, Text] = {"week": _("week"), "month": _("month")}
# Other spellings a manager may type besides each value's word in every language (`lun`, `semaine`).
DAY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "mon": ("lundi", "monday"),
    "tue": ("mardi", "tuesday"),
    "wed": ("mercredi", "wednesday"),
    "thu": ("jeudi", "thursday"),
    "fri": ("vendredi", "friday"),
    "sat": ("samedi", "saturday"),
    "sun": ("dimanche", "sunday"),
}
KIND_ALIASES: Mapping[str, tuple[str, ...]] = {
    "week": ("hebdo", "hebdomadaire", "weekly"),
    "month": ("mensuel", "mensuelle", "monthly"),
}
_ON_OFF = [
    Choice("on", _("on"), aliases=("oui", "actif", "activer", "marche", "yes")),
    Choice("off", _("off"), aliases=("non", "inactif", "desactiver", "arret", "no")),
]


class DigestSettings(BaseModel):
    """Defaults for communities that never ran `/digest settings`."""

    model_config = ConfigDict(extra="forbid")

    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    """Weekday the weekly digest is sent (and on which its week starts)."""
    time: str = "09:00"
    """Local time of day the digest is sent, HH:MM in the community's time zone."""
    period: Literal["week", "month"] = "week"
    """Period a digest covers: a week, or a calendar month (then sent on the 1st)."""
    top: int = Field(default=3, ge=1, le=10)
    """How many channels, contributors and languages the top lists show."""
    trend_periods: int = Field(default=12, ge=2, le=52)
    """How many periods the trend chart shows."""

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        return parse_time(value).strftime("%H:%M")


class DigestPlugin(Plugin[DigestSettings]):
    """Weekly (or monthly) engagement digests, posted to managers."""

    name = "digest"
    Settings = DigestSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        settings = self.settings
        self.service = DigestService(
            ctx,
            default=Schedule(settings.day, settings.time, settings.period),
            top=settings.top,
            trend_periods=settings.trend_periods,
            owner=self,
        )

    async def start(self) -> None:
        """Check once on start, through a due action, so a digest missed while down goes out once."""
        now = self.ctx.clock.now()
        await self.ctx.scheduler.schedule("digest.catch_up", f"start:{to_db(now)}", "*", now)

    @due("digest.catch_up")
    async def catch_up(self, action: DueAction) -> None:
        """The start-up check, as of the start (the action's due time): run later, behind other work or
        after a clock jump, it must not act as of a later moment than the job's fire times that follow."""
        await self.service.run(action.due_at)

    @job("digest.check", every=timedelta(minutes=5), scope="platform")
    async def check(self, when: datetime) -> None:
        """Every 5 minutes: send the digests whose local send time has passed by `when` (the fire time)."""
        await self.service.run(when)

    # ------------------------------------------------------------ commands

    @command(
        "digest preview",
        _("Show the digest of the current period so far (only to you)."),
        level=Level.MODERATOR,
        private=True,
    )
    async def preview(self, inv: Invocation) -> Reply:
        """`/digest preview`."""
        await self.ctx.activity.flush()  # include what was just said
        community = inv.community.key
        schedule = await self.service.schedule_of(community)
        now = self.ctx.clock.now()
        period = period_containing(local_today(now, inv.timezone), schedule)
        # The chart renders on its worker thread while the figures and sections are read: the reply
        # waits for the longer of the two, not for their sum.
        content, attachments = await asyncio.gather(
            self.service.content(community, period, inv.timezone, until=now),
            self.service.attachments(community, period),
        )
        return Reply(text=body(content), attachments=attachments, ephemeral=True)

    @command(
        "digest history",
        _("List the latest digests."),
        integer("count", _("How many digests to list (1 to 50)."), required=False, min_value=1, max_value=50),
        level=Level.MODERATOR,
        private=True,
    )
    async def history(self, inv: Invocation, count: int = 5) -> Reply:
        """`/digest history [count]`."""
        stored = await self.service.repo.history(inv.community.key, count)
        if not stored:
            return Reply(
                text=_(
                    "No digest has been built yet. The first one comes after a full period; "
                    "`/digest preview` shows the current one."
                ),
                ephemeral=True,
            )
        tz = inv.timezone
        groups = await self.service.repo.groups(inv.community.key, [d.period.start for d in stored])
        lines: list[Text] = [_("**Latest digests**")]
        for digest in stored:
            messages, active = (stored_value(digest.figures, "reach", k) for k in ("messages", "active_members"))
            lines.append(
                _(
                    "• {start} to {end}: {messages}, {active}, {sent}",
                    start=When(local_noon(digest.period.start, tz), tz, DATE_STYLE),
                    end=When(local_noon(digest.period.last_day, tz), tz, DATE_STYLE),
                    messages=_("no data")
                    if messages is None
                    else n_("{count} message", "{count} messages", int(messages)),
                    active=_("no data")
                    if active is None
                    else n_("{count} active member", "{count} active members", int(active)),
                    sent=_delivery(digest.sent_at, digest.reached, tz),
                )
            )
            for group in [g for g in groups if g.period_start == digest.period.start]:
                lines.append(
                    _(
                        "    ◦ group {group}: {sent}",
                        group=group.group_name,
                        sent=_delivery(group.sent_at, group.reached, tz),
                    )
                )
        return Reply(text=join(lines), ephemeral=True)

    @command(
        "digest send",
        _("Send the latest digest again to the digest channel and subscribers."),
        level=Level.MODERATOR,
        private=True,
    )
    async def send(self, inv: Invocation) -> Reply:
        """`/digest send`."""
        latest = await self.service.repo.history(inv.community.key, 1)
        if not latest:
            raise CommandError(
                _("There is no digest to send yet."),
                _("The first digest is built after a full period; try `/digest preview`."),
            )
        if not await self.service.targets(inv.community.key):
            raise CommandError(
                _("The digest has nowhere to go: no digest channel and no subscriber."),
                _(
                    "Set one with `/settings channel purpose:digest channel:#managers`, "
                    "or subscribe with `/digest subscribe on`."
                ),
            )
        # Each target gets the stored text in its own language (the channel the community's).
        served = await self.service.deliver(latest[0], None, self.ctx.clock.now(), resend=True)
        return Reply(
            text=n_("Digest sent again to {count} destination.", "Digest sent again to {count} destinations.", served),
            ephemeral=True,
        )

    @command(
        "digest export",
        _("Get a CSV file of the digest figures, one row per period."),
        integer("periods", _("How many past periods (1 to 104)."), required=False, min_value=1, max_value=104),
        level=Level.MODERATOR,
        private=True,
    )
    async def export(self, inv: Invocation, periods: int = 12) -> Reply:
        """`/digest export [periods]`."""
        await self.ctx.activity.flush()
        community = inv.community.key
        schedule = await self.service.schedule_of(community)
        last = period_containing(local_today(self.ctx.clock.now(), inv.timezone), schedule).previous()
        named = await files.export_files(self.service, community, last, periods, inv.timezone)
        lines: list[Text] = [
            n_(
                "The figures of the last period (UTF-8 CSV, opens in a spreadsheet).",
                "The figures of the last {count} periods (UTF-8 CSV, opens in a spreadsheet).",
                periods,
            )
        ]
        if len(named) > 1:  # the groups' CSV, when groups have digests in those periods
            lines.append(_("The second file has the figures of each group's digest, as sent to its owners."))
        return Reply(
            text=join(lines),
            attachments=tuple(Attachment(name, data, "text/csv") for name, data in named),
            ephemeral=True,
        )

    @command(
        "digest settings",
        _("Show or change when the digest is sent and what period it covers."),
        choice(
            "day",
            _("Weekday the digest is sent."),
            [Choice(d, DAY_NAMES[d], aliases=DAY_ALIASES[d]) for d in WEEKDAYS],
            required=False,
        ),
        text("time", _("Local time it is sent, such as 09:00."), required=False, max_length=8),
        choice(
            "period",
            _("The period a digest covers."),
            [Choice(k, KIND_NAMES[k], aliases=KIND_ALIASES[k]) for k in KINDS],
            required=False,
        ),
        level=Level.MODERATOR,
        private=True,
    )
    async def schedule(  # not `settings`: that is the plugin's settings model (Plugin.settings)
        self, inv: Invocation, day: str | None = None, time: str | None = None, period: str | None = None
    ) -> Reply:
        """`/digest settings day:mon time:09:00 period:week`."""
        community = inv.community.key
        current = await self.service.schedule_of(community)
        if day is None and time is None and period is None:
            return Reply(text=join([_describe(current), *await self.settings_notes(inv.community)]), ephemeral=True)
        if time is not None:
            try:
                time = parse_time(time).strftime("%H:%M")
            except ValueError:
                raise CommandError(
                    _("{value} is not a time of day.", value=time), _("Use hours and minutes such as 09:00 or 18:30.")
                ) from None
        chosen = Schedule(day or current.day, time or current.at, period or current.kind)
        await self.service.save_schedule(community, chosen, self.ctx.clock.now())
        return Reply(text=join([_describe(chosen), *await self.settings_notes(inv.community)]))

    @command(
        "digest subscribe",
        _("Get (or stop getting) the digest by direct message."),
        choice("state", _("on to receive it, off to stop."), _ON_OFF),
    )
    async def subscribe(self, inv: Invocation, state: str) -> Reply:
        """`/digest subscribe on|off`: moderators and members of the managers role only."""
        managers = (await self.ctx.communities.get(inv.community)).roles.get("managers")
        if inv.level < Level.MODERATOR and (managers is None or managers not in inv.event.user_roles):
            raise CommandError(
                _("Only moderators and managers can receive the digest."),
                _("Ask a moderator to give you the managers role."),
            )
        repo, key, uid = self.service.repo, inv.community.key, inv.user.user_id
        if state == "on":
            await repo.subscribe(key, uid, self.ctx.clock.now())
            return Reply(text=_("You will get the digest by direct message."), ephemeral=True)
        await repo.unsubscribe(key, uid)
        return Reply(text=_("You will no longer get the digest by direct message."), ephemeral=True)

    async def settings_notes(self, community: CommunityRef) -> list[Text]:
        """`SettingsNotes`: says so when the digest would go nowhere (no channel, no subscriber), here and in
        `/settings show`."""
        if await self.service.targets(community.key):
            return []
        return [
            _(
                "No digest channel and no subscriber: the digest will go nowhere. Set a channel with "
                "`/settings channel purpose:digest channel:#managers`, or subscribe with `/digest subscribe on`."
            )
        ]

    # ------------------------------------------------------------ command line and privacy

    async def write_files(self, community: str, period: str | None, out_dir: Path) -> list[Path]:
        """Markdown + PNG + CSV of one period (`affinity-bot digest`, the demo); CommandError on bad input."""
        return await files.write_digest_files(self.service, community, period, out_dir)

    @subcommand(
        "digest",
        help="write one community's digest as files (markdown, PNG, CSV)",
        options=(
            Option("--community", "the community key, such as discord:123456789", required=True, community=True),
            Option("--period", "last (default: the last full period), current, or a day YYYY-MM-DD in it"),
            Option("--out", "the directory to write the files into", required=True),
        ),
    )
    async def digest_files(self, community: str, period: str | None, out: str) -> list[str]:
        """`affinity-bot digest --community KEY [--period P] --out DIR`: the paths of the files written."""
        return [str(path) for path in await self.write_files(community, period, Path(out))]

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """The member's subscription and the digests that name them among top contributors."""
        return await privacy.export_user(self.service.repo, user)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete the subscription; replace the member's id and name in stored digests."""
        return await privacy.forget_user(self.service.repo, self.ctx.translator, user, tx)


def clock_time(at: str) -> Msg:
    """A local time of day as each language writes it: `18:00` and `9:30` in English, `18 h` and `9 h 30` in
    French (the catalog decides)."""
    moment = parse_time(at)
    hour, minute = str(moment.hour), f"{moment.minute:02d}"
    return _("{h}:00", h=hour) if moment.minute == 0 else _("{h}:{mm}", h=hour, mm=minute)


def _delivery(sent_at: datetime | None, reached: int | None, tz: str) -> Text:
    """`sent 23 Nov, reached 3 destinations`, `reached nobody`, or `not sent yet`."""
    if sent_at is None:
        return _("not sent yet")
    when = When(sent_at, tz)
    if reached is None:  # delivered before the count was kept
        return _("sent {when}", when=when)
    if reached == 0:
        return _("sent {when}, reached nobody", when=when)
    return n_(
        "sent {when}, reached {count} destination", "sent {when}, reached {count} destinations", reached, when=when
    )


def _describe(schedule: Schedule) -> Text:
    at = clock_time(schedule.at)
    if schedule.kind == "month":
        return _("The digest covers each calendar month and is sent on the 1st at {time}.", time=at)
    return _("The digest covers a week and is sent every {day} at {time}.", day=DAY_NAMES[schedule.day], time=at)


PLUGIN = DigestPlugin
