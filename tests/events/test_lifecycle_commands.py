"""The lifecycle through the members' own commands (`/event create`, `/event rsvp`, `/timezone`,
`/language`): a monthly event with one seat, two answers (one waitlisted, promoted when the other cannot
come), reminders once at 24 h and 1 h in the member's language and time zone, the organiser's countdown
and recap with the next date's card."""

from __future__ import annotations

from pathlib import Path

from bot.model import Level
from tests.events.helpers import GROUP, create, event_id, events_app, group_channel
from tests.events.life_helpers import dms, in_channel


async def test_a_monthly_event_lived_through_its_commands(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await h.command("admin", "/settings timezone Europe/Paris", level=Level.ADMIN)
        await h.command("carol", "/timezone America/Montreal")
        await h.command("bob", "/language fr")
        number = event_id(
            await create(
                h, f'/event create "{GROUP}" "Apéro Rust" "2026-12-01 19:00" repeat:"every first tuesday" capacity:1'
            )
        )
        assert "vous venez à «\u202fApéro Rust\u202f»" in (await h.command("bob", f"/event rsvp {number} going")).text
        assert "waitlist, number 1" in (await h.command("carol", f"/event rsvp {number} going")).text
        # Tuesday 1 December, 19:00 in Paris is 18:00 UTC; the countdown goes 7 days before.
        await h.advance(days=8, hours=8, minutes=59)
        assert dms(h, "alice") == []
        await h.advance(minutes=1)
        [countdown] = dms(h, "alice")
        assert "Countdown: **Apéro Rust** (Rust Lille) is in 7 days, Tuesday 1 December 2026, 19:00" in countdown.text
        assert "1 going, 0 maybe, 0 can't go, 1 on the waitlist; 0 seats left" in countdown.text
        await h.command("bob", f"/event rsvp {number} no")  # carol is promoted (and told by a DM)
        promoted = len(dms(h, "carol"))
        assert promoted == 1
        # Monday 30 November 18:00 UTC: the day before.
        await h.advance(days=6)
        [day] = dms(h, "carol")[promoted:]
        assert "Reminder: **Apéro Rust** (Rust Lille) starts in 1 day, Tuesday 1 December 2026, 13:00" in day.text
        assert "(America/Montreal time)" in day.text
        assert 'date:"2026-12-01 19:00"' in day.text  # one date of a series: the command names it
        assert [s for s in dms(h, "bob") if "Rappel" in s.text] == []  # bob can't go any more
        await h.advance(hours=23)
        assert "starts in 1 hour" in dms(h, "carol")[-1].text
        await h.advance(hours=3)  # the end: the recap
        [recap] = [s for s in dms(h, "alice") if "is over" in s.text]
        assert "The answers: 1 going, 0 maybe, 1 can't go, 0 on the waitlist; 0 seats left." in recap.text
        assert "The next date, Tuesday 5 January 2027, 19:00 (Europe/Paris time), has its card:" in recap.text
        channel = group_channel(h)
        first, following = await h.app.db.fetchall(
            "SELECT card_message_id, recap_thread_id FROM event_occurrences WHERE event_id = ? ORDER BY starts_at "
            "LIMIT 2",
            (number,),
        )
        [thread] = in_channel(h, channel, thread=first["card_message_id"])
        assert "Share your photos and follow-ups in this thread." in thread.text
        assert first["recap_thread_id"] == first["card_message_id"]
        assert following["card_message_id"] is not None  # the next date's card is posted
        assert f"https://chat.example/{channel}/{following['card_message_id']}" in recap.text
        await h.advance(days=2)
        assert len([s for s in dms(h, "carol") if "starts in" in s.text]) == 2
        assert len([s for s in dms(h, "alice") if "is over" in s.text]) == 1
