"""What a typed due date spells out, checked around dateparser so that a date is never silently misread.

dateparser is lenient: it reads `tomorrow 25:00` as tomorrow at the current time, `demain 26h` as the
day after, `1.12.2026` as 12 January, `monday 7` as a day of July and `tomorrow at 10` as tomorrow at
the current time. So, before it reads a text, `read` checks what the text spells: every clock time
(`18:30`, `18h30`, `6pm`) must exist (hours 0 to 23, minutes 0 to 59, 1 to 12 with am/pm), every
date (`2026-02-30`, `31/04`) must exist, numeric dates are read day first (`1/12` is 1 December) and
rewritten with the month's name, and a bare number must be a day next to its month, a year next to
a month, or a count after `in`/`dans` (`in 3 days`). After it reads, `check_reading` makes sure the
time typed is the time read. Each refusal is a `DueError` with a translated message.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.i18n import Msg, When, _
from bot.when.rule_words import time_words

__all__ = ["DueError", "Spelled", "check_reading", "read"]

_MONTH_NAMES = (
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
)
_MONTHS: dict[str, int] = {
    **{name: number for names in _MONTH_NAMES for number, name in enumerate(names, start=1)},
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "janv": 1,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "avr": 4,
    "juil": 7,
    "aout": 8,
    "déc": 12,
    "decembre": 12,
}
_COUNT_UNITS = frozenset(
    {
        "minute",
        "minutes",
        "min",
        "mins",
        "hour",
        "hours",
        "heure",
        "heures",
        "day",
        "days",
        "jour",
        "jours",
        "week",
        "weeks",
        "semaine",
        "semaines",
        "month",
        "months",
        "mois",
        "year",
        "years",
        "an",
        "ans",
        "année",
        "années",
    }
)
_RELATIVE = frozenset({"in", "dans"})
_COLON_RUN = re.compile(r"(?<![\w:])\d+(?::\d+)+(?![\d:])")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_MERIDIEM = re.compile(r"(?<![\w:])(\d+)(?::(\d+))?\s*(am|pm)\b")
# `18h`, `18h30`, `18 h 30`; after `dans`/`in` it is a duration (`dans 2h`), not a time.
_HOUR_H = re.compile(r"(?<![\w:])(?<!\bdans )(?<!\bin )(\d+)\s*h(?:\s*(\d+))?(?!\w)")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")
_NUMERIC_DATE = re.compile(r"(?<![\w/.:-])(\d{1,2})([/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\w/.:-])")
_NUMBER = re.compile(r"(\d+)(?:er|re|e|ème|eme|st|nd|rd|th)?")


class DueError(ValueError):
    """A due date refused: it names an impossible time or date, or reads ambiguously."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True, slots=True)
class Spelled:
    """The texts to hand to dateparser (numeric dates rewritten with English month names, then with
    French ones, since dateparser does not read `mardi 1 december`), and the clock time typed, if one."""

    texts: tuple[str, ...]
    clock: tuple[int, int] | None


def _impossible_time(value: str, shown: str) -> DueError:
    return DueError(
        _(
            "“{value}” has an impossible time, {time}: hours go from 0 to 23 and minutes from 0 to 59.",
            value=value,
            time=shown,
        )
    )


def _clocks(text: str, value: str) -> list[tuple[int, int]]:
    """Every clock time the (lower-case) text spells, each checked."""
    found: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []
    for match in _MERIDIEM.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59 or len(match.group(1)) > 2:
            raise DueError(
                _(
                    "“{value}” has an impossible time, {time}: with am or pm, hours go from 1 to 12.",
                    value=value,
                    time=match.group(0),
                )
            )
        found.append((hour % 12 + (12 if match.group(3) == "pm" else 0), minute))
        spans.append(match.span())
    for match in _COLON_RUN.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        clock = _CLOCK.fullmatch(match.group(0))
        if clock is None or int(clock.group(1)) > 23 or int(clock.group(2)) > 59 or int(clock.group(3) or 0) > 59:
            raise _impossible_time(value, match.group(0))
        found.append((int(clock.group(1)), int(clock.group(2))))
    for match in _HOUR_H.finditer(text):
        hours, minutes = match.group(1), match.group(2)
        if len(hours) > 2 or int(hours) > 23 or (minutes is not None and (len(minutes) != 2 or int(minutes) > 59)):
            raise _impossible_time(value, match.group(0))
        found.append((int(hours), int(minutes or 0)))
    return found


def _dates(text: str, value: str, names: tuple[str, ...]) -> str:
    """Check every ISO and numeric date; numeric ones (day first) are rewritten with the month's name."""
    for match in _ISO_DATE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        _real_date(value, match.group(0), year, month, day)

    def rewrite(match: re.Match[str]) -> str:
        day, month, year = int(match.group(1)), int(match.group(3)), match.group(4)
        full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        _real_date(value, match.group(0), full_year, month, day)
        return " ".join(part for part in (str(day), names[month - 1], str(full_year or "")) if part)

    return _NUMERIC_DATE.sub(rewrite, text)


def _real_date(value: str, shown: str, year: int | None, month: int, day: int) -> None:
    # Without a year, 29 February may come: check against a leap year.
    if (
        not 1 <= month <= 12
        or not 1 <= day <= calendar.monthrange(year or 2028, month)[1]
        or (year is not None and not 1 <= year <= 9999)
    ):
        raise DueError(
            _(
                "“{value}” has an impossible date, {date}: dates are written day first (25/12/2026) or as 2026-12-25.",
                value=value,
                date=shown,
            )
        )


def _bare_numbers(words: list[str], value: str) -> None:
    """A bare number must be a day or a year next to its month, or a count after `in`/`dans`."""
    has_month = any(word in _MONTHS for word in words)
    for index, word in enumerate(words):
        match = _NUMBER.fullmatch(word)
        if match is None:
            continue
        before = words[index - 1] if index else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if before in _MONTHS or after in _MONTHS:
            continue
        if len(match.group(1)) == 4 and has_month and match.group(0) == match.group(1):
            continue  # a year: `1 décembre 2026`
        if before in _RELATIVE and after in _COUNT_UNITS:
            continue
        if after in ("am", "pm"):
            continue  # checked with the clock times
        raise DueError(
            _(
                "“{value}”: I cannot tell what {number} means. Write a time with h or a colon (18h, "
                "18:30) and a day with its month (1 décembre, 1 December).",
                value=value,
                number=word if len(word) <= 12 else word[:11] + "…",
            )
        )


def read(text: str, value: str) -> Spelled:
    """Check what the whitespace-normalised `text` spells; `value` is how errors quote it."""
    lowered = text.lower()
    clocks = _clocks(lowered, value)
    if len(set(clocks)) > 1:
        raise DueError(_("“{value}” gives more than one time.", value=value))
    rewritten = tuple(dict.fromkeys(_dates(lowered, value, names) for names in _MONTH_NAMES))
    _bare_numbers([word.strip(",;") for word in rewritten[0].split()], value)
    return Spelled(rewritten, clocks[0] if clocks else None)


def check_reading(moment: datetime, spelled: Spelled, tz: str, value: str) -> None:
    """Refuse a reading whose local time is not the clock time typed, or a time the clocks skip."""
    if spelled.clock is None:
        return
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    hour, minute = spelled.clock
    if (local.hour, local.minute) == (hour, minute):
        return
    typed = datetime.combine(local.date(), time(hour, minute))
    refuse_gap(typed, tz, value)
    # The typed time exists that day, yet the reading is another one.
    raise DueError(
        _(
            "I would read “{value}” at {read}, not at the time you wrote; write the day and the time "
            "as in the examples.",
            value=value,
            read=time_words(local.hour, local.minute),
        )
    )


def refuse_gap(typed: datetime, tz: str, value: str) -> None:
    """Refuse a naive local time that the clocks skip that day (`2027-03-28 02:30` in Europe/Paris):
    read forward it would be another hour than the one typed, and nobody should learn that at 03:30.
    A repeated autumn time is kept, as its first occurrence (documented in docs/calendar.md)."""
    zone = ZoneInfo(tz)
    if typed.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == typed:
        return
    raise DueError(
        _(
            "“{value}”: {time} does not exist on {day} in {zone}, because the clocks go forward that night. "
            "Choose a time before or after the change.",
            value=value,
            time=time_words(typed.hour, typed.minute),
            day=When(typed.replace(tzinfo=UTC), "UTC", "EEEE d MMMM y"),
            zone=tz,
        )
    )
