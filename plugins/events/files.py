"""Calendar files (`/event ics`), built on `bot.when.ical`.

One event's file is one VEVENT: UID `event-<id>@<community key, ':' as '.'>.affinity-bot`, the same across
edits, with SEQUENCE = the event's revision (every change attendees would notice raises it, so a calendar
app replaces its copy); a repeating event is its rule (RRULE, UNTIL written in UTC, the start on the event's
wall clock with its VTIMEZONE) from its first date, each cancelled date an EXDATE; a cancelled event is
STATUS:CANCELLED. LOCATION is the address and the city, DESCRIPTION the group and the description,
CATEGORIES the group, URL the online link.

A member's own file has one VEVENT per date they said going to (not waitlisted), upcoming and from the last
`PAST_DAYS` days, each with its own UID `event-<id>-<date start in UTC, YYYYMMDDTHHMMSSZ>@...` (not the
RECURRENCE-ID form: a file of instances without their series imports badly in some apps). A date cancelled
since is kept as STATUS:CANCELLED, so importing the file again removes it from the member's calendar.

Member text is inert here too: line breaks in titles, addresses and descriptions are folded before
icalendar escapes the values, and a link that is not a plain http(s) URL is left out.

Owned by events-cal."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.folding import fold
from bot.i18n import Text, _, join, n_
from bot.model import Attachment, Reply
from bot.plugin import Invocation
from bot.when.ical import IcsEvent, build_ics
from bot.when.recurrence import RuleError, occurrences
from plugins.events import lookup
from plugins.events.desk import Desk
from plugins.events.records import CANCELLED, Event, Occurrence
from plugins.events.report_repo import ReportRepo

PAST_DAYS = 30
"""A member's own file keeps the dates of the last 30 days: a file asked right after an event is not empty."""
MAX_DATES = 500
"""The most dates in a member's own file (the reply says when there are more)."""
MIME = "text/calendar"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SAFE_URL = re.compile(r"https?://[!-~]+", re.IGNORECASE)  # printable ASCII, no space or control
_SLUG = re.compile(r"[^a-z0-9]+")


def uid_domain(community: str) -> str:
    """The right-hand side of every UID of a community: `fake.T1.affinity-bot`."""
    return f"{community.replace(':', '.')}.affinity-bot"


def event_uid(event: Event) -> str:
    """The event's UID, stable across edits."""
    return f"event-{event.id}@{uid_domain(event.community)}"


def date_uid(event: Event, occurrence: Occurrence) -> str:
    """One date's UID in a member's own file."""
    return f"event-{event.id}-{occurrence.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@{uid_domain(event.community)}"


def file_name(event: Event) -> str:
    """`event-12-apero-rust.ics`: the number and the title's words in lowercase ASCII, nothing else."""
    slug = _SLUG.sub("-", fold(event.title).encode("ascii", "ignore").decode()).strip("-")[:40].strip("-")
    return f"event-{event.id}-{slug}.ics" if slug else f"event-{event.id}.ics"


def _text(value: str) -> str:
    """Member text for a multi-line value: one kind of line break, no control character."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _line(value: str) -> str:
    """Member text for a one-line value (title, place)."""
    return " ".join(_text(value).split())


def _url(value: str | None) -> str | None:
    """The online link when it is a plain http(s) URL (a URI value is not escaped: nothing else goes in)."""
    return value if value and len(value) <= 2000 and _SAFE_URL.fullmatch(value) else None


def _cancelled_at(event: Event, occurrence: Occurrence) -> bool:
    """A date that will not take place: cancelled itself, or its event was before it started."""
    return occurrence.status == CANCELLED or (
        event.status == CANCELLED and event.cancelled_at is not None and event.cancelled_at <= occurrence.starts_at
    )


def first_date(event: Event) -> datetime:
    """The first date of the event on its wall clock (aware, in its zone): the rule's first slot from the
    stored start, which is what RFC 5545 readers take DTSTART to be; the start itself for a one-off."""
    zone = ZoneInfo(event.timezone)
    start = event.start_local.replace(tzinfo=zone, fold=0)
    if event.rule is None:
        return start
    try:
        found = occurrences(
            event.rule,
            event.start_local,
            event.timezone,
            after=start.astimezone(UTC) - timedelta(seconds=1),
            until=datetime.max.replace(tzinfo=UTC) - timedelta(days=2),
            limit=1,
        )
    except RuleError:
        return start
    return found[0].astimezone(zone) if found else start


class EventFiles:
    """`/event ics`."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.reports = ReportRepo(desk.ctx.db)

    async def ics(self, inv: Invocation, event: str | None) -> Reply:
        """One event's file, or the member's own."""
        if event is None:
            return await self._own(inv)
        found = await lookup.find_event(self.desk, inv.community, event, inv.user)
        dates = await self.desk.repo.occurrences(found.community, found.id)
        item = await asyncio.to_thread(self._series, found, dates, inv.locale)
        content = await asyncio.to_thread(build_ics, [item], _line(found.title))
        return Reply(
            text=_(
                "The calendar file of **{title}**: open it to add the event to your calendar; "
                "the same file later updates it there.",
                title=found.title,
            ),
            attachments=(Attachment(file_name(found), content, MIME),),
            ephemeral=True,
        )

    async def _own(self, inv: Invocation) -> Reply:
        now = self.desk.now()
        dates, total = await self.reports.going_dates(
            inv.community.key, inv.user.user_id, now - timedelta(days=PAST_DAYS), MAX_DATES
        )
        if not dates:
            return Reply(
                text=join(
                    [
                        _(
                            "You said going to no event date, upcoming or in the last {days} days.",
                            days=PAST_DAYS,
                        ),
                        _("`/event list` shows the upcoming events of your groups."),
                    ]
                ),
                ephemeral=True,
            )
        items = [self._date(event, occurrence, inv.locale) for event, occurrence in dates]
        name = self.desk.ctx.translator.render(_("My events"), inv.locale)
        content = await asyncio.to_thread(build_ics, items, name)
        lines: list[Text] = [
            n_(
                "Your calendar: the {count} date you said going to, upcoming and from the last {days} days.",
                "Your calendar: the {count} dates you said going to, upcoming and from the last {days} days.",
                len(dates),
                days=PAST_DAYS,
            )
        ]
        if total > len(dates):
            lines.append(
                _(
                    "The file has your first {shown} dates of {total}, the earliest first.",
                    shown=len(dates),
                    total=total,
                )
            )
        return Reply(text=join(lines), attachments=(Attachment("my-events.ics", content, MIME),), ephemeral=True)

    def _description(self, event: Event, locale: str) -> str:
        render = self.desk.ctx.translator.render
        parts = [render(_("Group: {group}", group=_line(event.group_name)), locale)]
        if event.description.strip():
            parts.append(_text(event.description).strip())
        url = _url(event.online_url)
        if url:
            parts.append(render(_("Online: {url}", url=url), locale))
        return "\n\n".join(parts)

    def _item(
        self,
        event: Event,
        locale: str,
        uid: str,
        span: tuple[datetime, datetime],
        status: str,
        rule: str | None = None,
        exdates: tuple[datetime, ...] = (),
    ) -> IcsEvent:
        """A VEVENT of `event` over `span` (its rule and exdates only for the series itself)."""
        where = [_line(part) for part in (event.address, event.place_label) if part and part.strip()]
        return IcsEvent(
            uid=uid,
            title=_line(event.title),
            start=span[0],
            description=self._description(event, locale),
            stamp=self.desk.now(),
            end=span[1],
            sequence=event.revision,
            rule=rule,
            exdates=exdates,
            location=", ".join(where),
            url=_url(event.online_url),
            status="CANCELLED" if status == CANCELLED else "CONFIRMED",
            categories=(_line(event.group_name),) if event.group_name.strip() else (),
        )

    def _series(self, event: Event, dates: list[Occurrence], locale: str) -> IcsEvent:
        """The event as one VEVENT (off the loop: the first date is a bounded expansion)."""
        zone = ZoneInfo(event.timezone)
        status = event.status
        if event.rule is None and dates:
            only = dates[0]
            span = (only.starts_at.astimezone(zone), only.ends_at.astimezone(zone))
            status = CANCELLED if only.status == CANCELLED else status
        else:
            start = first_date(event)
            span = (start, start + timedelta(minutes=event.duration_min))
        exdates = tuple(o.starts_at for o in dates if o.status == CANCELLED) if event.rule else ()
        return self._item(event, locale, event_uid(event), span, status, event.rule, exdates)

    def _date(self, event: Event, occurrence: Occurrence, locale: str) -> IcsEvent:
        """One date of a member's own file."""
        zone = ZoneInfo(event.timezone)
        span = (occurrence.starts_at.astimezone(zone), occurrence.ends_at.astimezone(zone))
        status = CANCELLED if _cancelled_at(event, occurrence) else occurrence.status
        return self._item(event, locale, date_uid(event, occurrence), span, status)
