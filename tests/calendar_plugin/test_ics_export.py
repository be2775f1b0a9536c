"""`/calendar export` read back by an independent parser (`recurring-ical-events`): the dates a
calendar app shows are the bot's agenda, for repetitions crossing the daylight-saving changes with
UNTIL in UTC, a date-only UNTIL and COUNT; UIDs stay, SEQUENCE grows on each edit; the file keeps
the past 30 days and the reply says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from tests.calendar_plugin.helpers import mod, populate
from tests.harness import Harness, running

PARIS = ZoneInfo("Europe/Paris")
PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "calendar": {"horizon_days": 120}}
SPRING = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday; clocks go forward on 28 March
AUTUMN = datetime(2027, 10, 4, 9, 0, tzinfo=UTC)  # a Monday; clocks go back on 31 October


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


async def export(h: Harness, locale: str | None = None) -> tuple[str, Calendar]:
    reply = await h.command("carla", "/calendar export", locale=locale)
    assert reply.ephemeral and reply.attachments[0].filename == "calendar.ics"
    return reply.text, Calendar.from_ical(reply.attachments[0].content)


def shown(calendar: Calendar, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """What a calendar app shows: (start on the Paris clock, title), by start."""
    found = recurring_ical_events.of(calendar).between(start, end)
    return sorted((e.decoded("DTSTART").astimezone(PARIS), str(e["SUMMARY"])) for e in found)


async def agenda(h: Harness, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
    """What the bot's agenda lists (`/calendar list all`: every entry not cancelled), due in [since, until)."""
    rows = await h.app.db.fetchall(
        "SELECT due_at, title FROM calendar_entries WHERE status != 'cancelled' AND due_at >= ? AND due_at < ? "
        "ORDER BY due_at, id",
        (since.isoformat(), until.isoformat()),
    )
    return [(datetime.fromisoformat(r["due_at"]).replace(tzinfo=UTC).astimezone(PARIS), r["title"]) for r in rows]


async def horizon(h: Harness) -> datetime:
    """The end of what is materialised: the agenda knows nothing later yet."""
    value = await h.app.db.fetchval("SELECT MIN(materialised_until) FROM calendar_series WHERE rule IS NOT NULL")
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def independent(rule: str, start: datetime, until: datetime) -> list[datetime]:
    """The dates of `rule` from `start` as an RFC 5545 reader sees them, the bot not involved."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar = Calendar.from_ical(text)
    return sorted(
        e.decoded("DTSTART").astimezone(PARIS) for e in recurring_ical_events.of(calendar).between(start, until)
    )


CASES = [
    pytest.param(
        SPRING,
        "2027-03-16 19:00",
        "FREQ=WEEKLY;UNTIL=20270406T170000Z",  # 19:00 Paris summer time: the last Tuesday is in
        ["2027-03-16 19:00", "2027-03-23 19:00", "2027-03-30 19:00", "2027-04-06 19:00"],
        True,
        id="weekly-until-utc-spring",
    ),
    pytest.param(
        SPRING,
        "2027-03-16 19:00",
        "FREQ=WEEKLY;UNTIL=20270406T165959Z",  # a second before it: the last Tuesday is out
        ["2027-03-16 19:00", "2027-03-23 19:00", "2027-03-30 19:00"],
        True,
        id="weekly-until-utc-just-before",
    ),
    pytest.param(
        SPRING,
        "2027-03-02 19:00",
        "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270504",  # a date alone includes its day
        ["2027-03-02 19:00", "2027-04-06 19:00", "2027-05-04 19:00"],
        False,
        id="monthly-until-date-spring",
    ),
    pytest.param(
        AUTUMN,
        "2027-10-19 09:00",
        "FREQ=WEEKLY;COUNT=4",
        ["2027-10-19 09:00", "2027-10-26 09:00", "2027-11-02 09:00", "2027-11-09 09:00"],
        True,
        id="weekly-count-autumn",
    ),
    pytest.param(
        AUTUMN,
        "2027-10-05 18:30",
        "FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20271130T173000Z",  # the last day of the month, until 30 Nov 18:30
        ["2027-10-31 18:30", "2027-11-30 18:30"],
        True,
        id="monthly-last-day-until-utc-autumn",
    ),
]


@pytest.mark.parametrize(("start", "due", "rule", "expected", "raw_rule_agrees"), CASES)
async def test_a_calendar_app_shows_the_agenda(
    tmp_path: Path, start: datetime, due: str, rule: str, expected: list[str], raw_rule_agrees: bool
) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=start) as h:
        populate(h)
        added = await mod(h, f'/calendar add Lettre #news "{due}" @alice repeat:"{rule}" remind:none')
        assert "🗓️ Planned" in added.text, added.text
        wanted = [(paris(text), "Lettre") for text in expected]
        until = start + timedelta(days=120)
        assert await agenda(h, start, until) == wanted
        _text, calendar = await export(h)
        assert shown(calendar, start, until) == wanted
        (master,) = [e for e in calendar.walk("VEVENT") if "RRULE" in e]
        rrule = master["RRULE"].to_ical().decode()
        assert "COUNT=4" in rrule if "COUNT" in rule else rrule.split("UNTIL=")[1][:16].endswith("Z")
        assert master["DTSTART"].params["TZID"] == "Europe/Paris"
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
        if raw_rule_agrees:
            # The rule as typed, read by a parser that follows RFC 5545 (UNTIL…Z is UTC).
            # Its first date is the start a calendar app is given (the export's DTSTART).
            assert independent(rule, wanted[0][0], until) == [when for when, _title in wanted]


async def test_the_file_follows_edits_cancellations_and_a_new_time(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        await mod(h, '/calendar add Lettre #news "2027-03-16 19:00" @alice weekly remind:none')  # #1…
        await mod(h, '/calendar add Bilan #events "2027-03-20 10:00" @bob remind:none')
        await mod(h, '/calendar edit 2 title:"Lettre spéciale" due:"2027-03-24 19:00"')  # moved to Wednesday
        await mod(h, "/calendar cancel 3")
        await h.advance(days=20)  # 21 March: #1 is past (missed), still in the file
        since = h.clock.now() - timedelta(days=30)
        end = await horizon(h)
        _text, calendar = await export(h)
        assert shown(calendar, since, end) == await agenda(h, since, end)
        titles = [title for _when, title in shown(calendar, since, end)]
        assert titles[:3] == ["Lettre", "Bilan", "Lettre spéciale"]
        assert paris("2027-03-30 19:00") not in [when for when, _title in shown(calendar, since, end)]

        # A series edit of the time: the dates ahead move to Thursdays 10:00 from 8 April, the past ones
        # stay; the moved and the cancelled Tuesdays keep their rank, so the rule's first two Thursdays
        # have no entry (the series editor's pairing) and the file excludes them.
        await mod(h, '/calendar edit 4 due:"2027-04-08 10:00" scope:series')
        _text, calendar = await export(h)
        now_shown = shown(calendar, since, end)
        assert now_shown == await agenda(h, since, end)
        assert [f"{when:%d/%m %H:%M} {title}" for when, title in now_shown[:5]] == [
            "16/03 19:00 Lettre",
            "20/03 10:00 Bilan",
            "24/03 19:00 Lettre spéciale",
            "22/04 10:00 Lettre",
            "29/04 10:00 Lettre",
        ]


async def test_uids_stay_and_sequence_grows_on_each_edit(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        await mod(h, '/calendar add Lettre #news "2027-03-16 19:00" @alice weekly remind:none')
        await mod(h, '/calendar add Bilan #events "2027-03-20 10:00" @bob remind:none')
        bilan = await h.app.db.fetchval("SELECT id FROM calendar_entries WHERE title = 'Bilan'")
        series = await h.app.db.fetchval("SELECT series_id FROM calendar_entries WHERE id = 1")

        async def versions() -> dict[tuple[str, str | None], int]:
            _text, calendar = await export(h)
            return {
                (str(e["UID"]), e.decoded("RECURRENCE-ID").isoformat() if "RECURRENCE-ID" in e else None): int(
                    e["SEQUENCE"]
                )
                for e in calendar.walk("VEVENT")
            }

        first = await versions()
        uids = {uid for uid, _recurrence in first}
        host = h.platform.community.key.replace(":", ".") + ".affinity-bot"
        assert uids == {f"calendar-series-{series}@{host}", f"calendar-{bilan}@{host}"}
        assert await versions() == first  # nothing changed: the same file twice

        steps = [
            '/calendar edit 2 title:"Lettre spéciale"',
            "/calendar cancel 3",
            "/calendar edit 4 owner:@bob scope:series",
        ]
        before = first
        for step in steps:
            await mod(h, step)
            after = await versions()
            assert {uid for uid, _r in after} == uids, step
            series_uid = next(uid for uid, _r in after if uid.startswith("calendar-series-"))
            assert after[series_uid, None] > before[series_uid, None], step
            before = after
        # The one-off entry was not touched: its version did not move.
        bilan_uid = next(uid for uid, _r in first if uid.startswith(f"calendar-{bilan}@"))
        assert before[bilan_uid, None] == first[bilan_uid, None]
        await mod(h, f'/calendar edit {bilan} due:"2027-03-21 11:00"')
        assert (await versions())[bilan_uid, None] > first[bilan_uid, None]


async def test_an_entry_just_due_is_still_in_the_file_and_the_reply_says_how_far_back(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        await mod(h, '/calendar add Vieux #news "2027-03-02 10:00" @alice remind:none')
        await mod(h, '/calendar add Bilan #events "2027-04-05 10:00" @bob remind:none')
        await h.advance(days=35, hours=1)  # 5 April 12:00 Paris, after Bilan was due; Vieux is 34 days old
        text, calendar = await export(h)
        assert text == "Here is 1 entry as a calendar file: the past 30 days and what is ahead."
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == "Bilan"
        assert event.decoded("DTSTART") == paris("2027-04-05 10:00")
        text, _calendar = await export(h, locale="fr")
        assert text == (
            "Voici 1 publication dans un fichier d’agenda\u202f: les 30 derniers jours et ce qui est à venir."
        )


async def test_the_reply_counts_in_both_languages_and_mentions_repetitions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        text, calendar = await export(h)
        assert text == "Here are 0 entries as a calendar file: the past 30 days and what is ahead."
        assert calendar.walk("VEVENT") == []
        await mod(h, '/calendar add Lettre #news "2027-03-16 19:00" @alice repeat:"FREQ=WEEKLY;COUNT=3" remind:none')
        text, _calendar = await export(h)
        assert text.splitlines() == [
            "Here are 3 entries as a calendar file: the past 30 days and what is ahead.",
            "A repeating entry is one event with its repetition: your calendar app also shows its dates further ahead.",
        ]
        text, _calendar = await export(h, locale="fr")
        assert text.splitlines() == [
            "Voici 3 publications dans un fichier d’agenda\u202f: les 30 derniers jours et ce qui est à venir.",
            "Une publication qui se répète n’y figure qu’une fois, avec sa répétition\u202f: votre application "
            "d’agenda affiche aussi ses dates suivantes.",
        ]


async def test_a_cancelled_series_keeps_its_past_and_loses_its_future(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        await mod(h, '/calendar add Lettre #news "2027-03-16 19:00" @alice weekly remind:none')
        await h.advance(days=25)  # 26 March: two Tuesdays are past (missed)
        await mod(h, "/calendar cancel 3 scope:series")
        since = h.clock.now() - timedelta(days=30)
        _text, calendar = await export(h)
        far = h.clock.now() + timedelta(days=400)
        assert shown(calendar, since, far) == await agenda(h, since, far)
        assert [when for when, _title in shown(calendar, since, far)] == [
            paris("2027-03-16 19:00"),
            paris("2027-03-23 19:00"),
        ]


async def test_a_forgotten_owner_leaves_the_file_with_a_new_sequence(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        await mod(h, '/calendar add Lettre #news "2027-03-16 19:00" @alice weekly remind:none')
        await mod(h, '/calendar add Bilan #events "2027-03-20 10:00" @bob remind:none')

        async def by_title() -> dict[str, tuple[int, str]]:
            _text, calendar = await export(h)
            return {
                str(e["SUMMARY"]): (int(e["SEQUENCE"]), str(e["DESCRIPTION"]))
                for e in calendar.walk("VEVENT")
                if "RECURRENCE-ID" not in e
            }

        before = await by_title()
        assert "@alice" in before["Lettre"][1]
        ask = await h.command("alice", "/privacy forget")
        token = ask.text.split("confirm:")[1].split("`")[0]
        await h.command("alice", f"/privacy forget confirm:{token}")
        after = await by_title()
        assert "alice" not in after["Lettre"][1] and after["Lettre"][0] > before["Lettre"][0]
        assert after["Bilan"] == before["Bilan"]  # bob's entry did not change


async def test_a_stored_rule_that_no_longer_reads_still_exports_its_entries(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=SPRING) as h:
        populate(h)
        await mod(h, '/calendar add Lettre #news "2027-03-16 19:00" @alice repeat:"FREQ=WEEKLY;COUNT=3" remind:none')
        # Written by an older version, before the planner disables it.
        await h.app.db.execute("UPDATE calendar_series SET rule = 'FREQ=DAILY;INTERVAL=0'")
        _text, calendar = await export(h)
        events = calendar.walk("VEVENT")
        assert [e for e in events if "RRULE" in e] == []
        assert len({str(e["UID"]) for e in events}) == 3
        assert shown(calendar, SPRING, SPRING + timedelta(days=60)) == await agenda(
            h, SPRING, SPRING + timedelta(days=60)
        )
