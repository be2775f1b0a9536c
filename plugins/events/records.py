"""Events as stored: the event, its occurrences and the RSVPs, plain frozen records with their states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Event and occurrence states.
SCHEDULED = "scheduled"
CANCELLED = "cancelled"

# RSVP answers. WAITLIST is "going, once a seat frees up".
GOING = "going"
MAYBE = "maybe"
NO = "no"
WAITLIST = "waitlist"
ANSWERS = (GOING, MAYBE, NO, WAITLIST)


@dataclass(frozen=True, slots=True)
class Event:
    """One event: a one-off, or a repeating one whose dates are its occurrences."""

    id: int
    community: str
    group_id: int
    group_name: str
    title: str
    description: str
    start_local: datetime  # naive wall-clock time of the first date, in `timezone`
    timezone: str
    duration_min: int
    rule: str | None  # canonical RRULE body (bot.when.recurrence), None for a one-off
    place_id: int | None
    place_name: str | None
    country: str | None
    lat: float | None
    lon: float | None
    address: str | None
    online_url: str | None
    capacity: int | None  # None: no limit
    reminders: str  # canonical offsets (bot.when.dates.format_offsets), "" for none
    status: str
    series_id: int | None  # the first edition of the series this event continues
    previous_id: int | None  # the edition before this one
    revision: int  # the iCalendar SEQUENCE: +1 on every change attendees would notice
    channel_id: str | None  # where its cards go (the group's channel when it was created)
    created_by: str
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None

    @property
    def place_label(self) -> str | None:
        """`Wambrechies, FR`, when the event has a city."""
        return f"{self.place_name}, {self.country}" if self.place_name and self.country else self.place_name


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One date of an event: what members answer, what the card and the platform mirror show."""

    id: int
    community: str
    event_id: int
    starts_at: datetime  # aware UTC
    ends_at: datetime
    status: str
    card_channel_id: str | None
    card_thread_id: str | None
    card_message_id: str | None
    native_id: str | None  # the Discord scheduled event mirroring it
    recap_thread_id: str | None
    created_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True, slots=True)
class Rsvp:
    """One member's answer for one occurrence."""

    occurrence_id: int
    user_id: str
    answer: str
    waitlist_position: int | None
    answered_at: datetime
    promoted_at: datetime | None


@dataclass(frozen=True, slots=True)
class Counts:
    """An occurrence's answers, counted."""

    going: int = 0
    maybe: int = 0
    no: int = 0
    waitlist: int = 0
