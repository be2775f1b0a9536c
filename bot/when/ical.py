"""The .ics export: entries and events as iCalendar (RFC 5545) events any calendar app imports.

An event whose start carries a time zone other than UTC is written on that zone's wall clock
(DTSTART/DTEND/EXDATE with TZID, and the zone's VTIMEZONE in the file), so a repetition stays at
19:00 across the daylight-saving changes in every calendar app; a UTC start is written in UTC.
A repetition is one VEVENT with an RRULE whose UNTIL is in UTC as RFC 5545 requires when DTSTART
has a zone (`rrule_for_export`); a cancelled date is an EXDATE.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vRecur

__all__ = ["SLOT_LENGTH", "IcsEvent", "build_ics", "rrule_for_export"]

SLOT_LENGTH = timedelta(minutes=30)
"""The length of an event given no end: an editorial slot."""

_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "GMT", "Etc/GMT"})
_UNTIL = re.compile(r"(?<![A-Z])UNTIL=([0-9]{8})(?:T([0-9]{6})(Z?))?")


@dataclass(frozen=True, slots=True)
class IcsEvent:
    """One entry or event as a VEVENT.

    `start` (and `end`, `exdates`) are aware datetimes; `rule` is a canonical RRULE body as
    `bot.when.recurrence` stores it (an UNTIL without `Z` is read on the start's wall clock, a
    date-only UNTIL includes its day); `sequence` grows on every edit so calendar apps take the
    new version of the same `uid`. A date of a repetition changed on its own is another IcsEvent
    with the same `uid` and `recurrence_id`."""

    uid: str
    title: str
    start: datetime
    description: str
    stamp: datetime
    end: datetime | None = None
    sequence: int = 0
    rule: str | None = None
    exdates: tuple[datetime, ...] = ()
    location: str = ""
    url: str | None = None
    status: str | None = None
    """`CONFIRMED` or `CANCELLED` (a cancelled event, or one cancelled date of a repetition)."""
    categories: tuple[str, ...] = ()
    recurrence_id: datetime | None = None
    """Set on one changed date of a repetition: the date the rule gives (same `uid` as the rule's
    event); this event replaces it."""


def rrule_for_export(body: str, zone: tzinfo | None) -> str:
    """`body` with its UNTIL as RFC 5545 wants it next to a DTSTART on `zone`'s wall clock.

    With a zone (UTC included) UNTIL must be a UTC date-time: a local UNTIL is converted from
    `zone`, a date-only UNTIL becomes the last second of that day there. Floating (no zone): a
    date-only UNTIL becomes the last second of the day, still floating (the value type must
    match DTSTART's)."""
    body = re.sub(r"^RRULE:", "", body.strip(), flags=re.IGNORECASE)

    def utc(match: re.Match[str]) -> str:
        day, clock, z = match.group(1), match.group(2), match.group(3)
        if z:
            return match.group(0)
        local = datetime.combine(
            date(int(day[:4]), int(day[4:6]), int(day[6:])),
            time(23, 59, 59) if clock is None else time(int(clock[:2]), int(clock[2:4]), int(clock[4:])),
        )
        if zone is None:
            return f"UNTIL={local:%Y%m%dT%H%M%S}"
        # fold=0 like the expansion: a wall time that exists twice is its first one.
        return f"UNTIL={local.replace(tzinfo=zone, fold=0).astimezone(UTC):%Y%m%dT%H%M%SZ}"

    return _UNTIL.sub(utc, body)


def _on_clock(moment: datetime, zone: tzinfo | None) -> datetime:
    """`moment` on the event's clock: the start's zone, or UTC when the start is UTC."""
    if zone is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(zone)


def _zone(start: datetime) -> tzinfo | None:
    """The clock the event is written on: a named zone other than UTC (with TZID), else UTC; a
    naive start stays floating."""
    if start.tzinfo is None:
        return None
    if isinstance(start.tzinfo, ZoneInfo) and start.tzinfo.key not in _UTC_NAMES:
        return start.tzinfo
    return UTC


def build_ics(events: Iterable[IcsEvent], name: str) -> bytes:
    """An iCalendar file with one VEVENT per entry or event, and the VTIMEZONEs its TZIDs name."""
    calendar = Calendar()
    calendar.add("prodid", "-//affinity-bot//calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    earliest = Timezone.DEFAULT_FIRST_DATE
    for item in events:
        zone = _zone(item.start)
        start = _on_clock(item.start, zone)
        earliest = min(earliest, start.date() - timedelta(days=1))
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", item.sequence)
        event.add("summary", item.title)
        event.add("dtstart", start)
        event.add("dtend", _on_clock(item.end, zone) if item.end is not None else start + SLOT_LENGTH)
        event.add("dtstamp", item.stamp.astimezone(UTC))
        event.add("description", item.description)
        if item.recurrence_id is not None:
            event.add("recurrence-id", _on_clock(item.recurrence_id, zone))
        if item.rule:
            event.add("rrule", vRecur.from_ical(rrule_for_export(item.rule, zone)))
        if item.exdates:
            event.add("exdate", [_on_clock(moment, zone) for moment in item.exdates])
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        if item.status:
            event.add("status", item.status)
        if item.categories:
            event.add("categories", list(item.categories))
        calendar.add_component(event)
    calendar.add_missing_timezones(first_date=earliest)
    return bytes(calendar.to_ical())
