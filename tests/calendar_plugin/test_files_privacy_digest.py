"""The .ics export parsed back, the all-or-nothing CSV import, privacy export/forget and the
digest's adherence section."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar

from bot.model import Attachment, Level
from plugins.calendar import adherence
from plugins.calendar.plugin import CalendarPlugin
from tests.calendar_plugin.helpers import PLUGINS, dms, entries, mod, populate, with_file
from tests.harness import Harness, running

HEADER = "title,channel,due,owner,repeat\n"


@pytest.fixture
async def h(tmp_path: Path) -> Harness:  # type: ignore[misc]
    async with running(tmp_path, plugins=PLUGINS) as harness:
        populate(harness)
        yield harness


def csv(text: str, encoding: str = "utf-8") -> Attachment:
    return Attachment("plan.csv", text.encode(encoding), "text/csv")


async def test_export_is_an_ics_file_any_calendar_reads(h: Harness) -> None:
    await mod(h, '/calendar add "Revue 📰" #news "mardi 9h" @alice weekly')
    await mod(h, '/calendar add Event #events "2026-12-01 10:00" @bob')
    await mod(h, "/calendar cancel 2")
    reply = await h.command("carla", "/calendar export")
    assert reply.ephemeral and reply.attachments[0].filename == "calendar.ics"
    parsed = Calendar.from_ical(reply.attachments[0].content)
    # What a calendar app shows up to the materialised horizon (8 weeks): the cancelled one is left out.
    events = recurring_ical_events.of(parsed).between(h.clock.now(), h.clock.now() + timedelta(days=56))
    assert len(events) == 8
    summaries = {str(e["SUMMARY"]) for e in events}
    assert summaries == {"Revue 📰", "Event"}
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts[0] == datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
    assert datetime(2026, 11, 24, 8, 0, tzinfo=UTC) not in starts
    assert "Here are 8 entries as a calendar file: the past 30 days and what is ahead." in reply.text


async def test_import_all_rows_in_one_go(h: Harness) -> None:
    sheet = csv(
        HEADER + "Revue,#news,mardi 9h,@alice,weekly\n"
        '"Soirée, quiz",events,2026-12-01 19:00,bob,\n'
        "Édito,news,next friday 10am,,\n"
    )
    reply = await with_file(h, "mod", "/calendar import", [sheet])
    assert "📥 Imported 3 entries." in reply.text
    rows = await entries(h)
    assert len(rows) == 10  # 8 weekly + 2 one-off
    assert {r["title"] for r in rows} == {"Revue", "Soirée, quiz", "Édito"}
    assert [r["owner_id"] for r in rows if r["title"] == "Édito"] == ["mod"]


async def test_import_is_all_or_nothing_with_errors_by_row(h: Harness) -> None:
    sheet = csv(
        HEADER + "Revue,#news,mardi 9h,@alice,weekly\n"
        "Bad date,#news,hier 10:00,,\n"
        "Bad channel,#nwes,mardi 9h,,\n"
        ",#news,mardi 9h,,\n"
        "Bad owner,#news,mardi 9h,@alcie,\n"
        "Bad repeat,#news,mardi 9h,,often\n"
        "Too many,#news,mardi 9h,,,x\n"
    )
    reply = await with_file(h, "mod", "/calendar import", [sheet])
    assert "Nothing was imported: 6 rows have errors." in reply.text
    for expected in (
        "Row 3: “hier 10:00” is in the past",
        "Row 4: No channel matches “#nwes”.",
        "Row 5: the title is empty.",
        "Row 6: No member matches “@alcie”.",
        "Row 7: “often” is not a repetition",
        "Row 8: it has 6 columns, expected 5.",
    ):
        assert expected in reply.text
    assert "Row 2" not in reply.text
    assert await entries(h) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv("titre;canal;date\nA;b;c\n"), "The file's header is “titre,canal,date”"),
        (csv(HEADER + "Été,news,mardi 9h,,\n", "latin-1"), "The file is not UTF-8 text"),
        (csv(HEADER), "The file has no rows to import."),
        (Attachment("big.csv", b"x" * (600 * 1024)), "too big"),
    ],
)
async def test_import_refuses_bad_files_and_changes_nothing(h: Harness, content: Attachment, expected: str) -> None:
    reply = await with_file(h, "mod", "/calendar import", [content])
    assert expected in reply.text and "title,channel,due,owner,repeat" in reply.text
    assert await entries(h) == []


async def test_import_needs_a_file_and_the_permission(h: Harness) -> None:
    assert "needs a file" in (await mod(h, "/calendar import")).text
    refused = await with_file(h, "bob", "/calendar import", [csv(HEADER + "A,news,mardi 9h,,\n")], level=Level.MEMBER)
    assert "Only moderators" in refused.text and await entries(h) == []


async def test_privacy_export_and_forget_keep_the_slot_unowned(h: Harness) -> None:
    await mod(h, '/calendar add News #news "jeudi 9h" @alice remind:1d')
    await mod(h, '/calendar add Other #news "jeudi 10h" @bob remind:1d')
    exported = await h.command("alice", "/privacy export")
    data = json.loads(exported.attachments[0].content)
    assert [e["title"] for e in data["calendar"]["owned_entries"]] == ["News"]
    ask = await h.command("alice", "/privacy forget")
    token = ask.text.split("confirm:")[1].split("`")[0]
    await h.command("alice", f"/privacy forget confirm:{token}")
    rows = await entries(h)
    assert [(r["title"], r["owner_id"]) for r in rows] == [("News", None), ("Other", "bob")]
    assert "**News** in #news, no owner: planned" in (await mod(h, "/calendar list")).text
    await h.advance(days=2)
    await h.advance(days=1)
    assert dms(h, "alice") == []  # no reminder, no overdue note for a forgotten member
    assert len(dms(h, "bob")) == 2
    data = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)
    assert data["calendar"]["owned_entries"] == []


async def test_digest_section_counts_adherence_per_owner_and_channel(h: Harness) -> None:
    await mod(h, "/settings channel purpose:calendar channel:#managers")
    start = h.clock.now()
    await mod(h, '/calendar add Weekly #news "mardi 9h" @alice daily remind:none')
    await mod(h, '/calendar add Event #events "mercredi 18h" @bob remind:none')
    await h.advance(hours=23)  # Tue 09:00 Paris: on time
    await h.say("alice", "post 1", channel="news")
    await h.advance(hours=24 + 5)  # Wed 14:00 Paris: 5 hours late
    await h.say("alice", "post 2", channel="news")
    event = next(r["id"] for r in await entries(h) if r["title"] == "Event")
    assert "is skipped" in (await h.command("bob", f"/calendar skip {event} malade")).text
    await h.advance(hours=19)  # Thu 09:00 Paris: on time
    await h.say("alice", "post 3", channel="news")
    await h.advance(days=3)  # Friday's and later slots are missed
    plugin = next(p for p in h.app.registry.plugins if isinstance(p, CalendarPlugin))
    section = await plugin.digest_section(h.platform.community, start, start + timedelta(days=4), "Europe/Paris")
    assert section is not None
    assert section.values() == {
        "adherence": 0.5,  # 2 on time of 4 due (the skipped one was not due)
        "planned": 5,
        "published_on_time": 2,
        "published_late": 1,
        "missed": 1,
        "skipped": 1,
        "current_streak": 0,  # Friday's miss broke it
        "best_streak": 1,
    }
    kinds = {m.key: (m.kind, m.compare) for m in section.metrics}
    assert kinds["adherence"] == ("share", True) and kinds["best_streak"] == ("count", False)  # a record
    assert all(m.previous is None for m in section.metrics)
    text = [h.app.translator.render(line, "en") for line in section.lines]
    assert "@alice: 2/4 on time, 1 late, 1 missed, 0 skipped" in text
    assert "@bob: 0/1 on time, 0 late, 0 missed, 1 skipped" in text
    assert "#news: 2/4 on time, 1 late, 1 missed, 0 skipped" in text
    empty = await plugin.digest_section(h.platform.community, start - timedelta(days=9), start, "Europe/Paris")
    assert empty is None  # no calendar before: no section, rather than zeros
    later = start + timedelta(days=30)
    quiet = await plugin.digest_section(h.platform.community, later, later + timedelta(hours=1), "Europe/Paris")
    assert quiet is not None  # the calendar in use, nothing due in that hour: zeros, and no adherence to compute
    assert quiet.values()["planned"] == 0 and quiet.values()["adherence"] is None
    labels = {m.key: h.app.translator.render(m.label, "fr") for m in quiet.metrics}
    assert labels["adherence"] == "Régularité (publications à l’heure)"


async def test_streaks_count_regular_slots(h: Harness) -> None:
    await mod(h, '/calendar add Daily #news "mardi 9h" @alice daily remind:none')
    start = h.clock.now()
    await h.advance(hours=23)
    for _day in range(4):
        await h.say("alice", "post", channel="news")
        await h.advance(days=1)
    plugin = next(p for p in h.app.registry.plugins if isinstance(p, CalendarPlugin))
    section = await plugin.digest_section(h.platform.community, start, h.clock.now(), "Europe/Paris")
    assert section is not None and section.values()["current_streak"] == section.values()["best_streak"] == 4
    assert section.values()["adherence"] == 1.0
    assert "🔥 **Daily**: 4 on time in a row" in [h.app.translator.render(t, "en") for t in section.lines]


def test_the_record_streak_outlives_the_current_one() -> None:
    base = datetime(2026, 3, 2, 9, tzinfo=UTC)
    late = timedelta(hours=1)

    def slot(day: int, status: str, published: int | None = 0, series: int = 1) -> adherence.Outcome:
        due = base + timedelta(days=day)
        return adherence.Outcome(series, "alice", "news", due, status, None if published is None else due)

    history = [
        *(slot(day, "published") for day in range(5)),  # five on time...
        slot(5, "missed", None),  # ...broken...
        slot(6, "skipped", None),  # (a skip neither breaks nor extends)
        slot(7, "published"),
        slot(8, "published"),  # ...two on time since
        slot(9, "planned", None),  # still open: not counted yet
        slot(0, "published", series=2),
    ]
    now = base + timedelta(days=9, minutes=30)
    assert adherence.streaks(history, now, late) == {1: 2, 2: 1}
    assert adherence.best_runs(history, now, late) == {1: 5, 2: 1}
    summary = adherence.summarise(history, now, late)
    assert summary.due == 10 and summary.adherence() == 0.8  # the open slot is overdue: due, not on time
    assert adherence.summarise([], now, late).adherence() is None
