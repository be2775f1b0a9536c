"""Recurring slots: the one place where repetition rules are read, checked and expanded.

A repetition is a preset (daily, weekly, biweekly, monthly, and their French words) or an RFC 5545
RRULE (`FREQ=WEEKLY;BYDAY=TU,TH`, `RRULE:` prefix allowed). `parse_rule` checks every part when
the rule is given (known parts only, each value in its range, at most daily) and `check_rule` also
requires a first date within `HORIZON_YEARS` of the start; each refusal is a `RuleError` naming the
part and its accepted range, with an example. Any later feature that repeats (events) uses this
module too.

`occurrences` expands a rule on the wall clock of a zone with dateutil, then converts to UTC, so a
slot at 09:00 Europe/Paris stays at 09:00 across the daylight-saving changes. UNTIL is read as RFC
5545 and independent parsers (`recurring-ical-events`) read it, so the bot's agenda and a calendar
app agree on the last date: `UNTIL=…Z` is a UTC moment (converted to the series' zone), an UNTIL
without `Z` is the series' local wall time, and a date-only UNTIL includes its whole day (the
.ics export writes the last two in UTC, `bot.when.ical.rrule_for_export`). Expansion is bounded
in count (`MAX_OCCURRENCES`), in span (`MAX_SPAN` from the rule's start) and in dateutil's own
search: dateutil only stops on a date past UNTIL, so a rule whose days never come back
(`FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`) would scan every day up to the year 9999 (seconds of CPU).
The rule is therefore expanded 400·k years later, on the same calendar (the Gregorian calendar
repeats exactly every 400 years, weekdays included), with k chosen so that year 9999 is less than
400 years after the window: the search ends there at the latest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday  # type: ignore[import-untyped]

from bot.i18n import Msg, _

__all__ = [
    "HORIZON_YEARS",
    "MAX_COUNT",
    "MAX_INTERVAL",
    "MAX_OCCURRENCES",
    "MAX_RULE",
    "MAX_SPAN",
    "PRESETS",
    "Rule",
    "RuleError",
    "check_rule",
    "normalise_rule",
    "occurrences",
    "parse_rule",
]

PRESETS: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    # French words members naturally type.
    "quotidien": "FREQ=DAILY",
    "hebdomadaire": "FREQ=WEEKLY",
    "hebdo": "FREQ=WEEKLY",
    "bimensuel": "FREQ=WEEKLY;INTERVAL=2",
    "mensuel": "FREQ=MONTHLY",
}
MAX_RULE = 200
MAX_INTERVAL = 1000
MAX_COUNT = 10_000
HORIZON_YEARS = 5
"""A rule given must have a date within this many years of its start."""
MAX_OCCURRENCES = 10_000
"""The most dates one expansion returns."""
MAX_SPAN = timedelta(days=366 * 100)
"""The furthest an expansion reaches past the rule's start: a series ends after a century."""
_FOLD = timedelta(hours=1)  # the hour a fall-back night repeats
_CYCLE = timedelta(days=146_097)  # 400 Gregorian years, exactly 20,871 weeks

_FREQS = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY}
_TOO_OFTEN = {"HOURLY", "MINUTELY", "SECONDLY"}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Numeric parts: (lowest, highest, example), from RFC 5545 § 3.3.10; a negative lowest counts from the
# end and excludes 0.
_RANGES: dict[str, tuple[int, int, str]] = {
    "BYMONTH": (1, 12, "FREQ=YEARLY;BYMONTH=12"),
    "BYMONTHDAY": (-31, 31, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    "BYYEARDAY": (-366, 366, "FREQ=YEARLY;BYYEARDAY=100"),
    "BYWEEKNO": (-53, 53, "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO"),
    "BYSETPOS": (-366, 366, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    "BYHOUR": (0, 23, "FREQ=DAILY;BYHOUR=9"),
    "BYMINUTE": (0, 59, "FREQ=DAILY;BYMINUTE=30"),
    "BYSECOND": (0, 59, "FREQ=DAILY;BYSECOND=0"),
}
_ONE_VALUE = ("BYHOUR", "BYMINUTE", "BYSECOND")  # one time of day: several would repeat more than daily
# Parts RFC 5545 allows with some frequencies only.
_ONLY_WITH = {"BYWEEKNO": ("YEARLY",), "BYYEARDAY": ("YEARLY",), "BYMONTHDAY": ("YEARLY", "MONTHLY", "DAILY")}
_KNOWN = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", *_RANGES)
_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: `\d` takes ١٢ and １０ too
_DAY = re.compile(r"([+-]?[0-9]+)?([A-Z]{2})")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})(Z?))?")
_EXAMPLES = "FREQ=WEEKLY;BYDAY=TU,TH · FREQ=MONTHLY;BYDAY=1MO · FREQ=MONTHLY;BYMONTHDAY=-1"


class RuleError(ValueError):
    """A repetition refused: a translated message naming the part and its range, and a hint."""

    def __init__(self, message: Msg, hint: Msg | None = None) -> None:
        super().__init__(message.msgid)
        self.message = message
        self.hint = hint if hint is not None else _examples()

    def english(self) -> str:
        """The message in English, for the log."""
        return self.message.msgid.format(**self.message.params)


def _examples(example: str = _EXAMPLES) -> Msg:
    return _("For example: {example}.", example=example)


@dataclass(frozen=True, slots=True)
class Rule:
    """A checked rule: its canonical text and the arguments dateutil's `rrule` takes."""

    body: str
    freq: int
    interval: int
    count: int | None
    until: datetime | None
    """The last moment: aware (UTC) for `UNTIL=…Z`, else naive local wall time (a date-only UNTIL
    is its day's last second)."""
    by: dict[str, tuple[int, ...]]
    byday: tuple[weekday, ...]
    wkst: int | None

    def local_until(self, zone: ZoneInfo | None) -> datetime | None:
        """UNTIL on the wall clock of `zone`; a UTC UNTIL without a zone is taken as it is written."""
        if self.until is None or self.until.tzinfo is None:
            return self.until
        if zone is None:
            return self.until.replace(tzinfo=None)
        return self.until.astimezone(zone).replace(tzinfo=None)

    def build(
        self, start_local: datetime, until: datetime, shift: timedelta = timedelta(), zone: ZoneInfo | None = None
    ) -> rrule:
        """dateutil's rule from a naive local start, ending at `until` too (unless it counts), every
        date moved `shift` later; a UTC UNTIL is read on `zone`'s wall clock."""
        kwargs: dict[str, object] = {key.lower(): values for key, values in self.by.items()}
        if self.byday:
            kwargs["byweekday"] = self.byday
        last = self.local_until(zone)
        if last is not None and self.until is not None and self.until.tzinfo is not None:
            last = _later(last, _FOLD)  # the hour a fall-back night repeats: checked exactly in UTC later
        end = None if self.count is not None else min(until, last or until) + shift
        return rrule(
            self.freq,
            dtstart=start_local + shift,
            interval=self.interval,
            count=self.count,
            wkst=self.wkst,
            until=end,
            **kwargs,
        )


def normalise_rule(text: str) -> str | None:
    """The canonical RRULE body of a preset or a valid rule; None when `parse_rule` refuses it."""
    try:
        return parse_rule(text).body
    except RuleError:
        return None


def parse_rule(text: str) -> Rule:
    """Read and check a preset or an RRULE, or raise a RuleError naming what is wrong.

    Rules firing more often than daily are refused: an editorial calendar has no hourly slots."""
    cleaned = text.strip()
    preset = PRESETS.get(cleaned.lower())
    if preset is not None:
        cleaned = preset
    if len(cleaned) > MAX_RULE:
        raise RuleError(
            _("The repetition is too long: {length} characters, at most {limit}.", length=len(cleaned), limit=MAX_RULE)
        )
    body = re.sub(r"^RRULE:", "", "".join(cleaned.split()), flags=re.IGNORECASE).upper()
    if "=" not in body:
        raise _not_understood(text)
    parts: dict[str, str] = {}
    for piece in filter(None, body.split(";")):
        name, sep, value = piece.partition("=")
        if name not in _KNOWN or not sep:
            raise RuleError(
                _("“{part}” is not a part of a repetition I know.", part=_short(name or piece)),
                _("Known parts: {parts}.", parts=", ".join(_KNOWN)),
            )
        if name in parts:
            raise RuleError(_("{part} is given twice.", part=name))
        if not value:
            raise RuleError(_("{part} has no value.", part=name))
        parts[name] = value
    return _rule(parts, text)


def _rule(parts: dict[str, str], raw: str) -> Rule:
    freq = parts.get("FREQ")
    if freq is None:
        raise _not_understood(raw)
    if freq in _TOO_OFTEN:
        raise RuleError(
            _(
                "FREQ={value} repeats more often than daily; an editorial calendar has at most one slot a day.",
                value=freq,
            ),
            _examples("FREQ=DAILY"),
        )
    if freq not in _FREQS:
        raise RuleError(_("FREQ={value} is not a frequency: use DAILY, WEEKLY, MONTHLY or YEARLY.", value=_short(freq)))
    interval = _whole(parts, "INTERVAL", 1)
    if interval < 1:
        raise RuleError(
            _("The interval must be at least 1, not {value}.", value=_short(str(interval))),
            _examples("FREQ=WEEKLY;INTERVAL=2"),
        )
    if interval > MAX_INTERVAL:
        raise RuleError(
            _("The interval must be at most {limit}, not {value}.", limit=MAX_INTERVAL, value=_short(str(interval))),
            _examples("FREQ=WEEKLY;INTERVAL=2"),
        )
    count = _whole(parts, "COUNT", None) if "COUNT" in parts else None
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise RuleError(
            _("COUNT must be between 1 and {limit}, not {value}.", limit=MAX_COUNT, value=_short(str(count))),
            _examples("FREQ=WEEKLY;COUNT=10"),
        )
    until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    if count is not None and until is not None:
        raise RuleError(_("COUNT and UNTIL cannot both be given."), _("Keep one of them."))
    by = {name: _numbers(name, parts[name]) for name in _RANGES if name in parts}
    for name, freqs in _ONLY_WITH.items():
        if name in parts and freq not in freqs:
            raise RuleError(_("{part} only goes with FREQ={freqs}.", part=name, freqs=" / ".join(freqs)))
    if "BYSETPOS" in parts and len(by) + ("BYDAY" in parts) < 2:
        raise RuleError(_("BYSETPOS needs another BY part to pick from."), _examples(_RANGES["BYSETPOS"][2]))
    byday = _weekdays(parts.get("BYDAY"), freq, "BYWEEKNO" in parts)
    wkst = _day_index(parts["WKST"]) if "WKST" in parts else None
    body = ";".join(f"{name}={value}" for name, value in parts.items())
    return Rule(body, _FREQS[freq], interval, count, until, by, byday, wkst)


def _not_understood(raw: str) -> RuleError:
    return RuleError(
        _("“{value}” is not a repetition I understand.", value=_short(raw.strip())),
        _(
            "Use daily, weekly, biweekly, monthly, words such as `every week on Tuesday`, `every month on the "
            "first Monday` or `every 2 weeks on Monday and Thursday`, or an RRULE such as FREQ=WEEKLY;BYDAY=TU "
            "(at most daily)."
        ),
    )


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


def _whole(parts: dict[str, str], name: str, default: int | None) -> int:
    value = parts.get(name)
    if value is None:
        assert default is not None
        return default
    if not _NUMBER.fullmatch(value):
        raise RuleError(_("{part} must be a whole number, not “{value}”.", part=name, value=_short(value)))
    return int(value)


def _numbers(name: str, value: str) -> tuple[int, ...]:
    low, high, example = _RANGES[name]
    numbers: list[int] = []
    for item in value.split(","):
        if not _NUMBER.fullmatch(item):
            raise RuleError(
                _("{part} takes whole numbers separated by commas, not “{value}”.", part=name, value=_short(item)),
                _examples(example),
            )
        number = int(item)
        if low >= 0:
            if not low <= number <= high:
                raise RuleError(
                    _(
                        "{part} must be between {low} and {high}, not {value}.",
                        part=name,
                        low=low,
                        high=high,
                        value=_short(item),
                    ),
                    _examples(example),
                )
        elif number == 0 or not low <= number <= high:
            raise RuleError(
                _(
                    "{part} must be between 1 and {high}, or between -{high} and -1 to count from the "
                    "end; not {value}.",
                    part=name,
                    high=high,
                    value=_short(item),
                ),
                _examples(example),
            )
        numbers.append(number)
    if name in _ONE_VALUE and len(set(numbers)) > 1:
        raise RuleError(_("{part} takes one value: a slot has one time of day.", part=name), _examples(example))
    return tuple(dict.fromkeys(numbers))


def _day_index(code: str) -> int:
    if code not in _DAYS:
        raise RuleError(_("“{value}” is not a weekday: use MO, TU, WE, TH, FR, SA or SU.", value=_short(code)))
    return _DAYS.index(code)


def _weekdays(value: str | None, freq: str, weekno: bool) -> tuple[weekday, ...]:
    """BYDAY: weekdays, with a position (1MO, -1FR) only where RFC 5545 gives it a meaning."""
    if value is None:
        return ()
    days: list[weekday] = []
    for item in value.split(","):
        match = _DAY.fullmatch(item)
        if match is None:
            raise RuleError(
                _(
                    "“{value}” is not a weekday: use MO, TU, WE, TH, FR, SA or SU, with a position such "
                    "as 1MO or -1FR in a monthly or yearly repetition.",
                    value=_short(item),
                )
            )
        index = _day_index(match.group(2))
        if match.group(1) is None:
            days.append(weekday(index))
            continue
        position = int(match.group(1))
        limit = 5 if freq == "MONTHLY" else 53
        if freq not in ("MONTHLY", "YEARLY") or weekno:
            raise RuleError(
                _(
                    "A position such as {value} only goes with FREQ=MONTHLY or FREQ=YEARLY (without BYWEEKNO).",
                    value=_short(item),
                ),
                _examples("FREQ=MONTHLY;BYDAY=1MO"),
            )
        if position == 0 or abs(position) > limit:
            raise RuleError(
                _(
                    "The position in {value} must be between 1 and {limit}, or between -{limit} and -1 "
                    "to count from the end.",
                    value=_short(item),
                    limit=limit,
                ),
                _examples("FREQ=MONTHLY;BYDAY=-1FR"),
            )
        days.append(weekday(index, position))
    return tuple(dict.fromkeys(days))


def _until(value: str) -> datetime:
    match = _UNTIL.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second = (int(group or 0) for group in match.groups()[:6])
        if match.group(4) is None:
            # A date alone includes its day, as the .ics export writes it (its last second).
            return datetime(year, month, day, 23, 59, 59)  # noqa: DTZ001 - local wall time
        if match.group(7):
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - local wall time
    except ValueError:
        raise RuleError(
            _("UNTIL={value} is not a real date: write it as YYYYMMDD or YYYYMMDDTHHMMSS.", value=_short(value)),
            _examples("FREQ=WEEKLY;UNTIL=20271231"),
        ) from None


# ---------------------------------------------------------------- checking against a start


def check_rule(text: str, start_local: datetime, tz: str | None = None) -> Rule:
    """`parse_rule`, and a first date within `HORIZON_YEARS` of the naive local start on the wall
    clock of `tz` (needed to read a UTC UNTIL exactly; without it a UTC UNTIL is read as written)."""
    rule = parse_rule(text)
    zone = ZoneInfo(tz) if tz is not None else None
    last = rule.local_until(zone)
    if last is not None and last < start_local:
        raise RuleError(
            _(
                "UNTIL={value} is before the first date; this repetition never happens.",
                value=last.strftime("%Y%m%d"),
            ),
            _examples("FREQ=WEEKLY;UNTIL=20271231"),
        )
    horizon = _add_years(start_local, HORIZON_YEARS)
    if next(_local_slots(rule, start_local, start_local, horizon, zone), None) is None:
        raise RuleError(
            _("This repetition never happens within {years} years of its first date.", years=HORIZON_YEARS),
            _(
                "Check that the days it asks for exist and that its parts agree (for example, "
                "BYMONTH=2;BYMONTHDAY=30 asks for 30 February, which never comes)."
            ),
        )
    return rule


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February, or beyond the year 9999
        # Naive on purpose: rules are expanded on local wall time; the end of the calendar is its bound.
        return datetime.max if moment.year + years > MAXYEAR else moment.replace(year=moment.year + years, day=28)  # noqa: DTZ901


def _later(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, or the last datetime when that is past the year 9999 (a stored start may be anything)."""
    try:
        return moment + delta
    except OverflowError:
        return datetime.max  # noqa: DTZ901 - naive local wall time, like `moment`


def _local_slots(
    rule: Rule, start: datetime, lower: datetime, upper: datetime, zone: ZoneInfo | None = None
) -> Iterator[datetime]:
    """The naive local dates in [lower, upper] of `rule` started at `start`, with a bounded search.

    Expanded 400·k years later (the same calendar) so that dateutil's search for a date that
    never comes stops at year 9999, less than 400 years after `upper`."""
    upper = min(upper, _later(start, MAX_SPAN))
    if max(start, lower) > upper:
        return
    shift = _CYCLE * ((MAXYEAR - upper.year) // 400)
    for moment in rule.build(start, upper, shift, zone).xafter(lower + shift, inc=True):
        local: datetime = moment - shift
        if local > upper:
            return
        yield local


def occurrences(
    body: str | None, start_local: datetime, tz: str, *, after: datetime, until: datetime, limit: int
) -> list[datetime]:
    """UTC moments of the slots in (after, until], at most `limit` (and `MAX_OCCURRENCES`), from a
    naive local start; without a rule the only slot is the start itself. A stored rule that no
    longer reads raises RuleError."""
    zone = ZoneInfo(tz)
    limit = min(limit, MAX_OCCURRENCES)
    if body is None:
        moments: Iterator[datetime] = iter([start_local])
    else:
        rule = parse_rule(body)
        local_after = after.astimezone(zone).replace(tzinfo=None)
        # A day of margin on the local side: the UTC bounds are checked exactly below.
        try:
            local_until = _later(until.astimezone(zone).replace(tzinfo=None), timedelta(days=1))
        except OverflowError:  # an UNTIL at the very end of year 9999 has no local time east of UTC
            local_until = datetime.max  # noqa: DTZ901 - naive local wall time, like the start

        lower = max(local_after - timedelta(days=1), start_local)
        moments = _local_slots(rule, start_local, lower, local_until, zone)
        if rule.until is not None and rule.until.tzinfo is not None:
            until = min(until, rule.until)  # exactly, in UTC
    found: list[datetime] = []
    for local in moments:
        # fold=0: an hour that exists twice (October) is the first one; one skipped (March) moves forward.
        moment = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if moment > until or len(found) >= limit:
            break
        if moment > after:
            found.append(moment)
    return found
