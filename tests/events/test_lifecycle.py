"""An event's year-round life: attendees reminded a day and an hour before (once each, across restarts and
processes, in their language and time zone), organisers' save-the-date and countdown with the answers, the
recap with its figures, thread and next date, and what going and maybe hear when an event changes or is
cancelled. The clock is the harness's; `h.advance` runs what fell due."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.plugin import DueAction
from bot.storage.times import from_db, to_db
from plugins.events.lifecycle import REMIND
from plugins.events.records import CANCELLED, GOING, MAYBE, NO, WAITLIST, Event, Occurrence
from plugins.events.repo import local_to_db
from tests.events.life_helpers import (
    TZ,
    answer,
    dms,
    events,
    events_app,
    in_channel,
    make_event,
    make_group,
    post_cards,
)
from tests.groups.fakes import FakeSpaces
from tests.harness import START, Harness

FRIDAY = datetime(2026, 11, 20, 19, 0)  # Paris wall clock: 18:00 UTC
TO_DAY_BEFORE = timedelta(days=3, hours=9)  # START (Monday 09:00 UTC) -> Thursday 18:00 UTC


async def friday_apero(h: Harness, reminders: str = "1d,1h") -> tuple[Event, list[Occurrence]]:
    """Alice's group and its Friday apéro with a card; bob going, chloe (French) maybe, dan can't go, eve
    waitlisted; its reminders planned."""
    group = await make_group(h)
    await h.command("chloe", "/language fr")
    event, occs = await make_event(h, group, FRIDAY, capacity=1, reminders=reminders)
    occs = await post_cards(h, event, occs)
    for who, what, position in [("bob", GOING, None), ("chloe", MAYBE, None), ("dan", NO, None), ("eve", WAITLIST, 3)]:
        await answer(h, occs[0], who, what, position)
    await events(h).lifecycle.planned(event, occs)
    return event, occs


async def test_attendees_are_reminded_a_day_and_an_hour_before_once_each_in_their_language(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        event, occs = await friday_apero(h)
        await answer(h, occs[0], "frank", WAITLIST, 5)  # positions are not renumbered after promotions
        await h.advance(days=3, hours=8, minutes=59)
        assert dms(h, "bob") == []
        await h.advance(minutes=1)
        [day] = dms(h, "bob")
        assert "Reminder: **Apéro** (Apéro Lille) starts in 1 day, Friday 20 November 2026, 19:00" in day.text
        assert "(Europe/Paris time)" in day.text
        assert "Where: Café du Coin, 3 rue Nationale, Lille, FR" in day.text
        card = f"https://chat.example/{occs[0].card_channel_id}/{occs[0].card_message_id}"
        assert f"The event's card: {card}" in day.text
        assert f"Can't come any more? `/event rsvp {event.id} no`" in day.text
        [jour] = dms(h, "chloe")
        assert (
            "Rappel\u202f: **Apéro** (Apéro Lille) commence dans 1 jour, vendredi 20 novembre 2026 à 19 h" in jour.text
        )
        assert "(fuseau Europe/Paris)" in jour.text and "Vous ne pouvez plus venir\u202f?" in jour.text
        assert dms(h, "dan") == []  # can't go: not reminded
        [waiting] = dms(h, "eve")
        assert "You are still on the waitlist (number 1)" in waiting.text and "Reminder:" not in waiting.text
        assert f"Leave the waitlist: `/event rsvp {event.id} no`" in waiting.text
        assert "You are still on the waitlist (number 2)" in dms(h, "frank")[0].text

        await h.advance(hours=22, minutes=59)
        assert len(dms(h, "bob")) == 1
        await h.advance(minutes=1)
        assert "starts in 1 hour, Friday 20 November 2026, 19:00" in dms(h, "bob")[1].text
        assert "commence dans 1 heure" in dms(h, "chloe")[1].text
        await h.advance(hours=1)  # the start
        await h.advance(days=2)
        assert [len(dms(h, who)) for who in ("bob", "chloe", "dan", "eve")] == [2, 2, 0, 2]


async def test_a_reminder_due_late_sends_only_the_latest_and_none_once_it_began(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await friday_apero(h)
        # Down from before the day-before reminder until after the hour-before one: only the latter is sent.
        await h.advance(days=4, hours=8, minutes=30)
        [late] = dms(h, "bob")
        assert "starts in 30 minutes" in late.text
    async with events_app(tmp_path / "other") as h:
        await friday_apero(h)
        await h.advance(days=4, hours=9, minutes=30)  # down past the start: a reminder would come too late
        assert dms(h, "bob") == []


async def test_each_reminder_is_sent_once_across_restarts(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await friday_apero(h)
    # Restarted on the same database before the reminder is due: it comes, once.
    async with events_app(tmp_path, start=START + TO_DAY_BEFORE) as h:
        await h.advance(seconds=1)
        assert len(dms(h, "bob")) == 1 and len(dms(h, "chloe")) == 1
        # As if the process died after sending but before the action was recorded as done.
        await h.app.db.execute(
            "UPDATE due_actions SET status = 'pending' WHERE kind = ? AND key LIKE 'occ:%:remind:86400:%'", (REMIND,)
        )
    async with events_app(tmp_path, start=START + TO_DAY_BEFORE + timedelta(minutes=1)) as h:
        await h.advance(seconds=1)
        assert dms(h, "bob") == [] and dms(h, "chloe") == []  # the dedupe keys held
        await h.advance(hours=22, minutes=58, seconds=59)  # Friday 17:00 UTC
        assert len(dms(h, "bob")) == 1 and "starts in 1 hour" in dms(h, "bob")[0].text


async def test_two_processes_on_one_database_remind_once(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await friday_apero(h)
        # A second process on the same database (PostgreSQL in production; a non-exclusive handle here).
        other = await App(h.app.config, clock=h.clock, realtime=False, exclusive=False).build()
        second = FakeSpaces()
        other.add_platform(second)
        await other.start()
        try:
            h.clock.advance(TO_DAY_BEFORE)
            await asyncio.gather(h.app.scheduler.catch_up(), other.scheduler.catch_up())
            bob = [s for s in [*h.sent, *second.sent] if getattr(s.target, "user_id", None) == "bob"]
            assert len(bob) == 1
            # A process that sent the hour-before reminder but stalled past its lease: the other one takes the
            # action over and sends nothing more.
            h.clock.advance(timedelta(hours=23))
            row = await h.app.db.fetchone(
                "SELECT id, kind, key, community, due_at, payload FROM due_actions WHERE kind = ? "
                "AND key LIKE 'occ:%:remind:3600:%'",
                (REMIND,),
            )
            action = DueAction(
                row["id"],
                row["kind"],
                row["key"],
                row["community"],
                from_db(row["due_at"]),
                json.loads(row["payload"]),
                0,
            )
            await events(h).lifecycle.remind(action)
            await other.scheduler.catch_up()
            bob = [s for s in [*h.sent, *second.sent] if getattr(s.target, "user_id", None) == "bob"]
            assert sorted("starts in 1 hour" in s.text for s in bob) == [False, True]
        finally:
            await other.stop()


async def test_organisers_get_a_save_the_date_and_a_countdown_with_the_answers(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        # Created by a moderator: the group's owner (alice) and the creator (zoe) are its organisers.
        event, occs = await make_event(h, group, datetime(2026, 12, 26, 19, 0), capacity=10, created_by="zoe")
        occs = await post_cards(h, event, occs)
        await answer(h, occs[0], "bob", GOING)
        await answer(h, occs[0], "chloe", MAYBE)
        await answer(h, occs[0], "dan", NO)
        await events(h).lifecycle.planned(event, occs)
        # 26 December 18:00 UTC minus 30 days: 26 November 18:00 UTC.
        await h.advance(days=10, hours=8, minutes=59)
        assert dms(h, "alice") == [] and dms(h, "zoe") == []
        await h.advance(minutes=1)
        for who in ("alice", "zoe"):
            [saved] = dms(h, who)
            assert (
                "Save the date: **Apéro** (Apéro Lille) is in 30 days, Saturday 26 December 2026, 19:00" in saved.text
            )
            assert "Answers so far: 1 going, 1 maybe, 1 can't go, 0 on the waitlist; 9 seats left." in saved.text
            assert "it does not post for you. You could post a save-the-date" in saved.text
            assert f"https://chat.example/{occs[0].card_channel_id}/{occs[0].card_message_id}" in saved.text
        assert dms(h, "bob") == []  # attendees get reminders, not milestones
        await answer(h, occs[0], "eve", GOING)
        await h.advance(days=23)
        [_, countdown] = dms(h, "alice")
        assert "Countdown: **Apéro** (Apéro Lille) is in 7 days" in countdown.text
        assert "Answers so far: 2 going, 1 maybe, 1 can't go, 0 on the waitlist; 8 seats left." in countdown.text
        assert "You could post a countdown" in countdown.text
        await h.advance(days=3)
        assert len(dms(h, "alice")) == 2


async def test_organisers_milestones_in_french(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        await h.command("alice", "/language fr")
        event, occs = await make_event(h, group, datetime(2026, 12, 26, 19, 0))
        await events(h).lifecycle.planned(event, occs)
        await h.advance(days=10, hours=9)
        [saved] = dms(h, "alice")
        assert "Pensez-y\u202f: **Apéro** (Apéro Lille) a lieu dans 30 jours" in saved.text
        assert (
            "Réponses à ce jour\u202f: 0 participant, 0 peut-être, 0 absent, 0 sur la liste d’attente\u202f;"
            in saved.text
        )
        assert "sans limite de places" in saved.text


async def test_recap_of_a_monthly_event_gives_figures_a_thread_and_the_next_dates_card(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        # Every first Tuesday at 19:00 in Paris: 1 December, 5 January, 2 February exist.
        event, occs = await make_event(
            h, group, datetime(2026, 12, 1, 19, 0), rule="FREQ=MONTHLY;BYDAY=1TU", capacity=1
        )
        assert [o.starts_at.date().isoformat() for o in occs] == ["2026-12-01", "2027-01-05", "2027-02-02"]
        occs = [*await post_cards(h, event, occs[:1]), *occs[1:]]  # the next date's card, as /event create posts
        for who, what, position in [
            ("bob", GOING, None),
            ("chloe", MAYBE, None),
            ("dan", NO, None),
            ("eve", WAITLIST, 1),
        ]:
            await answer(h, occs[0], who, what, position)
        await events(h).lifecycle.planned(event, occs)
        channel = occs[0].card_channel_id
        assert channel is not None
        cards_before = len(in_channel(h, channel))
        # 1 December, 20:00 UTC: the end (two hours after the start).
        await h.advance(days=15, hours=10, minutes=59)
        assert [s for s in dms(h, "alice") if "is over" in s.text] == []
        await h.advance(minutes=1)
        [recap] = [s for s in dms(h, "alice") if "is over" in s.text]
        assert "**Apéro** (Apéro Lille), Tuesday 1 December 2026, 19:00 (Europe/Paris time), is over." in recap.text
        assert "The answers: 1 going, 1 maybe, 1 can't go, 1 on the waitlist; 0 seats left." in recap.text
        assert "The bot only knows the answers, not who actually came." in recap.text
        # The thread under the card.
        [thread] = in_channel(h, channel, thread=occs[0].card_message_id)
        assert "thank you for coming! Share your photos and follow-ups in this thread." in thread.text
        assert "A thread for photos and follow-ups is open under the card: https://chat.example/" in recap.text
        stored = await events(h).repo.occurrence(event.community, occs[0].id)
        assert stored is not None and stored.recap_thread_id == occs[0].card_message_id
        # The series is topped up: a fourth date (2 March) with its reminders; the next date (5 January) gets
        # its card.
        now_occs = await events(h).repo.occurrences(event.community, event.id)
        assert [o.starts_at.date().isoformat() for o in now_occs][-1] == "2027-03-02"
        assert len(in_channel(h, channel)) == cards_before + 1 and now_occs[1].card_message_id is not None
        keys = [r["key"] for r in await h.app.db.fetchall("SELECT key FROM due_actions WHERE status = 'pending'")]
        assert any(k.startswith(f"occ:{now_occs[-1].id}:remind:86400:") for k in keys)
        assert any(k.startswith(f"occ:{now_occs[-1].id}:recap:") for k in keys)
        assert "The next date, Tuesday 5 January 2027, 19:00 (Europe/Paris time), has its card:" in recap.text
        assert f"https://chat.example/{channel}/{now_occs[1].card_message_id}" in recap.text
        assert "/event next" not in recap.text
        # Nothing twice.
        await h.advance(hours=1)
        assert len([s for s in dms(h, "alice") if "is over" in s.text]) == 1
        assert len(in_channel(h, channel, thread=occs[0].card_message_id)) == 1


async def test_recap_of_a_one_off_invites_to_plan_the_next_edition(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        event, _occs = await friday_apero(h)
        await h.command("alice", "/language fr")
        await h.advance(days=4, hours=11)
        [recap] = [s for s in dms(h, "alice") if "Bilan de l’événement" in s.text]
        assert f"Préparez la prochaine édition\u202f: `/event next {event.id} début:" in recap.text
        assert "Le bot ne connaît que les réponses, pas qui est vraiment venu." in recap.text
        assert "1 participant, 1 peut-être, 1 absent, 1 sur la liste d’attente\u202f; 0 place restante" in recap.text


async def moved(h: Harness, event: Event, occ: Occurrence, start_local: datetime) -> tuple[Event, list[Occurrence]]:
    """The event moved to `start_local` (Paris), as /event edit stores it."""
    start = start_local.replace(tzinfo=ZoneInfo(TZ)).astimezone(UTC)
    await h.app.db.execute(
        "UPDATE events SET start_local = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
        (local_to_db(start_local), to_db(h.clock.now()), event.id),
    )
    await h.app.db.execute(
        "UPDATE event_occurrences SET starts_at = ?, ends_at = ? WHERE id = ?",
        (to_db(start), to_db(start + timedelta(minutes=event.duration_min)), occ.id),
    )
    after = await events(h).repo.event(event.community, event.id)
    assert after is not None
    return after, await events(h).repo.occurrences(event.community, event.id)


async def test_a_change_is_told_to_going_and_maybe_only_in_their_language(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        event, occs = await friday_apero(h)
        after, now_occs = await moved(h, event, occs[0], datetime(2026, 11, 21, 19, 0))
        await events(h).lifecycle.changed(event, after, now_occs, ["Saturday instead of Friday"])
        [bob] = dms(h, "bob")
        assert "**Apéro** (Apéro Lille) changed:" in bob.text and "• Saturday instead of Friday" in bob.text
        assert "Now: **Apéro**, Saturday 21 November 2026, 19:00 (Europe/Paris time)." in bob.text
        [chloe] = dms(h, "chloe")
        assert "a été modifié\u202f:" in chloe.text and "samedi 21 novembre 2026 à 19 h" in chloe.text
        assert dms(h, "dan") == [] and dms(h, "eve") == []
        # The same change told again (a retried command) sends nothing more.
        await events(h).lifecycle.changed(event, after, now_occs, ["Saturday instead of Friday"])
        assert len(dms(h, "bob")) == 1


async def test_moving_an_event_reschedules_its_reminders(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        event, occs = await friday_apero(h)
        await h.advance(days=3, hours=9)  # Thursday 18:00 UTC: the day-before reminder of Friday
        assert len(dms(h, "bob")) == 1
        after, now_occs = await moved(h, event, occs[0], datetime(2026, 11, 28, 19, 0))  # a week later
        await events(h).lifecycle.changed(event, after, now_occs, ["One week later"])
        assert len(dms(h, "bob")) == 2  # the change notice
        await h.advance(hours=23)  # Friday 17:00 UTC, the old hour-before: nothing
        await h.advance(days=1)
        assert len(dms(h, "bob")) == 2
        await h.advance(days=6, hours=1)  # Friday 27th 18:00 UTC: the new day-before (the old one was sent already)
        assert len(dms(h, "bob")) == 3 and "starts in 1 day, Saturday 28 November 2026" in dms(h, "bob")[2].text
        await h.advance(hours=23)
        assert len(dms(h, "bob")) == 4 and "starts in 1 hour" in dms(h, "bob")[3].text
        await h.advance(days=1)
        assert len(dms(h, "bob")) == 4


async def test_a_cancellation_tells_going_maybe_and_the_waitlist_and_stops_the_reminders(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        event, occs = await friday_apero(h)
        await h.app.db.execute("UPDATE events SET status = 'cancelled' WHERE id = ?", (event.id,))
        await h.app.db.execute("UPDATE event_occurrences SET status = 'cancelled' WHERE id = ?", (occs[0].id,))
        gone = replace(event, status=CANCELLED)
        await events(h).lifecycle.cancelled(gone, [replace(occs[0], status=CANCELLED)], "room unavailable")
        [bob] = dms(h, "bob")
        assert "**Apéro** (Apéro Lille) is cancelled: Friday 20 November 2026, 19:00" in bob.text
        assert "Reason: room unavailable" in bob.text
        assert "Annulation\u202f: **Apéro**" in dms(h, "chloe")[0].text and "Raison\u202f: room unavailable" in (
            dms(h, "chloe")[0].text
        )
        assert len(dms(h, "eve")) == 1 and dms(h, "dan") == []
        await h.advance(days=6)
        assert [len(dms(h, who)) for who in ("bob", "chloe", "dan", "eve")] == [1, 1, 0, 1]
        assert [s for s in dms(h, "alice") if "is over" in s.text] == []


async def test_a_cancelled_date_of_a_series_is_not_recapped_but_the_series_goes_on(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        event, occs = await make_event(h, group, datetime(2026, 12, 1, 19, 0), rule="FREQ=MONTHLY;BYDAY=1TU")
        occs = await post_cards(h, event, occs)
        await answer(h, occs[0], "bob", GOING)
        await events(h).lifecycle.planned(event, occs)
        await h.app.db.execute("UPDATE event_occurrences SET status = 'cancelled' WHERE id = ?", (occs[0].id,))
        await events(h).lifecycle.cancelled(event, [replace(occs[0], status=CANCELLED)], None)
        assert "is cancelled: Tuesday 1 December 2026" in dms(h, "bob")[0].text
        await h.advance(days=16)
        assert len(dms(h, "bob")) == 1  # no reminder of the cancelled date
        assert [s for s in dms(h, "alice") if "is over" in s.text] == []
        dates = [o.starts_at.date().isoformat() for o in await events(h).repo.occurrences(event.community, event.id)]
        assert dates[-1] == "2027-03-02"


async def test_no_reminders_when_the_event_says_none(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await friday_apero(h, reminders="none")
        await h.advance(days=3, hours=9)
        await h.advance(hours=23)
        assert dms(h, "bob") == []


async def test_an_outage_retries_the_reminder_without_sending_it_twice(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await friday_apero(h)
        h.platform.fail("@bob", "failed")  # the platform is down for bob's DMs
        h.platform.fail("@eve", "dm_closed")  # eve closed her DMs: retrying will not help
        await h.advance(days=3, hours=9)
        assert dms(h, "bob") == [] and len(dms(h, "chloe")) == 1
        h.platform.heal("@bob")
        await h.advance(minutes=2)  # the scheduler's retry
        assert len(dms(h, "bob")) == 1 and "starts in 23 hours and 58 minutes" in dms(h, "bob")[0].text
        assert len(dms(h, "chloe")) == 1 and dms(h, "eve") == []
        await h.advance(minutes=10)
        assert [len(dms(h, who)) for who in ("bob", "chloe", "eve")] == [1, 1, 0]


async def test_a_member_is_reminded_in_their_own_time_zone(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await h.command("bob", "/timezone America/Montreal")
        await friday_apero(h)
        await h.advance(days=3, hours=9)
        [day] = dms(h, "bob")
        assert "starts in 1 day, Friday 20 November 2026, 13:00 (America/Montreal time)." in day.text
        assert "19 h (fuseau Europe/Paris)" in dms(h, "chloe")[0].text  # the community's zone


async def test_the_last_date_of_a_series_invites_to_plan_the_next_edition(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        rule = "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231"  # 1 December only
        event, occs = await make_event(h, group, datetime(2026, 12, 1, 19, 0), rule=rule)
        assert len(occs) == 1
        await events(h).lifecycle.planned(event, await post_cards(h, event, occs))
        await h.advance(days=15, hours=11)
        [recap] = [s for s in dms(h, "alice") if "is over" in s.text]
        assert f'Plan the next edition: `/event next {event.id} start:"…"`' in recap.text
        assert "The next date" not in recap.text
