"""Due dates and reminder offsets as members type them.

`parse_due` reads ISO dates and natural language in French and English (`mardi 9h`, `demain 18:00`,
`next tuesday 9am`, `2026-12-01 10:00`) with dateparser, in the community's time zone and relative
to the injected clock, so the same words always give the same moment in tests. What the text spells
is checked around dateparser (`date_words`), so an impossible time (`tomorrow 25:00`, `demain 26h`),
an impossible date or an ambiguous number is refused instead of misread, and a date more than
`MAX_AHEAD_YEARS` ahead is refused with that limit. `parse_offsets` reads reminder offsets such as `1d,2h`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

from bot.converters import is_moment, parse_moment
from bot.i18n import When, _
from plugins.calendar import date_words
from plugins.calendar.date_words import DueError

__all__ = ["MAX_AHEAD_YEARS", "MAX_OFFSET", "DueError", "format_offsets", "parse_due", "parse_offsets"]

MAX_INPUT = 100
MAX_OFFSETS = 5
MAX_OFFSET = timedelta(days=30)
MAX_AHEAD_YEARS = 5
MAX_AHEAD = timedelta(days=MAX_AHEAD_YEARS * 366)

# dateparser 1.5 misreads the French `9h` / `18h30` hour style (it takes `h` for "hours ago"),
# so it is rewritten to `9:00` / `18:30` first; `dans 2h` (a duration) is left alone.
_FRENCH_HOUR = re.compile(r"(?<![\w:])(?<!\bdans )(?<!\bin )([01]?\d|2[0-3])\s*h\s*([0-5]\d)?(?![\w])", re.IGNORECASE)
# `vendredi prochain` is not understood, but a bare weekday already means the next one.
_NEXT = re.compile(r"\b(prochain|prochaine)\b", re.IGNORECASE)
_SETTINGS_BASE = {"PREFER_DATES_FROM": "future", "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True}


def normalise(text: str) -> str:
    """The text with French hour styles and `prochain` rewritten for dateparser."""
    cleaned = " ".join(text.split())
    cleaned = _FRENCH_HOUR.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", cleaned)
    return " ".join(_NEXT.sub(" ", cleaned).split())


def parse_due(text: str, now: datetime, tz: str) -> datetime | None:
    """The aware UTC moment `text` designates in zone `tz`, relative to `now`; None when unreadable.

    Raises DueError for an impossible time or date, an ambiguous number, a reading that is not the
    time typed, or a date more than `MAX_AHEAD_YEARS` ahead."""
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > MAX_INPUT:
        return None
    value = cleaned[:60]
    if is_moment(cleaned):
        # `2026-12-01 10:00` is read exactly (dateparser would swap an impossible month and day).
        result = parse_moment(cleaned, ZoneInfo(tz))
        if result is None:
            raise DueError(
                _(
                    "“{value}” is not a real date and time: write it as 2026-12-01 10:00 (hours 0 to 23, "
                    "minutes 0 to 59).",
                    value=value,
                )
            )
        typed = _naive(cleaned)
        if typed is not None:
            date_words.refuse_gap(typed, tz, value)
    else:
        spelled = date_words.read(cleaned, value)
        base = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        settings = {**_SETTINGS_BASE, "TIMEZONE": tz, "RELATIVE_BASE": base}
        read = next(filter(None, (_dateparser(normalise(option), settings) for option in spelled.texts)), None)
        if read is None:
            return None
        date_words.check_reading(read, spelled, tz, value)
        result = read
    if result - now > MAX_AHEAD:
        raise DueError(
            _(
                "“{value}” is {when}, more than {years} years ahead: the calendar plans at most {years} years ahead.",
                value=value,
                when=When(result, tz, "EEEE d MMMM y, HH:mm"),
                years=MAX_AHEAD_YEARS,
            )
        )
    return result.astimezone(UTC)


def _naive(text: str) -> datetime | None:
    """The wall time an ISO moment spells, when it carries no offset of its own (else None)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is None else None


def _dateparser(text: str, settings: dict[str, object]) -> datetime | None:
    """dateparser's aware reading of `text` in French or English, or None."""
    try:
        result: datetime | None = dateparser.parse(text, languages=["fr", "en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return result if result is not None and result.tzinfo is not None else None


_OFFSET = re.compile(r"(\d{1,4})\s*(w|sem|d|j|h|min|m)", re.IGNORECASE)
_UNITS = {"w": 7 * 86400, "sem": 7 * 86400, "d": 86400, "j": 86400, "h": 3600, "min": 60, "m": 60}
_NONE = {"none", "no", "aucun", "aucune", "non", "0", "-"}


def parse_offsets(text: str) -> tuple[timedelta, ...] | None:
    """Offsets before due from `1d,2h` / `1j, 30min` (largest first); () for `none`; None when invalid."""
    cleaned = text.strip().lower()
    if cleaned in _NONE:
        return ()
    offsets: set[timedelta] = set()
    for part in cleaned.split(","):
        part = part.replace(" ", "")
        if not part:
            return None
        pieces = _OFFSET.findall(part)
        if not pieces or "".join(n + u for n, u in pieces) != part:
            return None
        offset = timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in pieces))
        if offset <= timedelta() or offset > MAX_OFFSET:
            return None
        offsets.add(offset)
    if len(offsets) > MAX_OFFSETS:
        return None
    return tuple(sorted(offsets, reverse=True))


def format_offsets(offsets: tuple[timedelta, ...]) -> str:
    """The canonical text of offsets (`1d,2h`), as stored and shown."""
    parts = []
    for offset in offsets:
        seconds = int(offset.total_seconds())
        text = ""
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds >= size:
                text += f"{seconds // size}{unit}"
                seconds %= size
        parts.append(text)
    return ",".join(parts) if parts else "none"
