"""The events plugin through the console in script mode, as the issue's "done when" plays it: a local group
plans a monthly event, members find it, the card is printed and then printed again as an edit when the
event changes; and `examples/events-wambrechies.txt` played to the end: one seat for two members (the
second waits, then gets the seat), reminders once a day and an hour before, the organiser's countdown and
recap, the thread under the card and the next date's card, the .ics files (read back with
recurring-ical-events) and the digest's event figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

from tests.events.helpers import GAZETTEER, TOWN
from tests.harness import make_config, on_console


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


SCRIPT = Path(__file__).parents[2] / "examples" / "events-wambrechies.txt"


async def test_the_wambrechies_example_script_lives_a_monthly_event_through(tmp_path: Path) -> None:
    """`examples/events-wambrechies.txt` as `affinity-bot console --script` plays it, on the harness's clock
    (Monday 16 November 2026, 10:00 in Paris: "dans 15 jours 19h" is Tuesday 1 December, 19:00)."""
    # The groups as configured by default: a moderator reviews a new group.
    plugins = {"core": {}, "groups": dict(GAZETTEER), "events": {}, "digest": {}}
    async with on_console(make_config(tmp_path, plugins)) as (console, out, _app):
        await console.play(SCRIPT.read_text(encoding="utf-8").splitlines())
    text = out.getvalue()
    before, week, day, after = text.split("> /advance ")
    # Planned: one seat, bob has it, carol waits.
    assert "Event #1 “Apéro du mois” is planned in Apéros Wambrechies: Tuesday 1 December 2026, 19:00" in before
    assert "Seats: Full (1 seat) · 1 on the waitlist" in before
    assert "is full: you are on the waitlist, number 1" in before
    # A week before: the countdown to the organiser, with the answers so far.
    assert (
        "[DM → alice] bot: Countdown: Apéro du mois (Apéros Wambrechies) is in 7 days, "
        "Tuesday 1 December 2026, 19:00 (Europe/Paris time).\n"
        "Answers so far: 1 going, 0 maybe, 0 can't go, 1 on the waitlist; 0 seats left.\n"
        "The bot reminds you, it does not post for you. You could post a countdown in the group's channel "
        "(how long to go, how many seats are left).\n"
    ) in week  # the console has no message links: no dangling "with the card's link:"
    # bob cannot come: carol gets the seat and is told.
    assert week.count("[DM → carol] bot: A seat freed up: you are now going to “Apéro du mois”") == 1
    assert "Attendees: carol" in week
    # The reminders, once each, to the one going (not to bob, who cannot come); then the recap.
    day_before = "[DM → carol] bot: Reminder: Apéro du mois (Apéros Wambrechies) starts in 1 day"
    hour_before = "[DM → carol] bot: Reminder: Apéro du mois (Apéros Wambrechies) starts in 1 hour"
    assert day.count(day_before) == 1 and day.count(hour_before) == 1
    assert day.index(day_before) < day.index(hour_before)
    assert "[DM → bob] bot: Reminder" not in text
    assert "Apéro du mois is over: thank you for coming! Share your photos and follow-ups in this thread." in day
    assert "[#general › thread " in day
    assert (
        "[DM → alice] bot: Apéro du mois (Apéros Wambrechies), Tuesday 1 December 2026, 19:00 (Europe/Paris time), "
        "is over. The answers: 1 going, 0 maybe, 1 can't go, 0 on the waitlist; 0 seats left."
    ) in day
    assert "The next date: Friday 1 January 2027, 19:00 (Europe/Paris time)." in day
    # The next date's card, with its own buttons.
    assert "When: Friday 1 January 2027, 19:00 to 21:00" in day
    assert '[Going] → /event rsvp event:1 answer:going date:"2027-01-01 19:00"' in day
    # Two days more: nothing comes twice (only the next date's save-the-date, 30 days before it).
    assert "Reminder" not in after and "is over" not in after and "seat freed up" not in after
    assert "[DM → alice] bot: Save the date: Apéro du mois (Apéros Wambrechies) is in 30 days" in after
    # The calendar files, read by an independent parser: the series (the date held and the three to come,
    # 19:00 in Paris), and carol's own file with the one date she went to.
    series, own = calendars(after)
    months = ((2026, 12), (2027, 1), (2027, 2), (2027, 3))
    assert starts(series) == [datetime(year, month, 1, 18, 0, tzinfo=UTC) for year, month in months]
    assert starts(own) == [datetime(2026, 12, 1, 18, 0, tzinfo=UTC)]
    # The digest so far, with the events' figures.
    assert "Events\n• Event dates held: 0 → 1, new\n• Answers “going”: 0 → 1, new" in after
    assert "Apéros Wambrechies: 1 date held, 1 going, 0 maybe, 1 can't go (going rate 50%)" in after


def calendars(printed: str) -> list[Calendar]:
    """The .ics files the console wrote, as it printed their paths, parsed."""
    return [Calendar.from_ical(Path(path).read_bytes()) for path in re.findall(r"→ (\S+\.ics)\n", printed)]


def starts(calendar: Calendar) -> list[datetime]:
    """The starts a calendar app shows until April 2027 (a series without end goes on), in UTC."""
    window = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    return sorted(e.decoded("DTSTART").astimezone(UTC) for e in recurring_ical_events.of(calendar).between(*window))
