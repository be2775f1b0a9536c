"""`/event ics` after the real commands (create, rsvp, edit, cancel a date, leave): the files follow what
organisers and members did, read back with recurring-ical-events and icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

from bot.formatting import LocalReply
from bot.when.recurrence import occurrences
from tests.events.helpers import GROUP, TOWN, create, event_id, events_app

RULE = "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270406T190000"
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def calendar_of(reply: LocalReply) -> Calendar:
    (attachment,) = reply.attachments
    return Calendar.from_ical(attachment.content)


def shown(calendar: Calendar) -> list[datetime]:
    """The starts a calendar app shows, in UTC, cancelled components left out."""
    return sorted(
        e.decoded("DTSTART").astimezone(UTC)
        for e in recurring_ical_events.of(calendar).between(datetime(2020, 1, 1, tzinfo=UTC), FAR)
        if str(e.get("STATUS", "CONFIRMED")) != "CANCELLED"
    )


async def test_the_files_follow_what_organisers_and_members_do(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        reply = await create(
            h,
            f'/event create "{GROUP}" "Apéro Rust" "2026-12-01 19:00" repeat:"{RULE}" capacity:1 '
            'address:"Café du Port" link:https://meet.example.org/rust',
        )
        number = event_id(reply)
        start = datetime(2026, 12, 1, 19, 0)
        first = start.replace(tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
        bots = occurrences(RULE, start, "Europe/Paris", after=first - timedelta(seconds=1), until=FAR, limit=100)
        assert len(bots) == 5 and bots[-1] == datetime(2027, 4, 6, 17, 0, tzinfo=UTC)
        (created,) = calendar_of(await h.command("bob", f"/event ics {number}")).walk("VEVENT")
        assert int(created["SEQUENCE"]) == 0 and str(created["LOCATION"]) == f"Café du Port, {TOWN}, FR"
        assert str(created["URL"]) == "https://meet.example.org/rust"
        assert shown(calendar_of(await h.command("bob", f"/event ics {number}"))) == bots
        await h.command("bob", f"/event rsvp {number} going")
        await h.command("carol", f"/event rsvp {number} going")  # full: carol waits
        assert shown(calendar_of(await h.command("bob", "/event ics"))) == [bots[0]]
        assert "You said going to no event date" in (await h.command("carol", "/event ics")).text
        await h.command("alice", f'/event edit {number} title:"Apéro Rust & Go"')
        await h.command("alice", f'/event cancel {number} date:"2027-01-05"')
        calendar = calendar_of(await h.command("bob", f"/event ics {number}"))
        (edited,) = calendar.walk("VEVENT")
        assert str(edited["UID"]) == str(created["UID"]) and str(edited["SUMMARY"]) == "Apéro Rust & Go"
        assert int(edited["SEQUENCE"]) >= 2  # the edit and the cancelled date each raised it
        assert shown(calendar) == [d for d in bots if d != datetime(2027, 1, 5, 18, 0, tzinfo=UTC)]
        # Bob leaves: carol gets the seat, and the date is in her file.
        await h.command("bob", f"/event rsvp {number} no")
        assert shown(calendar_of(await h.command("carol", "/event ics"))) == [bots[0]]
        assert "You said going to no event date" in (await h.command("bob", "/event ics")).text
