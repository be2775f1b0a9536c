"""Time as a dependency: the system clock, a frozen clock for tests, and a shiftable clock
for the console's `/advance`. Everything that needs "now" asks a `Clock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of aware UTC datetimes."""

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current moment from the operating system."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; used by tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The frozen moment."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment (never backwards: scheduled work assumes time only moves on)."""
        moment = moment.astimezone(UTC)
        if moment < self._now:
            raise ValueError("time cannot go backwards")
        self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new moment."""
        self.set(self._now + delta)
        return self._now


class ShiftedClock:
    """The wall clock plus an offset that `/advance` grows; the console uses it."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta()

    def now(self) -> datetime:
        """Wall time shifted by everything advanced so far."""
        return self._base.now() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new moment."""
        if delta < timedelta():
            raise ValueError("time cannot go backwards")
        self._offset += delta
        return self.now()
