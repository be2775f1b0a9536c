"""Pure digest logic, table-driven: periods and send moments, figures and changes, shares, CSV, chart."""

from __future__ import annotations

import csv
import io
import struct
import zlib
from datetime import UTC, date, datetime, time

import pytest

from plugins.digest.chart import HEIGHT_PX, WIDTH_PX, ChartText, render_trend
from plugins.digest.export import BASE_COLUMNS, Row, csv_bytes
from plugins.digest.figures import Counts, Ranked, figures_of, ratio, shares
from plugins.digest.periods import (
    Period,
    Schedule,
    last_periods,
    latest_due,
    parse_time,
    period_containing,
    send_moment,
)
from plugins.digest.render import stored_value

WEEK = Schedule()
PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("day", "schedule", "expected"),
    [
        (date(2026, 11, 16), WEEK, (date(2026, 11, 16), date(2026, 11, 23))),  # a Monday starts its week
        (date(2026, 11, 22), WEEK, (date(2026, 11, 16), date(2026, 11, 23))),  # Sunday ends it
        (date(2026, 11, 22), Schedule(day="wed"), (date(2026, 11, 18), date(2026, 11, 25))),
        (date(2026, 11, 30), Schedule(kind="month"), (date(2026, 11, 1), date(2026, 12, 1))),
        (date(2026, 12, 31), Schedule(kind="month"), (date(2026, 12, 1), date(2027, 1, 1))),
    ],
)
def test_period_containing(day: date, schedule: Schedule, expected: tuple[date, date]) -> None:
    period = period_containing(day, schedule)
    assert (period.start, period.end) == expected


def test_previous_and_following_periods_chain() -> None:
    march = Period("month", date(2026, 3, 1), date(2026, 4, 1))
    assert march.previous() == Period("month", date(2026, 2, 1), date(2026, 3, 1))
    assert march.following() == Period("month", date(2026, 4, 1), date(2026, 5, 1))
    week = period_containing(date(2026, 11, 18), WEEK)
    assert week.previous().following() == week
    assert [p.start for p in last_periods(week, 3)] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]


@pytest.mark.parametrize(
    ("now", "expected_start"),
    [
        # Monday 08:59 in Paris (07:59 UTC): last week's digest is not due yet, the one before is.
        (datetime(2026, 11, 23, 7, 59, tzinfo=UTC), date(2026, 11, 9)),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), date(2026, 11, 16)),  # 09:00 in Paris
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), date(2026, 11, 16)),
    ],
)
def test_latest_due_uses_the_local_send_time(now: datetime, expected_start: date) -> None:
    assert latest_due(now, WEEK, PARIS).start == expected_start


def test_send_moment_and_bounds_follow_daylight_saving() -> None:
    # The week of the autumn change (Sunday 25 October 2026 in Paris) is 7 days and one hour long.
    week = period_containing(date(2026, 10, 21), Schedule(day="mon"))
    start, end = week.bounds(PARIS)
    assert start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert send_moment(week, WEEK, PARIS) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "expected"), [("09:00", time(9)), ("9:05", time(9, 5)), ("18h30", time(18, 30))])
def test_parse_time_accepts(raw: str, expected: time) -> None:
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["", "24:00", "9", "09:60", "٠٩:٠٠", "nine", "09:00:00", "x" * 500])
def test_parse_time_refuses(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_time(raw)


def test_figures_never_divide_by_zero_and_a_period_without_data_is_none() -> None:
    quiet = figures_of(Counts())
    assert quiet["reactions_per_message"] is None and quiet["messages"] == 0
    assert Counts().quiet and not Counts(reactions=1).quiet
    busy = figures_of(Counts(messages=8, replies=10, reactions=6))
    assert busy["reactions_per_message"] == 0.75
    assert "reply_share" not in busy and "new_members" not in busy  # owned by the quality and members sections
    assert set(figures_of(None).values()) == {None}  # no data is None, never zero
    assert ratio(1, 3) == 0.33


def test_shares_add_up_to_100() -> None:
    assert shares([Ranked("fr", 1), Ranked("en", 1), Ranked("de", 1)]) == [("fr", 34), ("en", 33), ("de", 33)]
    assert shares([]) == []


def test_csv_parses_back_with_a_bom_stable_columns_and_section_columns() -> None:
    week = Period("week", date(2026, 11, 16), date(2026, 11, 23))
    rows = [
        Row(week.previous(), figures_of(Counts(messages=4, replies=1)), {}),
        Row(week, figures_of(Counts(messages=0)), {"questions": {"asked": 3, "median_hours": 1.5}}),
    ]
    data = csv_bytes(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == [*BASE_COLUMNS, "questions.asked", "questions.median_hours"]
    assert parsed[1][:2] == ["2026-11-09", "2026-11-15"]
    first = dict(zip(parsed[0], parsed[1], strict=True))
    assert first["reach.messages"] == "4" and first["engagement.replies"] == "1"
    assert first["questions.asked"] == ""
    second = dict(zip(parsed[0], parsed[2], strict=True))
    assert second["engagement.reactions_per_message"] == "" and second["questions.median_hours"] == "1.5"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature and the chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(data[12:29])
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_is_a_png_of_the_expected_size_even_with_no_activity() -> None:
    words = ChartText("Activity", "Period starting on", "Active members", "Messages")
    assert png_size(render_trend([f"{d} Nov" for d in range(12)], list(range(12)), [3] * 12, words)) == (
        WIDTH_PX,
        HEIGHT_PX,
    )
    assert png_size(render_trend(["a"] * 12, [0] * 12, [0] * 12, words)) == (WIDTH_PX, HEIGHT_PX)


def test_stored_values_are_read_from_this_format_and_the_one_before() -> None:
    current = {"sections": {"reach": {"messages": {"value": 51, "previous": 42, "kind": "count"}}}}
    assert stored_value(current, "reach", "messages") == 51
    assert stored_value(current, "reach", "active_members") is None
    assert stored_value({"sections": {"reach": {"messages": {"value": None}}}}, "reach", "messages") is None
    legacy = {"figures": {"messages": 7, "active_members": 3}, "sections": {"answers": {"asked": 4}}}
    assert stored_value(legacy, "reach", "messages") == 7  # digests stored before the typed sections
    assert stored_value({}, "reach", "messages") is None
