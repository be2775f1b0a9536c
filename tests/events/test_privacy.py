"""Events in `/privacy export` and `/privacy forget`, end to end through the core's privacy commands: a
member's answers (event, date, answer, waitlist position) and the events they created are exported; forgetting
them deletes their answers, gives each seat they held on a date to come to the waitlist in the same
transaction (first come first served), and clears their name from the events they created, which stay in
their group."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.model import UserRef
from tests.events.cal_helpers import add_event, answer, dates_of, events_app, make_group
from tests.harness import Harness


async def exported(h: Harness, who: str, locale: str | None = None) -> dict[str, Any]:
    reply = await h.command(who, "/privacy export", locale=locale)
    data: dict[str, Any] = json.loads(reply.attachments[0].content)["events"]
    return data


async def forget(h: Harness, who: str, locale: str | None = None) -> str:
    ask = await h.command(who, "/privacy forget", locale=locale)
    token = dict(ask.buttons[0].args)["confirm"]
    done = await h.command(who, f"/privacy forget confirm:{token}", locale=locale)
    return done.text


async def answers_of(h: Harness, occurrence_id: int) -> list[tuple[str, str, int | None]]:
    rows = await h.app.db.fetchall(
        "SELECT user_id, answer, waitlist_position FROM event_rsvps WHERE occurrence_id = ? ORDER BY user_id",
        (occurrence_id,),
    )
    return [(r["user_id"], r["answer"], r["waitlist_position"]) for r in rows]


async def test_export_then_forget_gives_the_seat_to_the_waitlist_and_keeps_the_event(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        full = await add_event(
            h, group, "Atelier", datetime(2026, 12, 1, 19, 0), rule="FREQ=WEEKLY", dates=2, capacity=1
        )
        first, second = await dates_of(h, full)
        earlier = datetime(2026, 11, 10, tzinfo=UTC)
        past = await add_event(h, group, "Apéro", datetime(2026, 11, 10, 19, 0), created_at=earlier, created_by="bob")
        (held,) = await dates_of(h, past)
        await answer(h, first, "alice", "going")
        await answer(h, first, "carol", "waitlist", position=2)
        await answer(h, first, "bob", "waitlist", position=1)
        await answer(h, second, "alice", "maybe")
        await answer(h, held, "alice", "going")
        await answer(h, held, "dave", "waitlist", position=1)  # that date is over: nobody is promoted there
        data = await exported(h, "alice")
        assert data["rsvps"] == [
            {
                "event_id": past,
                "event": "Apéro",
                "group": "Rust Lille",
                "date": "2026-11-10T18:00:00.000000Z",
                "time_zone": "Europe/Paris",
                "date_status": "scheduled",
                "answer": "going",
                "waitlist_position": None,
                "answered_at": data["rsvps"][0]["answered_at"],
                "promoted_at": None,
            },
            {**data["rsvps"][1], "event": "Atelier", "date": "2026-12-01T18:00:00.000000Z", "answer": "going"},
            {**data["rsvps"][2], "event": "Atelier", "date": "2026-12-08T18:00:00.000000Z", "answer": "maybe"},
        ]
        assert [e["title"] for e in data["events_created"]] == ["Atelier"]
        assert data["events_created"][0]["start"] == "2026-12-01 19:00"
        assert data["events_created"][0]["repeats"] == "FREQ=WEEKLY"
        bob = await exported(h, "bob")
        assert [(r["event"], r["answer"], r["waitlist_position"]) for r in bob["rsvps"]] == [("Atelier", "waitlist", 1)]
        assert [e["title"] for e in bob["events_created"]] == ["Apéro"]
        before = len(h.sent)
        await forget(h, "alice")
        assert await exported(h, "alice") == {"rsvps": [], "events_created": []}
        # Bob is told, once the forget committed, that a seat freed up for him; nobody else is.
        told = [s for s in h.sent[before:] if isinstance(s.target, UserRef)]
        assert [s.target.user_id for s in told] == ["bob"]
        assert "Atelier" in told[0].text
        # Bob was first on the waitlist: he has the seat alice held; carol waits on.
        assert await answers_of(h, first) == [("bob", "going", None), ("carol", "waitlist", 2)]
        assert await answers_of(h, second) == []
        assert await answers_of(h, held) == [("dave", "waitlist", 1)]
        promoted = await h.app.db.fetchval("SELECT promoted_at FROM event_rsvps WHERE user_id = 'bob'")
        assert promoted is not None
        # The event stays in its group, without the name of who created it.
        rows = await h.app.db.fetchall("SELECT title, created_by, status FROM events ORDER BY id")
        assert [tuple(r) for r in rows] == [("Atelier", "", "scheduled"), ("Apéro", "bob", "scheduled")]
        assert [r["answer"] for r in (await exported(h, "bob"))["rsvps"]] == ["going"]


async def test_forget_in_french_leaves_nothing_and_an_event_without_a_waitlist(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        group = await make_group(h)
        open_event = await add_event(h, group, "Pique-nique", datetime(2026, 12, 5, 12, 0))
        (date,) = await dates_of(h, open_event)
        await answer(h, date, "alice", "going")
        await answer(h, date, "bob", "going")
        data = await exported(h, "alice", locale="fr")
        assert [(r["event"], r["answer"]) for r in data["rsvps"]] == [("Pique-nique", "going")]
        text = await forget(h, "alice", locale="fr")
        assert "C’est fait\u202f: le bot vous a oublié" in text, text
        assert await exported(h, "alice") == {"rsvps": [], "events_created": []}
        assert await answers_of(h, date) == [("bob", "going", None)]
