"""Repetition rules under hostile input: each wrong part is refused with a precise, translated message,
rules that never happen are refused, and every expansion is bounded (also fuzzed with hypothesis)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Msg, Translator
from bot.when.recurrence import MAX_OCCURRENCES, RuleError, check_rule, occurrences, parse_rule

START = datetime(2026, 11, 17, 9, 0)  # a Tuesday, naive local (Paris)
AFTER = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
PARIS = "Europe/Paris"
TRANSLATOR = Translator.load([Path("bot/locales"), Path("plugins/calendar/locales")])


def _en(msg: Msg) -> str:
    return TRANSLATOR.render(msg, "en")


def _refusal(text: str) -> RuleError:
    with pytest.raises(RuleError) as caught:
        check_rule(text, START)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("RRULE:FREQ=DAILY;INTERVAL=0", "The interval must be at least 1, not 0.", "FREQ=WEEKLY;INTERVAL=2"),
        ("FREQ=DAILY;INTERVAL=-3", "The interval must be at least 1, not -3.", "INTERVAL=2"),
        ("FREQ=WEEKLY;INTERVAL=" + "9" * 60, "The interval must be at most 1,000, not 9999999999", "INTERVAL=2"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH must be between 1 and 12, not 13.", "FREQ=YEARLY;BYMONTH=12"),
        ("FREQ=YEARLY;BYMONTH=0", "BYMONTH must be between 1 and 12, not 0.", "BYMONTH=12"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=0",
            "BYMONTHDAY must be between 1 and 31, or between -31 and -1 to count from the end; not 0.",
            "BYMONTHDAY=-1",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be between 1 and 31", "BYMONTHDAY=-1"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY must be between 1 and 366", "BYYEARDAY=100"),
        ("FREQ=YEARLY;BYWEEKNO=54;BYDAY=MO", "BYWEEKNO must be between 1 and 53", "BYWEEKNO=1"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=400", "BYSETPOS must be between 1 and 366", "BYSETPOS=-1"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR must be between 0 and 23, not 24.", "BYHOUR=9"),
        ("FREQ=DAILY;BYMINUTE=60", "BYMINUTE must be between 0 and 59, not 60.", "BYMINUTE=30"),
        ("FREQ=DAILY;BYHOUR=9,18", "BYHOUR takes one value: a slot has one time of day.", "BYHOUR=9"),
        ("FREQ=MONTHLY;BYDAY=6MO", "The position in 6MO must be between 1 and 5", "BYDAY=-1FR"),
        ("FREQ=WEEKLY;BYDAY=2TU", "A position such as 2TU only goes with FREQ=MONTHLY or FREQ=YEARLY", "BYDAY=1MO"),
        ("FREQ=WEEKLY;BYDAY=XX", "“XX” is not a weekday", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("FREQ=WEEKLY;BYWEEKNO=3", "BYWEEKNO only goes with FREQ=YEARLY.", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("FREQ=WEEKLY;FOO=1", "“FOO” is not a part of a repetition I know.", "Known parts: FREQ, INTERVAL"),
        ("FREQ=WEEKLY;BYEASTER=0", "“BYEASTER” is not a part of a repetition I know.", "Known parts"),
        ("FREQ=WEEKLY;FREQ=DAILY", "FREQ is given twice.", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("FREQ=HOURLY", "FREQ=HOURLY repeats more often than daily", "FREQ=DAILY"),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a frequency: use DAILY, WEEKLY, MONTHLY or YEARLY.", "BYDAY=TU"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be between 1 and 10,000, not 0.", "COUNT=10"),
        ("FREQ=DAILY;COUNT=5;UNTIL=20270101", "COUNT and UNTIL cannot both be given.", "Keep one of them."),
        ("FREQ=DAILY;UNTIL=20270230", "UNTIL=20270230 is not a real date", "UNTIL=20271231"),
        ("FREQ=DAILY;UNTIL=20260101", "UNTIL=20260101 is before the first date", "UNTIL=20271231"),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "This repetition never happens within 5 years of its first date.",
            "30 February",
        ),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "never happens within 5 years", "Check that the days it asks for exist"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5;BYMONTH=2;BYMONTHDAY=1,2,3,4", "never happens", "days it asks for exist"),
        ("FREQ=DAILY;INTERVAL=١٢", "INTERVAL must be a whole number", "For example"),  # Arabic-Indic digits
        ("FREQ=DAILY;COUNT=１０", "COUNT must be a whole number", "For example"),  # full-width digits
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another BY part to pick from.", "BYSETPOS=-1"),
        ("sometimes", "“sometimes” is not a repetition I understand.", "daily, weekly, biweekly, monthly"),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 30, "The repetition is too long", "FREQ=WEEKLY;BYDAY=TU,TH"),
    ],
)
def test_each_wrong_part_is_refused_with_its_range_and_an_example(text: str, message: str, hint: str) -> None:
    error = _refusal(text)
    assert message in _en(error.message)
    assert hint in _en(error.hint)


def test_the_issue_examples_are_refused_in_french_too() -> None:
    assert TRANSLATOR.render(_refusal("RRULE:FREQ=DAILY;INTERVAL=0").message, "fr") == (
        "L’intervalle doit valoir au moins 1 (vous avez écrit 0)."
    )
    assert TRANSLATOR.render(_refusal("FREQ=YEARLY;BYMONTH=13").message, "fr") == (
        "BYMONTH doit être compris entre 1 et 12 (vous avez écrit 13)."
    )
    assert "n’a lieu à aucune date" in TRANSLATOR.render(_refusal("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").message, "fr")


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("weekly", "FREQ=WEEKLY"),
        ("hebdo", "FREQ=WEEKLY"),
        ("rrule:freq=monthly;byday=-1fr", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),  # 2028 is within 5 years
        ("FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH"),
        ("FREQ=DAILY;BYHOUR=9;BYMINUTE=30", "FREQ=DAILY;BYHOUR=9;BYMINUTE=30"),
        ("FREQ=WEEKLY;INTERVAL=1000", "FREQ=WEEKLY;INTERVAL=1000"),
        ("FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=TU,SU", "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=TU,SU"),
        ("FREQ=DAILY;COUNT=10000", "FREQ=DAILY;COUNT=10000"),
    ],
)
def test_valid_rules_are_kept_in_their_canonical_form(text: str, body: str) -> None:
    assert check_rule(text, START).body == body


def test_expanding_a_rule_that_never_happens_ends_quickly_and_empty() -> None:
    # dateutil alone scans every day up to the year 9999 for this rule (seconds of CPU).
    rule = parse_rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    began = time.monotonic()
    found = occurrences(rule.body, START, PARIS, after=AFTER, until=AFTER + timedelta(days=366 * 50), limit=10)
    assert found == []
    assert time.monotonic() - began < 5  # a generous freeze guard: it takes milliseconds


def test_expansion_is_bounded_in_count_whatever_the_limit_asked() -> None:
    found = occurrences("FREQ=DAILY", START, PARIS, after=AFTER, until=AFTER + timedelta(days=366 * 90), limit=10**9)
    assert len(found) == MAX_OCCURRENCES


@pytest.mark.parametrize(
    "body",
    [
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,SU;WKST=SU",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    ],
)
def test_the_400_year_shift_gives_exactly_dateutils_dates(body: str) -> None:
    # Occurrences are computed 400·k years later on the same calendar; they match a direct reading.
    end = datetime(2086, 1, 1)
    direct = [moment for moment in rrulestr(body, dtstart=START)[:40] if moment < end]
    found = occurrences(body, START, PARIS, after=AFTER, until=end.replace(tzinfo=UTC), limit=40)
    assert [moment.astimezone(ZoneInfo(PARIS)).replace(tzinfo=None) for moment in found] == direct


_NUMBERS = st.one_of(st.integers(-400, 400), st.integers(-(10**30), 10**30), st.sampled_from([0, -1, 1, 53, 366]))
_DAYS = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX", "mo"])
_PART = st.one_of(
    st.builds(lambda f: f"FREQ={f}", st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "NOPE"])),
    st.builds(lambda n: f"INTERVAL={n}", _NUMBERS),
    st.builds(lambda n: f"COUNT={n}", _NUMBERS),
    st.builds(
        lambda d: f"UNTIL={d}",
        st.sampled_from(["20270101", "20261340", "20250101T000000Z", "99991231", "2027", "20270101T250000"]),
    ),
    st.builds(
        lambda name, values: f"{name}={','.join(map(str, values))}",
        st.sampled_from(
            ["BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND", "BYFOO"]
        ),
        st.lists(_NUMBERS, min_size=1, max_size=3),
    ),
    st.builds(
        lambda days, n: f"BYDAY={','.join((str(n) if n else '') + d for d in days)}",
        st.lists(_DAYS, min_size=1, max_size=3),
        st.one_of(st.none(), _NUMBERS),
    ),
    st.builds(lambda d: f"WKST={d}", _DAYS),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PART, min_size=1, max_size=6), st.booleans())
def test_fuzzed_rules_are_refused_in_words_or_expand_within_bounds(parts: list[str], prefix: bool) -> None:
    text = ("RRULE:" if prefix else "") + ";".join(parts)
    began = time.monotonic()
    try:
        rule = check_rule(text, START)
    except RuleError as error:
        assert TRANSLATOR.has("fr", error.message.msgid), error.message.msgid
        assert error.hint is None or TRANSLATOR.has("fr", error.hint.msgid)
        assert TRANSLATOR.render(error.message, "fr")
    else:
        found = occurrences(rule.body, START, PARIS, after=AFTER, until=AFTER + timedelta(days=366 * 5), limit=50)
        assert found, text  # checked: a date within 5 years of the start
        assert len(found) <= 50 and found == sorted(set(found))
        assert all(AFTER < moment <= AFTER + timedelta(days=366 * 5) for moment in found)
        assert parse_rule(rule.body).body == rule.body  # the stored form reads back the same
    assert time.monotonic() - began < 10  # a generous freeze guard, not a timing assertion


@pytest.mark.parametrize("start", [datetime(1, 1, 1), datetime(9950, 1, 1, 9), datetime(9999, 12, 30, 9)])
def test_a_stored_start_at_the_ends_of_the_calendar_expands_to_nothing_without_crashing(start: datetime) -> None:
    rule = check_rule("FREQ=DAILY", start)
    assert occurrences(rule.body, start, PARIS, after=AFTER, until=AFTER + timedelta(days=60), limit=10) == []
