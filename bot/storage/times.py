"""Conversion of times to and from the database: the one place where datetimes become text.

Times are stored as fixed-width ISO-8601 UTC text ("2026-11-22T04:44:40.000000Z") so that text
order is time order and plain string comparison works in SQL (`WHERE at < ?`), in SQLite and in
PostgreSQL alike. Calendar days are computed in a community's IANA time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["from_db", "local_day", "to_db", "zone"]


def to_db(dt: datetime) -> str:
    """Aware datetime -> fixed-width UTC text such as "2026-11-22T04:44:40.000000Z"."""
    if dt.tzinfo is not UTC:  # the usual case (platform times are UTC) skips the conversion: hot path
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"cannot store the naive datetime {dt.isoformat()}: give it a time zone (UTC)")
        dt = dt.astimezone(UTC)
    # isoformat always pads the year to 4 digits and, with timespec, keeps the microseconds even
    # when they are zero: that is what makes the width fixed and text order equal time order.
    # An aware UTC time ends in "+00:00", which becomes "Z".
    return dt.isoformat(timespec="microseconds")[:-6] + "Z"


def from_db(text: str) -> datetime:
    """Stored text -> aware UTC datetime; text without an offset is read as UTC."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        # SQLite's own datetime('now') / CURRENT_TIMESTAMP produce UTC without a suffix.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def zone(tz: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ValueError naming it when it is unknown."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {tz!r} (expected a name such as 'Europe/Paris')") from exc


def local_day(dt: datetime, tz: str) -> str:
    """The calendar day 'YYYY-MM-DD' of an aware datetime, as seen in the IANA zone `tz`."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"cannot place the naive datetime {dt.isoformat()} in a time zone")
    return dt.astimezone(zone(tz)).date().isoformat()
