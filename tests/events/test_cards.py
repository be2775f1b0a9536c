"""The event card as members see it: posted once in the group's channel, edited in place when the event
changes, shown cancelled or over without buttons, in the community's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Capability
from tests.events.helpers import GROUP, cards, create, event_id, events_app, group_channel, plugin, rows
from tests.groups.fakes import FakeSpaces

pytestmark = pytest.mark.usefixtures("until_rsvp_and_life_land")

WEEKLY = f'/event create "{GROUP}" "Rust Night" "2026-11-19 19:00" repeat:weekly capacity:3'


async def test_the_card_is_posted_once_and_edited_in_place(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = event_id(await create(h, WEEKLY))
        [card] = cards(h)
        assert card.ref is not None
        stored = await rows(h, "SELECT card_channel_id, card_message_id FROM event_occurrences ORDER BY starts_at")
        assert stored[0] == (card.ref.channel.channel_id, card.ref.message_id)
        assert stored[1:] == [(None, None), (None, None)]  # the next dates' cards come when their turn comes
        # Posting again (a retried handler) sends nothing new.
        events = plugin(h)
        event = await events.repo.event(h.platform.community.key, number)
        assert event is not None
        await events.cards.post(event, (await events.repo.occurrences(event.community, number))[0])
        assert len(cards(h)) == 1
        # An answer arrives (the RSVP service writes it, then refreshes): the same message now counts it.
        [(first,)] = await rows(h, "SELECT id FROM event_occurrences ORDER BY starts_at LIMIT 1")
        await h.app.db.execute(
            "INSERT INTO event_rsvps (community, occurrence_id, user_id, answer, answered_at) "
            "VALUES (?, ?, 'bob', 'going', '2026-11-16T09:00:00.000000Z')",
            (h.platform.community.key, first),
        )
        await events.cards.refresh(h.platform.community.key, first)
        latest = h.platform.message(card.ref)
        assert "1 going · 0 maybe · 0 can't go" in latest.text and "2 of 3 seats left" in latest.text
        # An organiser's edit updates it too.
        await h.command("alice", f'/event edit {number} capacity:5 title:"Rust Night (new room)"')
        latest = h.platform.message(card.ref)
        assert "Rust Night (new room)" in latest.text and "4 of 5 seats left" in latest.text
        assert len(latest.reply.buttons) == 3
        assert len(cards(h)) == 1 and all(e.ref == card.ref for e in h.platform.edits)


async def test_a_cancelled_date_shows_it_and_has_no_buttons(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = event_id(await create(h, WEEKLY))
        [card] = cards(h)
        assert card.ref is not None
        await h.command("alice", f'/event cancel {number} date:"2026-11-19 19:00"')
        latest = h.platform.message(card.ref)
        assert "This date is cancelled." in latest.text and latest.reply.buttons == ()
        # The next date's card takes over, with its own date on the buttons.
        [_first, second] = cards(h)
        assert ("date", "2026-11-26 19:00") in second.reply.buttons[0].args


async def test_a_date_that_is_over_has_no_buttons(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await create(h, f'/event create "{GROUP}" "Short talk" "2026-11-16 18:00" duration:1h')
        [card] = cards(h)
        assert card.ref is not None and card.reply.buttons
        await h.advance(hours=9)
        [(occurrence,)] = await rows(h, "SELECT id FROM event_occurrences")
        await plugin(h).cards.refresh(h.platform.community.key, occurrence)
        latest = h.platform.message(card.ref)
        assert "This date is over." in latest.text and latest.reply.buttons == ()


async def test_the_card_reads_in_the_community_language(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await h.app.communities.set_locale(h.platform.community, "fr", h.clock.now())
        await create(h, WEEKLY + ' address:"Le Quai, Wambrechies" link:https://meet.example.org/rust')
        [card] = cards(h)
        text = card.text.replace("\u202f", " ")
        assert "Événement n° 1 : répondez avec les boutons" in text
        assert "0 participant · 0 peut-être · 0 absent" in text and "3 places restantes sur 3" in text
        assert "chaque semaine le jeudi à 19 h" in text
        assert "en ligne : https://meet.example.org/rust" in text
        assert [b.label for b in card.reply.buttons] == ["Je viens", "Peut-être", "Je ne viens pas"]


async def test_without_edits_the_card_stays_as_posted(tmp_path: Path) -> None:
    capabilities = [c for c in Capability if c is not Capability.EDIT_MESSAGE]
    async with events_app(tmp_path, platform=FakeSpaces(capabilities=capabilities)) as h:
        number = event_id(await create(h, WEEKLY))
        reply = await h.command("alice", f"/event edit {number} capacity:5")
        assert "changed" in reply.text
        assert h.platform.edits == [] and len(cards(h)) == 1


async def test_a_channel_that_refuses_the_card_leaves_the_event_working(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        h.platform.fail(f"#{group_channel(h)}", "missing_permission")
        reply = await create(h, WEEKLY)
        assert "Its card could not be posted in its channel (send_messages)" in reply.text
        assert "`/event info 1` shows it and takes answers" in reply.text
        assert cards(h) == [] and await rows(h, "SELECT COUNT(*) FROM event_occurrences") == [(3,)]
        # Once the channel accepts it again, the next change posts the card.
        h.platform.heal()
        await h.command("alice", "/event edit 1 capacity:4")
        [card] = cards(h)
        assert "4 of 4 seats left" in card.text
