"""Pure calendar modules: natural dates (fr/en), reminder offsets, recurrence across DST, CSV sheets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.when.dates import format_offsets, normalise, parse_due, parse_offsets
from bot.when.recurrence import normalise_rule, occurrences
from plugins.calendar.entries import agenda_period
from plugins.calendar.import_sheet import SheetError, read_sheet

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mardi 9h", datetime(2026, 11, 17, 8, 0, tzinfo=UTC)),
        ("Mardi 9H30", datetime(2026, 11, 17, 8, 30, tzinfo=UTC)),
        ("demain 18:00", datetime(2026, 11, 17, 17, 0, tzinfo=UTC)),
        ("demain 18h", datetime(2026, 11, 17, 17, 0, tzinfo=UTC)),
        ("jeudi à 18h30", datetime(2026, 11, 19, 17, 30, tzinfo=UTC)),
        ("vendredi prochain 14h", datetime(2026, 11, 20, 13, 0, tzinfo=UTC)),
        ("lundi 9h", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),  # today 9:00 is past: next Monday
        ("next tuesday 9am", datetime(2026, 11, 17, 8, 0, tzinfo=UTC)),
        ("tomorrow 6pm", datetime(2026, 11, 17, 17, 0, tzinfo=UTC)),
        ("2026-12-01 10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("1 décembre 10h", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2027-07-01 09:00", datetime(2027, 7, 1, 7, 0, tzinfo=UTC)),  # summer time: UTC+2
    ],
)
def test_natural_dates_in_french_and_english_are_read_in_the_community_zone(text: str, expected: datetime) -> None:
    assert parse_due(text, NOW, PARIS) == expected


def test_the_same_words_follow_the_zone() -> None:
    assert parse_due("demain 18:00", NOW, "America/Montreal") == datetime(2026, 11, 17, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "   ", "blah blah", "x" * 500, "🗓️"])
def test_unreadable_dates_give_none(text: str) -> None:
    assert parse_due(text, NOW, PARIS) is None


def test_durations_are_not_mistaken_for_hours() -> None:
    assert normalise("dans 2h") == "dans 2h"
    assert normalise("mardi 9h") == "mardi 9:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d,2h", (timedelta(days=1), timedelta(hours=2))),
        ("2h, 1j", (timedelta(days=1), timedelta(hours=2))),
        ("30min", (timedelta(minutes=30),)),
        ("1h30m", (timedelta(minutes=90),)),
        ("1w", (timedelta(days=7),)),
        ("none", ()),
        ("aucun", ()),
    ],
)
def test_reminder_offsets(text: str, expected: tuple[timedelta, ...]) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize("text", ["abc", "1x", "0h", "40d", "1h,,2h", "1m,2m,3m,4m,5m,6m", "-1h", "h"])
def test_bad_offsets_are_refused(text: str) -> None:
    assert parse_offsets(text) is None


def test_offsets_are_written_back_canonically() -> None:
    assert format_offsets((timedelta(days=1), timedelta(minutes=90))) == "1d,1h30m"
    assert format_offsets(()) == "none"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly", "FREQ=WEEKLY"),
        ("Biweekly", "FREQ=WEEKLY;INTERVAL=2"),
        ("mensuel", "FREQ=MONTHLY"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("freq=monthly;byday=1MO", "FREQ=MONTHLY;BYDAY=1MO"),
        ("FREQ=WEEKLY;UNTIL=20270101T000000Z", "FREQ=WEEKLY;UNTIL=20270101T000000Z"),
    ],
)
def test_repetitions(text: str, expected: str) -> None:
    assert normalise_rule(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "sometimes",
        "FREQ=HOURLY",
        "FREQ=MINUTELY",
        "FREQ=WEEKLY;BYDAY=XX",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
        "FREQ=" + "W" * 300,
        "",
    ],
)
def test_bad_repetitions_are_refused(text: str) -> None:
    assert normalise_rule(text) is None


def _local_hours(moments: list[datetime]) -> set[int]:
    return {m.astimezone(ZoneInfo(PARIS)).hour for m in moments}


def test_weekly_slot_stays_at_nine_across_the_march_change() -> None:
    start = datetime(2027, 3, 16, 9, 0)  # Tuesday; clocks go forward on Sunday 28 March 2027
    slots = occurrences(
        "FREQ=WEEKLY",
        start,
        PARIS,
        after=datetime(2027, 3, 1, tzinfo=UTC),
        until=datetime(2027, 4, 10, tzinfo=UTC),
        limit=10,
    )
    assert [s.hour for s in slots] == [8, 8, 7, 7]  # UTC: +1 before, +2 after
    assert _local_hours(slots) == {9}


def test_weekly_slot_stays_at_nine_across_the_october_change() -> None:
    start = datetime(2027, 10, 19, 9, 0)  # clocks go back on Sunday 31 October 2027
    slots = occurrences(
        "FREQ=WEEKLY",
        start,
        PARIS,
        after=datetime(2027, 10, 1, tzinfo=UTC),
        until=datetime(2027, 11, 10, tzinfo=UTC),
        limit=10,
    )
    assert [s.hour for s in slots] == [7, 7, 8, 8]
    assert _local_hours(slots) == {9}


def test_occurrences_respect_after_until_and_limit() -> None:
    start = datetime(2026, 11, 17, 9, 0)
    after = datetime(2026, 11, 20, tzinfo=UTC)
    slots = occurrences("FREQ=DAILY", start, PARIS, after=after, until=after + timedelta(days=30), limit=5)
    assert len(slots) == 5 and slots[0] == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    one = occurrences(None, start, PARIS, after=NOW, until=NOW + timedelta(days=3), limit=5)
    assert one == [datetime(2026, 11, 17, 8, 0, tzinfo=UTC)]
    assert occurrences("FREQ=DAILY;COUNT=2", start, PARIS, after=after, until=after + timedelta(days=9), limit=9) == []


def test_sheet_reads_commas_semicolons_and_a_bom() -> None:
    rows = read_sheet("\ufefftitle;channel;due;owner;repeat\nNews;#news;mardi 9h;@alice;weekly\n\n".encode())
    assert [(r.number, r.title, r.channel, r.repeat) for r in rows] == [(2, "News", "#news", "weekly")]
    rows = read_sheet(b'title,channel,due,owner,repeat\n"A, b",news,2026-12-01 10:00,,\nC,news,demain,bob,x,extra\n')
    assert rows[0].title == "A, b" and rows[0].owner == ""
    assert rows[1].number == 3 and rows[1].extra_cells == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"titre,canal,date\nA,b,c\n", "header"),
        ("title,channel,due,owner,repeat\nÉté,news,demain,,\n".encode("latin-1"), "encoding"),
        (b"", "empty"),
        (b"title,channel,due,owner,repeat\n", "empty"),
        (b"title,channel,due,owner,repeat\n" + b"a,b,c,d,e\n" * 501, "too_big"),
    ],
)
def test_sheet_errors(content: bytes, reason: str) -> None:
    with pytest.raises(SheetError) as caught:
        read_sheet(content)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("now", "range_", "start", "end"),
    [
        # Sunday 23:30 UTC is already Monday 00:30 in Paris: the week starts that Monday.
        (
            datetime(2026, 11, 15, 23, 30, tzinfo=UTC),
            "week",
            datetime(2026, 11, 15, 23, 0, tzinfo=UTC),
            datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
        ),
        # Sunday 22 November: from Monday 16 until 7 days after today.
        (
            datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
            "week",
            datetime(2026, 11, 15, 23, 0, tzinfo=UTC),
            datetime(2026, 11, 28, 23, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
            "month",
            datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
            datetime(2026, 12, 22, 23, 0, tzinfo=UTC),
        ),
        (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), "all", datetime(2026, 10, 22, 22, 0, tzinfo=UTC), None),
        # Across the March change: local midnights stay midnights.
        (
            datetime(2027, 3, 30, 12, 0, tzinfo=UTC),
            "month",
            datetime(2027, 2, 28, 23, 0, tzinfo=UTC),
            datetime(2027, 4, 29, 22, 0, tzinfo=UTC),
        ),
    ],
)
def test_agenda_periods_start_on_monday_the_first_or_thirty_days_ago(
    now: datetime, range_: str, start: datetime, end: datetime | None
) -> None:
    assert agenda_period(range_, now, PARIS) == (start, end)
