"""UNTIL as RFC 5545 reads it, so the bot's agenda and a calendar app end on the same date: `…Z`
is a UTC moment, a date alone includes its day, a local UNTIL is the series' wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.when.recurrence import RuleError, check_rule, normalise_rule, occurrences
from bot.when.rule_words import describe

PARIS = "Europe/Paris"


def dates(rule: str, start_local: datetime, tz: str = PARIS) -> list[datetime]:
    after = datetime(2000, 1, 1, tzinfo=UTC)
    return occurrences(rule, start_local, tz, after=after, until=after + timedelta(days=366 * 40), limit=100)


def test_a_utc_until_is_a_moment_not_a_wall_time() -> None:
    tuesday = datetime(2027, 3, 16, 19, 0)  # 19:00 Paris; summer time from 28 March: 17:00 UTC
    last = datetime(2027, 4, 6, 17, 0, tzinfo=UTC)
    assert dates("FREQ=WEEKLY;UNTIL=20270406T170000Z", tuesday)[-1] == last
    assert dates("FREQ=WEEKLY;UNTIL=20270406T165959Z", tuesday)[-1] == last - timedelta(days=7)
    # Read on the wall clock (the old reading), 17:00 would have ended the series a week sooner.
    assert dates("FREQ=WEEKLY;UNTIL=20270406T170000", tuesday)[-1] == last - timedelta(days=7)


def test_a_date_alone_includes_its_day() -> None:
    tuesday = datetime(2027, 3, 2, 19, 0)
    found = dates("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270504", tuesday)
    assert found[-1] == datetime(2027, 5, 4, 17, 0, tzinfo=UTC)
    assert len(found) == 3


def test_the_stored_rule_keeps_the_z() -> None:
    assert normalise_rule("freq=weekly;until=20270406t170000z") == "FREQ=WEEKLY;UNTIL=20270406T170000Z"
    assert normalise_rule("FREQ=WEEKLY;UNTIL=20270406") == "FREQ=WEEKLY;UNTIL=20270406"


def test_the_hour_the_autumn_night_repeats() -> None:
    # Daily at 02:30: on 31 October 2027 that is 00:30 UTC (the first 02:30). An UNTIL at 01:15 UTC
    # is 02:15 on the second pass of the clock: later than the slot, which is kept.
    start = datetime(2027, 10, 29, 2, 30)
    found = dates("FREQ=DAILY;UNTIL=20271031T011500Z", start)
    assert found[-1] == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert dates("FREQ=DAILY;UNTIL=20271031T002959Z", start)[-1] == datetime(2027, 10, 30, 0, 30, tzinfo=UTC)


def test_check_rule_reads_a_utc_until_in_the_series_zone() -> None:
    start = datetime(2027, 3, 16, 19, 0)
    rule = "FREQ=WEEKLY;UNTIL=20270316T183000Z"  # 19:30 in Paris: the first date is in
    assert check_rule(rule, start, PARIS).until == datetime(2027, 3, 16, 18, 30, tzinfo=UTC)
    assert dates(rule, start) == [datetime(2027, 3, 16, 18, 0, tzinfo=UTC)]
    with pytest.raises(RuleError) as refused:
        check_rule("FREQ=WEEKLY;UNTIL=20270316T175959Z", start, PARIS)  # 18:59:59 in Paris
    assert "UNTIL=20270316 is before the first date" in refused.value.english()
    # A date alone on the first day is that day: one date.
    assert dates(check_rule("FREQ=DAILY;UNTIL=20270316", start, PARIS).body, start) == [
        datetime(2027, 3, 16, 18, 0, tzinfo=UTC)
    ]


def test_a_utc_until_is_shown_on_the_series_calendar() -> None:
    tuesday = datetime(2027, 3, 16, 19, 0)
    late = describe("FREQ=WEEKLY;UNTIL=20270406T223000Z", tuesday, PARIS)  # 7 April 00:30 in Paris
    assert late.msgid == "{rule}, until {date}"
    assert str(late.params["date"].moment.date()) == "2027-04-07"
    assert str(describe("FREQ=WEEKLY;UNTIL=20270406", tuesday, PARIS).params["date"].moment.date()) == "2027-04-06"
