"""Repetitions in words, both ways: a stored RRULE shown as a sentence, and a sentence read as a rule.

`describe` renders any rule the calendar stores as the reader reads it ("every week on Tuesday at
9:00" / "chaque semaine le mardi à 9 h", "chaque mois le premier lundi à 18 h 30", "toutes les 2
semaines le lundi et le jeudi à 9 h"), taking the weekday, day of the month and time of day from the
series' start where the rule leaves them out. Shapes it cannot put in one sentence (BYSETPOS,
BYWEEKNO, several months…) still get a translated lead, with the raw rule in backticks only after it.

`read_words` is the other way: what a member types for `repeat` in French or English (`hebdo`,
`chaque semaine le mardi`, `tous les jours`, `toutes les 2 semaines le lundi et le jeudi à 9 h`,
`le premier lundi du mois`, `every month on the last day`), accents and case aside, becomes a rule
body; what `describe` shows for a simple rule reads back as the same rule. Parts equal to the start
(its weekday, its day of the month, its time) are left out, so `chaque semaine le mardi à 9 h`
typed with a Tuesday 9:00 start is exactly `FREQ=WEEKLY`, like the preset `hebdo`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.folding import fold
from bot.i18n import Msg, Text, When, _, join, n_, term
from bot.when.recurrence import RuleError, parse_rule

__all__ = ["describe", "moment_words", "read_words", "time_words"]

_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A weekday alone ("lundi") and a weekday as a repeating day ("le lundi" / "Monday").
_WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
_ON_WEEKDAYS = (
    term("Monday", "repeating day"),
    term("Tuesday", "repeating day"),
    term("Wednesday", "repeating day"),
    term("Thursday", "repeating day"),
    term("Friday", "repeating day"),
    term("Saturday", "repeating day"),
    term("Sunday", "repeating day"),
)
_RENDERED = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYHOUR", "BYMINUTE", "BYSECOND", "COUNT", "UNTIL"}


# ---------------------------------------------------------------- rule → words


def time_words(hour: int, minute: int) -> Msg:
    """A time of day: "9:00" / "9 h", "18:30" / "18 h 30"."""
    if minute == 0:
        return _("{hour}:00", hour=str(hour))
    return _("{hour}:{minute}", hour=str(hour), minute=f"{minute:02d}")


def moment_words(moment: datetime, tz: str) -> Msg:
    """A day and time: "Tuesday 17 November 2026, 9:00" / "mardi 17 novembre 2026 à 9 h"."""
    local = moment.astimezone(ZoneInfo(tz))
    return _("{day}, {time}", day=When(moment, tz, "EEEE d MMMM y"), time=time_words(local.hour, local.minute))


def _positioned(position: int, day: int) -> Msg:
    """The position of a weekday in the month ("the first Monday" / "le premier lundi"); positions 1 to 5, -1 and -2."""
    name = _WEEKDAYS[day]
    words = {
        1: _("the first {day}", day=name),
        2: _("the second {day}", day=name),
        3: _("the third {day}", day=name),
        4: _("the fourth {day}", day=name),
        5: _("the fifth {day}", day=name),
        -1: _("the last {day}", day=name),
        -2: _("the second to last {day}", day=name),
    }
    return words[position]


def _month_day(day: int) -> Msg:
    """A day of the month ("day 15" / "le 15", "day 1" / "le 1er", "the last day" / "le dernier jour")."""
    if day == -1:
        return _("the last day")
    if day == 1:
        return _("day 1")
    return _("day {day}", day=str(day))


def _listed(items: list[Text]) -> Text:
    """A list as "A, B and C" in the reader's language."""
    if len(items) == 1:
        return items[0]
    return _("{head} and {last}", head=join(items[:-1], ", "), last=items[-1])


def _frequency(freq: str, interval: int) -> Msg | None:
    """The frequency alone ("every 2 weeks" / "toutes les 2 semaines"), for the fallback sentence."""
    words = {
        "DAILY": n_("every day", "every {count} days", interval),
        "WEEKLY": n_("every week", "every {count} weeks", interval),
        "MONTHLY": n_("every month", "every {count} months", interval),
        "YEARLY": n_("every year", "every {count} years", interval),
    }
    return words.get(freq)


def _parts(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for piece in filter(None, body.split(";")):
        name, _sep, value = piece.partition("=")
        parts[name] = value
    return parts


def _byday(value: str | None) -> list[tuple[int | None, int]] | None:
    """BYDAY as (position, weekday index) pairs; None when a code does not read."""
    if value is None:
        return []
    days: list[tuple[int | None, int]] = []
    for item in value.split(","):
        match = re.fullmatch(r"([+-]?\d+)?([A-Z]{2})", item)
        if match is None or match.group(2) not in _CODES:
            return None
        days.append((int(match.group(1)) if match.group(1) else None, _CODES.index(match.group(2))))
    return days


def _numbers(value: str | None) -> list[int] | None:
    if value is None:
        return []
    try:
        return [int(item) for item in value.split(",")]
    except ValueError:
        return None


def _sentence(parts: dict[str, str], start: datetime) -> Msg | None:
    """The sentence for the shapes the calendar plans; None for the others."""
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1"))
    days = _byday(parts.get("BYDAY"))
    month_days = _numbers(parts.get("BYMONTHDAY"))
    months = _numbers(parts.get("BYMONTH"))
    hours, minutes, seconds = (_numbers(parts.get(name)) for name in ("BYHOUR", "BYMINUTE", "BYSECOND"))
    if days is None or month_days is None or months is None or hours is None or minutes is None or seconds is None:
        return None
    # WKST only moves the weeks an INTERVAL counts; with none it changes no date.
    ignored = {"WKST"} if interval == 1 else set()
    if set(parts) - _RENDERED - ignored or any(seconds) or len(hours) > 1 or len(minutes) > 1:
        return None
    time = time_words(hours[0] if hours else start.hour, minutes[0] if minutes else start.minute)
    positioned = [d for d in days if d[0] is not None]
    if freq == "DAILY" and days and interval == 1 and not positioned and not month_days and not months:
        freq = "WEEKLY"  # FREQ=DAILY;BYDAY=MO,TH is every week on those days
    if freq == "DAILY":
        if days or month_days or months:
            return None
        return n_("every day at {time}", "every {count} days at {time}", interval, time=time)
    if freq == "WEEKLY":
        if positioned or month_days or months:
            return None
        indexes = sorted({d[1] for d in days}) if days else [start.weekday()]
        on_days = _listed([_ON_WEEKDAYS[i] for i in indexes])
        return n_(
            "every week on {days} at {time}",
            "every {count} weeks on {days} at {time}",
            interval,
            days=on_days,
            time=time,
        )
    if freq == "MONTHLY":
        if months or (days and month_days) or (days and len(positioned) != len(days)):
            return None
        if positioned:
            if any(p not in (1, 2, 3, 4, 5, -1, -2) for p, _d in positioned):
                return None
            which = _listed([_positioned(p, d) for p, d in positioned if p is not None])
        else:
            chosen = month_days or [start.day]
            if any(d < -1 or d == 0 for d in chosen):
                return None
            which = _listed([_month_day(d) for d in sorted(chosen, key=lambda d: (d < 0, d))])
        return n_(
            "every month on {days} at {time}",
            "every {count} months on {days} at {time}",
            interval,
            days=which,
            time=time,
        )
    if freq == "YEARLY":
        if days or len(months) > 1 or len(month_days) > 1 or any(d < 1 for d in month_days):
            return None
        month = months[0] if months else start.month
        day = month_days[0] if month_days else start.day
        try:
            date = When(datetime(2000, month, day, 12, tzinfo=UTC), "UTC", "d MMMM")  # 2000: 29 February exists
        except ValueError:
            return None
        return n_(
            "every year on {date} at {time}", "every {count} years on {date} at {time}", interval, date=date, time=time
        )
    return None


def describe(body: str, start_local: datetime, tz: str | None = None) -> Msg:
    """A stored repetition in words for the reader, from its rule and the series' naive local start
    in `tz` (a UTC UNTIL is shown on that zone's calendar)."""
    try:
        parse_rule(body)
        parts = _parts(body)
        sentence = _sentence(parts, start_local)
    except (RuleError, ValueError):
        return _("a custom repetition (`{rule}`)", rule=_short(body))
    if sentence is None:
        frequency = _frequency(parts.get("FREQ", ""), int(parts.get("INTERVAL", "1") or 1))
        if frequency is None:
            return _("a custom repetition (`{rule}`)", rule=_short(body))
        return _("{frequency} (advanced repetition: `{rule}`)", frequency=frequency, rule=_short(body))
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        return n_("{rule}, once", "{rule}, {count} times", count, rule=sentence)
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        day = datetime(int(until[:4]), int(until[4:6]), int(until[6:8]), tzinfo=UTC)
        if until.endswith("Z") and tz is not None:  # a UTC moment: its day where the series lives
            moment = day.replace(hour=int(until[9:11]), minute=int(until[11:13]))
            day = datetime.combine(moment.astimezone(ZoneInfo(tz)).date(), day.timetz())
        return _("{rule}, until {date}", rule=sentence, date=When(day.replace(hour=12), "UTC", "d MMMM y"))
    return sentence


def _short(rule: str) -> str:
    return rule if len(rule) <= 80 else rule[:79] + "…"


# ---------------------------------------------------------------- words → rule

_DAY_WORDS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("lundi", "lun", "monday", "mon"),
        ("mardi", "mar", "tuesday", "tue", "tues"),
        ("mercredi", "mer", "wednesday", "wed"),
        ("jeudi", "jeu", "thursday", "thu", "thur", "thurs"),
        ("vendredi", "ven", "friday", "fri"),
        ("samedi", "sam", "saturday", "sat"),
        ("dimanche", "dim", "sunday", "sun"),
    )
):
    for _name in _names:
        _DAY_WORDS[_name] = _index
        if len(_name) > 3:
            _DAY_WORDS[_name + "s"] = _index  # "tous les lundis", "on Mondays"

_MONTH_WORDS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("janvier", "january", "janv", "jan"),
        ("fevrier", "february", "fevr", "feb"),
        ("mars", "march", "mar"),
        ("avril", "april", "avr", "apr"),
        ("mai", "may"),
        ("juin", "june", "jun"),
        ("juillet", "july", "juil", "jul"),
        ("aout", "august", "aug"),
        ("septembre", "september", "sept", "sep"),
        ("octobre", "october", "oct"),
        ("novembre", "november", "nov"),
        ("decembre", "december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        if _name not in _DAY_WORDS:  # `mar` is Tuesday
            _MONTH_WORDS[_name] = _index

_POSITIONS = {
    "premier": 1,
    "premiere": 1,
    "1er": 1,
    "1re": 1,
    "first": 1,
    "1st": 1,
    "deuxieme": 2,
    "2e": 2,
    "2eme": 2,
    "second": 2,
    "2nd": 2,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
    "third": 3,
    "3rd": 3,
    "quatrieme": 4,
    "4e": 4,
    "4eme": 4,
    "fourth": 4,
    "4th": 4,
    "cinquieme": 5,
    "5e": 5,
    "5eme": 5,
    "fifth": 5,
    "5th": 5,
    "dernier": -1,
    "derniere": -1,
    "last": -1,
    "avantdernier": -2,
    "secondlast": -2,
}
_NUMBERS = {"deux": 2, "two": 2, "trois": 3, "three": 3, "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6}
_UNITS = {
    "jour": "DAILY",
    "jours": "DAILY",
    "day": "DAILY",
    "days": "DAILY",
    "semaine": "WEEKLY",
    "semaines": "WEEKLY",
    "week": "WEEKLY",
    "weeks": "WEEKLY",
    "mois": "MONTHLY",
    "month": "MONTHLY",
    "months": "MONTHLY",
    "an": "YEARLY",
    "ans": "YEARLY",
    "annee": "YEARLY",
    "annees": "YEARLY",
    "year": "YEARLY",
    "years": "YEARLY",
}
# One word for a whole repetition: the presets in both languages, and the glossary's words.
_WORDS: dict[str, tuple[str, int]] = {
    "quotidien": ("DAILY", 1),
    "quotidienne": ("DAILY", 1),
    "daily": ("DAILY", 1),
    "hebdo": ("WEEKLY", 1),
    "hebdomadaire": ("WEEKLY", 1),
    "weekly": ("WEEKLY", 1),
    "quinzaine": ("WEEKLY", 2),
    "bimensuel": ("WEEKLY", 2),
    "bimensuelle": ("WEEKLY", 2),
    "biweekly": ("WEEKLY", 2),
    "fortnightly": ("WEEKLY", 2),
    "mensuel": ("MONTHLY", 1),
    "mensuelle": ("MONTHLY", 1),
    "monthly": ("MONTHLY", 1),
    "annuel": ("YEARLY", 1),
    "annuelle": ("YEARLY", 1),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
_LEADS = {"chaque", "tous", "toutes", "les", "every", "each", "all", "a", "une", "un", "par", "per"}
_FILLERS = {"le", "la", "les", "l", "on", "the", "et", "and", "de", "du", "d", "of", "in", "en", "chaque", "every"}
_TIME = re.compile(
    r"(?:\b(?:a|at)\s+)?\b(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?![a-z\d])|(?:\b(?:a|at)\s+)?\b(\d{1,2})\s*(am|pm)\b"
)


def _spaced(text: str) -> str:
    text = fold(text)
    text = re.sub(r"\bavant dernier(e)?\b", "avantdernier", text)
    text = re.sub(r"\bsecond (?:to )?last\b", "secondlast", text)
    return " ".join(re.sub(r"[,.;’']", " ", text).split())


def read_words(text: str, start_local: datetime) -> str | None:
    """The rule body a repetition in words gives from a naive local start, or None when the text is
    not words the calendar reads (an RRULE, or something else: `recurrence` then says what is wrong)."""
    spaced = _spaced(text)
    if not spaced or "=" in spaced:
        return None
    clock: tuple[int, int] | None = None
    match = _TIME.search(spaced)
    if match is not None:
        if match.group(4):
            hour = int(match.group(3))
            if not 1 <= hour <= 12:
                return None
            clock = (hour % 12 + (12 if match.group(4) == "pm" else 0), 0)
        else:
            clock = (int(match.group(1)), int(match.group(2) or 0))
        if clock[0] > 23 or clock[1] > 59:
            return None
        spaced = " ".join((spaced[: match.start()] + " " + spaced[match.end() :]).split())
    words = spaced.split()
    freq: str | None = None
    interval = 1
    rest: list[str] = []
    for word in words:
        if freq is None and word in _WORDS:
            freq, interval = _WORDS[word]
        elif freq is None and word in _UNITS and not (rest and rest[-1] in _POSITIONS):
            freq = _UNITS[word]
            if rest and (rest[-1].isdigit() or rest[-1] in _NUMBERS):
                number = rest.pop()
                interval = int(number) if number.isdigit() else _NUMBERS[number]
                if interval < 1:
                    return None
        else:
            rest.append(word)
    return _build(freq, interval, rest, clock, start_local)


def _build(
    freq: str | None, interval: int, words: list[str], clock: tuple[int, int] | None, start: datetime
) -> str | None:
    days: list[tuple[int | None, int]] = []
    month_days: list[int] = []
    months: list[int] = []
    position: int | None = None
    pending = ""
    for word in words:
        if position is not None and pending[:1].isdigit() and word not in _DAY_WORDS and word not in ("jour", "day"):
            month_days.append(position)  # `le 1er et le 15`: `1er` was a day of the month
            position = None
        if word in _FILLERS or word in _LEADS or word in ("mois", "month"):
            continue
        if word in ("jour", "day") and position is None:
            continue  # `every month on day 15`
        if word in _POSITIONS and position is None:
            position, pending = _POSITIONS[word], word
        elif word in _DAY_WORDS:
            days.append((position, _DAY_WORDS[word]))
            position = None
        elif word in ("jour", "day") and position in (1, -1):
            month_days.append(position)
            position = None
        elif word in _MONTH_WORDS and position is None:
            months.append(_MONTH_WORDS[word])
        elif position is None and re.fullmatch(r"\d{1,2}(er|re|e|eme|st|nd|rd|th)?", word):
            number = int(re.sub(r"\D", "", word))
            if not 1 <= number <= 31:
                return None
            month_days.append(number)
        else:
            return None
    if position is not None:
        if not pending[:1].isdigit():
            return None
        month_days.append(position)  # `le 1er`: a day of the month, not "the first …"
    if months:
        return _yearly(freq, interval, months, month_days, days, clock, start)
    positioned = any(p is not None for p, _d in days)
    if freq is None:
        if positioned or month_days:
            freq = "MONTHLY"
        elif days:
            freq = "WEEKLY"
        else:
            return None
    if (positioned or month_days) and freq != "MONTHLY":
        return None
    if days and month_days:
        return None
    if freq == "MONTHLY" and days and not all(p is not None for p, _d in days):
        return None
    if freq == "DAILY" and days:
        return None
    if freq == "YEARLY" and (days or month_days):
        return None
    parts = [f"FREQ={freq}"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    # What the start already says is left out: `chaque semaine le mardi` from a Tuesday is `hebdo`.
    codes = list(dict.fromkeys(f"{p or ''}{_CODES[d]}" for p, d in days))
    if freq == "WEEKLY" and codes == [_CODES[start.weekday()]]:
        codes = []
    if codes:
        parts.append("BYDAY=" + ",".join(sorted(codes, key=_day_order)))
    unique_days = sorted(set(month_days), key=lambda d: (d < 0, d))  # as `describe` lists them
    if unique_days and unique_days != [start.day]:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in unique_days))
    if clock is not None and clock != (start.hour, start.minute):
        parts.append(f"BYHOUR={clock[0]};BYMINUTE={clock[1]}")
    return ";".join(parts)


def _yearly(
    freq: str | None,
    interval: int,
    months: list[int],
    month_days: list[int],
    days: list[tuple[int | None, int]],
    clock: tuple[int, int] | None,
    start: datetime,
) -> str | None:
    """`chaque année le 17 novembre`: one day of one month."""
    if freq not in (None, "YEARLY") or days or len(months) != 1 or len(month_days) > 1:
        return None
    parts = ["FREQ=YEARLY"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    month, day = months[0], (month_days[0] if month_days else start.day)
    if (month, day) != (start.month, start.day):
        parts.append(f"BYMONTH={month};BYMONTHDAY={day}")
    if clock is not None and clock != (start.hour, start.minute):
        parts.append(f"BYHOUR={clock[0]};BYMINUTE={clock[1]}")
    return ";".join(parts)


def _day_order(code: str) -> tuple[int, int]:
    match = re.fullmatch(r"([+-]?\d+)?([A-Z]{2})", code)
    assert match is not None
    position = int(match.group(1) or 0)
    return (position if position > 0 else 10 - position, _CODES.index(match.group(2)))
