"""The .ics export: upcoming entries as iCalendar events any calendar app imports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

__all__ = ["IcsEvent", "build_ics"]

SLOT_LENGTH = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class IcsEvent:
    """One entry as an event."""

    uid: str
    title: str
    start: datetime
    description: str
    stamp: datetime


def build_ics(events: Iterable[IcsEvent], name: str) -> bytes:
    """An iCalendar (RFC 5545) file with one VEVENT per entry, times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", "-//affinity-bot//calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("summary", item.title)
        event.add("dtstart", item.start)
        event.add("dtend", item.start + SLOT_LENGTH)
        event.add("dtstamp", item.stamp)
        event.add("description", item.description)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
