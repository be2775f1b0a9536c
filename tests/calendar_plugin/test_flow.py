"""Reminders, publish detection, overdue notes, alerts and misses on a frozen clock, recurring
series across both daylight-saving changes, and restarts in the middle."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import FrozenClock
from bot.model import MessageDeleted
from tests.calendar_plugin.helpers import PLUGINS, dms, entries, mod, populate, posts
from tests.harness import FakePlatform, Harness, make_config, running


async def _managers_channel(h: Harness) -> None:
    await mod(h, "/settings channel purpose:calendar channel:#managers")


async def test_reminders_overdue_alert_and_missed_each_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await _managers_channel(h)
        # Monday 10:00 Paris; due Thursday 18:00 Paris (17:00 UTC).
        await mod(h, '/calendar add "Live Q&A" #events "jeudi 18h" @alice remind:1d,2h')
        await h.advance(hours=55)  # Wed 16:00 UTC: one hour before the 1d reminder
        assert dms(h, "alice") == []
        await h.advance(hours=1)
        assert len(dms(h, "alice")) == 1
        reminder = "⏰ Reminder: **Live Q&A** is due in #events on Thursday 19 November 2026, 18:00 (in 24 hours)"
        assert reminder in dms(h, "alice")[0]
        await h.advance(hours=22)  # Thu 15:00 UTC: the 2h reminder
        assert len(dms(h, "alice")) == 2 and "(in 2 hours)" in dms(h, "alice")[1]
        await h.advance(hours=2)  # due
        assert len(dms(h, "alice")) == 3
        assert "was due in #events on Thursday 19 November 2026, 18:00 and nothing was posted yet" in dms(h, "alice")[2]
        assert "Nothing" not in " ".join(posts(h, "managers"))
        assert "overdue" in (await mod(h, "/calendar list")).text
        await h.advance(hours=24)  # grace over: the managers are told; the window closes too
        assert len(posts(h, "managers")) == 1
        assert (
            "🚨 **Live Q&A** (`#1`, #events, @alice) was due on Thursday 19 November 2026, 18:00 and is 24 hours late"
            in posts(h, "managers")[0]
        )
        assert (await entries(h))[0]["status"] == "missed"
        await h.advance(days=3)
        await h.app.scheduler.run_due()
        assert len(dms(h, "alice")) == 3 and len(posts(h, "managers")) == 1


async def test_a_post_by_the_owner_in_the_window_is_the_publication(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await _managers_channel(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice remind:none')
        await h.advance(hours=5)  # Monday 15:00 Paris: 18 h before due, outside the window
        await h.say("alice", "too early", channel="news")
        await h.advance(hours=10)  # Tue 01:00 Paris: inside the window
        await h.say("bob", "not the owner", channel="news")
        await h.say("alice", "wrong channel", channel="events")
        assert (await entries(h))[0]["status"] == "planned"
        ref = await h.say("alice", "Les nouvelles de la semaine", channel="news", thread="t1")
        row = (await entries(h))[0]
        assert row["status"] == "published" and row["message_id"] == ref.message_id
        assert row["link"] == f"https://chat.example/news/{ref.message_id}"
        assert ": published" in (await mod(h, "/calendar list")).text
        await h.advance(days=3)
        assert dms(h, "alice") == [] and posts(h, "managers") == []


async def test_a_late_post_counts_late_and_stops_the_alert(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await _managers_channel(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice remind:none')
        await h.advance(hours=23 + 3)  # three hours after due
        assert len(dms(h, "alice")) == 1  # the overdue note
        await h.say("alice", "sorry, here it is", channel="news")
        assert ": late" in (await mod(h, "/calendar list")).text
        await h.advance(days=2)
        assert posts(h, "managers") == []


async def test_no_alert_channel_means_no_alert_but_still_missed(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={"core": {}, "calendar": {"grace_hours": 2}}) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mardi 9h"')
        await h.advance(days=3)
        assert posts(h, "managers") == [] and (await entries(h))[0]["status"] == "missed"


async def test_weekly_series_keeps_nine_o_clock_across_both_dst_changes(tmp_path: Path) -> None:
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday, winter time
    async with running(tmp_path, plugins=PLUGINS, start=start) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:none')
        first = await entries(h)
        assert len(first) == 8  # 8 weeks ahead
        # Eight months later, the job has kept materialising; October's change is covered too.
        for _week in range(36):
            await h.advance(days=7)
        rows = await entries(h)
        paris = ZoneInfo("Europe/Paris")
        dues = [datetime.fromisoformat(r["due_at"]).replace(tzinfo=UTC) for r in rows]
        assert {d.astimezone(paris).strftime("%a %H:%M") for d in dues} == {"Tue 09:00"}
        utc_hours = {d.date().isoformat(): d.hour for d in dues}
        assert utc_hours["2027-03-23"] == 8 and utc_hours["2027-03-30"] == 7
        assert utc_hours["2027-10-26"] == 7 and utc_hours["2027-11-02"] == 8
        assert len(dues) == len(set(dues)) and len(rows) == 8 + 36


async def _build(tmp_path: Path, clock: FrozenClock, platform: FakePlatform) -> App:
    app = App(make_config(tmp_path, PLUGINS), clock=clock, realtime=False)
    await app.build()
    app.add_platform(platform)
    await app.start()
    return app


async def test_restart_in_the_middle_loses_and_repeats_nothing(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    platform = FakePlatform()
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    populate(h)
    await mod(h, '/calendar add News #news "jeudi 9h" @alice remind:1d,2h')
    await mod(h, '/calendar add Event #events "mercredi 12h" @bob remind:1d,2h')
    await app.stop()
    # Down from Monday 10:00 until Wednesday 10:30 Paris: alice's 1d reminder (Wed 09:00) is still
    # useful; so is bob's latest (Wed 10:00; Event is due at 12:00), which supersedes his 1d one.
    clock.set(datetime(2026, 11, 18, 9, 30, tzinfo=UTC))
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    await app.scheduler.stop()  # wait for the start-up catch-up
    assert len(dms(h, "alice")) == 1 and "(in 22 hours)" in dms(h, "alice")[0]
    assert len(dms(h, "bob")) == 1 and "(in 2 hours)" in dms(h, "bob")[0]
    await app.stop()
    # Down again past both due times: alice's 2h reminder fell due while down and is folded into
    # the overdue note; bob's overdue note too.
    clock.set(datetime(2026, 11, 19, 8, 30, tzinfo=UTC))
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    await app.scheduler.catch_up()
    assert len(dms(h, "alice")) == 2 and "nothing was posted yet" in dms(h, "alice")[1]
    assert len(dms(h, "bob")) == 2 and "nothing was posted yet" in dms(h, "bob")[1]
    await app.stop()
    app = await _build(tmp_path, clock, platform)  # one more restart: nothing is sent again
    await app.scheduler.catch_up()
    assert len(dms(h, "alice")) == 2 and len(dms(h, "bob")) == 2
    await app.stop()


async def test_an_edit_reschedules_the_reminders(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mercredi 9h" @alice remind:1h')
        await mod(h, '/calendar edit 1 due:"jeudi 9h"')
        await h.advance(hours=46)  # Wed 08:00 Paris: the old reminder time passes silently
        assert dms(h, "alice") == []
        await h.advance(hours=24)  # Thu 08:00 Paris
        assert len(dms(h, "alice")) == 1 and "Thursday 19 November 2026, 9:00" in dms(h, "alice")[0]


async def test_the_reminder_button_marks_the_entry_done(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mercredi 9h" @alice remind:1d')
        await h.advance(hours=23)
        reminder = next(s for s in h.sent if s.target == h.platform.user("alice"))
        button = reminder.reply.buttons[0]
        assert button.command == "calendar done" and dict(button.args) == {"entry": "1"}
        reply = await h.command("alice", button.command, options=dict(button.args))
        assert "is marked as published" in reply.text
        await h.advance(days=3)
        assert len(dms(h, "alice")) == 1  # no overdue note after that


async def test_entries_stored_but_not_scheduled_are_scheduled_on_start(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    platform = FakePlatform()
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    populate(h)
    await mod(h, '/calendar add News #news "mardi 9h" @alice remind:2h')
    # A crash between the insert and the scheduling: the rows exist, the due actions do not.
    await app.db.execute("UPDATE calendar_entries SET armed = 0")
    await app.db.execute("DELETE FROM due_actions WHERE kind LIKE 'calendar.%'")
    await app.stop()
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    await h.advance(hours=21)  # Tue 07:00 Paris: the 2h reminder
    assert len(dms(h, "alice")) == 1 and "(in 2 hours)" in dms(h, "alice")[0]
    await app.stop()


async def test_deleting_the_detected_post_reopens_the_entry(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice remind:none')
        await h.advance(hours=22)  # an hour before due
        ref = await h.say("alice", "posted", channel="news")
        assert (await entries(h))[0]["status"] == "published"
        await h.advance(hours=2)
        assert dms(h, "alice") == []
        await h.app.dispatcher.handle(MessageDeleted(h.platform.community, h.clock.now(), ref))
        await h.app.scheduler.run_due()
        row = (await entries(h))[0]
        assert (row["status"], row["link"]) == ("planned", None)
        assert len(dms(h, "alice")) == 1 and "nothing was posted yet" in dms(h, "alice")[0]
        await h.say("alice", "posted again", channel="news")
        assert (await entries(h))[0]["status"] == "published"


async def test_an_alert_later_than_the_window_still_reaches_the_managers(tmp_path: Path) -> None:
    plugins = {"core": {}, "calendar": {"grace_hours": 48, "window_after_hours": 12}}
    async with running(tmp_path, plugins=plugins) as h:
        populate(h)
        await _managers_channel(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice remind:none')
        await h.advance(hours=23 + 12)
        assert (await entries(h))[0]["status"] == "missed" and posts(h, "managers") == []
        await h.advance(hours=36)
        assert len(posts(h, "managers")) == 1 and "2 days late" in posts(h, "managers")[0]


async def test_reminders_due_at_once_after_a_restart_send_only_the_latest(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))  # Monday 10:00 Paris
    platform = FakePlatform()
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    populate(h)
    # Live Q&A due Thursday 18:00 Paris (17:00 UTC): reminders Wed 17:00 and Thu 15:00 UTC.
    await mod(h, '/calendar add "Live Q&A" #events "jeudi 18h" @alice remind:1d,2h')
    # Event due Thursday 12:00 Paris (11:00 UTC): both reminders and the due time pass while down.
    await mod(h, '/calendar add Event #events "jeudi 12h" @bob remind:1d,2h')
    await app.stop()
    clock.set(datetime(2026, 11, 19, 16, 0, tzinfo=UTC))  # Thursday 17:00 Paris, down since Monday
    app = await _build(tmp_path, clock, platform)
    h = Harness(app, clock, platform)
    await app.scheduler.stop()  # wait for the start-up catch-up
    assert len(dms(h, "alice")) == 1  # the 1d reminder is superseded by the 2h one
    assert "(in 60 minutes)" in dms(h, "alice")[0] and "**Live Q&A**" in dms(h, "alice")[0]
    assert len(dms(h, "bob")) == 1 and "nothing was posted yet" in dms(h, "bob")[0]  # only the overdue note
    await app.stop()
    app = await _build(tmp_path, clock, platform)  # another restart: nothing is sent again
    h = Harness(app, clock, platform)
    await app.scheduler.catch_up()
    assert len(dms(h, "alice")) == 1 and len(dms(h, "bob")) == 1
    await h.advance(hours=1)  # due: the overdue note, and nothing else
    assert len(dms(h, "alice")) == 2 and "nothing was posted yet" in dms(h, "alice")[1]
    await h.advance(days=3)
    assert len(dms(h, "alice")) == 2 and len(dms(h, "bob")) == 1
    await app.stop()


async def test_a_clock_jump_past_two_reminders_sends_one_then_the_next(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        populate(h)
        # Due Thursday 18:00 Paris (17:00 UTC): reminders Wed 17:00, Thu 15:00 and Thu 16:30 UTC.
        await mod(h, '/calendar add "Live Q&A" #events "jeudi 18h" @alice remind:1d,2h,30m')
        await h.advance(hours=78)  # Thu 15:00 UTC exactly: the 1d and 2h reminders at once
        assert len(dms(h, "alice")) == 1 and "(in 2 hours)" in dms(h, "alice")[0]
        await h.advance(minutes=90)  # the 30m reminder still comes on its own
        assert len(dms(h, "alice")) == 2 and "(in 30 minutes)" in dms(h, "alice")[1]
        await h.advance(minutes=30)
        assert len(dms(h, "alice")) == 3 and "nothing was posted yet" in dms(h, "alice")[2]


async def test_the_week_list_shows_missed_late_and_published_entries_of_earlier_days(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:  # Monday 16 November, 10:00 Paris
        populate(h)
        await mod(h, '/calendar add Missed #news "mardi 9h" @alice remind:none')
        await mod(h, '/calendar add Late #events "mardi 12h" @bob remind:none')
        await mod(h, '/calendar add OnTime #news "mercredi 9h" @carla remind:none')
        await h.advance(hours=28)  # Tuesday 14:00 Paris: two hours after Late was due
        await h.say("bob", "the late one", channel="events")
        await h.advance(hours=18, minutes=50)  # Wednesday 08:50 Paris
        await h.say("carla", "on time", channel="news")
        await h.advance(days=2)  # Friday: Missed is missed since Wednesday 09:00
        assert [r["status"] for r in await entries(h)] == ["missed", "published", "published"]
        week = (await mod(h, "/calendar list")).text
        assert "**Tuesday 17 November 2026**" in week and "**Wednesday 18 November 2026**" in week
        assert "`#1` 9:00 **Missed** in #news, @alice: missed" in week
        assert "`#2` 12:00 **Late** in #events, @bob: late" in week
        assert "`#3` 9:00 **OnTime** in #news, @carla: published" in week
        for line in ("/calendar list month", "/calendar list all"):
            assert "@alice: missed" in (await mod(h, line)).text


async def test_list_ranges_start_on_monday_the_first_and_thirty_days_ago(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=datetime(2026, 10, 12, 9, 0, tzinfo=UTC)) as h:
        populate(h)
        for title, due in (
            ("October", "2026-10-14 10:00"),
            ("Early", "2026-11-05 10:00"),
            ("Sunday", "2026-11-15 23:30"),
            ("Monday", "2026-11-16 00:30"),
            ("Ahead", "2026-11-23 10:00"),
            ("Far", "2026-12-15 10:00"),
            ("Beyond", "2027-01-10 10:00"),
        ):
            await mod(h, f'/calendar add {title} #news "{due}" @alice remind:none')
        await h.advance(days=36)  # Tuesday 17 November 2026, 10:00 Paris
        week = (await mod(h, "/calendar list week")).text
        assert "**Monday**" in week and "@alice: missed" in week and "Ahead" in week  # Mon 00:30 Paris
        assert all(t not in week for t in ("October", "Early", "**Sunday**", "Far", "Beyond"))
        month = (await mod(h, "/calendar list month")).text
        assert all(t in month for t in ("Early", "**Sunday**", "**Monday**", "Ahead", "Far"))
        assert "October" not in month and "Beyond" not in month  # until 18 December
        everything = (await mod(h, "/calendar list all")).text  # from 18 October
        assert all(t in everything for t in ("Early", "**Sunday**", "**Monday**", "Ahead", "Far", "Beyond"))
        assert "October" not in everything
