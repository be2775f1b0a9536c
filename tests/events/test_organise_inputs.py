"""What an organiser types, read directly (plugins/events/inputs.py): the accepted forms and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.plugin import CommandError
from plugins.events import inputs

START = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 19:00 in Paris


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://meet.example.org/apero", "https://meet.example.org/apero"),
        ("  HTTP://example.org/a?b=c#d ", "HTTP://example.org/a?b=c#d"),
        ("none", None),
        ("aucun", None),
    ],
)
def test_links_accepted(raw: str, stored: str | None) -> None:
    assert inputs.read_link(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "ftp://example.org/file",
        "https://",
        "https://a b.example",
        "https://user:secret@example.org/",
        "example.org",
        "https://example.org/\u0007",
        "https://example.org/" + "a" * 300,
    ],
)
def test_links_refused(raw: str) -> None:
    with pytest.raises(CommandError) as refused:
        inputs.read_link(raw)
    assert "https://" in refused.value.message.msgid


@pytest.mark.parametrize(
    ("capacity", "ok"), [(None, True), (1, True), (1000, True), (0, False), (-3, False), (1001, False)]
)
def test_capacity_bounds(capacity: int | None, ok: bool) -> None:
    if ok:
        assert inputs.read_capacity(capacity, 1000) == capacity
    else:
        with pytest.raises(CommandError) as refused:
            inputs.read_capacity(capacity, 1000)
        assert refused.value.message.params["limit"] == 1000


@pytest.mark.parametrize(
    ("raw", "ends"),
    [
        ("22h", datetime(2026, 12, 1, 21, 0, tzinfo=UTC)),
        ("22:30", datetime(2026, 12, 1, 21, 30, tzinfo=UTC)),
        ("2026-12-02 01:00", datetime(2026, 12, 2, 0, 0, tzinfo=UTC)),
    ],
)
async def test_an_end_is_read_from_the_start_day(raw: str, ends: datetime) -> None:
    assert await inputs.read_end(raw, START, "Europe/Paris") == ends


@pytest.mark.parametrize("raw", ["18h", "19:00", "2026-11-30 22:00"])
async def test_an_end_not_after_the_start_is_refused(raw: str) -> None:
    with pytest.raises(CommandError) as refused:
        await inputs.read_end(raw, START, "Europe/Paris")
    assert refused.value.message.msgid.startswith("The end")


@pytest.mark.parametrize(
    ("length", "ok"),
    [
        (timedelta(minutes=15), True),
        (timedelta(hours=72), True),
        (timedelta(minutes=14), False),
        (timedelta(hours=73), False),
    ],
)
def test_duration_bounds(length: timedelta, ok: bool) -> None:
    if ok:
        assert inputs.read_length(length, 72) == length.total_seconds() // 60
    else:
        with pytest.raises(CommandError):
            inputs.read_length(length, 72)


async def test_rules_in_words_and_the_never_happening_one() -> None:
    first_tuesday = datetime(2026, 12, 1, 19, 0)
    assert await inputs.read_rule("every first tuesday", first_tuesday) == "FREQ=MONTHLY;BYDAY=1TU"
    assert await inputs.read_rule("chaque premier mardi du mois", first_tuesday) == "FREQ=MONTHLY;BYDAY=1TU"
    assert await inputs.read_rule("aucune", first_tuesday) is None
    with pytest.raises(CommandError):
        await inputs.read_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", first_tuesday)
    with pytest.raises(CommandError):
        await inputs.read_rule("FREQ=WEEKLY;UNTIL=20260101", first_tuesday)


def test_texts_and_reminders() -> None:
    assert inputs.read_title("  Apéro \n Rust ") == "Apéro Rust"
    for bad in ("   ", "x" * 101):
        with pytest.raises(CommandError):
            inputs.read_title(bad)
    with pytest.raises(CommandError):
        inputs.read_description("x" * 1501)
    assert inputs.read_reminders(None, "1d,1h") == "1d,1h"
    assert inputs.read_reminders("2j, 3h", "1d,1h") == "2d,3h"
    assert inputs.read_reminders("aucun", "1d,1h") == "none"
    with pytest.raises(CommandError):
        inputs.read_reminders("-1h", "1d,1h")
