"""Due dates are never silently misread: impossible times and dates, ambiguous numbers and readings
that are not the time typed are refused with the accepted forms; the 5-year limit is stated; fuzzed
date texts give a valid moment or a translated refusal."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.when.dates import MAX_AHEAD, DueError, parse_due
from tests.calendar_plugin.helpers import PLUGINS, entries, mod, populate
from tests.harness import Harness, running

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
PARIS = "Europe/Paris"
TRANSLATOR = Translator.load([Path("bot/locales"), Path("plugins/calendar/locales")])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tomorrow 25:00",
            "“tomorrow 25:00” has an impossible time, 25:00: hours go from 0 to 23 and minutes from 0 to 59.",
        ),
        ("demain 26h", "“demain 26h” has an impossible time, 26h"),
        ("24:00", "has an impossible time, 24:00"),
        ("demain 24h", "has an impossible time, 24h"),
        ("10:75", "has an impossible time, 10:75"),
        ("tomorrow 23:60", "has an impossible time, 23:60"),
        ("demain 9h75", "has an impossible time, 9h75"),
        ("mardi 99h", "has an impossible time, 99h"),  # dateparser read it as the year 2099
        ("13pm", "has an impossible time, 13pm: with am or pm, hours go from 1 to 12."),
        ("2026-02-30", "“2026-02-30” is not a real date and time: write it as 2026-12-01 10:00"),
        ("2026-13-01 10:00", "is not a real date and time"),  # dateparser read it as 13 January
        ("2026-02-30 à 10h", "has an impossible date, 2026-02-30"),
        ("31/04 10h", "has an impossible date, 31/04: dates are written day first (25/12/2026) or as 2026-12-25."),
        ("12/25/2026 10:00", "has an impossible date, 12/25/2026"),
        ("monday 7", "“monday 7”: I cannot tell what 7 means."),  # dateparser read a day of July
        ("tomorrow at 10", "I cannot tell what 10 means."),  # dateparser ignored the 10
        ("le 12 à 10h", "I cannot tell what 12 means."),
        ("2027", "I cannot tell what 2027 means."),
        ("demain 10:00 11:00", "gives more than one time."),
        (
            "2099-01-01 10:00",
            "is Thursday 1 January 2099, 10:00, more than 5 years ahead: the calendar plans at most 5 years ahead.",
        ),
    ],
)
def test_impossible_or_ambiguous_dates_are_refused_with_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(DueError) as caught:
        parse_due(text, NOW, PARIS)
    assert message in TRANSLATOR.render(caught.value.message, "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.12.2026 10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),  # dateparser read 12 January
        ("1/12 10h", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("mardi 1/12 10h", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("25/12/2026 10:00", datetime(2026, 12, 25, 9, 0, tzinfo=UTC)),
        ("12 décembre 10h", datetime(2026, 12, 12, 9, 0, tzinfo=UTC)),
        ("december 12th 10am", datetime(2026, 12, 12, 9, 0, tzinfo=UTC)),
        ("1er décembre 2030 10h", datetime(2030, 12, 1, 9, 0, tzinfo=UTC)),
        ("in 3 days", datetime(2026, 11, 19, 9, 0, tzinfo=UTC)),
        ("dans 3 jours 10h", datetime(2026, 11, 19, 9, 0, tzinfo=UTC)),
        ("dans 2h", datetime(2026, 11, 16, 11, 0, tzinfo=UTC)),
        ("tomorrow 9:30pm", datetime(2026, 11, 17, 20, 30, tzinfo=UTC)),
        ("demain 0h", datetime(2026, 11, 16, 23, 0, tzinfo=UTC)),
        ("2031-11-01 10:00", datetime(2031, 11, 1, 9, 0, tzinfo=UTC)),  # within the 5 years
    ],
)
def test_day_first_numeric_dates_and_counts_are_read_as_typed(text: str, expected: datetime) -> None:
    assert parse_due(text, NOW, PARIS) == expected


@pytest.fixture
async def h(tmp_path: Path) -> Harness:  # type: ignore[misc]
    async with running(tmp_path, plugins=PLUGINS) as harness:
        populate(harness)
        yield harness


@pytest.mark.parametrize(
    ("line", "locale", "message"),
    [
        (
            '/calendar add News #news "tomorrow 25:00"',
            "en",
            "“tomorrow 25:00” has an impossible time, 25:00: hours go from 0 to 23 and minutes from 0 to 59.",
        ),
        (
            '/calendar add News #news "demain 26h"',
            "fr",
            "«\u202fdemain 26h\u202f» contient une heure impossible, "
            "26h\u202f: les heures vont de 0 à 23 et les minutes de 0 à 59.",
        ),
        ("/calendar add News #news 24:00", "fr", "contient une heure impossible, 24:00"),
        ("/calendar add News #news 2026-02-30", "en", "is not a real date and time"),
        (
            '/calendar add News #news "2099-01-01 10:00"',
            "en",
            "more than 5 years ahead: the calendar plans at most 5 years",
        ),
        (
            '/calendar add News #news "2099-01-01 10:00"',
            "fr",
            "tombe le jeudi 1 janvier 2099 à 10 h, dans plus de 5 ans",
        ),
        (
            '/calendar add News #news "mardi 9h" repeat:"RRULE:FREQ=DAILY;INTERVAL=0"',
            "en",
            "The interval must be at least 1, not 0.",
        ),
        (
            '/calendar add News #news "mardi 9h" repeat:"RRULE:FREQ=DAILY;INTERVAL=0"',
            "fr",
            "L’intervalle doit valoir au moins 1 (vous avez écrit 0).",
        ),
        (
            '/calendar add News #news "mardi 9h" repeat:FREQ=YEARLY;BYMONTH=13',
            "en",
            "BYMONTH must be between 1 and 12, not 13.",
        ),
        (
            '/calendar add News #news "mardi 9h" repeat:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
            "fr",
            "Cette répétition n’a lieu à aucune date dans les 5 ans",
        ),
        ('/calendar edit 1 due:"demain 26h"', "en", "has an impossible time, 26h"),
        # The clocks skip 02:00-03:00 that night in Paris: refused, not moved to 03:30 without a word.
        (
            '/calendar add News #news "2027-03-28 02:30"',
            "en",
            "2:30 does not exist on Sunday 28 March 2027 in Europe/Paris, because the clocks go forward",
        ),
        (
            '/calendar add News #news "28/03/2027 2h30"',
            "fr",
            "2 h 30 n’existe pas le dimanche 28 mars 2027 dans le fuseau Europe/Paris, car on avance l’heure",
        ),
    ],
)
async def test_a_moderator_sees_why_privately_and_nothing_is_planned(
    h: Harness, line: str, locale: str, message: str
) -> None:
    if line.startswith("/calendar edit"):
        await mod(h, '/calendar add Old #news "mardi 9h"')
    before = await entries(h)
    reply = await mod(h, line, locale=locale)
    assert reply.ephemeral and reply.text.startswith("⚠️")
    assert message in reply.text, reply.text
    if "repeat" not in line:  # a date error shows the accepted forms, in the reader's language
        examples = (
            "`mardi 9h`, `demain 18h`, `1 décembre 10h`, `2026-12-01 10:00`"
            if locale == "fr"
            else "`mardi 9h`, `demain 18:00`, `next tuesday 9am`, `2026-12-01 10:00`"
        )
        assert examples in reply.text
    assert await entries(h) == before


_WORDS = st.sampled_from(
    [
        "demain",
        "tomorrow",
        "mardi",
        "next",
        "tuesday",
        "à",
        "at",
        "le",
        "in",
        "dans",
        "jours",
        "days",
        "décembre",
        "december",
        "1er",
        "pm",
        "am",
        "midi",
        "noon",
        "h",
        ":",
        "/",
        ".",
        "-",
        "prochain",
        "2026",
        "T",
    ]
)
_NUMBER = st.integers(0, 10**12).map(str)
_PIECE = st.one_of(
    _WORDS,
    _NUMBER,
    st.builds(lambda a, b: f"{a}:{b}", _NUMBER, _NUMBER),
    st.builds(lambda a, b: f"{a}h{b}", _NUMBER, st.sampled_from(["", "00", "30", "75"])),
    st.builds(lambda a, b, c: f"{a}/{b}/{c}", _NUMBER, _NUMBER, _NUMBER),
    st.builds(lambda a, b, c: f"{a}-{b}-{c}", _NUMBER, _NUMBER, _NUMBER),
    st.text(max_size=6),
)
_CLOCK = re.compile(r"(?<![\w:])(\d{1,2}):(\d{2})(?![\d:])")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECE, min_size=1, max_size=5))
def test_fuzzed_date_texts_give_a_moment_as_typed_or_a_translated_refusal(pieces: list[str]) -> None:
    text = " ".join(pieces)
    began = time.monotonic()
    try:
        moment = parse_due(text, NOW, PARIS)
    except DueError as error:
        assert TRANSLATOR.has("fr", error.message.msgid), error.message.msgid
        assert TRANSLATOR.render(error.message, "fr")
    else:
        if moment is not None:
            assert moment.tzinfo is not None and moment - NOW <= MAX_AHEAD
            clocks = {(int(a), int(b)) for a, b in _CLOCK.findall(text.lower())}
            if len(clocks) == 1 and "am" not in text.lower() and "pm" not in text.lower():
                local = moment.astimezone(ZoneInfo(PARIS))
                shifted = local - timedelta(hours=1)  # a time in the March gap moves forward an hour
                assert (local.hour, local.minute) in clocks or (shifted.hour, shifted.minute) in clocks, text
    assert time.monotonic() - began < 10  # a generous freeze guard, not a timing assertion


async def test_a_rule_whose_first_date_is_after_the_start_and_the_horizon_is_planned(h: Harness) -> None:
    # 1 March 2027 is past the 56-day horizon and not a last Friday: the first date is 26 March.
    reply = await mod(h, '/calendar add News #news "2027-03-01 10:00" repeat:FREQ=MONTHLY;BYDAY=-1FR')
    assert "for Friday 26 March 2027, 10:00 (Europe/Paris)" in reply.text, reply.text
    assert [row["due_at"] for row in await entries(h)] == ["2027-03-26T09:00:00.000000Z"]
