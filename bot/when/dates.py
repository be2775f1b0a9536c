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
from bot.folding import fold
from bot.i18n import _
from bot.when import date_words
from bot.when.date_words import DueError
from bot.when.rule_words import moment_words

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


# French weekday abbreviations as the bot shows them (`lun`…`dim`); dateparser reads `mar` as March.
_SHORT_DAYS = {
    "lun": "lundi",
    "mar": "mardi",
    "mer": "mercredi",
    "jeu": "jeudi",
    "ven": "vendredi",
    "sam": "samedi",
    "dim": "dimanche",
}
_SHORT_DAY = re.compile(r"(?<![\w.])(?<!\d )(lun|mar|mer|jeu|ven|sam|dim)\.?(?!\w)", re.IGNORECASE)


def _full_weekdays(text: str) -> str:
    """`mar 9h` → `mardi 9h`; after a number (`15 mar`) the word stays a month."""
    return _SHORT_DAY.sub(lambda m: _SHORT_DAYS[m.group(1).lower()], text)


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
        spelled = date_words.read(_full_weekdays(cleaned), value)
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
                when=moment_words(result, tz),
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


_OFFSET = re.compile(r"(\d{1,4})\s*([a-z]+)")
_UNITS = {
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "sem", "semaine", "semaines"), 7 * 86400),
    **dict.fromkeys(("d", "day", "days", "j", "jour", "jours"), 86400),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures"), 3600),
    **dict.fromkeys(("m", "min", "mins", "mn", "minute", "minutes"), 60),
}
_NONE = {
    "none",
    "no",
    "no reminder",
    "no reminders",
    "aucun",
    "aucune",
    "aucun rappel",
    "pas de rappel",
    "sans rappel",
    "sans",
    "non",
    "0",
    "-",
}
_BEFORE = re.compile(r"\b(?:avant|before)\b")
_AND = re.compile(r"\b(?:et|and)\b")
_LEAD = re.compile(r"^(?:(?:et|and|puis|then|,|;)\s*)+")


def _offset(text: str) -> timedelta | None:
    """One offset: units summed, in either language (`1j 2h`, `1 jour et 2 heures`, `30 min`, `1 sem`)."""
    part = " ".join(_AND.sub(" ", text.replace(",", " ")).split())
    pieces = _OFFSET.findall(part)
    if not pieces or _OFFSET.sub("", part).strip():
        return None
    if any(unit not in _UNITS for _n, unit in pieces):
        return None
    offset = timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in pieces))
    return offset if timedelta() < offset <= MAX_OFFSET else None


def parse_offsets(text: str) -> tuple[timedelta, ...] | None:
    """Offsets before due (largest first); () for `none` / `aucun`; None when invalid.

    Offsets are separated by commas (`1d,2h`, `1j, 30 min`); spaces and "et"/"and" join the units of one
    offset (`1j 2h` is one reminder 26 hours before). The words the bot shows read back the same:
    in `1 jour et 2 heures avant, 30 minutes avant` each offset ends with "avant" ("before"), so there
    the commas inside a long duration (`1 jour, 2 heures et 30 minutes avant`) do not separate offsets."""
    if re.search(r"-\s*\d", text):
        return None  # a negative offset (`-1h`) would be after due, not before
    cleaned = " ".join(fold(text).removesuffix(".").split())
    if cleaned in _NONE:
        return ()
    if _BEFORE.search(cleaned):
        segments = _BEFORE.split(cleaned)
        if segments[-1].strip(" ,;."):
            return None  # words after the last "avant"
        segments = [_LEAD.sub("", segment.strip()) for segment in segments[:-1]]
    else:
        segments = re.split(r"[,;]", cleaned)
    offsets: set[timedelta] = set()
    for segment in segments:
        offset = _offset(segment.strip())
        if offset is None:
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


_TIME_OF_DAY = re.compile(r"([01]?\d|2[0-3])(?:h(?:[0-5]\d)?|:[0-5]\d|\s*(?:am|pm))", re.IGNORECASE)
_AT = frozenset({"à", "a", "at"})


def continues_due(value: str, word: str) -> bool:
    """Whether `word`, typed after `value` without quotes, still belongs to a due date: a time of day
    (`9h`, `18:30`, `9am`) or `à`/`at` before one, after a date that has no time yet (`demain 9h`,
    `mardi à 18h30`, `next tuesday 9am`). Anything else starts the next parameter."""
    words = value.split()
    if any(_TIME_OF_DAY.fullmatch(w) for w in words):
        return False
    if word.casefold() in _AT:
        return words[-1].casefold() not in _AT
    return _TIME_OF_DAY.fullmatch(word) is not None
