"""`/calendar edit entry ... scope:series` through the real app on a frozen clock: the definition and
the planned entries ahead change (nothing past, published, skipped or cancelled), entries changed one
by one keep their changes, reminders move once, wall-clock time across DST, bad input, permission,
privacy export; and the pure pairing of old and new slots."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.model import Level
from plugins.calendar.series_plan import Change, Current, NoSlots, Occurrence, plan
from tests.calendar_plugin.helpers import PLUGINS, dms, entries, mod, populate
from tests.harness import Harness, running

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
async def h(tmp_path: Path) -> Harness:  # type: ignore[misc]
    async with running(tmp_path, plugins=PLUGINS) as harness:  # Monday 16 November 2026, 10:00 Paris
        populate(harness)
        yield harness


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _local(row: dict[str, Any]) -> str:
    return _utc(row["due_at"]).astimezone(PARIS).strftime("%a %d %b %H:%M")


async def _series(h: Harness) -> list[dict[str, Any]]:
    return [dict(r) for r in await h.app.db.fetchall("SELECT * FROM calendar_series ORDER BY id")]


async def _pending_reminders(h: Harness) -> list[tuple[str, str]]:
    rows = await h.app.db.fetchall(
        "SELECT key, due_at FROM due_actions WHERE kind = 'calendar.remind' AND status = 'pending' ORDER BY due_at"
    )
    return [(r["key"], r["due_at"]) for r in rows]


async def test_fields_change_for_the_series_and_its_planned_entries_ahead_only(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:none')  # #1..#8, Tuesdays
    await mod(h, "/calendar done 2")  # published ahead of time
    await mod(h, '/calendar edit 3 title:"Special edition"')  # changed on its own
    await mod(h, "/calendar skip 4 holidays")
    await mod(h, "/calendar cancel 5")
    await h.say("alice", "hello", channel="news")  # publish detection has looked at who may publish where
    await h.advance(days=3)  # Thursday: #1 is missed; the horizon has added #9 (12 January)
    before = {r["id"]: r for r in await entries(h)}
    reply = await mod(h, '/calendar edit 1 title:"Weekly digest" owner:@bob channel:#events scope:series')
    assert "✏️ The series **Weekly digest** is changed, and so are 5 planned entries ahead." in reply.text
    assert "Kept as changed one by one: `#3`." in reply.text and "repeats from" not in reply.text
    rows = {r["id"]: r for r in await entries(h)}
    shown = {i: (r["title"], r["owner_id"], r["channel_id"], r["status"]) for i, r in rows.items()}
    assert shown[1] == ("News", "alice", "news", "missed")
    assert shown[2] == ("News", "alice", "news", "published")
    assert shown[3] == ("Special edition", "bob", "events", "planned")  # its own title stays
    assert shown[4] == ("News", "alice", "news", "skipped")
    assert shown[5] == ("News", "alice", "news", "cancelled")
    assert {shown[i] for i in (6, 7, 8, 9)} == {("Weekly digest", "bob", "events", "planned")}
    assert all(rows[i]["due_at"] == before[i]["due_at"] for i in rows)  # no time was asked for
    assert [(s["title"], s["owner_id"], s["channel_id"]) for s in await _series(h)] == [
        ("Weekly digest", "bob", "events")
    ]
    await h.advance(days=7)  # the horizon adds #10 from the new definition
    rows = {r["id"]: r for r in await entries(h)}
    assert (rows[10]["title"], rows[10]["owner_id"], rows[10]["channel_id"]) == ("Weekly digest", "bob", "events")
    await h.advance(days=4, hours=22)  # Tuesday 1 December, 08:00 Paris: #3 is due in an hour
    await h.say("bob", "Special edition is out", channel="events")
    assert {r["id"]: r for r in await entries(h)}[3]["status"] == "published"


async def test_a_new_time_moves_the_reminders_once_and_never_leaves_the_old_ones(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:1h')
    reply = await mod(h, '/calendar edit 1 due:"jeudi 11h" scope:series')
    assert "and so are 8 planned entries ahead" in reply.text
    assert "It now repeats from Thursday 19 November 2026, 11:00 (Europe/Paris)." in reply.text
    reply = await mod(h, '/calendar edit 5 due:"jeudi 10h" scope:series')  # and once more
    assert "It now repeats from Thursday 19 November 2026, 10:00 (Europe/Paris)." in reply.text
    rows = await entries(h)
    assert {_local(r)[:3] + _local(r)[-6:] for r in rows} == {"Thu 10:00"} and len(rows) == 8
    assert [r["id"] for r in rows] == list(range(1, 9))  # the same entries, renumbered onto Thursdays
    pending = await _pending_reminders(h)  # one reminder per entry, of its current revision, an hour before
    assert pending == [
        (
            f"{r['id']}/{r['revision']}:3600",
            (_utc(r["due_at"]) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        )
        for r in rows
    ]
    await h.advance(hours=22)  # Tuesday 08:00 Paris, the old reminder time
    await h.advance(hours=1)  # Tuesday 09:00 Paris, the old due time
    assert dms(h, "alice") == []
    await h.advance(hours=47)  # Thursday 08:00 Paris: the 11:00 reminder was dropped too
    assert dms(h, "alice") == []
    await h.advance(hours=1)  # Thursday 09:00 Paris
    assert len(dms(h, "alice")) == 1
    assert "is due in #news on Thursday 19 November 2026, 10:00 (in 60 minutes)" in dms(h, "alice")[0]
    await h.advance(hours=1)
    assert len(dms(h, "alice")) == 2 and "nothing was posted yet" in dms(h, "alice")[1]
    for _hour in range(7 * 24):  # a week, hour by hour
        await h.advance(hours=1)
    reminders = [t for t in dms(h, "alice") if t.startswith("⏰")]
    assert len(reminders) == 2 and "Thursday 26 November 2026, 10:00" in reminders[1]
    assert not any("Tue" in t for t in dms(h, "alice"))


async def test_entries_moved_or_finished_on_their_own_keep_their_time_and_their_rank(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:none')
    await mod(h, '/calendar edit 3 due:"2026-12-02 09:00"')  # Wednesday instead of Tuesday 1 December
    await mod(h, "/calendar skip 4 holidays")  # Tuesday 8 December
    reply = await mod(h, '/calendar edit 1 due:"jeudi 18h" scope:series')
    assert "and so are 6 planned entries ahead" in reply.text and "Kept as changed one by one: `#3`." in reply.text
    days = [(r["id"], _local(r), r["status"]) for r in await entries(h)]
    assert days == [
        (1, "Thu 19 Nov 18:00", "planned"),
        (2, "Thu 26 Nov 18:00", "planned"),
        (3, "Wed 02 Dec 09:00", "planned"),
        (4, "Tue 08 Dec 09:00", "skipped"),
        (5, "Thu 17 Dec 18:00", "planned"),
        (6, "Thu 24 Dec 18:00", "planned"),
        (7, "Thu 31 Dec 18:00", "planned"),
        (8, "Thu 07 Jan 18:00", "planned"),
    ]


async def test_a_series_crossing_both_dst_changes_keeps_its_new_local_time(tmp_path: Path) -> None:
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday, winter time
    async with running(tmp_path, plugins=PLUGINS, start=start) as h:
        populate(h)
        await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:2h')
        reply = await mod(h, '/calendar edit 1 due:"jeudi 18h30" scope:series')
        assert "It now repeats from Thursday 4 March 2027, 18:30 (Europe/Paris)." in reply.text
        dues = {_utc(r["due_at"]).date().isoformat(): _utc(r["due_at"]).strftime("%H:%M") for r in await entries(h)}
        assert dues["2027-03-25"] == "17:30" and dues["2027-04-01"] == "16:30"  # 18:30 Paris either side
        for _week in range(36):
            await h.advance(days=7)
        rows = await entries(h)
        assert {_local(r)[:3] + _local(r)[-6:] for r in rows} == {"Thu 18:30"}
        dues = {_utc(r["due_at"]).date().isoformat(): _utc(r["due_at"]).strftime("%H:%M") for r in rows}
        assert dues["2027-10-28"] == "16:30" and dues["2027-11-04"] == "17:30"
        assert len(rows) == 8 + 36 and len({r["due_at"] for r in rows}) == len(rows)
        assert all("18:30" in t for t in dms(h, "alice") if t.startswith("⏰"))


async def test_a_count_keeps_the_number_of_occurrences_left(h: Harness) -> None:
    await mod(h, '/calendar add Quiz #events "mardi 9h" @bob repeat:"FREQ=WEEKLY;COUNT=3" remind:none')
    await h.advance(days=2)  # #1 is missed; two are left
    reply = await mod(h, '/calendar edit 2 due:"jeudi 10h" scope:series')
    assert "and so are 2 planned entries ahead" in reply.text
    await h.advance(days=60)
    assert [(r["id"], _local(r)) for r in await entries(h)] == [
        (1, "Tue 17 Nov 09:00"),
        (2, "Thu 19 Nov 10:00"),
        (3, "Thu 26 Nov 10:00"),
    ]


async def test_an_until_cancels_the_entries_left_without_a_date_or_leaves_no_date(h: Harness) -> None:
    await mod(
        h, '/calendar add Club #events "mardi 9h" @bob repeat:"FREQ=WEEKLY;UNTIL=20261209T000000Z" remind:none'
    )  # 17, 24 November, 1 and 8 December
    reply = await mod(h, '/calendar edit 1 due:"jeudi 9h" scope:series')  # 19, 26 November, 3 December
    assert "and so are 3 planned entries ahead" in reply.text
    assert "Cancelled, with no place left in the new repetition: `#4`." in reply.text
    assert [(r["id"], r["status"]) for r in await entries(h)] == [
        (1, "planned"),
        (2, "planned"),
        (3, "planned"),
        (4, "cancelled"),
    ]
    assert len(await _pending_reminders(h)) == 0
    pending = await h.app.db.fetchall("SELECT key FROM due_actions WHERE status = 'pending' AND key LIKE '4/%'")
    assert pending == []
    before = await entries(h)
    refused = await mod(h, '/calendar edit 2 due:"2026-12-10 10:00" scope:series')  # after the UNTIL
    assert "This repetition has no date after “2026-12-10 10:00”." in refused.text
    assert "Check the RRULE's UNTIL or COUNT." in refused.text and refused.ephemeral
    assert await entries(h) == before


async def test_replies_in_french_with_the_right_number(h: Harness) -> None:
    await mod(h, '/calendar add Quiz #events "mardi 9h" @bob repeat:"FREQ=WEEKLY;COUNT=2" remind:none')
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:none')
    await mod(h, "/calendar done 1")
    one = await mod(h, "/calendar edit 2 owner:@carla scope:series", locale="fr")
    assert "✏️ La série **Quiz** est modifiée, ainsi qu’une publication prévue à venir." in one.text
    none = await mod(h, "/calendar edit 2 owner:@carla scope:series", locale="fr")
    assert "aucune publication prévue à venir n’avait besoin de l’être" in none.text
    many = await mod(h, '/calendar edit 3 title:"Revue de presse" due:"mercredi 9h" scope:series', locale="fr")
    assert "✏️ La série **Revue de presse** est modifiée, ainsi que les 8 publications prévues à venir." in many.text
    assert "Elle se répète désormais à partir du mercredi 18 novembre 2026 à 9 h (Europe/Paris)." in many.text


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("/calendar edit 99 title:X scope:series", "There is no entry #99 in this community.", "/calendar list all"),
        (
            "/calendar edit 9 title:X scope:series",
            "Entry #9 is not part of a repeating series.",
            "Leave out `scope:series`",
        ),
        ("/calendar edit 1 scope:series", "Nothing to change.", "Give a new title, due, owner"),
        ('/calendar edit 1 title:"   " scope:series', "title cannot be empty.", "Usage: /calendar edit"),
        ("/calendar edit 1 scope:series title:" + "é" * 201, "title is too long: 201 characters", "Usage:"),
        ("/calendar edit 1 title:X scope:everything", "scope must be one of one, series", "Usage:"),
        ("/calendar edit abc title:X scope:series", "entry must be a whole number", "Usage:"),
        ("/calendar edit 1 title:X scope:series " + "7" * 40, "I cannot tell what 77777777777… means.", "`mardi 9h`"),
        ('/calendar edit 1 due:"quand tu veux" scope:series', "I cannot read “quand tu veux” as a date.", "`mardi 9h`"),
        ('/calendar edit 1 due:"2020-01-01 10:00" scope:series', "is in the past", "`mardi 9h`"),
        ("/calendar edit 1 owner:@zzz scope:series", "No member matches “@zzz”.", "Usage:"),
        ("/calendar edit 1 channel:#nwes scope:series", "No channel matches “#nwes”.", "Did you mean #news?"),
        ("/calendar edit 1 remind:sometimes scope:series", "is not a list of reminders", "`1d,2h`"),
    ],
)
async def test_bad_input_is_refused_privately_and_changes_nothing(
    h: Harness, line: str, message: str, hint: str
) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly')
    await mod(h, '/calendar add Once #news "jeudi 9h" @alice')  # #9, a one-off
    before = (await entries(h), await _series(h), await _pending_reminders(h))
    reply = await mod(h, line)
    assert reply.text.startswith("⚠️") and message in reply.text and hint in reply.text, reply.text
    assert reply.ephemeral
    assert (await entries(h), await _series(h), await _pending_reminders(h)) == before


async def test_errors_are_translated(h: Harness) -> None:
    await mod(h, '/calendar add Once #news "jeudi 9h" @alice')
    reply = await mod(h, "/calendar edit 1 title:X scope:series", locale="fr")
    assert "La publication n°\u202f1 ne fait pas partie d’une série." in reply.text
    assert "Retirez `étendue:série` pour ne modifier que cette publication." in reply.text and reply.ephemeral


async def test_a_cancelled_series_cannot_be_edited(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly')
    await mod(h, "/calendar cancel 1 series")
    before = await entries(h)
    reply = await mod(h, "/calendar edit 2 owner:@bob scope:series")
    assert "The series of entry #2 is cancelled; nothing was changed." in reply.text and reply.ephemeral
    assert "Plan a new one with `/calendar add`." in reply.text
    assert await entries(h) == before


async def test_unicode_titles_round_trip(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly')
    reply = await mod(h, '/calendar edit 1 title:"Revue — 日本語 ✨ l’été" scope:series')
    assert "**Revue — 日本語 ✨ l’été**" in reply.text
    assert {r["title"] for r in await entries(h)} == {"Revue — 日本語 ✨ l’été"}
    assert (await _series(h))[0]["title"] == "Revue — 日本語 ✨ l’été"


async def test_only_moderators_and_managers_edit_a_series(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly')
    before = await entries(h)
    for who in ("carla", "alice"):  # a member, and the series' own owner
        refused = await h.command(who, "/calendar edit 1 title:Mine scope:series", level=Level.MEMBER)
        assert "Only moderators and the calendar's managers can plan entries." in refused.text and refused.ephemeral
    assert await entries(h) == before
    await mod(h, "/settings role purpose:managers role:R42")
    allowed = await h.command("carla", "/calendar edit 1 title:Ours scope:series", roles=["R42"])
    assert "and so are 8 planned entries ahead" in allowed.text


async def test_privacy_export_follows_the_new_owner(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:none')
    await h.advance(days=2)  # #1 stays alice's (missed)
    await mod(h, "/calendar edit 2 owner:@bob scope:series")

    async def exported(who: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((await h.command(who, "/privacy export")).attachments[0].content)
        return data["calendar"]

    alice, bob = await exported("alice"), await exported("bob")
    assert [e["id"] for e in alice["owned_entries"]] == [1] and alice["owned_series"] == []
    assert [e["id"] for e in bob["owned_entries"]] == list(range(2, 10))
    assert [(s["id"], s["title"], s["timezone"]) for s in bob["owned_series"]] == [(1, "News", "Europe/Paris")]
    assert [s["id"] for s in (await exported("mod"))["created_series"]] == [1]


# ---------------------------------------------------------------- the pure pairing


NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
WEEKLY = Current("News", "news", "alice", "none", "FREQ=WEEKLY", datetime(2026, 11, 17, 9, 0), "Europe/Paris")


def _row(n: int, status: str = "planned", *, moved: timedelta = timedelta(), **values: Any) -> Occurrence:
    slot = datetime(2026, 11, 17, 8, 0, tzinfo=UTC) + timedelta(weeks=n - 1)
    fields = {"title": "News", "channel_id": "news", "owner_id": "alice", "remind": "none", **values}
    return Occurrence(
        n, slot, slot + moved, status, 0, fields["title"], fields["channel_id"], fields["owner_id"], fields["remind"]
    )


def test_an_occurrence_already_on_a_new_slot_is_that_slot() -> None:
    rows = [_row(n, "skipped" if n == 3 else "planned") for n in range(1, 6)]
    result = plan(WEEKLY, rows, Change({}, datetime(2026, 12, 1, 9, 0)), NOW)  # two weeks later
    moved = {i: u["due_at"] for i, u in result.updates.items()}
    assert [moved[i].date().isoformat() for i in (1, 2, 4, 5)] == [  # type: ignore[union-attr]
        "2026-12-08",
        "2026-12-15",
        "2026-12-22",
        "2026-12-29",
    ]
    assert result.cancelled == [] and result.kept == []


def test_a_same_start_changes_no_time_and_fields_follow_only_where_unchanged() -> None:
    rows = [_row(1), _row(2, owner_id="bob"), _row(3, moved=timedelta(days=1)), _row(4, "published")]
    result = plan(WEEKLY, rows, Change({"owner_id": "carla"}, datetime(2026, 11, 17, 9, 0)), NOW)
    assert result.updates == {1: {"owner_id": "carla"}, 3: {"owner_id": "carla"}}
    assert result.kept == [2, 3] and result.series == {"owner_id": "carla", "start_local": "2026-11-17T09:00:00"}


def test_a_rule_over_before_the_new_start_has_no_slot() -> None:
    ended = Current(
        "Club",
        "news",
        "alice",
        "none",
        "FREQ=WEEKLY;UNTIL=20261201T000000",
        datetime(2026, 11, 17, 9, 0),
        "Europe/Paris",
    )
    with pytest.raises(NoSlots):
        plan(ended, [_row(1), _row(2)], Change({}, datetime(2026, 12, 3, 9, 0)), NOW)


async def test_the_horizon_job_never_materialises_a_series_as_it_was_before_an_edit(
    h: Harness, monkeypatch: Any
) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly remind:none')
    plugin = next(p for p in h.app.registry.plugins if p.name == "calendar")
    repo = plugin.repo  # type: ignore[attr-defined]
    h.clock.advance(timedelta(days=7))
    stale = await repo.series_to_extend(h.clock.now() + timedelta(days=56))  # read just before the edit lands
    await mod(h, '/calendar edit 2 title:"Weekly digest" owner:@bob scope:series')

    async def read_before_the_edit(until: datetime) -> list[Any]:
        return list(stale)

    monkeypatch.setattr(repo, "series_to_extend", read_before_the_edit)
    await plugin.extend(h.clock.now())  # type: ignore[attr-defined]
    added = (await entries(h))[-1]
    assert (added["id"], added["title"], added["owner_id"]) == (9, "Weekly digest", "bob")


async def test_a_new_time_for_a_counted_series_with_no_date_left_says_so(h: Harness) -> None:
    await mod(h, '/calendar add Quiz #events "mardi 9h" @bob repeat:"FREQ=WEEKLY;COUNT=2" remind:none')
    await h.advance(days=10)  # both Tuesdays are past
    refused = await mod(h, '/calendar edit 1 due:"jeudi 10h" scope:series')
    assert "This repetition has no date after “jeudi 10h”." in refused.text and refused.ephemeral
