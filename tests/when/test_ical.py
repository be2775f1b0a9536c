"""`bot.when.ical` read back by independent parsers: icalendar for the fields, and
recurring-ical-events for which dates a calendar app shows (TZID, VTIMEZONE, RRULE with UNTIL
in UTC, EXDATE)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from bot.when.ical import SLOT_LENGTH, IcsEvent, build_ics, rrule_for_export

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def parse(*events: IcsEvent) -> Calendar:
    return Calendar.from_ical(build_ics(events, "test"))


def shown(calendar: Calendar, start: datetime, end: datetime) -> list[datetime]:
    """The starts a calendar app shows between two moments, in UTC."""
    return sorted(e.decoded("DTSTART").astimezone(UTC) for e in recurring_ical_events.of(calendar).between(start, end))


def test_a_utc_entry_keeps_the_old_shape_with_a_sequence() -> None:
    start = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    calendar = parse(IcsEvent("calendar-1@x", "Revue", start, "#news", STAMP))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + SLOT_LENGTH
    assert "TZID" not in event["DTSTART"].params
    assert int(event["SEQUENCE"]) == 0
    assert calendar.walk("VTIMEZONE") == []
    for absent in ("RRULE", "EXDATE", "LOCATION", "URL", "STATUS", "CATEGORIES"):
        assert absent not in event


def test_every_field_an_event_carries() -> None:
    start = datetime(2026, 12, 8, 19, 0, tzinfo=PARIS)
    item = IcsEvent(
        "event-7@discord.1.affinity-bot",
        "Apéro",
        start,
        "Groupe Lille",
        STAMP,
        end=start + timedelta(hours=2),
        sequence=3,
        location="12 rue Nationale, Lille",
        url="https://example.org/apero",
        status="CONFIRMED",
        categories=("Lille", "apéro"),
    )
    (event,) = parse(item).walk("VEVENT")
    assert str(event["UID"]) == "event-7@discord.1.affinity-bot"
    assert int(event["SEQUENCE"]) == 3
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") == datetime(2026, 12, 8, 21, 0, tzinfo=PARIS)
    assert str(event["LOCATION"]) == "12 rue Nationale, Lille"
    assert str(event["URL"]) == "https://example.org/apero"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Lille", "apéro"]


def test_a_zoned_start_brings_its_vtimezone() -> None:
    start = datetime(2026, 12, 8, 19, 0, tzinfo=PARIS)
    text = build_ics([IcsEvent("e@x", "Apéro", start, "", STAMP)], "test").decode()
    calendar = Calendar.from_ical(text)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert "DTSTART;TZID=Europe/Paris:20261208T190000" in text
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def test_a_weekly_rule_stays_at_19h_across_the_spring_change() -> None:
    start = datetime(2027, 3, 9, 19, 0, tzinfo=PARIS)  # Tuesdays; clocks go forward on 28 March
    calendar = parse(IcsEvent("e@x", "Apéro", start, "", STAMP, rule="FREQ=WEEKLY;COUNT=5"))
    starts = shown(calendar, datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    assert [s.astimezone(PARIS).hour for s in starts] == [19] * 5
    assert [s.hour for s in starts] == [18, 18, 18, 17, 17]


def test_until_is_written_in_utc_and_includes_the_last_evening() -> None:
    # 19:00 Paris on 30 March is 17:00 UTC: a local UNTIL of 19:00 must not become 19:00 UTC
    # (that would add nothing here) nor lose the last date.
    start = datetime(2027, 3, 2, 19, 0, tzinfo=PARIS)
    for body in (
        "FREQ=WEEKLY;UNTIL=20270330T190000",
        "FREQ=WEEKLY;UNTIL=20270330",
        "FREQ=WEEKLY;UNTIL=20270330T170000Z",
    ):
        calendar = parse(IcsEvent("e@x", "Apéro", start, "", STAMP, rule=body))
        (event,) = calendar.walk("VEVENT")
        assert re.search(r"UNTIL=20270330T[0-9]{6}Z", event["RRULE"].to_ical().decode())
        starts = shown(calendar, datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
        assert starts[-1] == datetime(2027, 3, 30, 17, 0, tzinfo=UTC), body
        assert len(starts) == 5, body


def test_a_local_until_before_the_evening_ends_the_day_before() -> None:
    # 18:30 Paris is 16:30 UTC, before that Tuesday's 19:00 (17:00 UTC): written as 18:30 UTC it
    # would wrongly add 30 March.
    start = datetime(2027, 3, 2, 19, 0, tzinfo=PARIS)
    calendar = parse(IcsEvent("e@x", "Apéro", start, "", STAMP, rule="FREQ=WEEKLY;UNTIL=20270330T183000"))
    starts = shown(calendar, datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    assert starts[-1] == datetime(2027, 3, 23, 18, 0, tzinfo=UTC)


def test_rrule_for_export_converts_only_local_until() -> None:
    assert rrule_for_export("FREQ=WEEKLY;UNTIL=20270330T190000", PARIS) == "FREQ=WEEKLY;UNTIL=20270330T170000Z"
    assert rrule_for_export("FREQ=WEEKLY;UNTIL=20270330", PARIS) == "FREQ=WEEKLY;UNTIL=20270330T215959Z"
    assert rrule_for_export("FREQ=WEEKLY;UNTIL=20270330", UTC) == "FREQ=WEEKLY;UNTIL=20270330T235959Z"
    assert rrule_for_export("FREQ=WEEKLY;UNTIL=20270330", None) == "FREQ=WEEKLY;UNTIL=20270330T235959"
    assert rrule_for_export("RRULE:FREQ=WEEKLY;UNTIL=20270330T170000Z", PARIS) == "FREQ=WEEKLY;UNTIL=20270330T170000Z"
    assert rrule_for_export("FREQ=MONTHLY;BYDAY=1TU;COUNT=3", PARIS) == "FREQ=MONTHLY;BYDAY=1TU;COUNT=3"


def test_cancelled_dates_are_left_out_by_a_calendar_app() -> None:
    start = datetime(2027, 3, 2, 19, 0, tzinfo=PARIS)
    cancelled = datetime(2027, 4, 6, 17, 0, tzinfo=UTC)  # 19:00 Paris, given in UTC
    calendar = parse(
        IcsEvent("e@x", "Apéro", start, "", STAMP, rule="FREQ=MONTHLY;BYDAY=1TU;COUNT=3", exdates=(cancelled,))
    )
    (event,) = calendar.walk("VEVENT")
    exdate = event["EXDATE"]
    assert exdate.params["TZID"] == "Europe/Paris"
    starts = shown(calendar, datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    assert starts == [datetime(2027, 3, 2, 18, 0, tzinfo=UTC), datetime(2027, 5, 4, 17, 0, tzinfo=UTC)]


def test_a_cancelled_event_says_so() -> None:
    start = datetime(2027, 3, 2, 19, 0, tzinfo=PARIS)
    (event,) = parse(IcsEvent("e@x", "Apéro", start, "", STAMP, sequence=2, status="CANCELLED")).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2


def test_several_zones_each_get_one_vtimezone() -> None:
    events = [
        IcsEvent("a@x", "A", datetime(2027, 1, 5, 19, 0, tzinfo=PARIS), "", STAMP),
        IcsEvent("b@x", "B", datetime(2027, 1, 6, 19, 0, tzinfo=PARIS), "", STAMP),
        IcsEvent("c@x", "C", datetime(2027, 1, 7, 19, 0, tzinfo=ZoneInfo("America/Montreal")), "", STAMP),
        IcsEvent("d@x", "D", datetime(2027, 1, 8, 19, 0, tzinfo=ZoneInfo("UTC")), "", STAMP),
    ]
    calendar = Calendar.from_ical(build_ics(events, "test"))
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == ["America/Montreal", "Europe/Paris"]
    starts = shown(calendar, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    assert starts == [
        datetime(2027, 1, 5, 18, 0, tzinfo=UTC),
        datetime(2027, 1, 6, 18, 0, tzinfo=UTC),
        datetime(2027, 1, 8, 0, 0, tzinfo=UTC),
        datetime(2027, 1, 8, 19, 0, tzinfo=UTC),
    ]


def test_one_date_changed_on_its_own_replaces_the_rules_date() -> None:
    start = datetime(2027, 3, 2, 19, 0, tzinfo=PARIS)
    moved = IcsEvent(
        "e@x",
        "Apéro (au parc)",
        datetime(2027, 3, 17, 18, 0, tzinfo=UTC),  # Wednesday 19:00 instead of Tuesday
        "",
        STAMP,
        sequence=1,
        recurrence_id=datetime(2027, 3, 16, 18, 0, tzinfo=UTC),
    )
    master = IcsEvent("e@x", "Apéro", start, "", STAMP, sequence=1, rule="FREQ=WEEKLY;COUNT=4")
    calendar = parse(master, moved)
    occurrences = recurring_ical_events.of(calendar).between(
        datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )
    seen = sorted((e.decoded("DTSTART").astimezone(PARIS), str(e["SUMMARY"])) for e in occurrences)
    assert seen == [
        (datetime(2027, 3, 2, 19, 0, tzinfo=PARIS), "Apéro"),
        (datetime(2027, 3, 9, 19, 0, tzinfo=PARIS), "Apéro"),
        (datetime(2027, 3, 17, 19, 0, tzinfo=PARIS), "Apéro (au parc)"),
        (datetime(2027, 3, 23, 19, 0, tzinfo=PARIS), "Apéro"),
    ]
