"""Organising events through the real app: create, edit, cancel, next edition, info and list, and every
refusal of bad input in English and in French (the accepted form in the hint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Level
from tests.events.helpers import GROUP, TOWN, cards, create, event_id, events_app, plugin, rows, shown
from tests.events.life_helpers import dms
from tests.harness import Harness

MONTHLY = f'/event create "{GROUP}" "Apéro Rust" "2026-12-01 19:00" repeat:"every first tuesday of the month"'


async def test_a_monthly_event_has_three_dates_and_its_card_in_the_group_channel(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        reply = await create(h, MONTHLY + ' capacity:20 address:"Café du Port, 3 quai"')
        assert "Tuesday 1 December 2026, 19:00 to 21:00" in shown(reply)
        assert "every month on the first Tuesday at 19:00" in shown(reply)
        number = event_id(reply)
        starts = await rows(
            h, "SELECT starts_at FROM event_occurrences WHERE event_id = ? ORDER BY starts_at", (number,)
        )
        # Paris is UTC+1 in winter: 19:00 local is 18:00 UTC.
        assert [r[0][:16] for r in starts] == ["2026-12-01T18:00", "2027-01-05T18:00", "2027-02-02T18:00"]
        [card] = cards(h)
        assert card.target.channel_id.startswith("c-")  # the group's own channel, not where the command ran
        assert "Café du Port, 3 quai" in card.text and f"{TOWN}, FR" in card.text
        assert "20 of 20 seats left" in card.text and "0 going · 0 maybe · 0 can't go" in card.text
        assert [b.args for b in card.reply.buttons] == [
            (("event", str(number)), ("answer", answer), ("date", "2026-12-01 19:00"))
            for answer in ("going", "maybe", "no")
        ]
        # Each date has its reminders (a day and an hour before), its countdown to the organisers (7 days
        # before; the 30-day save-the-date only where it is still ahead) and its recap, waiting.
        assert await planned_work(h) == [
            ("2026-11-24T18:00", "milestone:604800"),
            ("2026-11-30T18:00", "remind:86400"),
            ("2026-12-01T17:00", "remind:3600"),
            ("2026-12-01T20:00", "recap"),
            ("2026-12-06T18:00", "milestone:2592000"),
            ("2026-12-29T18:00", "milestone:604800"),
            ("2027-01-04T18:00", "remind:86400"),
            ("2027-01-05T17:00", "remind:3600"),
            ("2027-01-05T20:00", "recap"),
            ("2027-01-03T18:00", "milestone:2592000"),
            ("2027-01-26T18:00", "milestone:604800"),
            ("2027-02-01T18:00", "remind:86400"),
            ("2027-02-02T17:00", "remind:3600"),
            ("2027-02-02T20:00", "recap"),
        ]


async def planned_work(h: Harness, day: str = "") -> list[tuple[str, str]]:
    """The events' pending due actions (of the dates starting on `day`, UTC, when given) as (due at, what),
    by date then in time order: `remind:86400` is the reminder a day before, `recap` the recap after the end."""
    found = await rows(
        h,
        "SELECT o.starts_at, a.key, a.due_at FROM due_actions a JOIN event_occurrences o "
        "ON a.key LIKE 'occ:' || o.id || ':%' WHERE a.kind LIKE 'events.%' AND a.status = 'pending' "
        "AND o.starts_at LIKE ? ORDER BY o.starts_at, a.due_at",
        (f"{day}%",),
    )
    return [(due[:16], ":".join(key.split(":")[2:-1])) for _start, key, due in found]


async def test_create_in_french_with_french_words(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        reply = await create(
            h,
            f'/event create groupe:"{GROUP}" titre:"Apéro" début:"mardi 1 décembre 19h" durée:"1h30" '
            'places:12 répétition:"chaque premier mardi du mois" rappels:"2j, 3h" lien:https://meet.example.org/apero',
            locale="fr",
        )
        assert "est prévu dans Rust Lille" in shown(reply) and "mardi 1 décembre 2026, 19:00 à 20:30" in shown(reply)
        assert "chaque mois le premier mardi" in shown(reply)
        [event] = await rows(h, "SELECT capacity, reminders, duration_min, online_url FROM events")
        assert event == (12, "2d,3h", 90, "https://meet.example.org/apero")
        [card] = cards(h)
        assert "12 of 12 seats left" in card.text  # the channel reads the community's language


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_every_bad_input_is_refused_with_the_accepted_form(tmp_path: Path, locale: str) -> None:
    fr = locale == "fr"
    cases = [
        # (who, command, English words, French words)
        ("alice", f'/event create "{GROUP}" "Apéro" "2026-11-10 19:00"', "is in the past", "est dans le passé"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" end:18h', "is not after the start", "doit venir après"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" capacity:0', "between 1 and 1,000", "entre 1 et 1"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" capacity:1001', "between 1 and 1,000", "entre 1 et 1"),
        ("bob", f'/event create "{GROUP}" "Apéro" "mardi 19h"', "Ask one of its owners: alice", "responsables : alice"),
        ("alice", '/event create "Rust Lile" "Apéro" "mardi 19h"', "Rust Lille", "Rust Lille"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" place:Lilel', "Lille", "Lille"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" place:Zzyzxqvw', "I do not know", "Je ne connais"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" link:javascript:alert(1)', "https://", "https://"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" link:"https://a b"', "not a web link", "pas un lien"),
        (
            "alice",
            f'/event create "{GROUP}" "Apéro" "mardi 19h" repeat:"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"',
            "never happens",
            "",
        ),
        ("alice", f'/event create "{GROUP}" "{"x" * 101}" "mardi 19h"', "100", "100"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" reminders:"tomorrow-ish"', "reminders", "rappels"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" duration:5m', "15 minutes", "15 minutes"),
        ("alice", f'/event create "{GROUP}" "Apéro" "mardi 19h" duration:2h end:22h', "not both", "pas les deux"),
        ("alice", f'/event create "{GROUP}" "Apéro" "someday maybe"', "as a date", "pas de date dans"),
        ("alice", "/event info 99", "no event #99", "pas d’événement n° 99"),
        ("alice", '/event info "Apero Rst"', "Apéro Rust", "Apéro Rust"),
        ("bob", "/event edit 1 capacity:30", "Only the owners", "Seuls les responsables"),
        ("alice", "/event edit 1 capacity:0", "between 1 and 1,000", "entre 1 et 1"),
        ("alice", "/event edit 1", "Nothing to change", "Rien à changer"),
        ("alice", '/event edit 1 start:"2026-11-01 19:00"', "is in the past", "est dans le passé"),
        ("alice", '/event cancel 1 date:"2026-12-08"', "no date on", "pas de date le"),
        ("bob", "/event cancel 1", "Only the owners", "Seuls les responsables"),
        ("bob", '/event next 1 "2027-06-01 19:00"', "Only the owners", "Seuls les responsables"),
        ("alice", "/event list near:Zzyzxqvw", "I do not know", "Je ne connais"),
    ]
    async with events_app(tmp_path) as h:
        await create(h, MONTHLY)
        made = await rows(h, "SELECT COUNT(*) FROM events")
        for who, line, english, french in cases:
            reply = await h.command(who, line, locale=locale)
            text = shown(reply)
            assert text.startswith("⚠️"), (line, text)
            words = french if fr else english
            assert words in text, (line, text)
            if fr and line.startswith("/event create") and "Lile" not in line:
                assert "The " not in text and "Write " not in text, (line, text)
        assert await rows(h, "SELECT COUNT(*) FROM events") == made  # nothing refused was stored


async def test_moderators_organise_any_group(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        reply = await h.command("dave", f'/event create "{GROUP}" "Soirée" "mardi 19h"', level=Level.MODERATOR)
        assert "is planned in Rust Lille" in shown(reply)


async def test_edit_moves_the_dates_by_rank_and_keeps_their_answers(tmp_path: Path) -> None:
    async with events_app(tmp_path, members=("bob", "carol", "dave")) as h:
        number = event_id(await create(h, MONTHLY + " capacity:1"))
        for who, date in (("bob", "2026-12-01 19:00"), ("carol", "2027-01-05 19:00"), ("dave", "2026-12-01 19:00")):
            await h.command(who, f'/event rsvp {number} going date:"{date}"')
        line = f'/event edit {number} start:"2026-12-02 20:00" repeat:"every first wednesday"'
        reply = await h.command("alice", line)
        assert "the time changed" in shown(reply) and "first Wednesday" in shown(reply), shown(reply)
        assert "Next date: Wednesday 2 December 2026, 20:00 to 22:00" in shown(reply)
        moved = await rows(
            h,
            "SELECT o.starts_at, r.user_id, r.answer FROM event_occurrences o "
            "LEFT JOIN event_rsvps r ON r.occurrence_id = o.id WHERE o.status = 'scheduled' "
            "ORDER BY o.starts_at, r.user_id",
        )
        assert [(s[:16], u, a) for s, u, a in moved] == [
            ("2026-12-02T19:00", "bob", "going"),
            ("2026-12-02T19:00", "dave", "waitlist"),
            ("2027-01-06T19:00", "carol", "going"),
            ("2027-02-03T19:00", None, None),
        ]
        [(revision,)] = await rows(h, "SELECT revision FROM events")
        assert revision == 1
        # Those going hear of it with their own (moved) date; the waitlist does not.
        [bob] = dms(h, "bob")
        assert "**Apéro Rust** (Rust Lille) changed:" in bob.text
        assert "Now: **Apéro Rust**, Wednesday 2 December 2026, 20:00 (Europe/Paris time)." in bob.text
        [carol] = dms(h, "carol")
        assert "Now: **Apéro Rust**, Wednesday 6 January 2027, 20:00 (Europe/Paris time)." in carol.text
        assert dms(h, "dave") == []
        # A larger capacity gives the free seat to the waitlist: dave is going now, and told by DM.
        await h.command("alice", f"/event edit {number} capacity:2")
        assert await rows(h, "SELECT answer FROM event_rsvps WHERE user_id = 'dave'") == [("going",)]
        assert any("A seat freed up: you are now going to “Apéro Rust”" in s.text for s in dms(h, "dave"))
        # The reminders moved with the date: nothing the day before the old Tuesday (30 November, 18:00 UTC),
        # then once the day before the new Wednesday (1 December, 19:00 UTC), to each one going.
        told = {who: len(dms(h, who)) for who in ("bob", "dave")}
        await h.advance(days=14, hours=9)
        assert [s.text for s in dms(h, "bob")[told["bob"] :] if "Reminder" in s.text] == []
        await h.advance(days=1, hours=1)
        for who in ("bob", "dave"):
            [reminder] = [s for s in dms(h, who)[told[who] :] if "Reminder" in s.text]
            assert "starts in 1 day, Wednesday 2 December 2026, 20:00" in reminder.text


async def test_cancel_one_date_then_the_whole_event(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = event_id(await create(h, MONTHLY))
        await h.command("bob", f'/event rsvp {number} going date:"2027-01-05 19:00"')
        await h.command("carol", f"/event rsvp {number} maybe")  # the next date: 1 December
        reply = await h.command("alice", f'/event cancel {number} date:"5 janvier" reason:"salle prise"')
        assert "The date of 2027-01-05 19:00 of “Apéro Rust” is cancelled" in shown(reply), shown(reply)
        states = await rows(h, "SELECT substr(starts_at, 1, 10), status FROM event_occurrences ORDER BY starts_at")
        # One date fewer: the next one (March) opens so three dates stay open.
        assert states == [
            ("2026-12-01", "scheduled"),
            ("2027-01-05", "cancelled"),
            ("2027-02-02", "scheduled"),
            ("2027-03-02", "scheduled"),
        ]
        # Who answered the cancelled date is told, with the reason; the others are not.
        [bob] = dms(h, "bob")
        assert "**Apéro Rust** (Rust Lille) is cancelled: Tuesday 5 January 2027, 19:00" in bob.text
        assert "Reason: salle prise" in bob.text
        assert dms(h, "carol") == []
        # The cancelled date reminds nobody any more; its recap stays (it keeps the series topped up).
        assert [what for _due, what in await planned_work(h, "2027-01-05")] == ["recap"]
        assert len(await planned_work(h, "2026-12-01")) == 4
        again = await h.command("alice", f'/event cancel {number} date:"2027-01-05 19:00"')
        assert "already cancelled" in shown(again)
        reply = await h.command("alice", f"/event cancel {number}", locale="fr")
        assert "est annulé ; les participants sont prévenus" in shown(reply), shown(reply)
        assert await rows(h, "SELECT DISTINCT status FROM event_occurrences") == [("cancelled",)]
        [carol] = dms(h, "carol")
        assert "**Apéro Rust** (Rust Lille) is cancelled: Tuesday 1 December 2026, 19:00" in carol.text
        assert len(dms(h, "bob")) == 1  # his date was cancelled already: not told twice
        # Nothing is left to remind or recap, and nothing comes.
        assert await planned_work(h) == []
        await h.advance(days=20)
        assert len(dms(h, "bob")) == 1 and len(dms(h, "carol")) == 1 and dms(h, "alice") == []
        refused = await h.command("alice", f"/event edit {number} capacity:5")
        assert "is cancelled" in shown(refused) and "/event next" in shown(refused)


async def test_next_edition_links_the_series_and_info_shows_who_comes(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        first = event_id(
            await create(
                h, f'/event create "{GROUP}" "Rust Fest" "2026-12-12 14:00" duration:4h capacity:2 place:Roubaix'
            )
        )
        for user, answer in (("bob", "going"), ("carol", "going"), ("dave", "going"), ("erin", "maybe")):
            await h.command(user, f"/event rsvp {first} {answer}")  # dave finds it full: the waitlist
        info = await h.command("bob", f"/event info {first}")
        assert "Attendees: bob, carol" in shown(info) and "Maybe: erin" in shown(info)
        assert "Waitlist: 1 member waiting" in shown(info) and "Full (2 seats)" in shown(info)
        assert "Organisers: alice and the moderators" in shown(info)
        assert "Roubaix, FR" in shown(info)
        reply = await h.command("alice", '/event next "Rust Fest" "2027-12-11 14:00"')
        assert "next edition of #1" in shown(reply), shown(reply)
        second = event_id(reply)
        [(series, previous, capacity, duration, place)] = await rows(
            h, "SELECT series_id, previous_id, capacity, duration_min, place_name FROM events WHERE id = ?", (second,)
        )
        assert (series, previous, capacity, duration, place) == (first, first, 2, 240, "Roubaix")
        assert f"next edition: #{second} Rust Fest" in shown(await h.command("bob", f"/event info {first}"))
        french = await h.command("bob", f"/event info {second}", locale="fr")
        assert f"édition précédente : n° {first} Rust Fest" in shown(french)
        assert "Organisateurs: alice et les modérateurs" in shown(french)


async def test_list_in_my_groups_a_group_near_a_town_and_pages(tmp_path: Path) -> None:
    async with events_app(tmp_path, settings={"page_size": 3}) as h:
        for day in range(1, 6):
            await create(h, f'/event create "{GROUP}" "Atelier {day}" "2026-12-0{day} 18:00" place:Roubaix')
        await create(h, f'/event create "{GROUP}" "Sortie" "2026-12-10 10:00" place:Marseille')
        mine = await h.command("bob", "/event list")
        assert "Upcoming events in your groups:" in shown(mine)
        assert "Atelier 1" in shown(mine) and "Atelier 3" in shown(mine) and "Atelier 4" not in shown(mine)
        assert "…and 3 more: `/event list page:2`." in shown(mine)
        last = await h.command("bob", "/event list page:2")
        assert "Atelier 4" in shown(last) and "Sortie" in shown(last) and "more" not in shown(last)
        assert "only 2 pages" in shown(await h.command("bob", "/event list page:3"))
        stranger = await h.command("zoe", "/event list")
        assert "You are in no group yet" in shown(stranger)
        near = await h.command("zoe", "/event list near:Lille radius_km:20")
        assert "within 20 km of Lille, FR" in shown(near) and "Roubaix, FR (11 km)" in shown(near)
        assert "Sortie" not in shown(near) and "…and 2 more" in shown(near)
        south = await h.command("zoe", "/event list près_de:Marseille", locale="fr")
        assert "Sortie" in shown(south) and "Atelier" not in shown(south) and "à moins de 30 km" in shown(south)
        group = await h.command("zoe", f'/event list group:"{GROUP}" page:2')
        assert "Upcoming events of Rust Lille:" in shown(group) and "Sortie" in shown(group)


async def test_dates_trading_places_keep_their_answers(tmp_path: Path) -> None:
    """A weekly event moved one week later: each date takes the start the next one had (the unique start per
    event is never hit on the way), and the answers follow their rank."""
    async with events_app(tmp_path) as h:
        number = event_id(await create(h, f'/event create "{GROUP}" "Rust Night" "2026-11-19 19:00" repeat:weekly'))
        ids = [r[0] for r in await rows(h, "SELECT id FROM event_occurrences ORDER BY starts_at")]
        await h.command("bob", f"/event rsvp {number} maybe")  # the first date
        reply = await h.command("alice", f'/event edit {number} start:"2026-11-26 19:00"')
        assert "Next date: Thursday 26 November 2026, 19:00 to 21:00" in shown(reply), shown(reply)
        after = await rows(h, "SELECT id, substr(starts_at, 1, 10) FROM event_occurrences ORDER BY starts_at")
        assert after == [(ids[0], "2026-11-26"), (ids[1], "2026-12-03"), (ids[2], "2026-12-10")]
        assert await rows(h, "SELECT occurrence_id FROM event_rsvps") == [(ids[0],)]


async def test_autocomplete_offers_events_groups_and_towns(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = event_id(await create(h, MONTHLY))
        events = plugin(h)
        community, bob = h.platform.community, h.platform.user("bob")
        assert [(c.value, c.label) for c in await events.complete_events(community, bob, "apero")] == [
            (str(number), f"#{number} Apéro Rust")
        ]
        assert [c.value for c in await events.complete_events(community, bob, f"#{number}")] == [str(number)]
        assert await events.complete_events(community, bob, "zumba") == []
        assert [c.value for c in await events.complete_groups(community, bob, "rust")] == [GROUP]
        towns = [c.value for c in await events.complete_places(community, bob, "Roubai")]
        assert towns[0] == "Roubaix, FR"
