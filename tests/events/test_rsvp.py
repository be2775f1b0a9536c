"""RSVPs as members live them: going, maybe, can't go; a capacity with a waitlist that promotes by itself
(the promoted member told by DM, once), the card refreshed when answers change, the same answer twice
changing nothing, cancelled and finished dates refused with where to answer instead, the card's buttons
(a command with typed options, as the member who pressed), and `/event mine` in English and French."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plugins.events.cards import Cards
from plugins.events.plugin import EventsPlugin
from plugins.events.records import GOING, Counts
from plugins.events.rsvp_repo import RsvpRepo, forget_member
from tests.events.rsvp_helpers import (
    EVENTS_PLUGINS,
    StandIns,
    counts,
    dms,
    events_plugin,
    install_stand_ins,
    make_event,
    not_built,
)
from tests.harness import Harness, running

DEC_1 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 19:00 in Paris
DEC_8 = DEC_1 + timedelta(days=7)


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return install_stand_ins(monkeypatch)


async def paris(h: Harness) -> None:
    await h.app.communities.set_timezone(h.platform.community, "Europe/Paris", h.clock.now())


async def rsvp(h: Harness, who: str, line: str, locale: str | None = None) -> str:
    reply = await h.command(who, f"/event rsvp {line}", locale=locale)
    assert reply.ephemeral, "an answer is confirmed to the member only"
    return reply.text


async def test_capacity_one_waitlists_the_second_and_promotes_them_by_dm_when_the_first_cannot_go(
    tmp_path: Path, stand_ins: StandIns
) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        await paris(h)
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)

        first = await rsvp(h, "alice", f"{event.id} going")
        assert "You are going to “Apéro Rust”" in first and "19:00" in first

        second = await rsvp(h, "bob", f"{event.id} going")
        assert "is full: you are on the waitlist, number 1" in second
        assert "direct message if a seat frees up" in second
        assert f"`/event rsvp {event.id} no`" in second
        assert await counts(h, occurrence) == Counts(going=1, waitlist=1)
        assert dms(h, "bob") == []

        leaving = await rsvp(h, "alice", f"{event.id} no")
        assert "can't go" in leaving and "Your seat went to the next member on the waitlist." in leaving
        [told] = dms(h, "bob")
        assert "A seat freed up: you are now going to “Apéro Rust”" in told
        assert "Tue 1 Dec 2026 19:00" in told  # the member's zone (Paris), not UTC
        assert f"/event rsvp {event.id} no" in told
        after = await counts(h, occurrence)
        assert (after.going, after.waitlist, after.no) == (1, 0, 1)
        assert await RsvpRepo(h.app.db).attendees(occurrence.community, occurrence.id) == ["bob"]

        # The card followed each change with the counts of the moment.
        if "Cards.refresh" in stand_ins.replaced:
            shown = [(c.going, c.waitlist) for _, c in stand_ins.refreshed]
            assert shown == [(1, 0), (1, 1), (1, 0)]

        # Alice comes back: the seat is Bob's now, she waits; Bob is not told twice.
        again = await rsvp(h, "alice", f"{event.id} going")
        assert "waitlist, number 1" in again
        assert len(dms(h, "bob")) == 1


async def test_maybe_and_no_take_no_seat(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        assert "maybe" in await rsvp(h, "alice", f"{event.id} maybe")
        assert "can't go" in await rsvp(h, "carol", f"{event.id} no")
        assert "You are going" in await rsvp(h, "bob", f"{event.id} going")
        now = await counts(h, occurrence)
        assert (now.going, now.maybe, now.no, now.waitlist) == (1, 1, 1, 0)
        # The one going saying maybe frees the seat; with nobody waiting nobody is promoted.
        assert "maybe" in await rsvp(h, "bob", f"{event.id} maybe")
        assert (await counts(h, occurrence)).going == 0
        assert dms(h, "alice") == [] and dms(h, "bob") == []


async def test_a_full_event_offers_the_waitlist_in_order_and_leaving_it_moves_the_others_up(
    tmp_path: Path, stand_ins: StandIns
) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=2)
        for who in ("alice", "bob"):
            assert "You are going" in await rsvp(h, who, f"{event.id} going")
        assert "number 1" in await rsvp(h, "carol", f"{event.id} going")
        assert "number 2" in await rsvp(h, "dave", f"{event.id} going")
        assert "You left the waitlist" in await rsvp(h, "carol", f"{event.id} no")
        # Dave is next now: asking again says so without changing anything.
        assert "already on the waitlist" in (await rsvp(h, "dave", f"{event.id} going"))
        assert "number 1" in await rsvp(h, "dave", f"{event.id} going")
        await rsvp(h, "bob", f"{event.id} maybe")
        assert any("A seat freed up" in text for text in dms(h, "dave"))
        assert dms(h, "carol") == []
        assert await RsvpRepo(h.app.db).attendees(occurrence.community, occurrence.id, answers=(GOING,)) == [
            "alice",
            "dave",
        ]


async def test_an_event_without_capacity_has_no_waitlist(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=None)
        for who in ("alice", "bob", "carol", "dave"):
            assert "You are going" in await rsvp(h, who, f"{event.id} going")
        assert (await counts(h, occurrence)).going == 4
        assert await RsvpRepo(h.app.db).waitlist(occurrence.community, occurrence.id) == []


async def test_the_same_answer_again_says_already_and_changes_nothing(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=5)
        await rsvp(h, "alice", f"{event.id} going")
        before = await RsvpRepo(h.app.db).rsvp(occurrence.community, occurrence.id, "alice")
        refreshes = len(stand_ins.refreshed)
        h.clock.advance(timedelta(minutes=5))
        text = await rsvp(h, "alice", f"{event.id} going")
        assert "You already said you are going to “Apéro Rust”" in text and "nothing changed" in text
        assert await RsvpRepo(h.app.db).rsvp(occurrence.community, occurrence.id, "alice") == before
        assert len(stand_ins.refreshed) == refreshes  # no card edit for nothing
        await rsvp(h, "alice", f"{event.id} no")
        assert "already said you can't go" in await rsvp(h, "alice", f"{event.id} no")
        french = await rsvp(h, "alice", f"{event.id} no", locale="fr")
        assert "Vous avez déjà répondu" in french


async def test_a_cancelled_date_is_refused_and_names_the_next_one(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        await paris(h)
        event, [first, second] = await make_event(h, starts=[DEC_1, DEC_8], capacity=3, rule="FREQ=WEEKLY;COUNT=2")
        await h.app.db.execute("UPDATE event_occurrences SET status = 'cancelled' WHERE id = ?", (first.id,))
        text = await rsvp(h, "alice", f'{event.id} going date:"2026-12-01 19:00"')
        assert "is cancelled: it takes no answers" in text
        assert "Its next date is Tue 8 Dec 2026 19:00" in text
        assert f'/event rsvp {event.id} going date:"2026-12-08 19:00"' in text
        assert (await counts(h, first)).going == 0
        french = await rsvp(h, "alice", f'{event.id} going date:"2026-12-01 19:00"', locale="fr")
        assert "annulé" in french and "prochaine date" in french
        assert "You are going" in await rsvp(h, "alice", f'{event.id} going date:"2026-12-08 19:00"')
        assert (await counts(h, second)).going == 1

        one_off, [only] = await make_event(h, title="Pique-nique", starts=[DEC_1])
        await h.app.db.execute("UPDATE events SET status = 'cancelled' WHERE id = ?", (one_off.id,))
        await h.app.db.execute("UPDATE event_occurrences SET status = 'cancelled' WHERE id = ?", (only.id,))
        refused = await rsvp(h, "bob", f"{one_off.id} going")
        assert "is cancelled" in refused and "The event has no other date" in refused
        assert (await counts(h, only)).going == 0


async def test_a_date_already_over_is_refused(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=3)
        await rsvp(h, "alice", f"{event.id} going")
        h.clock.advance(DEC_1 + timedelta(hours=3) - h.clock.now())
        text = await rsvp(h, "bob", f"{event.id} going")
        assert "is over: it takes no more answers" in text and "/event list" in text
        assert "est terminé" in await rsvp(h, "bob", f"{event.id} going", locale="fr")
        assert "is over" in await rsvp(h, "alice", f"{event.id} no")  # nor changes to an answer
        now = await counts(h, occurrence)
        assert (now.going, now.no) == (1, 0)


async def test_the_cards_buttons_answer_for_their_own_date_as_the_member_who_pressed(
    tmp_path: Path, stand_ins: StandIns
) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [first, second] = await make_event(h, starts=[DEC_1, DEC_8], capacity=1, rule="FREQ=WEEKLY;COUNT=2")
        press = {"event": str(event.id), "answer": "going", "date": "2026-12-08 19:00"}
        reply = await h.command("bob", "event rsvp", options=press)
        assert reply.ephemeral and "You are going" in reply.text
        assert (await counts(h, first)).going == 0
        assert await RsvpRepo(h.app.db).attendees(second.community, second.id) == ["bob"]
        waiting = await h.command("alice", "event rsvp", options=press)
        assert "waitlist, number 1" in waiting.text
        assert f'/event rsvp {event.id} no date:"2026-12-08 19:00"' in waiting.text


async def test_event_mine_lists_upcoming_answers_in_english_and_french(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        await paris(h)
        nothing = await h.command("alice", "/event mine")
        assert nothing.ephemeral and "You have no upcoming event" in nothing.text

        apero, _ = await make_event(h, starts=[DEC_8], capacity=1)
        talk, _ = await make_event(h, title="Talk", starts=[DEC_1])
        full, _ = await make_event(h, title="Atelier", starts=[DEC_1 + timedelta(days=2)], capacity=1)
        skipped, _ = await make_event(h, title="Pique-nique", starts=[DEC_1])
        past, _ = await make_event(h, title="Hier", starts=[h.clock.now() + timedelta(hours=1)])
        await rsvp(h, "alice", f"{apero.id} going")
        await rsvp(h, "alice", f"{talk.id} maybe")
        await rsvp(h, "bob", f"{full.id} going")
        await rsvp(h, "alice", f"{full.id} going")
        await rsvp(h, "alice", f"{skipped.id} no")
        await rsvp(h, "alice", f"{past.id} going")
        h.clock.advance(timedelta(hours=4))  # "Hier" is over

        mine = await h.command("alice", "/event mine")
        assert mine.ephemeral
        lines = mine.text.splitlines()
        assert lines[0] == "3 upcoming events you answered:"
        assert lines[1:] == [
            f"• Tue 1 Dec 2026 19:00: “Talk” (#{talk.id}), maybe",
            f"• Thu 3 Dec 2026 19:00: “Atelier” (#{full.id}), on the waitlist, number 1",
            f"• Tue 8 Dec 2026 19:00: “Apéro Rust” (#{apero.id}), you are going",
        ]

        french = (await h.command("alice", "/event mine", locale="fr")).text.splitlines()
        assert french[0] == "3 événements à venir auxquels vous avez répondu\u202f:"
        nbsp = "\u202f"
        waiting = f"• jeu. 3 déc. 2026 19:00{nbsp}: «{nbsp}Atelier{nbsp}» (n° {full.id}), n° 1 sur la liste d’attente"
        assert french[2] == waiting
        assert "vous venez" in french[3]


async def test_event_mine_pages_honestly(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins={"core": {}, "events": {"page_size": 2}}) as h:
        for day in range(5):
            event, _ = await make_event(h, title=f"Soirée {day}", starts=[DEC_1 + timedelta(days=day)])
            await rsvp(h, "alice", f"{event.id} going")
        first = (await h.command("alice", "/event mine")).text
        assert "5 upcoming events you answered:" in first and "Soirée 0" in first and "Soirée 2" not in first
        if any(p.name == "page" for p in EventsPlugin.mine.__command__.params):  # type: ignore[attr-defined]
            assert "Page 1 of 3: `/event mine page:2`" in first
            second = (await h.command("alice", "/event mine page:2")).text
            assert "Soirée 2" in second and "Soirée 3" in second and "Soirée 0" not in second
            assert "only 3 pages" in (await h.command("alice", "/event mine page:4")).text
        else:  # no page to ask for: say how many are not shown
            assert "… and 3 more, later." in first


async def test_the_promotion_dm_is_in_the_members_language_and_links_the_card(
    tmp_path: Path, stand_ins: StandIns
) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        await paris(h)
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        await h.app.db.execute(
            "UPDATE event_occurrences SET card_channel_id = 'general', card_message_id = 'm42' WHERE id = ?",
            (occurrence.id,),
        )
        await h.app.communities.set_member_locale(h.platform.user("bob"), "fr", h.clock.now())
        await rsvp(h, "alice", f"{event.id} oui")  # the French word for going
        assert "n° 1 sur la liste d’attente" in await rsvp(h, "bob", f"{event.id} going")
        await rsvp(h, "alice", f"{event.id} non")
        [told] = dms(h, "bob")
        assert "Une place s’est libérée pour vous\u202f: vous venez désormais à «\u202fApéro Rust\u202f»" in told
        assert "mar. 1 déc. 2026 19:00" in told
        assert "https://chat.example/general/m42" in told


async def test_promote_waitlist_fills_seats_added_by_the_organiser_once(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        for who in ("alice", "bob", "carol", "dave"):
            await rsvp(h, who, f"{event.id} going")
        answers = events_plugin(h).answers
        await h.app.db.execute("UPDATE events SET capacity = 3 WHERE id = ?", (event.id,))
        assert await answers.promote_waitlist(occurrence.community, occurrence.id) == ["bob", "carol"]
        assert await answers.promote_waitlist(occurrence.community, occurrence.id) == []
        assert [len(dms(h, who)) for who in ("alice", "bob", "carol", "dave")] == [0, 1, 1, 0]
        assert "number 1" in await rsvp(h, "dave", f"{event.id} going")  # still first in line
        # No limit any more: the whole waitlist is in.
        await h.app.db.execute("UPDATE events SET capacity = NULL WHERE id = ?", (event.id,))
        assert await answers.promote_waitlist(occurrence.community, occurrence.id) == ["dave"]
        assert (await counts(h, occurrence)).going == 4


async def test_forgetting_a_member_gives_their_seat_to_the_waitlist(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        other, [later] = await make_event(h, title="Talk", starts=[DEC_8], capacity=1)
        await rsvp(h, "alice", f"{event.id} going")
        await rsvp(h, "alice", f"{other.id} maybe")
        await rsvp(h, "bob", f"{event.id} going")
        async with h.app.db.transaction() as tx:
            deleted, promoted = await forget_member(tx, occurrence.community, "alice", h.clock.now())
        assert (deleted, promoted) == (2, {occurrence.id: ["bob"]})
        assert await RsvpRepo(h.app.db).member_rsvps(occurrence.community, "alice") == []
        assert await RsvpRepo(h.app.db).attendees(occurrence.community, occurrence.id) == ["bob"]
        assert (await counts(h, later)).maybe == 0


async def test_a_promoted_member_whose_dms_are_closed_keeps_the_seat(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        await rsvp(h, "alice", f"{event.id} going")
        await rsvp(h, "bob", f"{event.id} going")
        h.platform.fail("@bob", "dm_closed")
        text = await rsvp(h, "alice", f"{event.id} no")
        assert "Your seat went to the next member on the waitlist." in text
        assert await RsvpRepo(h.app.db).attendees(occurrence.community, occurrence.id) == ["bob"]
        assert "you are going" in (await h.command("bob", "/event mine")).text


async def test_dates_are_shown_in_the_members_own_time_zone(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        await paris(h)
        await h.app.communities.set_member_timezone(h.platform.user("bob"), "America/New_York", h.clock.now())
        event, _ = await make_event(h, starts=[DEC_1], capacity=1)
        await rsvp(h, "alice", f"{event.id} going")
        assert "Tue 1 Dec 2026 13:00" in await rsvp(h, "bob", f"{event.id} going")
        assert "Tue 1 Dec 2026 13:00" in (await h.command("bob", "/event mine")).text
        await rsvp(h, "alice", f"{event.id} no")
        [told] = dms(h, "bob")
        assert "Tue 1 Dec 2026 13:00" in told
        await rsvp(h, "alice", f"{event.id} maybe")
        assert "Tue 1 Dec 2026 19:00" in (await h.command("alice", "/event mine")).text  # the community's zone


@pytest.mark.skipif(not_built(Cards.post), reason="the cards (events-core) are not on this branch yet")
async def test_the_card_shows_the_counts_as_answers_change_and_not_for_nothing(
    tmp_path: Path, stand_ins: StandIns
) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        await events_plugin(h).cards.post(event, occurrence)
        [card] = [s for s in h.sent if s.reply.card is not None]
        ref = card.ref
        assert ref is not None

        def shown() -> str:
            return h.platform.message(ref).text

        assert "0 going" in shown() and "1 seat left" in shown()
        await rsvp(h, "alice", f"{event.id} going")
        assert "1 going" in shown() and "Full" in shown()
        await rsvp(h, "bob", f"{event.id} going")
        assert "1 on the waitlist" in shown()
        edits = len(h.platform.edits)
        await rsvp(h, "bob", f"{event.id} going")  # already waiting: the card is not touched
        assert len(h.platform.edits) == edits
        await rsvp(h, "alice", f"{event.id} no")
        assert "1 going" in shown() and "1 can't go" in shown() and "waitlist" not in shown()
