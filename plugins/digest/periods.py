"""Digest periods and the send schedule: pure calendar arithmetic in a community's time zone.

A weekly period is the seven local days that end at midnight starting the send weekday (with the
default Monday, an ISO week Monday-Sunday); a monthly period is a calendar month. A period's digest is
due at the send time on the day its period ends (the send weekday for weeks, the 1st for months).
Periods are ranges of local days `[start, end)`, exactly like the `day` column of the rollups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS: tuple[str, ...] = ("week", "month")
# `09:00`, `9h00`, and the French ways of writing an hour: `9h`, `9 h`, `18 h 30`.
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])(?::([0-5][0-9])|\s*[hH]\s*([0-5][0-9])?)$")


def parse_time(raw: str) -> time:
    """`09:00`, `9:00`, `9h00`, `9h` or `18 h 30` -> a time; ValueError otherwise."""
    match = _TIME.match(raw.strip())
    if match is None:
        raise ValueError(f"not a time of day: {raw!r}")
    return time(int(match.group(1)), int(match.group(2) or match.group(3) or 0))


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a community gets its digest: weekday (weeks only), local time and period kind."""

    day: str = "mon"
    at: str = "09:00"
    kind: str = "week"

    @property
    def weekday(self) -> int:
        """Monday = 0 ... Sunday = 6."""
        return WEEKDAYS.index(self.day)

    @property
    def send_time(self) -> time:
        """The local time of day the digest is sent."""
        return parse_time(self.at)


@dataclass(frozen=True, slots=True)
class Period:
    """A digest period: local days `[start, end)` of one kind."""

    kind: str
    start: date
    end: date

    @property
    def last_day(self) -> date:
        """The last local day included."""
        return self.end - timedelta(days=1)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The period as aware UTC instants `[start, end)` (local midnights)."""
        zone = ZoneInfo(tz)
        return (
            datetime.combine(self.start, time(), zone).astimezone(UTC),
            datetime.combine(self.end, time(), zone).astimezone(UTC),
        )

    def previous(self) -> Period:
        """The period just before."""
        if self.kind == "month":
            start = (self.start - timedelta(days=1)).replace(day=1)
            return Period("month", start, self.start)
        return Period("week", self.start - timedelta(days=7), self.start)

    def following(self) -> Period:
        """The period just after."""
        if self.kind == "month":
            return Period("month", self.end, _next_month(self.end))
        return Period("week", self.end, self.end + timedelta(days=7))


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def period_containing(day: date, schedule: Schedule) -> Period:
    """The period of the schedule's kind that contains a local day."""
    if schedule.kind == "month":
        start = day.replace(day=1)
        return Period("month", start, _next_month(start))
    start = day - timedelta(days=(day.weekday() - schedule.weekday) % 7)
    return Period("week", start, start + timedelta(days=7))


def local_today(now: datetime, tz: str) -> date:
    """Today's local day in the zone."""
    return now.astimezone(ZoneInfo(tz)).date()


def send_moment(period: Period, schedule: Schedule, tz: str) -> datetime:
    """When the digest of a period is due (aware UTC)."""
    return datetime.combine(period.end, schedule.send_time, ZoneInfo(tz)).astimezone(UTC)


def latest_due(now: datetime, schedule: Schedule, tz: str) -> Period:
    """The most recent period whose digest is due at `now` (older ones are never sent late)."""
    last = period_containing(local_today(now, tz), schedule).previous()
    return last if send_moment(last, schedule, tz) <= now else last.previous()


def last_periods(period: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `period`, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]
