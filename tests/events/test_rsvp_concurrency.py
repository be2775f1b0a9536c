"""Concurrent answers for the last seats: in one process (answers racing on one app) and in two processes
on one PostgreSQL database (two apps, each with its own connections, as two bot processes are). Every
seat is given once, everyone else waits in a waitlist whose places are all different."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plugins.events.records import GOING, WAITLIST
from tests.events.rsvp_helpers import EVENTS_PLUGINS, StandIns, counts, install_stand_ins, make_event
from tests.harness import Harness, running

DEC_1 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return install_stand_ins(monkeypatch)


async def places(h: Harness, occurrence_id: int) -> dict[str, tuple[str, int | None]]:
    """Each member's answer and waitlist position, straight from the table."""
    rows = await h.app.db.fetchall(
        "SELECT user_id, answer, waitlist_position FROM event_rsvps WHERE occurrence_id = ? ORDER BY user_id",
        (occurrence_id,),
    )
    return {row["user_id"]: (row["answer"], row["waitlist_position"]) for row in rows}


def check_seats(table: dict[str, tuple[str, int | None]], capacity: int, members: int) -> None:
    going = [who for who, (answer, _) in table.items() if answer == GOING]
    waiting = sorted(position or 0 for answer, position in table.values() if answer == WAITLIST)
    assert len(going) == capacity, table
    assert len(waiting) == members - capacity and len(set(waiting)) == len(waiting), table


async def test_two_answers_racing_for_the_last_seat_in_one_process(tmp_path: Path, stand_ins: StandIns) -> None:
    async with running(tmp_path, plugins=EVENTS_PLUGINS) as h:
        event, [occurrence] = await make_event(h, starts=[DEC_1], capacity=1)
        replies = await asyncio.gather(
            h.command("alice", f"/event rsvp {event.id} going"),
            h.command("bob", f"/event rsvp {event.id} going"),
        )
        texts = sorted(r.text for r in replies)
        assert sum("You are going" in t for t in texts) == 1
        assert sum("you are on the waitlist, number 1" in t for t in texts) == 1
        c = await counts(h, occurrence)
        assert (c.going, c.waitlist) == (1, 1)

        members = [f"m{i}" for i in range(8)]
        crowd, [date] = await make_event(h, title="Crowd", starts=[DEC_1], capacity=3)
        await asyncio.gather(*(h.command(who, f"/event rsvp {crowd.id} going") for who in members))
        check_seats(await places(h, date.id), 3, 8)


@pytest.mark.postgresql
async def test_two_processes_racing_for_the_last_seats_on_one_postgresql_database(
    tmp_path: Path, pg_url: str, stand_ins: StandIns
) -> None:
    database = {"url": pg_url}
    async with (
        running(tmp_path / "one", plugins=EVENTS_PLUGINS, database=database) as first,
        running(tmp_path / "two", plugins=EVENTS_PLUGINS, database=database) as second,
    ):
        event, [occurrence] = await make_event(first, starts=[DEC_1], capacity=1)
        replies = await asyncio.gather(
            first.command("alice", f"/event rsvp {event.id} going"),
            second.command("bob", f"/event rsvp {event.id} going"),
        )
        assert sum("You are going" in r.text for r in replies) == 1
        assert sum("waitlist, number 1" in r.text for r in replies) == 1
        check_seats(await places(first, occurrence.id), 1, 2)

        # Many at once, half through each process: still exactly the capacity, distinct waitlist places.
        crowd, [date] = await make_event(second, title="Crowd", starts=[DEC_1], capacity=4)
        members = [f"m{i}" for i in range(12)]
        await asyncio.gather(
            *(
                (first if i % 2 else second).command(who, f"/event rsvp {crowd.id} going")
                for i, who in enumerate(members)
            )
        )
        check_seats(await places(second, date.id), 4, 12)

        # A seat freed in one process goes to the first in line, whoever wrote the waitlist.
        table = await places(first, date.id)
        first_in_line = min((p or 0, who) for who, (a, p) in table.items() if a == WAITLIST)[1]
        leaver = next(who for who, (a, _) in table.items() if a == GOING)
        await second.command(leaver, f"/event rsvp {crowd.id} no")
        assert (await places(first, date.id))[first_in_line][0] == GOING
        assert any("A seat freed up" in s.text for s in second.sent if s.target == second.platform.user(first_in_line))
