"""`/event ics` through the real app, each file read back by independent parsers (icalendar for the fields,
recurring-ical-events for the dates a calendar app shows): a repeating event's dates are the bot's own,
its last one under UNTIL included and a cancelled one absent; the UID stays and SEQUENCE grows on each
edit; a cancelled event reads cancelled; a member's own file lists exactly the dates they said going to,
upcoming and from the last 30 days; member text cannot add a line to a file, nor a path to its name."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

from bot.formatting import LocalReply
from bot.when.recurrence import occurrences
from plugins.events import files
from tests.events.cal_helpers import (
    PARIS,
    add_event,
    answer,
    cancel_date,
    cancel_event,
    dates_of,
    edit_event,
    events_app,
    make_group,
)
from tests.harness import Harness

MONTHLY = "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270406T190000"  # the first Tuesday, until 6 April 2027 19:00 Paris
FAR = datetime(2030, 1, 1, tzinfo=UTC)
SAFE_NAME = re.compile(r"[a-z0-9-]+\.ics")


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with events_app(tmp_path) as harness:
        yield harness


def calendar_of(reply: LocalReply) -> Calendar:
    (attachment,) = reply.attachments
    assert attachment.mime_type == "text/calendar"
    assert SAFE_NAME.fullmatch(attachment.filename), attachment.filename
    return Calendar.from_ical(attachment.content)


def shown(
    calendar: Calendar, start: datetime = datetime(2020, 1, 1, tzinfo=UTC), end: datetime = FAR
) -> list[datetime]:
    """The starts a calendar app shows, in UTC, cancelled components left out."""
    return sorted(
        e.decoded("DTSTART").astimezone(UTC)
        for e in recurring_ical_events.of(calendar).between(start, end)
        if str(e.get("STATUS", "CONFIRMED")) != "CANCELLED"
    )


def bots_dates(rule: str | None, start_local: datetime) -> list[datetime]:
    """The dates the bot itself expands for an event (bot.when.recurrence)."""
    first = start_local.replace(tzinfo=ZoneInfo(PARIS)).astimezone(UTC)
    return occurrences(rule, start_local, PARIS, after=first - timedelta(days=60), until=FAR, limit=1000)


async def test_a_repeating_event_is_one_vevent_whose_dates_are_the_bots(h: Harness) -> None:
    group = await make_group(h)
    start = datetime(2026, 12, 1, 19, 0)
    event = await add_event(
        h,
        group,
        "Apéro Rust",
        start,
        rule=MONTHLY,
        capacity=20,
        link="https://meet.example.org/rust",
        description="On parle de Rust.\nVenez nombreux.",
    )
    reply = await h.command("bob", f"/event ics {event}")
    assert reply.ephemeral and "Apéro Rust" in reply.text
    assert reply.attachments[0].filename == f"event-{event}-apero-rust.ics"
    calendar = calendar_of(reply)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event}@fake.T1.affinity-bot"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["SUMMARY"]) == "Apéro Rust"
    assert vevent["DTSTART"].params["TZID"] == PARIS
    assert vevent.decoded("DTEND") - vevent.decoded("DTSTART") == timedelta(hours=2)
    assert str(vevent["LOCATION"]) == "Estaminet du Centre, 1 place du Général-de-Gaulle, Wambrechies, FR"
    assert str(vevent["URL"]) == "https://meet.example.org/rust"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["CATEGORIES"].cats == ["Rust Lille"]
    description = str(vevent["DESCRIPTION"])
    assert description.startswith("Group: Rust Lille\n\nOn parle de Rust.\nVenez nombreux.")
    assert "Online: https://meet.example.org/rust" in description
    assert vevent["RRULE"]["UNTIL"][0] == datetime(2027, 4, 6, 17, 0, tzinfo=UTC)  # 19:00 in Paris, in UTC
    expected = bots_dates(MONTHLY, start)
    assert len(expected) == 5 and expected[-1] == datetime(2027, 4, 6, 17, 0, tzinfo=UTC)  # after the DST change
    assert expected[0] == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    assert shown(calendar) == expected


async def test_a_cancelled_date_is_absent_and_every_change_raises_the_sequence(h: Harness) -> None:
    group = await make_group(h)
    start = datetime(2026, 12, 1, 19, 0)
    event = await add_event(h, group, "Apéro Rust", start, rule=MONTHLY)
    second = (await dates_of(h, event))[1]  # 5 January 2027
    await cancel_date(h, second)
    calendar = calendar_of(await h.command("bob", f"/event ics {event}"))
    (vevent,) = calendar.walk("VEVENT")
    assert int(vevent["SEQUENCE"]) == 1
    expected = [d for d in bots_dates(MONTHLY, start) if d != datetime(2027, 1, 5, 18, 0, tzinfo=UTC)]
    assert len(expected) == 4
    assert shown(calendar) == expected
    await edit_event(h, event, title="Apéro Rust & Go")
    again = calendar_of(await h.command("bob", f"/event ics {event}"))
    (edited,) = again.walk("VEVENT")
    assert str(edited["UID"]) == str(vevent["UID"])
    assert int(edited["SEQUENCE"]) == 2 and str(edited["SUMMARY"]) == "Apéro Rust & Go"
    assert shown(again) == expected


async def test_a_start_off_the_rule_begins_the_file_at_the_first_real_date(h: Harness) -> None:
    group = await make_group(h)
    start = datetime(2026, 11, 18, 19, 30)
    rule = "FREQ=MONTHLY;BYDAY=1TU;COUNT=4"
    event = await add_event(h, group, "Atelier", start, rule=rule)
    calendar = calendar_of(await h.command("bob", f"/event ics {event}"))
    expected = bots_dates(rule, start)
    assert expected[0] == datetime(2026, 12, 1, 18, 30, tzinfo=UTC) and len(expected) == 4
    assert shown(calendar) == expected


async def test_a_cancelled_event_reads_cancelled_with_a_new_sequence(h: Harness) -> None:
    group = await make_group(h)
    event = await add_event(h, group, "Hackathon", datetime(2026, 12, 12, 10, 0), duration_min=480, link=None)
    first = calendar_of(await h.command("bob", f"/event ics #{event}"))
    (before,) = first.walk("VEVENT")
    assert "RRULE" not in before and "URL" not in before
    assert before.decoded("DTSTART") == datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
    assert before.decoded("DTEND") == datetime(2026, 12, 12, 17, 0, tzinfo=UTC)
    await cancel_event(h, event)
    (after,) = calendar_of(await h.command("bob", f"/event ics #{event}")).walk("VEVENT")
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["UID"]) == str(before["UID"]) and int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


async def test_member_text_cannot_add_a_line_to_the_file_nor_a_path_to_its_name(h: Harness) -> None:
    group = await make_group(h)
    event = await add_event(
        h,
        group,
        "../../etc/passwd\r\nATTENDEE:mailto:evil@example.com",
        datetime(2026, 12, 12, 10, 0),
        address="1 rue X\r\nORGANIZER:mailto:evil@example.com",
        link="https://ok.example.org/\r\nATTENDEE:mailto:evil@example.com",
        description="Hello\rATTENDEE:mailto:evil@example.com\nBEGIN:VALARM",
    )
    reply = await h.command("bob", f"/event ics {event}")
    content = reply.attachments[0].content.decode()
    assert reply.attachments[0].filename == f"event-{event}-etc-passwd-attendee-mailto-evil-example.ics"
    lines = content.split("\r\n")
    assert not [line for line in lines if line.startswith(("ATTENDEE", "ORGANIZER", "BEGIN:VALARM"))]
    assert "\r" not in content.replace("\r\n", "")
    (vevent,) = calendar_of(reply).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "../../etc/passwd ATTENDEE:mailto:evil@example.com"
    assert str(vevent["LOCATION"]).startswith("1 rue X ORGANIZER:mailto:evil@example.com")
    assert "URL" not in vevent  # not a plain URL: left out rather than written unescaped
    assert "Hello\nATTENDEE:mailto:evil@example.com\nBEGIN:VALARM" in str(vevent["DESCRIPTION"])
    assert "ATTENDEE" not in vevent and len(calendar_of(reply).walk("VALARM")) == 0


async def test_a_members_own_file_lists_exactly_the_dates_they_are_going_to(h: Harness) -> None:
    group = await make_group(h)
    # Weekly from Tuesday 29 September; today is Monday 16 November.
    weekly = await add_event(
        h,
        group,
        "Apéro",
        datetime(2026, 9, 29, 19, 0),
        rule="FREQ=WEEKLY",
        dates=10,
        capacity=2,
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    dates = await dates_of(h, weekly)  # 29 Sep, 6, 13, 20, 27 Oct, 3, 10, 17, 24 Nov, 1 Dec
    one_off = await add_event(h, group, "Hackathon", datetime(2026, 12, 5, 10, 0))
    (hackathon,) = await dates_of(h, one_off)
    await answer(h, dates[2], "alice", "going")  # 13 October: more than 30 days ago
    await answer(h, dates[6], "alice", "going")  # 10 November: in the last 30 days
    await answer(h, dates[7], "alice", "going")  # 17 November
    await answer(h, dates[8], "alice", "waitlist", position=1)  # not going yet
    await answer(h, dates[9], "alice", "maybe")
    await answer(h, dates[7], "bob", "going")
    await answer(h, hackathon, "alice", "going")
    await answer(h, hackathon, "bob", "going")
    reply = await h.command("alice", "/event ics")
    assert reply.attachments[0].filename == "my-events.ics"
    assert "the 3 dates you said going to, upcoming and from the last 30 days" in reply.text
    calendar = calendar_of(reply)
    going = [datetime(2026, 11, 10, 18, 0, tzinfo=UTC), datetime(2026, 11, 17, 18, 0, tzinfo=UTC)]
    assert shown(calendar) == [*going, datetime(2026, 12, 5, 9, 0, tzinfo=UTC)]
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [
        f"event-{weekly}-20261110T180000Z@fake.T1.affinity-bot",
        f"event-{weekly}-20261117T180000Z@fake.T1.affinity-bot",
        f"event-{one_off}-20261205T090000Z@fake.T1.affinity-bot",
    ]
    assert all("RRULE" not in e for e in calendar.walk("VEVENT"))
    # The hackathon is cancelled: importing the file again takes it out of the member's calendar.
    await cancel_event(h, one_off)
    calendar = calendar_of(await h.command("alice", "/event ics"))
    assert shown(calendar) == going
    cancelled = [e for e in calendar.walk("VEVENT") if str(e["STATUS"]) == "CANCELLED"]
    assert [str(e["UID"]) for e in cancelled] == [uids[2]] and int(cancelled[0]["SEQUENCE"]) == 1
    # A member going nowhere gets a sentence, not an empty file.
    nothing = await h.command("carol", "/event ics")
    assert nothing.attachments == () and "You said going to no event date" in nothing.text


async def test_files_in_french(h: Harness) -> None:
    group = await make_group(h)
    event = await add_event(h, group, "Apéro", datetime(2026, 12, 1, 19, 0), link="https://meet.example.org/a")
    (date,) = await dates_of(h, event)
    reply = await h.command("bob", f"/event ics {event}", locale="fr")
    assert "Le fichier d’agenda de **Apéro**" in reply.text, reply.text
    (vevent,) = calendar_of(reply).walk("VEVENT")
    assert str(vevent["DESCRIPTION"]) == "Groupe\u202f: Rust Lille\n\nEn ligne\u202f: https://meet.example.org/a"
    await answer(h, date, "bob", "going")
    mine = await h.command("bob", "/event ics", locale="fr")
    assert "Votre agenda\u202f: la date où vous avez répondu «\u202fje viens\u202f»" in mine.text, mine.text
    assert str(calendar_of(mine)["X-WR-CALNAME"]) == "Mes événements"
    nothing = await h.command("carol", "/event ics", locale="fr")
    assert "Vous n’avez répondu «\u202fje viens\u202f» à aucune date" in nothing.text, nothing.text


async def test_a_members_file_cut_at_its_limit_says_so(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_DATES", 2)
    group = await make_group(h)
    weekly = await add_event(h, group, "Apéro", datetime(2026, 11, 17, 19, 0), rule="FREQ=WEEKLY", dates=3)
    for date in await dates_of(h, weekly):
        await answer(h, date, "alice", "going")
    reply = await h.command("alice", "/event ics")
    assert "The file has your first 2 dates of 3, the earliest first." in reply.text
    assert shown(calendar_of(reply)) == [
        datetime(2026, 11, 17, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("rule", "last"),
    [
        # UNTIL in UTC exactly at the last date (19:00 in Paris is 18:00 UTC in winter).
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T180000Z", datetime(2026, 12, 15, 18, 0, tzinfo=UTC)),
        # One second earlier in UTC: that Tuesday is out.
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T175959Z", datetime(2026, 12, 8, 18, 0, tzinfo=UTC)),
        # A date-only UNTIL takes its whole day.
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215", datetime(2026, 12, 15, 18, 0, tzinfo=UTC)),
        # Local wall time across the change to summer time: 31 March 2027 19:00 in Paris is 17:00 UTC.
        ("FREQ=WEEKLY;BYDAY=WE;UNTIL=20270331T190000", datetime(2027, 3, 31, 17, 0, tzinfo=UTC)),
    ],
)
async def test_every_form_of_until_ends_on_the_bots_last_date(h: Harness, rule: str, last: datetime) -> None:
    group = await make_group(h)
    start = datetime(2026, 12, 1, 19, 0)
    event = await add_event(h, group, "Série", start, rule=rule)
    calendar = calendar_of(await h.command("bob", f"/event ics {event}"))
    expected = bots_dates(rule, start)
    assert expected[-1] == last
    assert shown(calendar) == expected
