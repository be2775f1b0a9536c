"""What the voice tests of both platforms share: hostile member text, the plugins they run, and moving
the frozen clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import App
from bot.clock import FrozenClock

HOSTILE = (
    "<http://evil.example|your bank> [click](http://evil.example) <!here> <@U2> @everyone <!channel> "
    "<!everyone> <!subteam^S1> <@123456789012345678> <@&123456789012345678> @here"
)
NAME = "@everyone <!here> [click](http://evil.example) <@U123>"  # a group name: 60 characters at most
FEATURES: dict[str, dict[str, Any] | None] = {"core": {}, "groups": {}, "questions": {}, "calendar": {}}


async def advance(app: App, **delta: float) -> None:
    """Move the frozen clock forward and run everything that fell due."""
    assert isinstance(app.clock, FrozenClock)
    app.clock.advance(timedelta(**delta))
    await app.scheduler.catch_up()


PADDING = "x" * 180
"""Calendar titles near their 200-character limit: 50 of them fill more than one message on any platform."""


def long_title(series: int) -> str:
    """The title of one of the daily series that make `/calendar list month` long."""
    return f"Series {series} <!here> {PADDING}"
