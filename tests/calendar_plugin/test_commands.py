"""The calendar's commands through the real app: add, list, done, skip, edit, cancel, charter,
with bad input, unicode, huge values and members without the permission."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Level
from tests.calendar_plugin.helpers import PLUGINS, dms, entries, mod, populate
from tests.harness import Harness, running


@pytest.fixture
async def h(tmp_path: Path) -> Harness:  # type: ignore[misc]
    async with running(tmp_path, plugins=PLUGINS) as harness:
        populate(harness)
        yield harness


async def test_add_shows_the_resolved_date_and_weekday(h: Harness) -> None:
    reply = await mod(h, '/calendar add "Weekly news" #news "mardi 9h" @alice')
    assert "Planned `#1` **Weekly news** in #news for Tuesday 17 November 2026, 9:00 (Europe/Paris)" in reply.text
    assert "Owner: @alice. Reminders: 1 day before, 2 hours before." in reply.text
    rows = await entries(h)
    assert [(r["owner_id"], r["due_at"], r["status"]) for r in rows] == [
        ("alice", "2026-11-17T08:00:00.000000Z", "planned")
    ]


async def test_add_answers_in_french_for_a_french_reader(h: Harness) -> None:
    reply = await mod(h, '/calendar add "Revue de presse" #news "demain 18h"', locale="fr")
    assert "🗓️ Publication `#1` **Revue de presse** prévue dans #news le mardi 17 novembre 2026 à 18 h" in reply.text
    assert "Rédacteur\u202f: @mod. Rappels\u202f: 1 jour avant, 2 heures avant." in reply.text
    assert (await entries(h))[0]["owner_id"] == "mod"  # the caller owns it by default


async def test_english_natural_date_and_named_parameters(h: Harness) -> None:
    reply = await mod(
        h,
        '/calendar add title:"Événement 🎉" channel:#events due:"next tuesday 9am" owner:@bob repeat:weekly remind:2h',
    )
    assert "**Événement 🎉**" in reply.text and "Repeats: every week on Tuesday at 9:00." in reply.text
    rows = await entries(h)
    assert len(rows) == 8  # eight weeks ahead
    assert {r["remind"] for r in rows} == {"2h"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('/calendar add News #news "hier 10:00"', "is in the past"),
        ('/calendar add News #news "n\'importe quand"', "I cannot read “n'importe quand” as a date."),
        ('/calendar add News #news ""', "cannot be empty"),
        ('/calendar add News #nwes "mardi 9h"', "Did you mean #news?"),
        ('/calendar add News #news "mardi 9h" @alcie', "Did you mean @alice?"),
        ('/calendar add News #news "mardi 9h" @alice sometimes', "is not a repetition I understand"),
        ('/calendar add News #news "mardi 9h" @alice weekly 3x', "is not a list of reminders"),
        ('/calendar add "   " #news "mardi 9h"', "title cannot be empty."),
        ("/calendar add " + "T" * 300 + ' #news "mardi 9h"', "title"),
        ('/calendar add News #news "' + "9" * 150 + '"', "due"),
    ],
)
async def test_bad_input_changes_nothing(h: Harness, line: str, expected: str) -> None:
    reply = await mod(h, line)
    assert reply.text.startswith("⚠️") and expected in reply.text
    assert await entries(h) == []


async def test_unreadable_date_lists_examples(h: Harness) -> None:
    reply = await mod(h, '/calendar add News #news "blah"')
    assert "`mardi 9h`, `demain 18:00`, `next tuesday 9am`, `2026-12-01 10:00`" in reply.text


async def test_only_moderators_and_managers_plan(h: Harness) -> None:
    refused = await h.command("bob", '/calendar add News #news "mardi 9h"')
    assert "Only moderators and the calendar's managers" in refused.text
    await mod(h, "/settings role purpose:managers role:R42")
    allowed = await h.command("bob", '/calendar add News #news "mardi 9h"', roles=["R42"])
    assert "Planned `#1`" in allowed.text
    for line in ("/calendar edit 1 title:X", "/calendar cancel 1"):
        assert "Only moderators" in (await h.command("carla", line)).text
    assert (await entries(h))[0]["status"] == "planned"


async def test_list_groups_by_day_with_status_and_owner_filter(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice')
    await mod(h, '/calendar add Event #events "jeudi 18:00" @bob')
    await mod(h, '/calendar add Later #events "2026-12-10 10:00" @bob')
    week = await h.command("carla", "/calendar list")
    assert "**Tuesday 17 November 2026**" in week.text and "**Thursday 19 November 2026**" in week.text
    assert "`#1` 9:00 **News** in #news, @alice: planned" in week.text
    assert "Later" not in week.text
    assert "Later" in (await h.command("carla", "/calendar list month")).text
    bobs = await h.command("carla", "/calendar list all @bob")
    assert "Event" in bobs.text and "Later" in bobs.text and "News" not in bobs.text
    assert "Nothing is planned" in (await h.command("carla", "/calendar list week @carla")).text
    assert "⚠️" in (await h.command("carla", "/calendar list decade")).text


async def test_done_and_skip_by_the_owner(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice')
    await mod(h, '/calendar add Event #events "jeudi 18:00" @alice')
    assert "is not yours" in (await h.command("bob", "/calendar done 1")).text
    assert "is not a link" in (await h.command("alice", "/calendar done 1 link:ftp//x")).text
    done = await h.command("alice", "/calendar done 1 https://chat.example/news/9")
    assert "✅ `#1` **News** is marked as published." in done.text
    again = await h.command("alice", "/calendar done 1")
    assert "already published; nothing was changed" in again.text
    assert "⚠️" in (await h.command("alice", "/calendar skip 2")).text  # the reason is required
    skipped = await h.command("alice", "/calendar skip 2 vacances d'été ☀️")
    assert "is skipped: vacances d'été ☀️" in skipped.text
    rows = await entries(h)
    assert [(r["status"], r["link"], r["reason"]) for r in rows] == [
        ("published", "https://chat.example/news/9", None),
        ("skipped", None, "vacances d'été ☀️"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "/calendar done abc",
        "/calendar done 0",
        "/calendar done 99999999",
        "/calendar done -3",
        "/calendar done " + "9" * 40,
    ],
)
async def test_wrong_entry_numbers(h: Harness, line: str) -> None:
    assert (await h.command("alice", line)).text.startswith("⚠️")


async def test_edit_moves_the_due_date_and_refuses_finished_entries(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice')
    assert "Nothing to change" in (await mod(h, "/calendar edit 1")).text
    moved = await mod(h, '/calendar edit 1 due:"jeudi 10h" owner:@bob channel:#events title:"News v2"')
    assert "`#1` **News v2** in #events is now due Thursday 19 November 2026, 10:00" in moved.text
    row = (await entries(h))[0]
    assert (row["owner_id"], row["channel_id"], row["due_at"]) == ("bob", "events", "2026-11-19T09:00:00.000000Z")
    assert "in the past" in (await mod(h, '/calendar edit 1 due:"2020-01-01 10:00"')).text
    await h.advance(days=4)  # past the window: missed
    assert (await entries(h))[0]["status"] == "missed"
    refused = await mod(h, "/calendar edit 1 title:Again")
    assert "Entry #1 is already missed; nothing was changed." in refused.text
    assert (await entries(h))[0]["title"] == "News v2"


async def test_cancel_one_twice_and_the_series(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice weekly')
    assert "🗑️ `#1` **News** is cancelled." in (await mod(h, "/calendar cancel 1")).text
    assert "Entry #1 is already cancelled; nothing was changed." in (await mod(h, "/calendar cancel 1")).text
    series = await mod(h, "/calendar cancel 2 series")
    assert "The series **News** is cancelled (7 planned entries removed)." in series.text
    again = await mod(h, "/calendar cancel 3 series")
    assert "already cancelled; nothing was changed" in again.text
    assert {r["status"] for r in await entries(h)} == {"cancelled"}
    assert "Nothing is planned" in (await mod(h, "/calendar list all")).text
    assert "no entry #77" in (await mod(h, "/calendar cancel 77")).text


async def test_charter_is_shown_to_a_new_owner_once(h: Harness) -> None:
    assert "no editorial charter yet" in (await h.command("bob", "/charter show")).text
    assert "for moderators only" in (await h.command("bob", "/charter set Be kind")).text
    assert "cannot be empty" in (await mod(h, '/charter set "  "')).text
    assert "⚠️" in (await mod(h, "/charter set " + "x" * 1600)).text
    await mod(h, "/charter set Une publication par semaine, sources citées. 📰")
    assert "Une publication par semaine" in (await h.command("bob", "/charter show")).text
    first = await mod(h, '/calendar add News #news "mardi 9h" @alice')
    assert "The editorial charter was sent to @alice." in first.text
    await mod(h, '/calendar add More #news "jeudi 9h" @alice')
    assert [t for t in dms(h, "alice") if "charter" in t] == [
        "📜 You now own an entry of the editorial calendar. The community's charter:\n"
        "Une publication par semaine, sources citées. 📰"
    ]


async def test_someone_without_permission_cannot_edit_someone_elses_entry(h: Harness) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice')
    assert "is not yours" in (await h.command("bob", "/calendar skip 1 no")).text
    assert (await h.command("alice", "/calendar edit 1 title:Mine", level=Level.MEMBER)).text.startswith("⚠️")


@pytest.mark.parametrize(
    "line",
    [
        "/calendar cancel 1 scope:everything",
        "/calendar list all @nobdy",
        "/calendar edit 1 title:" + "x" * 201,
        '/calendar edit 1 due:"quand tu veux"',
        "/calendar edit 1 remind:sometimes",
        "/calendar edit 1 owner:@zzz",
        "/calendar edit 1 channel:#nope",
        "/calendar done 1 link:" + "h" * 600,
        "/calendar skip 1 " + "r" * 300,
        "/calendar edit one",
    ],
)
async def test_more_bad_values_change_nothing(h: Harness, line: str) -> None:
    await mod(h, '/calendar add News #news "mardi 9h" @alice')
    before = await entries(h)
    reply = await mod(h, line)
    assert reply.text.startswith("⚠️"), reply.text
    assert await entries(h) == before


async def test_unicode_everywhere_round_trips(h: Harness) -> None:
    h.platform.channel("actualités")
    h.platform.user("Zoé")
    reply = await mod(h, '/calendar add "Édition spéciale — 日本語 ✨" #actualités "1 décembre 10h" @Zoé')
    assert "**Édition spéciale — 日本語 ✨** in #actualités for Tuesday 1 December 2026, 10:00" in reply.text
    listing = await h.command("zoé", "/calendar list month", locale="fr")
    assert "**mardi 1 décembre 2026**" in listing.text and "@Zoé\u202f: prévue" in listing.text


async def test_entry_numbers_autocomplete_by_number_or_title(h: Harness) -> None:
    await mod(h, '/calendar add "Weekly news" #news "mardi 9h" @alice')
    await mod(h, '/calendar add "Podcast" #news "jeudi 18h" @alice')
    complete = h.app.registry.autocomplete["calendar_entries"]
    labels = [c.label for c in await complete(h.platform.community, h.platform.user("alice"), "podc")]
    assert [h.app.translator.render(label, "en") for label in labels] == [
        "#2 Podcast (Thursday 19 November 2026, 18:00, planned)"
    ]
    assert [h.app.translator.render(label, "fr") for label in labels] == [
        "#2 Podcast (jeudi 19 novembre 2026 à 18 h, prévue)"
    ]
    assert [c.value for c in await complete(h.platform.community, h.platform.user("alice"), "")] == ["1", "2"]
