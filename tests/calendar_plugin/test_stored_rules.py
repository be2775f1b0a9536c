"""Stored rules that no longer expand (written by an older version, or a bug): at start-up and on the
`calendar.extend` job the series is disabled once, with one log line and one notice to its owner,
and neither start-up nor the job hangs."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FrozenClock
from tests.calendar_plugin.helpers import PLUGINS, dms, entries, mod, populate
from tests.harness import FakePlatform, Harness, make_config

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
# Rules the previous `normalise_rule` accepted (it only asked dateutil to build them).
OLD_RULES = {
    "bob": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never happens: dateutil scans up to the year 9999
    "carla": "FREQ=DAILY;INTERVAL=0",
}


async def _build(tmp_path: Path, clock: FrozenClock, platform: FakePlatform) -> tuple[App, Harness]:
    """The app started on the database under `tmp_path` (a restart when it exists), and its harness."""
    app = App(make_config(tmp_path, PLUGINS), clock=clock, realtime=False)
    await app.build()
    app.add_platform(platform)
    await app.start()
    return app, Harness(app, clock, platform)


def _insert_old_series(db: Path, community: str) -> None:
    """Rows as an older version wrote them, straight into the SQLite file."""
    with sqlite3.connect(db) as conn:
        for owner, rule in OLD_RULES.items():
            conn.execute(
                "INSERT INTO calendar_series (community, title, channel_id, owner_id, rule, start_local, timezone, "
                "remind, materialised_until, created_by, created_at) VALUES (?, ?, 'news', ?, ?, ?, 'Europe/Paris', "
                "'1d', ?, 'mod', ?)",
                (
                    community,
                    f"Old {owner}",
                    owner,
                    rule,
                    "2026-11-10T09:00:00",
                    "2026-11-10T08:00:00.000000Z",
                    "2026-11-10T08:00:00.000000Z",
                ),
            )


def _disabled(db: Path) -> dict[str, str | None]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT owner_id, disabled_at FROM calendar_series WHERE title LIKE 'Old %'").fetchall()
    return {owner: disabled for owner, disabled in rows}


async def test_a_stored_rule_that_cannot_expand_disables_its_series_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FrozenClock(NOW)
    platform = FakePlatform()
    app, h = await _build(tmp_path, clock, platform)
    populate(h)
    await mod(h, '/calendar add Good #news "mardi 9h" @alice weekly')
    await app.stop()
    db = tmp_path / "bot.db"
    _insert_old_series(db, platform.community.key)

    caplog.set_level(logging.INFO)
    began = time.monotonic()
    app, h = await _build(tmp_path, clock, platform)  # start-up runs `calendar.extend`
    await app.scheduler.catch_up()
    assert time.monotonic() - began < 10  # a generous freeze guard: start-up does not hang
    assert all(_disabled(db).values())
    for owner in OLD_RULES:
        notes = dms(h, owner)
        assert len(notes) == 1, notes
        assert f"The repeating entry **Old {owner}** is paused" in notes[0]
        assert "plan it again with `/calendar add` and a valid repetition" in notes[0]
    assert "The interval must be at least 1, not 0." in dms(h, "carla")[0]
    assert "never happens within 5 years" in dms(h, "bob")[0]
    logged = [r.getMessage() for r in caplog.records if "disabled" in r.getMessage()]
    assert len(logged) == 2 and all("cannot be expanded" in line for line in logged)

    # The next runs of the job, and another restart, neither notify nor log again; the good series goes on.
    await h.advance(hours=6)
    await h.advance(hours=6)
    await app.stop()
    app, h = await _build(tmp_path, clock, platform)
    await app.scheduler.catch_up()
    await h.advance(days=7)
    assert [len(dms(h, owner)) for owner in OLD_RULES] == [1, 1]
    assert len([r for r in caplog.records if "disabled" in r.getMessage()]) == 2
    rows = await entries(h)
    assert {row["title"] for row in rows} == {"Good"} and len(rows) >= 9
    await app.stop()


async def test_a_notice_in_french_for_a_french_community(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    platform = FakePlatform()
    app, h = await _build(tmp_path, clock, platform)
    populate(h)
    await mod(h, "/settings locale fr")
    await app.stop()
    _insert_old_series(tmp_path / "bot.db", platform.community.key)
    app, h = await _build(tmp_path, clock, platform)
    await app.scheduler.catch_up()
    note = dms(h, "carla")[0]
    assert "La série **Old carla** est en pause" in note
    assert "L’intervalle doit valoir au moins 1 (vous avez écrit 0)." in note
    await app.stop()


async def test_a_series_edit_of_a_disabled_series_is_refused(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    platform = FakePlatform()
    app, h = await _build(tmp_path, clock, platform)
    populate(h)
    await mod(h, '/calendar add Good #news "mardi 9h" @alice weekly')
    await app.stop()
    db = tmp_path / "bot.db"
    with sqlite3.connect(db) as conn:  # a bug stored a rule that no longer reads
        conn.execute(
            "UPDATE calendar_series SET rule = 'FREQ=WEEKLY;BYDAY=XX', materialised_until = ?",
            ("2026-11-10T08:00:00.000000Z",),
        )
    app, h = await _build(tmp_path, clock, platform)
    await app.scheduler.catch_up()
    reply = await mod(h, "/calendar edit 1 title:New scope:series")
    assert reply.ephemeral and "is paused because its repetition no longer works" in reply.text
    assert "/calendar cancel 1 series" in reply.text
    listing = await mod(h, "/calendar list")
    assert "Good" in listing.text  # the entries already planned stay
    await app.stop()
