"""The events section of the weekly digest, through the digest plugin's own scheduled delivery (core + groups
+ events + digest): dates held and cancelled, answers, the going rate, waitlists, one line per group that
adds up to the totals, in English and in French; no data (not zero) for a rate without answers; no section
before the community's first event; every group counted even when the lines are cut."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.model import Level
from tests.digest.helpers import in_channel, stored, use_managers_channel, values
from tests.events.cal_helpers import CHESS, add_event, answer, cancel_event, dates_of, events_app, make_group
from tests.harness import Harness

NNBSP = "\u202f"
SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris: the week of 16 November
SEND_NOV_30 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def local(day: int, hour: int) -> datetime:
    """A wall-clock time in Paris, November 2026."""
    return datetime(2026, 11, day, hour, 0)


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


async def a_week_of_events(h: Harness) -> None:
    """Week of 16 November: Rust Lille holds its Tuesday apéro (2 going, 1 waitlisted, 1 maybe, 1 can't go)
    and cancels Thursday's picnic; Chess Club holds a tournament (1 going) and a blitz nobody answered."""
    await use_managers_channel(h)
    await h.say("alice", "hello")  # the digest covers weeks the bot saw
    rust = await make_group(h)
    chess = await make_group(h, CHESS, who="bob")
    apero = await add_event(h, rust, "Apéro", local(17, 19), rule="FREQ=WEEKLY", dates=2, capacity=2)
    tuesday, next_tuesday = await dates_of(h, apero)
    for who, value, position in [
        ("alice", "going", None),
        ("bob", "going", None),
        ("carol", "waitlist", 1),
        ("dave", "maybe", None),
        ("erin", "no", None),
    ]:
        await answer(h, tuesday, who, value, position=position)
    picnic = await add_event(h, rust, "Pique-nique", local(19, 12))
    await answer(h, (await dates_of(h, picnic))[0], "frank", "going")
    await cancel_event(h, picnic)
    tournament = await add_event(h, chess, "Tournoi", local(20, 20), group_name="Chess Club", place=None)
    await answer(h, (await dates_of(h, tournament))[0], "bob", "going")
    await add_event(h, chess, "Blitz", local(21, 15), group_name="Chess Club", place=None, address=None)
    assert next_tuesday  # the 24 November date is next week's, with no answer


async def test_the_digest_shows_the_weeks_events_per_group_in_english_and_french(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await a_week_of_events(h)
        await advance_to(h, SEND_NOV_23)
        (digest,) = await stored(h)
        assert values(digest, "events") == {
            "events_held": 3,
            "rsvps_going": 3,
            "rsvps_maybe": 1,
            "rsvps_no": 1,
            "going_rate": 0.6,
            "waitlisted": 1,
            "dates_cancelled": 1,
        }
        (sent,) = in_channel(h, "managers")
        english = sent.text
        for line in [
            "**Events**",
            "• Event dates held: 3 (no earlier data)",
            "• Answers “going”: 3 (no earlier data)",
            "• Answers “maybe”: 1 (no earlier data)",
            "• Answers “can't go”: 1 (no earlier data)",
            "• Going rate (going among all answers): 60% (no earlier data)",
            "• Members still on a waitlist when a date started: 1 (no earlier data)",
            "• Event dates cancelled: 1 (no earlier data)",
            # The groups' lines add up to the figures; each rate is its own counts'.
            "• Chess Club: 2 dates held, 1 going, 0 maybe, 0 can't go (going rate 100%), 0 on a waitlist, "
            "0 dates cancelled",
            "• Rust Lille: 1 date held, 2 going, 1 maybe, 1 can't go (going rate 50%), 1 on a waitlist, "
            "1 date cancelled",
        ]:
            assert line in english, english
        assert english.index("Chess Club:") < english.index("Rust Lille:")  # most dates held first
        french = json.loads(await h.app.db.fetchval("SELECT renderings FROM digests"))["fr"]
        for line in [
            "**Événements**",
            f"• Dates d’événements ayant eu lieu{NNBSP}: 3 (aucune donnée antérieure)",
            f"• Réponses «{NNBSP}je viens{NNBSP}»{NNBSP}: 3 (aucune donnée antérieure)",
            f"• Taux de participation (part des «{NNBSP}je viens{NNBSP}» parmi toutes les réponses){NNBSP}: 60{NNBSP}% "
            "(aucune donnée antérieure)",
            f"• Rust Lille{NNBSP}: 1 date ayant eu lieu, 2 participants, 1 peut-être, 1 absent "
            f"(taux de participation 50{NNBSP}%), 1 en liste d’attente, 1 date annulée",
            f"• Chess Club{NNBSP}: 2 dates ayant eu lieu, 1 participant, 0 peut-être, 0 absent "
            f"(taux de participation 100{NNBSP}%), 0 en liste d’attente, 0 date annulée",
        ]:
            assert line in french, french
        # The next week: one date held, nobody answered it: a rate of no data, never 0 %.
        await advance_to(h, SEND_NOV_30)
        second = (await stored(h))[1]
        assert values(second, "events")["going_rate"] is None
        assert values(second, "events")["events_held"] == 1
        assert values(second, "events", "previous")["events_held"] == 3
        latest = in_channel(h, "managers")[-1].text
        assert "• Going rate (going among all answers): —" in latest
        assert "• Event dates held: 3 → 1, \u221267%" in latest
        assert "• Rust Lille: 1 date held, 0 going, 0 maybe, 0 can't go (no answers), 0 on a waitlist" in latest


async def test_no_section_before_the_first_event_and_every_group_counted_past_the_lines(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await use_managers_channel(h)
        await h.say("alice", "hello")
        await advance_to(h, SEND_NOV_23)
        (quiet,) = await stored(h)
        assert "events" not in quiet["figures"]["sections"]
        assert "**Events**" not in in_channel(h, "managers")[0].text
        # Twelve groups hold a date each in the week of 23 November.
        for number in range(12):
            await add_event(h, 100 + number, f"Rencontre {number}", local(24, 19), group_name=f"Groupe {number:02d}")
        await advance_to(h, datetime(2026, 11, 25, 8, 0, tzinfo=UTC))  # Wednesday: every one of them is over
        preview = await h.command("mod", "/digest preview", level=Level.MODERATOR)
        assert preview.text.count("• Groupe ") == 10
        assert "…and 2 more groups with events." in preview.text
        assert "Groupe 09:" in preview.text and "Groupe 10:" not in preview.text  # same figures: by name
        assert "• Event dates held: 12 (no earlier data)" in preview.text  # no event the week before
        await advance_to(h, SEND_NOV_30)
        digest = (await stored(h))[1]
        assert values(digest, "events")["events_held"] == 12
        assert values(digest, "events")["going_rate"] is None
        text = in_channel(h, "managers")[-1].text
        assert text.count("• Groupe ") == 10 and "…and 2 more groups with events." in text
