"""The events plugin through the console in script mode, as the issue's "done when" plays it: a local group
plans a monthly event, members find it, the card is printed and then printed again as an edit when the
event changes. RSVPs, reminders, the recap and the files join this scenario as their services land."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.events.helpers import GAZETTEER, TOWN
from tests.harness import make_config, on_console

pytestmark = pytest.mark.usefixtures("until_rsvp_and_life_land")


async def test_a_local_group_plans_a_monthly_event_in_the_console(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"core": {}, "groups": {"creation": "direct", **GAZETTEER}, "events": {}})
    async with on_console(config) as (console, out, _app):
        await console.play(
            [
                "/as alice",
                f'/group create "Apéros {TOWN}" local "Un apéro par mois" city:{TOWN}',
                f'/event create "Apéros {TOWN}" "Apéro du mois" "2026-12-01 19:00" '
                'repeat:"chaque premier mardi du mois" places:1 adresse:"Estaminet, place de l\'Église"',
                "/as bob",
                f'/group join "Apéros {TOWN}"',
                "/event list",
                "/event info 1",
                "/as alice",
                "/event edit 1 places:2",
            ]
        )
    text = out.getvalue().replace("**", "")
    assert f"Event #1 “Apéro du mois” is planned in Apéros {TOWN}: Tuesday 1 December 2026, 19:00 to 21:00." in text
    assert "It repeats every month on the first Tuesday at 19:00." in text
    assert "Estaminet, place de l'Église" in text and "1 of 1 seat left" in text
    assert "Upcoming events in your groups:" in text
    for day in ("Tuesday 1 December 2026", "Tuesday 5 January 2027", "Tuesday 2 February 2027"):
        assert f"#1 Apéro du mois: {day}, 19:00 to 21:00" in text
    assert "Organisers: alice and the moderators" in text
    assert "changed: the capacity is now 2 seats." in text
    assert "(edited “Event #1: answer with the buttons" in text and "2 of 2 seats left" in text
